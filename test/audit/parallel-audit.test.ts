import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { runAudit } from "../../src/audit/run-audit";
import { loadScenario } from "../../src/scenarios/load-scenario";

/**
 * `runAudit`'s `jobs`: by default as many runs at once as the machine has cores, each against its
 * own server. Proven with a client that waits for the others (Debian's mariadb CLI logs in after).
 */

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-parallel-audit-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Marks its start, waits (bounded) until `count` clients have started, notes how many it saw, logs in. */
function barrierClient(folder: string, count: number): string {
  mkdirSync(join(folder, "started"));
  mkdirSync(join(folder, "seen"));
  return (
    `touch ${folder}/started/{port}; i=0; ` +
    `while [ "$(ls ${folder}/started | wc -l)" -lt ${count} ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; ` +
    `ls ${folder}/started | wc -l > ${folder}/seen/{port}; ` +
    "mariadb --no-defaults --protocol=TCP -h {host} -P {port} -u {user} -p{password} --ssl-ca={ca} --ssl-verify-server-cert -e 'SELECT 1' # {mode}"
  );
}

const SCENARIOS = ["mysql-5.7.41-good-ca", "cert-wrong-host", "strip-backronym", "mysql-8.0.40"];

describe("runAudit without jobs", () => {
  it("runs as many runs at once as there are cores, and reports them in plan order", async () => {
    const cores = Math.min(availableParallelism(), SCENARIOS.length);
    const folder = mkdtempSync(join(dir, "default-"));
    const onCell: string[] = [];
    const report = await runAudit({
      client: barrierClient(folder, cores),
      scenarios: SCENARIOS.map((name) => loadScenario(name)),
      modes: ["VERIFY_IDENTITY"],
      timeoutMs: 30_000,
      onCell: (cell, done, total) => onCell.push(`${done}/${total}`),
    });
    const seen = readdirSync(join(folder, "seen")).map((port) =>
      Number(readFileSync(join(folder, "seen", port), "utf8")),
    );
    // The first `cores` clients waited for each other: each saw all of them started.
    expect(seen.filter((count) => count >= cores)).toHaveLength(SCENARIOS.length);
    expect(report.cells.map((cell) => [cell.scenario, cell.status])).toEqual(
      SCENARIOS.map((scenario) => [scenario, "pass"]),
    );
    expect(onCell).toEqual(SCENARIOS.map((_s, i) => `${i + 1}/${SCENARIOS.length}`));
  }, 60_000);

  it("refuses jobs that are not a whole number of runs, 1 or more, before any run", async () => {
    await expect(
      runAudit({
        client: "true # {host} {mode}",
        scenarios: [loadScenario("cert-expired")],
        modes: ["REQUIRED"],
        timeoutMs: 5000,
        jobs: 0,
      }),
    ).rejects.toThrow("jobs must be a whole number of runs, 1 or more, not 0");
  });
});
