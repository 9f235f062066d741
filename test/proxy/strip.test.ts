import "../../src/testing/jest"; // the matchers, which take a proxy as they take a server
import * as mysql from "mysql2/promise";
import { getCertificateSet } from "../../src/certs";
import { startMockProxy } from "../../src/mock-proxy";
import { runMariadbCli } from "../helpers/mariadb-cli";
import { ACCOUNT, useRealMariadb } from "./real-server";
import { runProcess } from "../helpers/processes";

/**
 * `strip` (BACKRONYM, CVE-2015-3152) in front of Debian's mariadbd with TLS: the client sees a
 * greeting without CLIENT_SSL; the proxy speaks TLS to the server in its name. A client that goes
 * on in plaintext logs in and its queries are answered by the real server — over the proxy's TLS,
 * which the server's own Ssl_version shows — while the record shows its credentials crossing in
 * plaintext. A client that demands TLS stops before sending them.
 */

const real = useRealMariadb();

const strip = (extra: object = {}) =>
  startMockProxy({ upstream: { host: "127.0.0.1", port: real.port }, attack: "strip", ...extra });

describe("the strip attack in front of mariadbd", () => {
  it("the mariadb CLI with an advisory --ssl logs in in plaintext; its query runs on the server over the proxy's TLS", async () => {
    await using proxy = await strip();
    const cli = await runMariadbCli({
      port: proxy.port,
      ...ACCOUNT,
      flags: ["--ssl"],
      sql: "SELECT @@version; SHOW STATUS LIKE 'Ssl_version'",
    });
    expect({ code: cli.code, stderr: cli.stderr }).toEqual({ code: 0, stderr: "" });
    expect(cli.stdout).toMatch(/^@@version\n10\.11\.\d+-MariaDB\S*\n/);
    expect(cli.stdout).toMatch(/Ssl_version\tTLSv1\.[23]\n$/);

    const [record] = await proxy.settled();
    expect(record).toMatchObject({
      greeting: { tlsOffered: false },
      sslRequest: false,
      user: ACCOUNT.user,
      credentialsInPlaintext: true,
      credentialExposure: "scramble-reply",
      outcome: { kind: "authenticated", ended: "quit" },
      relay: { attack: "strip" },
      verdict: { kind: "plaintext-fallback", severity: "critical" },
    });
    expect(proxy).toHaveFallenBackToPlaintext();
    expect(record!.commands).toContainEqual({ command: "COM_QUERY", query: "SELECT @@version" });
  });

  it("the mariadb CLI verifying the server refuses the stripped greeting before sending credentials", async () => {
    await using proxy = await strip();
    const cli = await runMariadbCli({
      port: proxy.port,
      ...ACCOUNT,
      flags: [`--ssl-ca=${real.caFile}`, "--ssl-verify-server-cert"],
    });
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toMatch(/SSL/);
    const [record] = await proxy.settled();
    expect(record).toMatchObject({
      credentialsInPlaintext: false,
      user: null,
      verdict: { kind: "refused-plaintext" },
    });
    expect(proxy).not.toHaveExposedCredentials();
  });

  it("mysql2 asked for TLS refuses too", async () => {
    await using proxy = await strip();
    await expect(
      mysql.createConnection({
        host: "127.0.0.1",
        port: proxy.port,
        ...ACCOUNT,
        ssl: { ca: (await getCertificateSet("good")).ca, rejectUnauthorized: true },
      }),
    ).rejects.toThrow(/secure connection/);
    const [record] = await proxy.settled();
    expect(record).toMatchObject({ credentialsInPlaintext: false, verdict: { kind: "refused-plaintext" } });
  });

  it("PyMySQL given ssl= without verification goes on in plaintext, and its query is answered", async () => {
    await using proxy = await strip();
    const script = [
      "import pymysql, sys",
      `c = pymysql.connect(host="127.0.0.1", port=${proxy.port}, user="${ACCOUNT.user}", password="${ACCOUNT.password}", ssl={"verify_mode": False, "check_hostname": False})`,
      "cur = c.cursor(); cur.execute('SELECT @@version'); print(cur.fetchone()[0]); c.close()",
    ].join("\n");
    const run = await runProcess("/usr/bin/python3", ["-c", script], { timeoutMs: 20_000 });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
    expect(run.stdout).toMatch(/MariaDB/);
    const [record] = await proxy.settled();
    expect(record).toMatchObject({ credentialsInPlaintext: true, verdict: { kind: "plaintext-fallback" } });
    expect(JSON.stringify(record)).not.toContain(ACCOUNT.password);
  });

  it("with upstreamTls verify, a server whose certificate the given CA did not sign ends the relay, recorded", async () => {
    const otherCa = (await getCertificateSet("mysql-auto")).ca;
    await using proxy = await strip({ upstreamTls: "verify", upstreamCa: otherCa });
    const cli = await runMariadbCli({ port: proxy.port, ...ACCOUNT, flags: ["--ssl"] });
    expect(cli.code).not.toBe(0);
    const [record] = await proxy.settled();
    expect(record!.outcome).toMatchObject({ kind: "upstream-failed" });
    expect((record!.outcome as { message: string }).message).toMatch(/^TLS with the real server failed: /);
  });
});
