import * as mysql from "mysql2/promise";
import { startMockProxy } from "../../src/mock-proxy";
import type { ProxyAttack } from "../../src/options/proxy-options";
import { startMockServer } from "../../src/mock-server";
import { runMariadbCli } from "../helpers/mariadb-cli";
import { runProcess } from "../helpers/processes";

/**
 * caching_sha2_password through the proxy, with the mock as the real server (MariaDB has no
 * caching_sha2_password): the server's cache is empty, so every login takes the full
 * authentication, where a client that believes its channel is secure sends the password itself.
 */

const ACCOUNT = { user: "app8", password: "Sha2-pa55word" };

/** The mock as the real server: one caching_sha2_password account, its cache empty. */
function sha2Server() {
  return startMockServer({ accounts: [{ ...ACCOUNT, plugin: "caching_sha2_password" }] });
}

function proxyTo(server: { port: number }, attack: ProxyAttack) {
  return startMockProxy({ upstream: { host: "127.0.0.1", port: server.port }, attack });
}

describe("caching_sha2_password through the proxy", () => {
  it("a man in the middle (cert:SET) reads the password the client sends inside its TLS, records that it did, and relays it inside TLS", async () => {
    await using server = await sha2Server();
    await using proxy = await proxyTo(server, "cert:untrusted-root");
    const connection = await mysql.createConnection({
      host: "127.0.0.1",
      port: proxy.port,
      ...ACCOUNT,
      ssl: { rejectUnauthorized: false },
    });
    const [rows] = await connection.query("SELECT @@version AS version");
    await connection.end();
    expect(rows).toEqual([{ version: expect.stringMatching(/^5\.7\./) }]);

    const [record] = await proxy.settled();
    expect(record).toMatchObject({
      user: ACCOUNT.user,
      tls: { outcome: "negotiated" },
      credentialExposure: "cleartext-password",
      credentialsInPlaintext: false,
      outcome: { kind: "authenticated" },
      verdict: { kind: "accepted-bad-certificate", severity: "critical" },
    });
    expect(JSON.stringify(record)).not.toContain(ACCOUNT.password);
    // The real server got the password inside the proxy's own TLS, and logged the client in.
    const [upstream] = await server.settled();
    expect(upstream).toMatchObject({
      tls: { outcome: "negotiated" },
      credentialExposure: "cleartext-password",
      credentialsInPlaintext: false,
      outcome: { kind: "authenticated" },
    });
  });

  it("strip: the mariadb CLI asked for --ssl sends its password itself in plaintext, since the server, over the proxy's TLS, asks for the full authentication", async () => {
    // Connector/C's caching_sha2_password sends the password as it is when it takes the session
    // for a secure one (plugins/auth/caching_sha2_pw.c), and --ssl leaves it taking it so.
    await using server = await sha2Server();
    await using proxy = await proxyTo(server, "strip");
    const cli = await runMariadbCli({
      port: proxy.port,
      ...ACCOUNT,
      flags: ["--ssl"],
      sql: "SELECT @@version",
    });
    expect({ code: cli.code, stderr: cli.stderr }).toEqual({ code: 0, stderr: "" });
    const [record] = await proxy.settled();
    expect(record).toMatchObject({
      user: ACCOUNT.user,
      tls: null,
      credentialExposure: "cleartext-password",
      credentialExposurePlugin: "caching_sha2_password",
      credentialsInPlaintext: true,
      verdict: { kind: "plaintext-fallback", severity: "critical" },
    });
    expect(JSON.stringify(record)).not.toContain(ACCOUNT.password);
    const [upstream] = await server.settled();
    expect(upstream).toMatchObject({ tls: { outcome: "negotiated" }, outcome: { kind: "authenticated" } });
  });

  it("cleartext-switch: with the server's cache empty, the proxy takes the full authentication over the server's RSA key, as a client would", async () => {
    await using server = await sha2Server();
    await using proxy = await proxyTo(server, "cleartext-switch");
    const cli = await runMariadbCli({
      port: proxy.port,
      ...ACCOUNT,
      flags: ["--skip-ssl"],
      sql: "SELECT @@version",
    });
    expect({ code: cli.code, stderr: cli.stderr }).toEqual({ code: 0, stderr: "" });
    expect(cli.stdout).toMatch(/^@@version\n5\.7\./);
    const [record] = await proxy.settled();
    expect(record).toMatchObject({
      user: ACCOUNT.user,
      authSwitchedTo: "mysql_clear_password",
      credentialExposure: "cleartext-password",
      outcome: { kind: "authenticated" },
      verdict: { kind: "credentials-exposed", severity: "critical" },
    });
    // The server saw a plaintext login whose password came RSA-encrypted: the full authentication.
    const [upstream] = await server.settled();
    expect(upstream).toMatchObject({
      tls: null,
      credentialExposure: "encrypted-password",
      outcome: { kind: "authenticated" },
    });
  });

  it("strip: the mariadb CLI, asking for the server's RSA key, gets the proxy's and hands over its password, which goes on to the server inside TLS", async () => {
    const flags = ["--skip-ssl"];
    await using server = await sha2Server();
    await using proxy = await proxyTo(server, "strip");
    const cli = await runMariadbCli({ port: proxy.port, ...ACCOUNT, flags, sql: "SELECT @@version" });
    expect({ code: cli.code, stderr: cli.stderr }).toEqual({ code: 0, stderr: "" });
    const [record] = await proxy.settled();
    expect(record).toMatchObject({
      user: ACCOUNT.user,
      tls: null,
      credentialExposure: "cleartext-password",
      credentialExposurePlugin: "caching_sha2_password",
      credentialsInPlaintext: true,
      outcome: { kind: "authenticated" },
      verdict: { kind: "plaintext-fallback", severity: "critical" },
    });
    expect(JSON.stringify(record)).not.toContain(ACCOUNT.password);
    const [upstream] = await server.settled();
    expect(upstream).toMatchObject({
      tls: { outcome: "negotiated" },
      credentialExposure: "cleartext-password",
      outcome: { kind: "authenticated" },
    });
  });

  it("strip: PyMySQL asking for the server's RSA key is handed the proxy's too", async () => {
    await using server = await sha2Server();
    await using proxy = await proxyTo(server, "strip");
    const script = [
      "import pymysql",
      `c = pymysql.connect(host="127.0.0.1", port=${proxy.port}, user="${ACCOUNT.user}", password="${ACCOUNT.password}")`,
      "cur = c.cursor(); cur.execute('SELECT @@version'); print(cur.fetchone()[0]); c.close()",
    ].join("\n");
    const run = await runProcess("/usr/bin/python3", ["-c", script], { timeoutMs: 20_000 });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
    expect(run.stdout).toMatch(/^5\.7\./);
    const [record] = await proxy.settled();
    expect(record).toMatchObject({ credentialExposure: "cleartext-password", credentialsInPlaintext: true });
  });
});
