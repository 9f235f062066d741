import { once } from "node:events";
import { rmSync } from "node:fs";
import { Duplex } from "node:stream";
import { connect as tlsConnect } from "node:tls";
import { dirname } from "node:path";
import { type CertificateSetName, getCertificateSet } from "../../src/certs";
import type { ConnectionRecord } from "../../src/record/connection-record";
import { type StartOptions, startMockServer } from "../../src/mock-server";
import { pemFile, runMariadbCli } from "../helpers/mariadb-cli";
import { runOpensslStartTls } from "../helpers/openssl-client";
import { RawClient, sslRequest } from "../helpers/raw-client";
import { encodePacket } from "../../src/protocol/framing";
import { withHandshakeProgress } from "../../src/tls/tls-failure";

/**
 * Each cause of a failed TLS handshake, provoked by a real client — the mariadb CLI and
 * `openssl s_client` — and named in the record as a cause from a closed set, with the client's alert.
 */

const caFiles: string[] = [];
afterAll(() => {
  for (const file of caFiles) rmSync(dirname(file), { recursive: true, force: true });
});

/** The CA a correctly configured client trusts for a set: the good CA, never the one that issued a rogue chain. */
async function caFileFor(set: CertificateSetName): Promise<string> {
  const file = pemFile((await getCertificateSet(set)).ca);
  caFiles.push(file);
  return file;
}

async function recordOf(options: StartOptions, client: (port: number) => Promise<unknown>) {
  await using server = await startMockServer(options);
  await client(server.port);
  const [record] = await server.settled();
  return record as ConnectionRecord;
}

function serving(certificates: CertificateSetName): StartOptions {
  return { tls: { certificates } };
}

describe("what the server saw of a failed handshake's progress", () => {
  it("marks afterServerFlight only for a client that left without an alert", () => {
    const progress = { serverFinishedSent: true, bytesAfterClientHello: 0 };
    for (const cause of ["closed", "reset"] as const) {
      expect(withHandshakeProgress({ cause, message: "m" }, progress)).toEqual({
        cause,
        message: "m",
        afterServerFlight: true,
        bytesAfterClientHello: 0,
      });
    }
    const alerted = { cause: "cert-rejected" as const, alert: "unknown_ca", message: "m" };
    expect(withHandshakeProgress(alerted, { serverFinishedSent: true, bytesAfterClientHello: 7 })).toEqual({
      ...alerted,
      bytesAfterClientHello: 7,
    });
  });

  it("adds nothing the server did not see", () => {
    const failure = { cause: "closed" as const, message: "m" };
    expect(
      withHandshakeProgress(failure, { serverFinishedSent: false, bytesAfterClientHello: null }),
    ).toEqual(failure);
  });
});

