import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLIENT_PRESETS, PROBE_EXIT, PROBES_DIR } from "../../src/audit/client-presets";
import { runAudit } from "../../src/audit/run-audit";
import { startMockServer } from "../../src";
import { loadScenario } from "../../src/scenarios/load-scenario";
import { runProcess } from "../helpers/processes";

/**
 * `audit --client mariadb-replica`: a throw-away mariadbd per run, pointed at the mock with
 * CHANGE MASTER in each mode the replica can express, judged from the mock's records like any
 * client. Against the stripped greeting it shows what a replica administrator meets: only
 * MASTER_SSL_VERIFY_SERVER_CERT=1 keeps the replication password's scramble reply off the wire.
 */

const preset = CLIENT_PRESETS["mariadb-replica"]!;
const PROBE = join(PROBES_DIR, "mariadb_replica_probe.js");

function runProbe(args: string[]) {
  return runProcess(process.execPath, [PROBE, ...args], { timeoutMs: 60_000 });
}

describe("the mariadb-replica preset", () => {
  it("against a stripped greeting: verifying refuses, a CA alone downgrades, REQUIRED is not run with the reason", async () => {
    const report = await runAudit({
      client: { name: "mariadb-replica", preset },
      scenarios: [loadScenario("strip-backronym")],
      modes: ["REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY"],
      timeoutMs: 60_000,
    });
    expect(report.cells.map(({ mode, status, observed }) => ({ mode, status, observed }))).toEqual([
      { mode: "REQUIRED", status: "not-run", observed: null },
      { mode: "VERIFY_CA", status: "deviation", observed: "plaintext" },
      { mode: "VERIFY_IDENTITY", status: "pass", observed: "refuse-before-credentials" },
    ]);
    expect(report.cells[0]!.detail).toMatch(
      /REQUIRED cannot be expressed with CHANGE MASTER: .*only MASTER_SSL_VERIFY_SERVER_CERT=1/,
    );
    expect(report.cells[1]!.severity).toBe("critical");
  }, 120_000);

  it("hands CHANGE MASTER any password intact and never prints it", async () => {
    // Quotes and backslashes must survive CHANGE MASTER's string literal for the login to succeed.
    const password = `it's a \\ "pass" word`;
    await using mock = await startMockServer({
      scenario: "mysql-5.7.41-good-ca",
      accounts: [{ user: "repl", password }],
    });
    const ran = await runProbe([
      ...["--host", "127.0.0.1", "--port", String(mock.port), "--user", "repl", "--password", password],
      ...["--mode", "VERIFY_IDENTITY", "--ca", mock.caFile!],
    ]);
    expect(ran.code).toBe(0);
    expect(JSON.parse(ran.stdout)).toMatchObject({ loggedIn: true, errorCode: 1236 });
    expect(mock.connections[0]?.outcome).toMatchObject({ kind: "authenticated" });
    expect(ran.stdout + ran.stderr).not.toContain(password);

    const refused = await runProbe([
      ...["--host", "127.0.0.1", "--port", String(mock.port), "--user", "repl", "--password", "wrong 'one'"],
      ...["--mode", "VERIFY_IDENTITY", "--ca", mock.caFile!],
    ]);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ loggedIn: false, errorCode: 1045 });
    expect(refused.stdout + refused.stderr).not.toContain("wrong 'one'");
  }, 120_000);

  it("says what to install when mariadbd is missing, and tries nothing", async () => {
    const empty = await mkdtemp(join(tmpdir(), "mysql-tls-mock-no-mariadb-"));
    try {
      const report = await runAudit({
        env: { MYSQL_TLS_MOCK_MARIADB_BINDIR: empty },
        client: { name: "mariadb-replica", preset },
        scenarios: [loadScenario("mysql-5.7.41-good-ca")],
        modes: ["VERIFY_IDENTITY"],
        timeoutMs: 30_000,
      });
      expect(report.cells).toHaveLength(1);
      expect(report.cells[0]).toMatchObject({
        status: "error",
        exitCode: PROBE_EXIT.driverMissing,
        connections: [],
      });
      expect(report.cells[0]!.detail).toMatch(
        /^the client is not installed: .*mariadb-install-db, mariadbd, mariadb not found .*apt-get install --no-install-recommends mariadb-server/,
      );
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
