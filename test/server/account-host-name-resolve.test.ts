import { once } from "node:events";
import { startMockServer } from "../../src";
import { startCli } from "../helpers/cli-process";
import { runMariadbCli } from "../helpers/mariadb-cli";
import { findExecutable, type MariadbServer, startMariadbServer } from "../helpers/mariadb-server";

/**
 * How a server names a client from 127.0.0.1, compared with Debian's mariadbd 10.11 started as
 * shipped (name resolution on: Debian's 50-server.cnf leaves `#skip-name-resolve` commented out)
 * and with --skip-name-resolve. `ip_to_hostname` in sql/hostname.cc answers `localhost` for a
 * loopback address without asking DNS; skip_name_resolve never calls it. The name shows in
 * "Access denied for user 'u'@'…'", in USER(), and decides whether a `localhost` account matches.
 */

const ANY_HOST = { user: "u", password: "pw" };
const LOCALHOST_ONLY = { user: "l", password: "pw", host: "localhost" };

/** What the mariadb CLI shows for each login a client from 127.0.0.1 tries. */
async function logins(port: number): Promise<Record<string, string>> {
  const run = async (user: string, password: string, sql = "SELECT USER()") => {
    const result = await runMariadbCli({ port, user, password, sql, flags: ["--skip-ssl"] });
    return (result.code === 0 ? result.stdout : result.stderr).trim();
  };
  return {
    wrongPassword: await run(ANY_HOST.user, "wrong"),
    unknownUser: await run("nobody", "pw"),
    user: await run(ANY_HOST.user, ANY_HOST.password),
    localhostAccount: await run(LOCALHOST_ONLY.user, LOCALHOST_ONLY.password, "SELECT 1 AS ok"),
  };
}

/** The mock's answers to the same logins, started with `skipNameResolve` as given. */
async function mockLogins(skipNameResolve: boolean | undefined): Promise<Record<string, string>> {
  await using mock = await startMockServer({
    tls: false,
    accounts: [ANY_HOST, LOCALHOST_ONLY],
    ...(skipNameResolve === undefined ? {} : { skipNameResolve }),
  });
  return await logins(mock.port);
}

/** The real server's answers, started with or without --skip-name-resolve. */
async function realLogins(skipNameResolve: boolean): Promise<Record<string, string>> {
  let server: MariadbServer | undefined;
  try {
    server = await startMariadbServer({ ssl: null, skipNameResolve });
    const created = await server.admin(
      `CREATE USER '${ANY_HOST.user}'@'%' IDENTIFIED BY '${ANY_HOST.password}';` +
        ` CREATE USER '${LOCALHOST_ONLY.user}'@'localhost' IDENTIFIED BY '${LOCALHOST_ONLY.password}';`,
    );
    expect(created.code).toBe(0);
    return await logins(server.port);
  } finally {
    await server?.stop();
  }
}

const haveMariadbd = findExecutable("mariadbd") !== undefined && findExecutable("mariadb") !== undefined;

describe("the host a client from 127.0.0.1 is named by, as Debian's mariadbd 10.11 names it", () => {
  jest.setTimeout(180_000);

  it("names it localhost by default, as a server with name resolution on (the shipped default)", async () => {
    const mock = await mockLogins(undefined);
    expect(mock).toEqual({
      wrongPassword: "ERROR 1045 (28000): Access denied for user 'u'@'localhost' (using password: YES)",
      unknownUser: "ERROR 1045 (28000): Access denied for user 'nobody'@'localhost' (using password: YES)",
      user: "USER()\nu@localhost",
      localhostAccount: "ok\n1",
    });
    if (haveMariadbd) expect(mock).toEqual(await realLogins(false));
  });

  it("names it by its address with skipNameResolve, where a localhost account does not match it", async () => {
    const mock = await mockLogins(true);
    expect(mock).toEqual({
      wrongPassword: "ERROR 1045 (28000): Access denied for user 'u'@'127.0.0.1' (using password: YES)",
      unknownUser: "ERROR 1045 (28000): Access denied for user 'nobody'@'127.0.0.1' (using password: YES)",
      user: "USER()\nu@127.0.0.1",
      localhostAccount: "ERROR 1045 (28000): Access denied for user 'l'@'127.0.0.1' (using password: YES)",
    });
    if (haveMariadbd) expect(mock).toEqual(await realLogins(true));
  });
});

describe("skipNameResolve, set where every option is set", () => {
  jest.setTimeout(60_000);

  const wrongPassword = async (port: number) =>
    (await runMariadbCli({ port, password: "wrong", flags: ["--skip-ssl"] })).stderr.trim();

  it("is serve's --skip-name-resolve switch", async () => {
    const cli = await startCli(["--no-tls", "--skip-name-resolve"]);
    try {
      expect(await wrongPassword(cli.port)).toBe(
        "ERROR 1045 (28000): Access denied for user 'root'@'127.0.0.1' (using password: YES)",
      );
    } finally {
      cli.child.kill("SIGTERM");
      await once(cli.child, "exit");
    }
  });

  it("is a scenario's server.skipNameResolve, shown as @@skip_name_resolve", async () => {
    await using mock = await startMockServer({
      scenario: { description: "skip-name-resolve", server: { tls: false, skipNameResolve: true } },
    });
    expect(await wrongPassword(mock.port)).toBe(
      "ERROR 1045 (28000): Access denied for user 'root'@'127.0.0.1' (using password: YES)",
    );
    const shown = await runMariadbCli({
      port: mock.port,
      flags: ["--skip-ssl"],
      sql: "SELECT @@skip_name_resolve",
    });
    // As mariadbd 10.11 answers it: SELECT shows a boolean variable as 1 (SHOW VARIABLES says ON).
    expect(shown.stdout).toBe("@@skip_name_resolve\n1\n");
  });
});