describe("a failed TLS handshake is recorded with its cause", () => {
  describe("cert-rejected, with the alert the client sent", () => {
    it("unknown_ca from openssl s_client given a CA that did not issue the certificate", async () => {
      const ca = await caFileFor("untrusted-root");
      const record = await recordOf(serving("untrusted-root"), (port) =>
        runOpensslStartTls(port, ["-verify_return_error", "-CAfile", ca]),
      );
      expect(record.tls).toMatchObject({
        outcome: "failed",
        failure: { cause: "cert-rejected", alert: "unknown_ca" },
      });
      expect(record.verdict?.kind).toBe("tls-verified-refused");
    });

    it("unknown_ca from the mariadb CLI given a CA that did not issue the certificate", async () => {
      const ca = await caFileFor("untrusted-root");
      const record = await recordOf(serving("untrusted-root"), (port) =>
        runMariadbCli({ port, flags: [`--ssl-ca=${ca}`, "--ssl-verify-server-cert"] }),
      );
      expect(record.tls).toMatchObject({
        outcome: "failed",
        failure: { cause: "cert-rejected", alert: "unknown_ca" },
      });
      expect(record.user).toBeNull();
    });

    it("certificate_expired from openssl s_client and from the mariadb CLI", async () => {
      const ca = await caFileFor("expired");
      const opensslRecord = await recordOf(serving("expired"), (port) =>
        runOpensslStartTls(port, ["-verify_return_error", "-CAfile", ca]),
      );
      const cliRecord = await recordOf(serving("expired"), (port) =>
        runMariadbCli({ port, flags: [`--ssl-ca=${ca}`, "--ssl-verify-server-cert"] }),
      );
      for (const record of [opensslRecord, cliRecord]) {
        expect(record.tls).toMatchObject({
          outcome: "failed",
          failure: { cause: "cert-rejected", alert: "certificate_expired" },
        });
        expect(record.verdict).toMatchObject({ kind: "tls-verified-refused" });
        expect(record.verdict?.summary).toContain("expired");
      }
    });
  });

  describe("protocol-version", () => {
    it("from openssl s_client offering only TLSv1.3 to a 5.7 server", async () => {
      const record = await recordOf({}, (port) => runOpensslStartTls(port, ["-tls1_3"]));
      expect(record.tls).toMatchObject({ outcome: "failed", failure: { cause: "protocol-version" } });
      expect(record.verdict?.kind).toBe("tls-failed");
    });

    it("from the mariadb CLI that refuses the only version served (TLSv1)", async () => {
      const record = await recordOf(
        { tls: { minVersion: "TLSv1", maxVersion: "TLSv1", ciphers: "DEFAULT:@SECLEVEL=0" } },
        (port) => runMariadbCli({ port, flags: ["--ssl", "--tls-version=TLSv1.2,TLSv1.3"] }),
      );
      expect(record.tls).toMatchObject({ outcome: "failed", failure: { cause: "protocol-version" } });
      expect(record.user).toBeNull();
    });
  });

  describe("no-shared-cipher", () => {
    it("from openssl s_client offering only suites the server does not serve", async () => {
      const record = await recordOf({ tls: { ciphers: "ECDHE-RSA-AES256-GCM-SHA384" } }, (port) =>
        runOpensslStartTls(port, ["-tls1_2", "-cipher", "AES128-SHA"]),
      );
      expect(record.tls).toMatchObject({ outcome: "failed", failure: { cause: "no-shared-cipher" } });
    });

    it("from the mariadb CLI offering only suites the server does not serve", async () => {
      const record = await recordOf({ tls: { ciphers: "ECDHE-RSA-AES256-GCM-SHA384" } }, (port) =>
        runMariadbCli({ port, flags: ["--ssl", "--ssl-cipher=AES128-SHA", "--tls-version=TLSv1.2"] }),
      );
      expect(record.tls).toMatchObject({ outcome: "failed", failure: { cause: "no-shared-cipher" } });
    });
  });

  describe("reset, closed and timeout, from a client that stops mid-handshake", () => {
    /** A real ClientHello, taken from node's TLS client as it starts a handshake. */
    async function clientHello(): Promise<Buffer> {
      return new Promise((resolve) => {
        const carrier = new Duplex({
          read() {},
          write(chunk: Buffer) {
            resolve(chunk);
            setImmediate(() => tls.destroy());
          },
        });
        const tls = tlsConnect({ socket: carrier, rejectUnauthorized: false });
        tls.on("error", () => undefined);
      });
    }

    /** Sends the SSLRequest and a ClientHello, reads the server's first flight, then stops. */
    async function partialHandshake(port: number, end: "reset" | "close" | "stall"): Promise<void> {
      const client = await RawClient.connect(port);
      await client.readGreeting();
      const socket = client.socket;
      socket.removeAllListeners("data");
      const serverHello = once(socket, "data");
      socket.write(Buffer.concat([encodePacket(sslRequest(), 1), await clientHello()]));
      await serverHello;
      if (end === "reset") {
        socket.resetAndDestroy();
        return;
      }
      // Unread bytes would turn a close into a reset: read the rest of the server's flight.
      socket.resume();
      if (end === "close") socket.end();
      await once(socket, "close");
    }

    it("reset when the client resets the TCP connection", async () => {
      const record = await recordOf({}, (port) => partialHandshake(port, "reset"));
      expect(record.tls).toMatchObject({ outcome: "failed", failure: { cause: "reset" } });
    });

    it("closed when the client closes the TCP connection", async () => {
      const record = await recordOf({}, (port) => partialHandshake(port, "close"));
      expect(record.tls).toMatchObject({ outcome: "failed", failure: { cause: "closed" } });
    });

    it("over TLSv1.3, a client gone without a word after the server's whole flight is marked afterServerFlight", async () => {
      for (const end of ["close", "reset"] as const) {
        const record = await recordOf({ serverVersion: "8.0.36", tls: { maxVersion: "TLSv1.3" } }, (port) =>
          partialHandshake(port, end),
        );
        expect(record.tls).toMatchObject({
          outcome: "failed",
          failure: {
            cause: end === "close" ? "closed" : "reset",
            afterServerFlight: true,
            bytesAfterClientHello: 0,
          },
        });
      }
    });

    it("over TLSv1.2 the same close is not: the server's first flight ends before its Finished", async () => {
      const record = await recordOf({}, (port) => partialHandshake(port, "close"));
      const tls = record.tls;
      if (tls?.outcome !== "failed") throw new Error("expected a failed handshake");
      expect(tls.failure).toMatchObject({ cause: "closed", bytesAfterClientHello: 0 });
      expect(tls.failure.afterServerFlight).toBeUndefined();
    });

    it("timeout when the client goes silent past connect_timeout", async () => {
      const record = await recordOf({ connectTimeoutMs: 300 }, (port) => partialHandshake(port, "stall"));
      expect(record.tls).toMatchObject({ outcome: "failed", failure: { cause: "timeout" } });
      expect(record.tls?.clientHello?.cipherSuites.length).toBeGreaterThan(0);
      expect(record.outcome.kind).toBe("tls-failed");
    });
  });
});
