import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { AuditReport } from "../../src/audit/audit-report";
import { loadScenario } from "../../src/scenarios/load-scenario";
import type { SslMode } from "../../src/scenarios/scenario-schema";
import { BIN, runCli } from "../helpers/cli-process";
import type { ProcessResult } from "../helpers/processes";

/**
 * `audit --jobs N`: N runs at once, each with its own server and client. The report is the same
 * whatever N is; only how long it takes changes. Real clients (Debian's mariadb CLI) throughout.
 */

function audit(args: string[]): Promise<ProcessResult> {
  return runCli(["audit", ...args], { timeoutMs: 200_000 });
}

/** A matrix with passes, deviations (advisory `--ssl`, the cleartext switch) and a Unix socket. */
const SCENARIOS = [
  "mysql-5.7.41-good-ca",
  "cert-wrong-host",
  "strip-backronym",
  "mysql-5.7.41-notls",
  "rogue-cleartext-switch",
  "unix-socket-preferred",
  "cert-expired",
];
const MODES = "DISABLED,PREFERRED,REQUIRED,VERIFY_IDENTITY";

/**
 * What may differ between two audits of the same matrix: when they ran, how long each run took,
 * and the port and temporary paths each run's server was given (in its command and its stderr).
 */
function comparable(report: AuditReport): unknown {
  const { startedAt: _startedAt, finishedAt: _finishedAt, ...rest } = report;
  const fresh = (text: string) =>
    text
      .replace(/-P '\d+'/g, "-P 'PORT'")
      .replace(new RegExp(`${tmpdir()}/[^/']+`, "g"), "TMPDIR")
      .replace(/\(\d+\)/g, "(PORT)");
  return {
    ...rest,
    cells: rest.cells.map(({ durationMs: _durationMs, ...cell }) => ({
      ...cell,
      command: fresh(cell.command),
      stderrTail: fresh(cell.stderrTail),
    })),
  };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-audit-jobs-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("audit --jobs 3 against --jobs 1, the same matrix with the mariadb CLI preset", () => {
  const runs: Record<number, { run: ProcessResult; report: AuditReport }> = {};

  beforeAll(async () => {
    for (const jobs of [1, 3]) {
      const json = join(dir, `jobs-${jobs}.json`);
      const run = await audit([
        "--client",
        "mariadb-cli",
        "--scenarios",
        SCENARIOS.join(","),
        "--modes",
        MODES,
        "--jobs",
        String(jobs),
        "--json",
        json,
      ]);
      runs[jobs] = { run, report: JSON.parse(readFileSync(json, "utf8")) as AuditReport };
    }
  }, 400_000);

  it("writes the same report, its cells in plan order, whatever the number of jobs", () => {
    const [one, three] = [runs[1]!.report, runs[3]!.report];
    expect(comparable(three)).toEqual(comparable(one));
    // Plan order: scenario by scenario, each in the order of --modes.
    const planned = SCENARIOS.flatMap((scenario) =>
      MODES.split(",")
        .filter((mode) => loadScenario(scenario).expect[mode as SslMode])
        .map((mode) => `${scenario} ${mode}`),
    );
    expect(three.cells.map((cell) => `${cell.scenario} ${cell.mode}`)).toEqual(planned);
    // The matrix says something: passes and deviations both, and nothing it could not judge.
    expect(one.totals.pass).toBeGreaterThan(0);
    expect(one.totals.deviation).toBeGreaterThan(0);
    expect(one.totals.error).toBe(0);
  });

  it("prints the same terminal table and exits with the same status", () => {
    expect(runs[3]!.run.code).toBe(runs[1]!.run.code);
    expect(runs[3]!.run.stdout.replace(/\d+ ms|\d+\.\d+ s/g, "T")).toEqual(
      runs[1]!.run.stdout.replace(/\d+ ms|\d+\.\d+ s/g, "T"),
    );
  });

  it("tells progress once per run, counting up, as runs finish", () => {
    for (const jobs of [1, 3]) {
      const { run, report } = runs[jobs]!;
      const lines = run.stderr.split("\n").filter((line) => /^\[\d+\/\d+\]/.test(line));
      const total = report.cells.length;
      expect(lines.map((line) => /^\[(\d+)\//.exec(line)![1])).toEqual(
        report.cells.map((_cell, i) => String(i + 1)),
      );
      expect(lines.every((line) => line.includes(`/${total}] `))).toBe(true);
      // Each run is told once, whatever order they finished in.
      expect(lines.map((line) => line.replace(/^\[\d+\/\d+\] /, "")).sort()).toEqual(
        report.cells.map((cell) => `${cell.scenario} ${cell.mode}: ${cell.status}`).sort(),
      );
    }
  });
});

/**
 * A client that proves runs overlap: each marks that it started, then waits (a bounded while) until
 * `count` clients have, and writes down how many it saw before logging in. Run one at a time, the
 * first would see only itself.
 */
function barrierClient(folder: string, count: number): string {
  const started = join(folder, "started");
  const seen = join(folder, "seen");
  mkdirSync(started);
  mkdirSync(seen);
  return (
    `touch ${started}/{port}; i=0; ` +
    `while [ "$(ls ${started} | wc -l)" -lt ${count} ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; ` +
    `ls ${started} | wc -l > ${seen}/{port}; ` +
    "mariadb --no-defaults --protocol=TCP -h {host} -P {port} -u {user} -p{password} --ssl-ca={ca} --ssl-verify-server-cert -e 'SELECT 1' # {mode}"
  );
}

describe("audit --jobs 3 runs three clients, each against its own server, at once", () => {
  it("has every client see the other two started before it logged in, and judges each run", async () => {
    const folder = mkdtempSync(join(dir, "barrier-"));
    const json = join(folder, "report.json");
    const run = await audit([
      "--client",
      barrierClient(folder, 3),
      "--scenarios",
      "mysql-5.7.41-good-ca,cert-wrong-host,strip-backronym",
      "--modes",
      "VERIFY_IDENTITY",
      "--jobs",
      "3",
      "--json",
      json,
      "--no-progress",
    ]);
    const seen = readdirSync(join(folder, "seen")).map((port) =>
      readFileSync(join(folder, "seen", port), "utf8").trim(),
    );
    // Three different ports: three servers, listening at the same time.
    expect(seen).toEqual(["3", "3", "3"]);
    expect(run.code).toBe(0);
    const report = JSON.parse(readFileSync(json, "utf8")) as AuditReport;
    expect(report.cells.map((cell) => [cell.scenario, cell.status])).toEqual([
      ["mysql-5.7.41-good-ca", "pass"],
      ["cert-wrong-host", "pass"],
      ["strip-backronym", "pass"],
    ]);
  }, 60_000);

  it("lets the other runs finish and judges them when one run's client fails", async () => {
    const json = join(dir, "one-fails.json");
    const run = await audit([
      "--client",
      "if [ {mode} = REQUIRED ]; then exit 9; fi; mariadb --no-defaults --protocol=TCP -h {host} -P {port} -u {user} -p{password} --ssl-ca={ca} --ssl-verify-server-cert -e 'SELECT 1'",
      "--scenarios",
      "mysql-5.7.41-good-ca,cert-wrong-host",
      "--modes",
      "REQUIRED,VERIFY_IDENTITY",
      "--jobs",
      "3",
      "--json",
      json,
      "--no-progress",
    ]);
    expect(run.code).toBe(3);
    const report = JSON.parse(readFileSync(json, "utf8")) as AuditReport;
    expect(report.cells.map((cell) => [cell.scenario, cell.mode, cell.status, cell.detail])).toEqual([
      ["mysql-5.7.41-good-ca", "REQUIRED", "error", "the client made no connection (exit code 9)"],
      ["mysql-5.7.41-good-ca", "VERIFY_IDENTITY", "pass", expect.any(String)],
      ["cert-wrong-host", "REQUIRED", "error", "the client made no connection (exit code 9)"],
      ["cert-wrong-host", "VERIFY_IDENTITY", "pass", expect.any(String)],
    ]);
  }, 60_000);
});

/** Whether a process is running (a zombie no one reaped yet counts as gone). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

async function waitFor(predicate: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("audit --jobs 3 on SIGINT", () => {
  it("kills every running client, starts no further run, removes their files and exits 130", async () => {
    const marks = mkdtempSync(join(dir, "interrupt-"));
    const child = spawn(
      process.execPath,
      [
        BIN,
        "audit",
        "--client",
        `echo {ca} > ${marks}/ca-{port}; sleep 300 & echo $! > ${marks}/pid-{port}; wait`,
        "--modes",
        "REQUIRED",
        "--scenarios",
        "cert-expired,cert-wrong-host,mysql-5.7.41-good-ca,strip-backronym",
        "--jobs",
        "3",
        // Longer than the test may take: only the interruption can end these clients in time.
        "--timeout",
        "300",
        "--no-progress",
      ],
      { env: { ...process.env, NO_COLOR: "1" } },
    );
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = once(child, "exit");
    const pidFiles = () => readdirSync(marks).filter((name) => name.startsWith("pid-"));
    const written = () =>
      pidFiles().length === 3 &&
      pidFiles().every((name) => readFileSync(join(marks, name), "utf8").trim() !== "");
    try {
      await waitFor(written, "three clients");
    } catch (error) {
      child.kill("SIGKILL");
      throw error;
    }
    const clients = pidFiles().map((name) => Number(readFileSync(join(marks, name), "utf8")));
    const caFiles = readdirSync(marks)
      .filter((name) => name.startsWith("ca-"))
      .map((name) => readFileSync(join(marks, name), "utf8").trim());
    expect(clients.every(isRunning)).toBe(true);
    child.kill("SIGINT");
    const [code] = await exited;
    expect(code).toBe(130);
    expect(stderr).toContain("audit interrupted by SIGINT");
    await waitFor(() => !clients.some(isRunning), "the clients to be gone", 5000);
    expect(caFiles.filter((file) => existsSync(dirname(file)))).toEqual([]);
    // The fourth run never started.
    expect(pidFiles()).toHaveLength(3);
  }, 60_000);
});

describe("audit --jobs refuses what is not a whole number of runs, 1 or more", () => {
  it.each(["0", "-2", "1.5", "three", "1e3", ""])(
    "refuses --jobs %p before running anything",
    async (jobs) => {
      const run = await audit(["--client", "mariadb-cli", "--scenarios", "cert-expired", "--jobs", jobs]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr).toContain(
        `option '--jobs <n>' argument '${jobs}' is invalid. expected a whole number of runs at once, 1 or more`,
      );
    },
  );
});
