import * as mysql from "mysql2/promise";
import { startMockProxy } from "../../src/mock-proxy";
import { runMariadbCli } from "../helpers/mariadb-cli";
import { runProcess } from "../helpers/processes";
import { ACCOUNT, useRealMariadb } from "./real-server";

/**
 * `cleartext-switch` in front of Debian's mariadbd: a plaintext login is switched to
 * mysql_clear_password; a client that follows sends its password in the clear, and the proxy logs
 * in to the real server with it, so the client's queries work — the record says the password
 * crossed, never what it was.
 */

const real = useRealMariadb();

const switching = () =>
  startMockProxy({ upstream: { host: "127.0.0.1", port: real.port }, attack: "cleartext-switch" });

describe("the cleartext-switch attack in front of mariadbd", () => {
  it("the mariadb CLI follows the switch: its password crosses in the clear and its query is answered", async () => {
    await using proxy = await switching();
    const cli = await runMariadbCli({
      port: proxy.port,
      ...ACCOUNT,
      flags: ["--skip-ssl"],
      sql: "SELECT @@version",
    });
    expect({ code: cli.code, stderr: cli.stderr }).toEqual({ code: 0, stderr: "" });
    expect(cli.stdout).toMatch(/MariaDB/);
    const [record] = await proxy.settled();
    expect(record).toMatchObject({
      user: ACCOUNT.user,
      authSwitchedTo: "mysql_clear_password",
      credentialsInPlaintext: true,
      credentialExposure: "cleartext-password",
      outcome: { kind: "authenticated", ended: "quit" },
      verdict: { kind: "credentials-exposed", severity: "critical" },
    });
    expect(JSON.stringify(record)).not.toContain(ACCOUNT.password);
  });

  it("PyMySQL follows it too", async () => {
    await using proxy = await switching();
    const script = [
      "import pymysql",
      `c = pymysql.connect(host="127.0.0.1", port=${proxy.port}, user="${ACCOUNT.user}", password="${ACCOUNT.password}")`,
      "cur = c.cursor(); cur.execute('SELECT 1 + 1'); print(cur.fetchone()[0]); c.close()",
    ].join("\n");
    const run = await runProcess("/usr/bin/python3", ["-c", script], { timeoutMs: 20_000 });
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 0, stdout: "2\n" });
    const [record] = await proxy.settled();
    expect(record).toMatchObject({ credentialExposure: "cleartext-password", credentialsInPlaintext: true });
  });

  it("mysql2, which has no mysql_clear_password unless given one, refuses the switch", async () => {
    await using proxy = await switching();
    await expect(mysql.createConnection({ host: "127.0.0.1", port: proxy.port, ...ACCOUNT })).rejects.toThrow(
      /mysql_clear_password/,
    );
    const [record] = await proxy.settled();
    expect(record).toMatchObject({
      authSwitchedTo: "mysql_clear_password",
      credentialExposure: "scramble-reply",
    });
  });
});
