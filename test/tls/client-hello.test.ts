import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConnectionRecord } from "../../src/record/connection-record";
import { type MockServer, startMockServer } from "../../src/mock-server";
import type { ClientHelloSummary } from "../../src/tls/client-hello";
import { runOpensslStartTls } from "../helpers/openssl-client";
import { runProcess } from "../helpers/processes";
import { RawClient } from "../helpers/raw-client";

/**
 * The ClientHello that follows the SSLRequest, read before the handshake, against real clients
 * whose offer is fixed by their flags: `openssl s_client -starttls mysql` offers exactly the
 * versions, suites, groups and signature algorithms it is given.
 */

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer({ serverVersion: "8.0.36", tls: { maxVersion: "TLSv1.3" } });
});
afterAll(() => server.stop());

async function helloOf(args: string[]): Promise<{ hello: ClientHelloSummary; record: ConnectionRecord }> {
  const before = server.connections.length;
  await runOpensslStartTls(server.port, args);
  const record = await server.waitForConnection(before + 1);
  const hello = record.tls?.clientHello;
  if (!hello) throw new Error(`no ClientHello recorded: ${JSON.stringify(record.tls)}`);
  return { hello, record };
}

describe("the recorded ClientHello", () => {
  it("lists exactly the cipher suites a TLSv1.2-only client offers, by IANA name, in its order", async () => {
    const { hello } = await helloOf([
      "-tls1_2",
      "-cipher",
      "ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA",
      "-noservername",
    ]);
    expect(hello.legacyVersion).toBe("TLSv1.2");
    // A client capped at TLSv1.2 sends no supported_versions extension.
    expect(hello.supportedVersions).toBeNull();
    expect(hello.cipherSuites).toEqual([
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_RSA_WITH_AES_256_CBC_SHA",
      // OpenSSL's secure-renegotiation signal (RFC 5746) rides in the suite list.
      "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
    ]);
  });

  it("has no SNI when the client sends none, and the name when it does", async () => {
    const without = await helloOf(["-tls1_2", "-noservername"]);
    expect(without.hello.sni).toBeNull();
    expect(without.record.tls).toMatchObject({ outcome: "negotiated", sni: null });
    const named = await helloOf(["-tls1_2", "-servername", "db.example"]);
    expect(named.hello.sni).toBe("db.example");
    expect(named.record.tls).toMatchObject({ outcome: "negotiated", sni: "db.example" });
  });

  it("lists the supported groups, signature algorithms and ALPN protocols offered", async () => {
    const { hello } = await helloOf([
      "-tls1_2",
      "-groups",
      "X25519:P-256",
      "-sigalgs",
      "RSA+SHA256:ECDSA+SHA256",
      "-alpn",
      "mysql",
    ]);
    expect(hello.supportedGroups).toEqual(["x25519", "secp256r1"]);
    expect(hello.signatureAlgorithms).toEqual(["rsa_pkcs1_sha256", "ecdsa_secp256r1_sha256"]);
    expect(hello.alpn).toEqual(["mysql"]);
  });

  it("shows a TLSv1.3 client's versions from supported_versions, not legacy_version", async () => {
    const { hello, record } = await helloOf(["-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256"]);
    expect(hello.legacyVersion).toBe("TLSv1.2");
    expect(hello.supportedVersions).toEqual(["TLSv1.3"]);
    expect(hello.cipherSuites).toEqual(["TLS_AES_128_GCM_SHA256", "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"]);
    expect(record.tls).toMatchObject({ outcome: "negotiated", version: "TLSv1.3" });
  });

  it("lists every version a default client offers, highest first", async () => {
    const { hello } = await helloOf([]);
    expect(hello.supportedVersions?.[0]).toBe("TLSv1.3");
    expect(hello.supportedVersions).toContain("TLSv1.2");
  });

  it("records every version a client offering TLSv1 to TLSv1.3 lists, highest first, in its order", async () => {
    await using wide = await startMockServer({
      serverVersion: "8.0.36",
      tls: { minVersion: "TLSv1", maxVersion: "TLSv1.3" },
    });
    const offered = ["TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1"];

    await runOpensslStartTls(wide.port, ["-min_protocol", "TLSv1", "-cipher", "DEFAULT:@SECLEVEL=0"]);
    const fromOpenssl = await wide.waitForConnection(1);
    expect(fromOpenssl.tls?.clientHello?.supportedVersions).toEqual(offered);
    expect(fromOpenssl.tls).toMatchObject({ outcome: "negotiated", version: "TLSv1.3" });

    const client = await RawClient.connect(wide.port);
    await client.readGreeting();
    const tls = await client.startTlsCoalesced(1, { minVersion: "TLSv1", ciphers: "DEFAULT:@SECLEVEL=0" });
    tls.end();
    await client.closed();
    const fromNode = await wide.waitForConnection(2);
    expect(fromNode.tls?.clientHello?.supportedVersions).toEqual(offered);
  });

  it("records a ClientHello without an extensions block and completes the handshake", async () => {
    // OpenSSL sends no extensions for TLSv1 without SNI, tickets, encrypt-then-MAC and extended
    // master secret; the last can only be turned off in its configuration.
    const dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-openssl-"));
    try {
      const config = join(dir, "openssl.cnf");
      writeFileSync(
        config,
        [
          "openssl_conf = openssl_init",
          "[openssl_init]",
          "ssl_conf = ssl_sect",
          "[ssl_sect]",
          "system_default = system_default_sect",
          "[system_default_sect]",
          "Options = -ExtendedMasterSecret",
          "",
        ].join("\n"),
      );
      await using tls1 = await startMockServer({ tls: { minVersion: "TLSv1", maxVersion: "TLSv1.2" } });
      const args = ["-tls1", "-cipher", "AES128-SHA:@SECLEVEL=0", "-noservername", "-no_ticket", "-no_etm"];
      await runProcess(
        "openssl",
        ["s_client", "-starttls", "mysql", "-connect", `127.0.0.1:${tls1.port}`, ...args],
        { env: { OPENSSL_CONF: config } },
      );
      const [record] = await tls1.settled();
      expect(record?.tls).toMatchObject({
        outcome: "negotiated",
        version: "TLSv1",
        clientHello: {
          legacyVersion: "TLSv1",
          supportedVersions: null,
          cipherSuites: ["TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"],
          ja4: "t10i020000_a5878986a7c9_000000000000",
        },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fingerprints the same offer the same way (JA3, JA4) and different offers differently", async () => {
    const args = ["-tls1_2", "-cipher", "AES128-SHA", "-noservername"];
    const first = await helloOf(args);
    const second = await helloOf(args);
    expect(second.hello.ja3).toBe(first.hello.ja3);
    expect(second.hello.ja4).toBe(first.hello.ja4);
    expect(first.hello.ja3).toMatch(/^[0-9a-f]{32}$/);
    // JA4: TCP, TLS 1.2, an IP-literal/no-SNI "i", then counts of suites and extensions.
    expect(first.hello.ja4).toMatch(/^t12i02\d\d00_[0-9a-f]{12}_[0-9a-f]{12}$/);
    const other = await helloOf(["-tls1_2", "-cipher", "AES256-SHA", "-noservername"]);
    expect(other.hello.ja3).not.toBe(first.hello.ja3);
  });

  it("is recorded also when the handshake then fails", async () => {
    await using strict = await startMockServer({ tls: { minVersion: "TLSv1.2", maxVersion: "TLSv1.2" } });
    await runOpensslStartTls(strict.port, ["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"]);
    const [record] = await strict.settled();
    expect(record?.tls).toMatchObject({
      outcome: "failed",
      failure: { cause: "protocol-version" },
      clientHello: { legacyVersion: "TLSv1.1", supportedVersions: null },
    });
  });
});
