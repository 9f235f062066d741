import { CLIENT_PRESETS, PRESET_LIST } from "../../src/audit/client-presets";
import { checkTemplate } from "../../src/audit/command-template";
import { runAudit } from "../../src/audit/run-audit";
import { loadScenario } from "../../src/scenarios/load-scenario";
import { SSL_MODES } from "../../src/scenarios/scenario-schema";
import { runCli } from "../helpers/cli-process";

/**
 * The audit's client presets: every one listed with what it needs, every template a valid one,
 * and a preset's probe turning "cannot express this mode" into a not-run cell and "driver not
 * installed" into an error cell, each in the probe's own words, without judging a login.
 */

const PRESET_NAMES = [
  "mariadb-cli",
  "pymysql",
  "mysqlclient",
  "php-mysqli",
  "php-pdo",
  "jdbc-mariadb",
  "go-sql-driver",
  "ruby-mysql2",
  "perl-dbd-mariadb",
  "perl-dbd-mysql",
  "node-mysql2",
  "node-mysql",
  "node-mariadb",
  "mariadb-replica",
];

describe("the client presets", () => {
  it("cover every driver family the audit names", () => {
    expect(PRESET_LIST.map((preset) => preset.name).sort()).toEqual([...PRESET_NAMES].sort());
    expect(Object.keys(CLIENT_PRESETS).sort()).toEqual([...PRESET_NAMES].sort());
  });

  it.each(PRESET_LIST.map((preset) => [preset.name, preset] as const))(
    "%s has a valid template for every mode, over TCP and over a socket",
    (_name, preset) => {
      for (const mode of SSL_MODES) {
        const tcp = preset.template(mode, false);
        const socket = preset.template(mode, true);
        expect(() => checkTemplate(tcp)).not.toThrow();
        expect(() => checkTemplate(socket)).not.toThrow();
        expect(tcp).toMatch(/\{host\}.*\{port\}/);
        expect(socket).toContain("{socket}");
        expect(tcp).toContain("{password}");
      }
    },
  );
});

describe("audit --list-presets", () => {
  it("lists every preset with the runtime, the driver and the Debian packages it needs", async () => {
    const result = await runCli(["audit", "--list-presets"]);
    expect(result.code).toBe(0);
    for (const preset of PRESET_LIST) {
      expect(result.stdout).toContain(preset.name);
      expect(result.stdout).toContain(preset.needs.runtime);
      for (const pkg of preset.needs.debian) expect(result.stdout).toContain(pkg);
    }
  });

  it("prints the same as JSON with --json", async () => {
    const result = await runCli(["audit", "--list-presets", "--json"]);
    expect(result.code).toBe(0);
    const listed = JSON.parse(result.stdout) as { presets: { name: string; needs: unknown }[] };
    expect(listed.presets.map((preset) => preset.name)).toEqual(PRESET_LIST.map((preset) => preset.name));
    expect(listed.presets[0]).toEqual({
      name: PRESET_LIST[0]!.name,
      description: PRESET_LIST[0]!.description,
      needs: PRESET_LIST[0]!.needs,
      probe: false,
    });
  });

  it("still needs --client for an audit, and a file for --json", async () => {
    const withoutClient = await runCli(["audit", "--modes", "DISABLED"]);
    expect(withoutClient.code).toBe(2);
    expect(withoutClient.stderr).toContain("--client");
    const bareJson = await runCli(["audit", "--client", "mariadb-cli", "--json"]);
    expect(bareJson.code).toBe(2);
    expect(bareJson.stderr).toContain("--json needs a file");
  });
});

describe("an audit with a probe preset", () => {
  const scenario = loadScenario("mysql-5.7.41-good-ca");

  it("judges the modes the driver expresses and does not run the others, giving the probe's reason", async () => {
    const report = await runAudit({
      env: { MYSQL_TLS_MOCK_PYTHON: "/usr/bin/python3" },
      client: { name: "mysqlclient", preset: CLIENT_PRESETS.mysqlclient! },
      scenarios: [scenario],
      modes: ["PREFERRED", "REQUIRED"],
      timeoutMs: 30_000,
    });
    expect(report.cells.map(({ mode, status }) => ({ mode, status }))).toEqual([
      { mode: "PREFERRED", status: "pass" },
      { mode: "REQUIRED", status: "not-run" },
    ]);
    expect(report.cells[0]!.observed).toBe("tls");
    expect(report.cells[1]!.detail).toMatch(/REQUIRED cannot be expressed with mysqlclient: .*advisory/);
    expect(report.cells[1]!.connections).toEqual([]);
    expect(report.totals).toMatchObject({ pass: 1, "not-run": 1, error: 0 });
  });

  it("makes an error cell saying what to install when the driver is missing", async () => {
    const report = await runAudit({
      env: { MYSQL_TLS_MOCK_JDBC_JAR: "/nonexistent/mariadb-java-client.jar" },
      client: { name: "jdbc-mariadb", preset: CLIENT_PRESETS["jdbc-mariadb"]! },
      scenarios: [scenario],
      modes: ["VERIFY_IDENTITY"],
      timeoutMs: 60_000,
    });
    expect(report.cells).toHaveLength(1);
    expect(report.cells[0]).toMatchObject({ status: "error", exitCode: 4 });
    expect(report.cells[0]!.detail).toMatch(
      /^the client is not installed: .*install Debian's libmariadb-java/,
    );
  });
});
