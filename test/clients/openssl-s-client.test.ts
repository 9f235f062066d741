import { startMockServer } from "../../src/mock-server";
import { newConnections } from "../helpers/new-connections";
import { runOpensslStartTls } from "../helpers/openssl-client";

describe("openssl s_client -starttls mysql", () => {
  it("completes a TLS handshake, and the record shows its version, cipher and ClientHello", async () => {
    await using server = await startMockServer();
    const connection = newConnections(server);
    const result = await runOpensslStartTls(server.port, [
      "-tls1_2",
      "-cipher",
      "ECDHE-RSA-AES256-GCM-SHA384",
      "-servername",
      "db.example",
    ]);
    expect(result.stdout).toMatch(/Protocol\s*:\s*TLSv1\.2/);
    expect(result.stdout).toMatch(/Cipher\s*:\s*ECDHE-RSA-AES256-GCM-SHA384/);
    const record = await connection.only();
    expect(record.sslRequest).toBe(true);
    expect(record.tls).toMatchObject({
      outcome: "negotiated",
      version: "TLSv1.2",
      cipher: "ECDHE-RSA-AES256-GCM-SHA384",
      sni: "db.example",
    });
    const tls = record.tls;
    if (tls?.outcome !== "negotiated") throw new Error("expected TLS");
    expect(tls.clientHello?.sni).toBe("db.example");
    expect(tls.clientHello?.cipherSuites).toContain("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
    expect(record.outcome).toMatchObject({ kind: "client-went-away" });
  });

  it("serves TLSv1 to a client that asks for it", async () => {
    await using server = await startMockServer();
    const connection = newConnections(server);
    const result = await runOpensslStartTls(server.port, ["-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"]);
    expect(result.stdout).toMatch(/Protocol\s*:\s*TLSv1\b/);
    const record = await connection.only();
    expect(record.tls).toMatchObject({ outcome: "negotiated", version: "TLSv1" });
  });

  it("cannot start TLS against a greeting without CLIENT_SSL", async () => {
    await using server = await startMockServer({ tls: false });
    const connection = newConnections(server);
    const result = await runOpensslStartTls(server.port);
    expect(result.code).not.toBe(0);
    const record = await connection.only();
    expect(record.sslRequest).toBe(false);
    expect(record.tls).toBeNull();
  });

  it("records a protocol-version failure when the client's versions are not served", async () => {
    await using server = await startMockServer({ tls: { minVersion: "TLSv1.2", maxVersion: "TLSv1.2" } });
    const connection = newConnections(server);
    const result = await runOpensslStartTls(server.port, ["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"]);
    expect(result.code).not.toBe(0);
    const record = await connection.only();
    expect(record.tls).toMatchObject({ outcome: "failed", failure: { cause: "protocol-version" } });
    expect(record.outcome.kind).toBe("tls-failed");
  });
});
