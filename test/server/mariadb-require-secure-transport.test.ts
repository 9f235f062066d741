import { type MockServer, startMockServer } from "../../src/mock-server";
import { loadScenario } from "../../src/scenarios/load-scenario";
import { scenarioToOptions } from "../../src/scenarios/scenario-options";
import { insecureTransportAnswer } from "../../src/server/session/insecure-transport";
import { runMariadbCli } from "../helpers/mariadb-cli";
import { type MariadbServer, sslFilesOf, startMariadbServer } from "../helpers/mariadb-server";

/**
 * require_secure_transport=ON as MariaDB answers it. Debian 12's mariadbd 10.11.19 has no error of
 * its own for it: a plaintext TCP login is denied with 1045 "Access denied", the right password
 * included. The mock imitating 10.11 is run beside the real server and the same mariadb CLI
 * commands must end with the same exit code and error line. MariaDB 11.3+ (MDEV-30178) answers
 * 3159 with SQLSTATE 08004 before checking the password; no such server is installed here, so
 * that answer is checked against the mock alone.
 */

const ACCOUNT = { user: "app", password: "Transport-pa55" };

let real: MariadbServer;
let mock: MockServer;

beforeAll(async () => {
  real = await startMariadbServer({
    ssl: await sslFilesOf("good"),
  });
  const setup = await real.admin(
    `CREATE USER '${ACCOUNT.user}'@'127.0.0.1' IDENTIFIED VIA mysql_native_password USING PASSWORD('${ACCOUNT.password}');` +
      " SET GLOBAL require_secure_transport=ON",
  );
  if (setup.code !== 0) throw new Error(`setup failed: ${setup.stderr}`);
  mock = await startMockServer({
    ...scenarioToOptions(loadScenario("mariadb-10.11-greeting")),
    accounts: [ACCOUNT],
    requireSecureTransport: true,
    // The helper starts mariadbd with --skip-name-resolve: 127.0.0.1 is named by its address.
    skipNameResolve: true,
  });
}, 180_000);

afterAll(async () => {
  await mock?.stop();
  await real?.stop();
}, 60_000);

/** The mariadb CLI's exit code and its first error line, from both servers. */
async function both(login: { user: string; password: string }, flags: string[]) {
  const answer = async (port: number) => {
    const result = await runMariadbCli({ port, ...login, flags, sql: "SELECT 1" });
    return {
      code: result.code,
      error: result.stderr.split("\n").find((line) => line.startsWith("ERROR")) ?? null,
    };
  };
  return { real: await answer(real.port), mock: await answer(mock.port) };
}

describe("require_secure_transport=ON, the 10.11 profile beside Debian 12's mariadbd 10.11.19", () => {
  it("denies a plaintext login with the right password as 10.11 does: 1045 Access denied", async () => {
    const answers = await both(ACCOUNT, ["--skip-ssl"]);
    const expected = {
      code: 1,
      error: `ERROR 1045 (28000): Access denied for user '${ACCOUNT.user}'@'127.0.0.1' (using password: YES)`,
    };
    expect(answers).toEqual({ real: expected, mock: expected });
    const [record] = await mock.settled();
    expect(record?.outcome).toMatchObject({ kind: "refused", code: 1045 });
    expect(record?.credentialsInPlaintext).toBe(true);
  });

  it.each([
    ["a wrong password", { user: ACCOUNT.user, password: "wrong" }],
    ["an unknown user", { user: "nobody", password: "wrong" }],
  ])("answers %s with the same 1045: the client cannot tell why", async (_what, login) => {
    const answers = await both(login, ["--skip-ssl"]);
    expect(answers.mock).toEqual(answers.real);
    expect(answers.real.error).toBe(
      `ERROR 1045 (28000): Access denied for user '${login.user}'@'127.0.0.1' (using password: YES)`,
    );
  });

  it("lets the same login in over TLS on both", async () => {
    const answers = await both(ACCOUNT, ["--ssl"]);
    expect(answers).toEqual({ real: { code: 0, error: null }, mock: { code: 0, error: null } });
  });
});

describe("require_secure_transport=ON, per server family", () => {
  it.each([
    ["5.7.41", "after-password", 3159, "HY000"],
    ["8.0.40", "after-password", 3159, "HY000"],
    ["5.5.5-10.6.21-MariaDB", "access-denied", null, null],
    ["5.5.5-10.11.19-MariaDB-0+deb12u1", "access-denied", null, null],
    ["11.2.6-MariaDB", "access-denied", null, null],
    ["11.3.2-MariaDB", "before-password", 3159, "08004"],
    ["11.4.5-MariaDB-ubu2404", "before-password", 3159, "08004"],
    ["12.0.1-MariaDB", "before-password", 3159, "08004"],
  ])("%s answers %s", (version, kind, code, sqlState) => {
    const answer = insecureTransportAnswer(version);
    expect(answer.kind).toBe(kind);
    if (answer.kind !== "access-denied")
      expect([answer.err.code, answer.err.sqlState]).toEqual([code, sqlState]);
  });

  it("refuses a MariaDB 11.4 plaintext login with 3159 (08004), the wrong password too", async () => {
    await using server = await startMockServer({
      serverVersion: "11.4.5-MariaDB",
      accounts: [ACCOUNT],
      requireSecureTransport: true,
    });
    for (const password of [ACCOUNT.password, "wrong"]) {
      const result = await runMariadbCli({
        port: server.port,
        user: ACCOUNT.user,
        password,
        flags: ["--skip-ssl"],
      });
      expect(result.stderr).toContain(
        "ERROR 3159 (08004): Connections using insecure transport are prohibited while --require_secure_transport=ON.",
      );
    }
  });
});
