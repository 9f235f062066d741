import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { create } from "xmlbuilder2";
import type { AuditReport } from "../../src/audit/audit-report";
import { builtinScenarioNames, loadScenario } from "../../src/scenarios/load-scenario";
import type { SslMode } from "../../src/scenarios/scenario-schema";
import { gridCells } from "../audit/report/html-cells";
import { CHROMIUM_TIMEOUT_MS, runHeadlessChromium } from "../helpers/chromium";
import { BIN, runCli } from "../helpers/cli-process";
import type { ProcessResult } from "../helpers/processes";
import { knownDeviation } from "../scenarios/known-deviations";

/**
 * `mysql-tls-mock audit`, run as a user runs it: the mariadb CLI across every built-in scenario in
 * two ssl-modes, with every report format. What it finds must be what the scenario suite knows of
 * this client: a pass where the client is correct, and exactly the known deviations.
 */

const MODES: SslMode[] = ["PREFERRED", "VERIFY_IDENTITY"];

/** The DOM members read from xmlbuilder2's parse (no DOM lib in this project's types). */
interface XmlElement {
  getAttribute(name: string): string | null;
  getElementsByTagName(name: string): ArrayLike<unknown>;
}

function audit(args: string[], timeoutMs = 280_000): Promise<ProcessResult> {
  return runCli(["audit", ...args], { timeoutMs });
}

