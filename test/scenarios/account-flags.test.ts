import { loadScenario } from "../../src/scenarios/load-scenario";
import { overrideAccounts, scenarioToOptions } from "../../src/scenarios/scenario-options";
import { startMockServer } from "../../src/mock-server";
import { runMariadbCli } from "../helpers/mariadb-cli";

/**
 * `serve --scenario S --user U --password P [--require R]`: the flags change who logs in, never
 * what the scenario does to them (its plugin, host and REQUIRE rule), and what they changed is said
 * in one sentence without the password.
 */

const PASSWORD = "flag-password-1";

function scenarioWithAccounts(accounts: object[]) {
  return loadScenario({ description: "accounts for the flags", accounts } as never);
}

describe("the account flags on a scenario", () => {
  it("change the one account of rogue-cleartext-switch, keeping its mysql_clear_password plugin", () => {
    const scenario = loadScenario("rogue-cleartext-switch");
    const { accounts, changes } = overrideAccounts(scenario, { user: "app", password: PASSWORD });
    expect(accounts).toEqual([{ user: "app", password: PASSWORD, plugin: "mysql_clear_password" }]);
    expect(changes).toBe(
      "--user/--password changed the scenario's account root: user root → app, password; kept from the scenario: plugin mysql_clear_password, REQUIRE NONE",
    );
    expect(scenarioToOptions(scenario, { user: "app", password: PASSWORD }).accounts).toEqual(accounts);
  });

  it("keep the REQUIRE rule unless --require replaces it", () => {
    const scenario = loadScenario("account-require-x509");
    expect(overrideAccounts(scenario, { user: "app" }).accounts).toEqual([
      { user: "app", password: "root", require: "X509" },
    ]);
    const replaced = overrideAccounts(scenario, { require: "SSL" });
    expect(replaced.accounts).toEqual([{ user: "root", password: "root", require: "SSL" }]);
    expect(replaced.changes).toBe(
      "--require changed the scenario's account root: REQUIRE X509 → REQUIRE SSL; kept from the scenario: plugin mysql_native_password (the server's default)",
    );
  });

  it("with --user naming one of several accounts, change only that account", () => {
    const scenario = scenarioWithAccounts([
      { user: "root", password: "root", plugin: "sha256_password" },
      { user: "app", password: "old", require: "SSL" },
    ]);
    const { accounts, changes } = overrideAccounts(scenario, { user: "app", password: PASSWORD });
    expect(accounts).toEqual([
      { user: "root", password: "root", plugin: "sha256_password" },
      { user: "app", password: PASSWORD, require: "SSL" },
    ]);
    expect(changes).toBe(
      "--user/--password changed the scenario's account app: password; kept from the scenario: plugin mysql_native_password (the server's default), REQUIRE SSL",
    );
  });

  it("with a new user among several accounts, add it first with the first account's plugin and REQUIRE rule", () => {
    const scenario = scenarioWithAccounts([
      { user: "root", password: "root", plugin: "sha256_password", require: "X509" },
      { user: "other", password: "other" },
    ]);
    const { accounts, changes } = overrideAccounts(scenario, { user: "app", password: PASSWORD });
    expect(accounts).toEqual([
      { user: "app", password: PASSWORD, plugin: "sha256_password", require: "X509" },
      { user: "root", password: "root", plugin: "sha256_password", require: "X509" },
      { user: "other", password: "other" },
    ]);
    expect(changes).toBe(
      "--user/--password added account app, first, with the plugin sha256_password and REQUIRE X509 of the scenario's first account root; the scenario's 2 accounts are unchanged",
    );
  });

  it("on a scenario without accounts, replace the default root/root with the server's default plugin", () => {
    const scenario = loadScenario("mysql-5.7.41-notls");
    const bare = scenarioWithAccounts([]);
    const { accounts, changes } = overrideAccounts(bare, { user: "app", password: PASSWORD });
    expect(accounts).toEqual([{ user: "app", password: PASSWORD }]);
    expect(changes).toBe(
      "--user/--password set the only account: app, plugin mysql_native_password (the server's default), REQUIRE NONE (the scenario has none; it replaces the default root/root)",
    );
    expect(overrideAccounts(scenario, {})).toEqual({ accounts: scenario.accounts, changes: null });
  });

  it("never say the password", () => {
    for (const name of ["rogue-cleartext-switch", "account-require-x509", "caching-sha2-8.0"]) {
      const { changes } = overrideAccounts(loadScenario(name), {
        user: "u",
        password: PASSWORD,
        require: "SSL",
      });
      expect(changes).not.toContain(PASSWORD);
    }
  });

  it("keep account-require-x509's rule against a real client: without a certificate the renamed account is refused", async () => {
    const scenario = loadScenario("account-require-x509");
    await using server = await startMockServer({
      ...scenarioToOptions(scenario, { user: "app", password: PASSWORD }),
      port: 0,
    });
    const result = await runMariadbCli({
      port: server.port,
      user: "app",
      password: PASSWORD,
      flags: ["--ssl"],
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("Access denied for user 'app'");
    const [record] = await server.settled();
    expect(record?.outcome).toMatchObject({ kind: "refused", reason: expect.stringMatching(/X509/) });
  });
});
