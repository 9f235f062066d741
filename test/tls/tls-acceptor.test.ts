import { getCertificateSet } from "../../src/certs";
import { startMockServer } from "../../src/mock-server";
import { onelineFromMultiline } from "../../src/tls/tls-session";
import { pemFile } from "../helpers/mariadb-cli";
import { runOpensslStartTls } from "../helpers/openssl-client";
import { RawClient } from "../helpers/raw-client";

/** Runs a TLS handshake after a real greeting and SSLRequest; resolves with the client's error, if any. */
async function tlsHandshake(port: number, options: Parameters<RawClient["startTlsCoalesced"]>[1]) {
  const client = await RawClient.connect(port);
  await client.readGreeting();
  try {
    const tls = await client.startTlsCoalesced(1, options);
    tls.end();
    return null;
  } catch (error) {
    client.socket.destroy();
    return error as NodeJS.ErrnoException;
  }
}

describe("the TLS acceptor", () => {
  it("records the alert an OpenSSL client sends when it rejects the server certificate", async () => {
    await using server = await startMockServer();
    const otherCa = await getCertificateSet("good");
    const result = await runOpensslStartTls(server.port, [
      "-verify_return_error",
      "-CAfile",
      pemFile(otherCa.ca),
    ]);
    expect(result.code).not.toBe(0);
    const [record] = await server.settled();
    expect(record?.tls).toMatchObject({
      outcome: "failed",
      failure: { cause: "cert-rejected", alert: "unknown_ca" },
    });
    expect(record?.outcome.kind).toBe("tls-failed");
  });

  it("sees a node client's certificate rejection as a completed handshake followed by a close", async () => {
    // node:tls verifies the server after the handshake and closes without an alert.
    await using server = await startMockServer();
    const error = await tlsHandshake(server.port, { rejectUnauthorized: true });
    expect(error?.code).toBe("SELF_SIGNED_CERT_IN_CHAIN");
    const [record] = await server.settled();
    expect(record?.tls).toMatchObject({ outcome: "negotiated" });
    expect(record?.user).toBeNull();
    expect(record?.outcome).toMatchObject({ kind: "client-went-away", phase: "tls-handshake-response" });
  });

  it("records a protocol-version failure when no version is shared", async () => {
    await using server = await startMockServer({ tls: { minVersion: "TLSv1.2", maxVersion: "TLSv1.2" } });
    const error = await tlsHandshake(server.port, {
      maxVersion: "TLSv1.1",
      minVersion: "TLSv1",
      ciphers: "DEFAULT:@SECLEVEL=0",
    });
    expect(error).not.toBeNull();
    const [record] = await server.settled();
    expect(record?.tls).toMatchObject({ outcome: "failed", failure: { cause: "protocol-version" } });
    const tls = record?.tls;
    if (tls?.outcome !== "failed") throw new Error("expected a failure");
    expect(tls.clientHello?.legacyVersion).toBe("TLSv1.1");
  });

  it("records a no-shared-cipher failure", async () => {
    await using server = await startMockServer({
      tls: { ciphers: "AES128-SHA:@SECLEVEL=0", maxVersion: "TLSv1.2" },
    });
    const error = await tlsHandshake(server.port, {
      ciphers: "ECDHE-RSA-AES256-GCM-SHA384",
      maxVersion: "TLSv1.2",
    });
    expect(error).not.toBeNull();
    const [record] = await server.settled();
    expect(record?.tls).toMatchObject({ outcome: "failed", failure: { cause: "no-shared-cipher" } });
  });

  it("negotiates TLSv1.3 only when the server's maximum allows it", async () => {
    await using server = await startMockServer({ serverVersion: "8.0.36", tls: { maxVersion: "TLSv1.3" } });
    expect(await tlsHandshake(server.port, {})).toBeNull();
    const [record] = await server.settled();
    expect(record?.tls).toMatchObject({ outcome: "negotiated", version: "TLSv1.3" });
  });

  it("records a verified client certificate, and drops a connection whose certificate does not verify", async () => {
    const good = await getCertificateSet("good");
    const untrusted = await getCertificateSet("client-untrusted");
    await using server = await startMockServer({
      tls: { key: good.server.key, cert: good.server.cert, ca: good.ca },
    });
    expect(await tlsHandshake(server.port, { cert: good.client!.cert, key: good.client!.key })).toBeNull();
    const [accepted] = await server.settled();
    expect(accepted?.tls).toMatchObject({
      outcome: "negotiated",
      clientCertificateVerified: true,
      clientCertificate: { subject: expect.stringContaining("CN=") },
    });

    await tlsHandshake(server.port, { cert: untrusted.client!.cert, key: untrusted.client!.key });
    const rejected = await server.waitForConnection(2);
    expect(rejected.tls).toMatchObject({ outcome: "negotiated", clientCertificateVerified: false });
    expect(rejected.outcome).toMatchObject({
      kind: "protocol-error",
      message: expect.stringContaining("client certificate rejected"),
    });
  });
});

describe("onelineFromMultiline", () => {
  it("renders names in certificate order, slash-separated and unescaped, as X509_NAME_oneline does", () => {
    expect(onelineFromMultiline("C=SE\nST=Stockholm\nO=MySQL\nCN=client")).toBe(
      "/C=SE/ST=Stockholm/O=MySQL/CN=client",
    );
    expect(onelineFromMultiline("OU=/CN=localhost\nCN=a\nCN=b")).toBe("/OU=/CN=localhost/CN=a/CN=b");
    expect(onelineFromMultiline("")).toBe("");
  });
});
