import { type MockServer, startMockServer } from "../../src/mock-server";
import { pemFile, runMariadbCli } from "../helpers/mariadb-cli";
import { newConnections } from "../helpers/new-connections";

const ACCOUNT = { user: "app", password: "secret" };

describe("the mariadb command-line client", () => {
  let server: MockServer;
  let plain: MockServer;
  beforeAll(async () => {
    server = await startMockServer({ accounts: [ACCOUNT] });
    plain = await startMockServer({ tls: false, accounts: [ACCOUNT] });
  });
  afterAll(() => Promise.all([server.stop(), plain.stop()]));

  it("connects over TLS with --ssl and reads the negotiated Ssl_version", async () => {
    const connection = newConnections(server);
    const result = await runMariadbCli({
      port: server.port,
      ...ACCOUNT,
      flags: ["--ssl"],
      sql: "SHOW STATUS LIKE 'Ssl_version'",
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Ssl_version\tTLSv1\.2/);
    const record = await connection.only();
    expect(record.sslRequest).toBe(true);
    expect(record.tls).toMatchObject({ outcome: "negotiated", version: "TLSv1.2" });
    expect(record.outcome).toMatchObject({ kind: "authenticated", ended: "quit" });
  });

  it("verifies the server against the CA it is given", async () => {
    const result = await runMariadbCli({
      port: server.port,
      ...ACCOUNT,
      flags: ["--ssl", `--ssl-ca=${pemFile(server.ca!)}`],
      sql: "SELECT @@version",
    });
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("5.7.41");
  });

  it("stays in plaintext with --skip-ssl", async () => {
    const connection = newConnections(server);
    const result = await runMariadbCli({
      port: server.port,
      ...ACCOUNT,
      flags: ["--skip-ssl"],
      sql: "SHOW STATUS LIKE 'Ssl_cipher'",
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Ssl_cipher\t\n?$/m);
    const record = await connection.only();
    expect(record.sslRequest).toBe(false);
    expect(record.credentialsInPlaintext).toBe(true);
  });

  it("refuses a server that does not offer TLS with --ssl-verify-server-cert, before sending credentials", async () => {
    const connection = newConnections(plain);
    const result = await runMariadbCli({ port: plain.port, ...ACCOUNT, flags: ["--ssl-verify-server-cert"] });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      "ERROR 2026 (HY000): TLS/SSL error: SSL is required, but the server does not support it",
    );
    const record = await connection.only();
    expect(record.user).toBeNull();
    expect(record.credentialsInPlaintext).toBe(false);
    expect(record.outcome).toMatchObject({ kind: "client-went-away" });
  });

  it("goes on in plaintext with only --ssl, and the record shows the credentials crossed without TLS", async () => {
    // Observed behaviour of Debian's mariadb 10.11 client: --ssl (and --ssl-ca) alone are advisory
    // when the greeting lacks CLIENT_SSL, unlike MySQL 5.7.3+'s prescriptive --ssl.
    const connection = newConnections(plain);
    const result = await runMariadbCli({ port: plain.port, ...ACCOUNT, flags: ["--ssl"] });
    expect(result.code).toBe(0);
    const record = await connection.only();
    expect(record.sslRequest).toBe(false);
    expect(record.user).toBe("app");
    expect(record.credentialsInPlaintext).toBe(true);
  });
});
