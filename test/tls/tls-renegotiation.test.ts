import { spawn } from "node:child_process";
import { once } from "node:events";
import { type AddressInfo, createServer, type Socket } from "node:net";
import { getCertificateSet } from "../../src/certs";
import { startMockServer } from "../../src/mock-server";
import { TlsAcceptor } from "../../src/tls/tls-acceptor";
import { tlsAlertOf } from "../../src/tls/tls-failure";
import { pemFile } from "../helpers/mariadb-cli";
import { startMariadbServer } from "../helpers/mariadb-server";

interface RenegotiationRun {
  code: number | null;
  output: string;
}

/**
 * `openssl s_client -starttls mysql -tls1_2` that types `R` (renegotiate) once its handshake is
 * done. A refusing server makes it fail on its own, whenever the refusal arrives; one that
 * renegotiated instead would leave it waiting for input, and the test's timeout fails the test.
 */
function renegotiateWithSclient(port: number, starttls = true): Promise<RenegotiationRun> {
  return new Promise((resolve, reject) => {
    const child = spawn("openssl", [
      "s_client",
      ...(starttls ? ["-starttls", "mysql"] : []),
      "-tls1_2",
      "-connect",
      `127.0.0.1:${port}`,
    ]);
    let output = "";
    let asked = false;
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString();
      // s_client prints the session summary, ending with "---", once the handshake has completed.
      if (!asked && /Verify return code.*\n---/s.test(output)) {
        asked = true;
        child.stdin.write("R\n");
      }
    };
    child.stdout.on("data", onOutput);
    child.stderr.on("data", onOutput);
    // s_client fails on its own once the server refuses: a write after that meets a closed pipe.
    child.stdin.on("error", () => undefined);
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

describe("a client-initiated TLS renegotiation", () => {
  it("is refused with no_renegotiation as MariaDB on OpenSSL 3 refuses it, and recorded as the client's aborted session", async () => {
    const set = await getCertificateSet("mysql-auto");
    await using mock = await startMockServer({
      tls: { key: set.server.key, cert: set.server.cert, ca: set.ca, maxVersion: "TLSv1.2" },
    });
    const fromMock = await renegotiateWithSclient(mock.port);

    expect(fromMock.output).toContain("RENEGOTIATING");
    // OpenSSL turns the server's no_renegotiation warning into its own fatal error.
    expect(fromMock.output).toMatch(/:no renegotiation:/);
    expect(fromMock.code).toBe(1);

    const [record] = await mock.settled();
    expect(record?.tls).toMatchObject({ outcome: "negotiated", version: "TLSv1.2" });
    expect(record?.outcome).toEqual({
      kind: "client-went-away",
      phase: "tls-handshake-response",
      how: "closed",
    });
    // Its renegotiation ClientHello and fatal alert came after the handshake and ended in an error:
    // not a close_notify.
    expect(record?.tls).toMatchObject({
      clientClosed: { closeNotify: null, bytesAfterHandshake: expect.any(Number) },
    });
    if (record?.tls?.outcome !== "negotiated") throw new Error("expected a negotiated session");
    expect(record.tls.clientClosed!.bytesAfterHandshake).toBeGreaterThan(0);
    expect(JSON.stringify(record)).not.toContain("SESSION_ATTACK");

    const real = await startMariadbServer({
      ssl: {
        ca: pemFile(set.ca),
        cert: pemFile(set.server.cert, "server-cert.pem"),
        key: pemFile(set.server.key, "server-key.pem"),
      },
    });
    try {
      const fromReal = await renegotiateWithSclient(real.port);
      expect(fromReal.output).toContain("RENEGOTIATING");
      expect(fromReal.output).toMatch(/:no renegotiation:/);
      expect(fromReal.code).toBe(fromMock.code);
    } finally {
      await real.stop();
    }
  }, 120_000);

  it("is refused by the TLS acceptor itself, and the session's error names the client's handshake_failure alert", async () => {
    const set = await getCertificateSet("mysql-auto");
    const acceptor = new TlsAcceptor({
      key: set.server.key,
      cert: set.server.cert,
      minVersion: "TLSv1.2",
      maxVersion: "TLSv1.2",
      ciphers: "DEFAULT",
      clientCertificates: "none",
    });
    const sessionErrors: NodeJS.ErrnoException[] = [];
    const sockets: Socket[] = [];
    let sessionClosed!: () => void;
    const closed = new Promise<void>((resolve) => {
      sessionClosed = resolve;
    });
    const server = createServer((socket) => {
      sockets.push(socket);
      void acceptor.accept(socket).then((result) => {
        if (!result.ok) return sessionClosed();
        result.tls.socket.on("error", (error: NodeJS.ErrnoException) => sessionErrors.push(error));
        result.tls.socket.once("close", sessionClosed);
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    try {
      const run = await renegotiateWithSclient((server.address() as AddressInfo).port, false);
      expect(run.output).toMatch(/:no renegotiation:/);
      await closed;
      expect(sessionErrors.map((error) => tlsAlertOf(error))).toEqual(["handshake_failure"]);
      expect(sessionErrors.map((error) => error.code)).not.toContain("ERR_TLS_SESSION_ATTACK");
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });
});