/** Whether a process is running (a zombie no one reaped yet counts as gone). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
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

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-audit-cli-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("mysql-tls-mock audit with the mariadb CLI across every built-in scenario", () => {
  let run: ProcessResult;
  let report: AuditReport;
  const file = (name: string) => join(dir, name);

  beforeAll(async () => {
    run = await audit([
      "--client",
      "mariadb-cli",
      "--modes",
      MODES.join(","),
      "--scenarios",
      "all",
      "--markdown",
      file("audit.md"),
      "--json",
      file("audit.json"),
      "--junit",
      file("audit.xml"),
      "--html",
      file("audit.html"),
    ]);
    report = JSON.parse(readFileSync(file("audit.json"), "utf8")) as AuditReport;
  }, 300_000);

  it("runs each scenario in each mode it has an expectation for, once", () => {
    const planned = builtinScenarioNames().flatMap((scenario) =>
      MODES.filter((mode) => loadScenario(scenario).expect[mode]).map((mode) => `${scenario} ${mode}`),
    );
    expect(report.cells.map((cell) => `${cell.scenario} ${cell.mode}`)).toEqual(planned);
    expect(report.scenarios).toHaveLength(builtinScenarioNames().length);
  });

  it("passes where the client is correct and finds exactly the client's known deviations", () => {
    const seen = report.cells.map((cell) => ({
      cell: `${cell.scenario} ${cell.mode}`,
      status: cell.status,
      observed: cell.observed,
      detail: cell.detail,
    }));
    const expected = report.cells.map((cell) => {
      const deviation = knownDeviation("mariadb-cli", cell.mode, cell.scenario);
      const outcome = loadScenario(cell.scenario).expect[cell.mode]!.outcome;
      return {
        cell: `${cell.scenario} ${cell.mode}`,
        status: deviation ? "deviation" : "pass",
        observed: deviation?.observed ?? outcome,
        detail: expect.any(String),
      };
    });
    expect(seen).toEqual(expected);
    expect(report.totals.error).toBe(0);
    expect(report.totals.deviation).toBeGreaterThan(0);
  });

  it("exits 1 because deviations were found, after a table in the terminal and progress on stderr", () => {
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("│ scenario");
    expect(run.stdout).toMatch(/Totals: \d+ passed, \d+ deviations?, 0 errors/);
    expect(run.stderr).toContain(`[${report.cells.length}/${report.cells.length}]`);
  });

  it("keeps the password out of every report", () => {
    for (const cell of report.cells) expect(cell.command).toContain("-p'***'");
    for (const name of ["audit.md", "audit.json", "audit.xml", "audit.html"]) {
      expect(readFileSync(file(name), "utf8")).not.toMatch(/-p'?root/);
    }
  });

  it("writes Markdown with the grid and a section per deviation", () => {
    const markdown = readFileSync(file("audit.md"), "utf8");
    expect(markdown).toContain(`| Scenario | ${MODES.join(" | ")} |`);
    for (const cell of report.cells.filter((c) => c.status === "deviation")) {
      expect(markdown).toContain(`### ${cell.scenario} × ${cell.mode}`);
    }
  });

  it("writes JUnit XML with a test case per run and a failure per deviation", () => {
    const root = create(readFileSync(file("audit.xml"), "utf8")).root().node as unknown as XmlElement;
    expect(root.getAttribute("tests")).toBe(String(report.cells.length));
    expect(root.getAttribute("failures")).toBe(String(report.totals.deviation));
    expect(root.getElementsByTagName("testcase")).toHaveLength(report.cells.length);
  });

  it(
    "writes an HTML page that headless Chromium loads and shows the grid of",
    async () => {
      const { stdout } = await runHeadlessChromium(["--dump-dom", pathToFileURL(file("audit.html")).href]);
      const shown = gridCells(stdout).filter((cell) => cell.status !== "missing");
      expect(shown).toEqual(
        report.cells.map((cell) => ({ scenario: cell.scenario, mode: cell.mode, status: cell.status })),
      );
    },
    CHROMIUM_TIMEOUT_MS + 10_000,
  );
});

describe("mysql-tls-mock audit with a command template", () => {
  it("fills the fields in and exits 0 when the client does what a correct one does", async () => {
    const json = join(dir, "template.json");
    const run = await audit([
      "--client",
      "mariadb --no-defaults --protocol=TCP -h {host} -P {port} -u {user} -p{password} --ssl-ca={ca} --ssl-verify-server-cert -e 'SELECT 1' # {mode}",
      "--modes",
      "VERIFY_IDENTITY",
      "--scenarios",
      "mysql-5.7.41-good-ca,cert-wrong-host,strip-backronym",
      "--json",
      json,
      "--no-progress",
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    const report = JSON.parse(readFileSync(json, "utf8")) as AuditReport;
    expect(report.cells.map((c) => [c.scenario, c.status, c.observed, c.verdict])).toEqual([
      ["mysql-5.7.41-good-ca", "pass", "tls", "tls"],
      ["cert-wrong-host", "pass", "refuse-before-credentials", "tls-verified-refused"],
      ["strip-backronym", "pass", "refuse-before-credentials", "refused-plaintext"],
    ]);
    expect(report.cells[0]!.command).toMatch(
      /--ssl-ca='\/.*\/ca\.pem' --ssl-verify-server-cert .* # 'VERIFY_IDENTITY'$/,
    );
  });

  it("reports a run that never connects as an error and exits 3", async () => {
    const run = await audit([
      "--client",
      "true",
      "--modes",
      "REQUIRED",
      "--scenarios",
      "cert-expired",
      "--no-progress",
    ]);
    expect(run.code).toBe(3);
    expect(run.stdout).toContain("the client made no connection (exit code 0)");
  });

  it("kills a client that outlives the timeout", async () => {
    const run = await audit([
      "--client",
      "sleep 30 # {host}",
      "--modes",
      "REQUIRED",
      "--scenarios",
      "cert-expired",
      "--timeout",
      "1.5",
      "--no-progress",
    ]);
    expect(run.code).toBe(3);
    expect(run.stdout).toContain("the client made no connection before the 1.5 s timeout");
  });

  it("keeps the password out of what the client printed on stderr", async () => {
    const json = join(dir, "stderr.json");
    const run = await audit([
      "--client",
      "echo pw={password} >&2",
      "--modes",
      "REQUIRED",
      "--scenarios",
      "cert-expired",
      "--json",
      json,
      "--no-progress",
    ]);
    expect(run.code).toBe(3);
    const report = JSON.parse(readFileSync(json, "utf8")) as AuditReport;
    expect(report.cells[0]!.command).toBe("echo pw='***' >&2");
    expect(report.cells[0]!.stderrTail).toBe("pw=***");
  });

  it("on SIGINT kills the running client, removes its files and exits 130", async () => {
    const marks = mkdtempSync(join(dir, "interrupt-"));
    const child = spawn(
      process.execPath,
      [
        BIN,
        "audit",
        "--client",
        `echo {ca} > ${marks}/ca; sleep 60 & echo $! > ${marks}/pid; wait`,
        "--modes",
        "REQUIRED",
        "--scenarios",
        "cert-expired",
        "--no-progress",
      ],
      { env: { ...process.env, NO_COLOR: "1" } },
    );
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = once(child, "exit");
    const pidFile = join(marks, "pid");
    try {
      await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, "utf8").trim() !== "", "the client");
    } catch (error) {
      child.kill("SIGKILL");
      throw error;
    }
    const clientPid = Number(readFileSync(pidFile, "utf8"));
    const caFile = readFileSync(join(marks, "ca"), "utf8").trim();
    expect(isRunning(clientPid)).toBe(true);
    child.kill("SIGINT");
    const [code] = await exited;
    expect(code).toBe(130);
    expect(stderr).toContain("audit interrupted by SIGINT");
    await waitFor(() => !isRunning(clientPid), "the client to be gone", 5000);
    expect(existsSync(dirname(caFile))).toBe(false);
  }, 60_000);
});

describe("mysql-tls-mock audit exit status 2: the audit could not run", () => {
  it("refuses a template with an unknown field before running anything", async () => {
    const run = await audit(["--client", "mysql -h {hostname}", "--scenarios", "cert-expired"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown field {hostname}");
  });

  it("refuses an unknown scenario name before running anything", async () => {
    const run = await audit(["--client", "true", "--scenarios", "cert-expired,no-such-scenario"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no built-in scenario named "no-such-scenario"');
  });

  it("refuses a timeout setTimeout cannot hold", async () => {
    const run = await audit(["--client", "true", "--timeout", "3000000"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("at most 2147483");
  });

  it("fails when a report file cannot be written, before the first run (test/cli/audit-outputs.test.ts has more)", async () => {
    const json = join(dir, "no-such-folder", "audit.json");
    const run = await audit([
      "--client",
      "true",
      "--modes",
      "REQUIRED",
      "--scenarios",
      "cert-expired",
      "--json",
      json,
      "--no-progress",
    ]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      `mysql-tls-mock: cannot write the reports, nothing run: --json ${json}: its folder ${dirname(json)} does not exist\n`,
    );
  });
});
