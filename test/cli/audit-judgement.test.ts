import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AuditReport } from "../../src/audit/audit-report";
import { runCli } from "../helpers/cli-process";

/**
 * What the audit judges, run as a user runs it, with clients whose behaviour is known: a leak is
 * never a pass, severities decide the exit status, and a scenario the template cannot reach is not
 * run. Only the server's records count.
 */

const LEAK_AND_HANG_UP = join(__dirname, "fixtures", "leak-and-hang-up.mjs");
const LEAK_MODES = "REQUIRED,VERIFY_CA,VERIFY_IDENTITY";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-audit-judgement-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function audit(
  args: string[],
): Promise<{ status: number | null; stdout: string; report: AuditReport }> {
  const json = join(dir, `report-${Math.random().toString(36).slice(2)}.json`);
  const run = await runCli(["audit", "--no-progress", "--json", json, ...args], { timeoutMs: 120_000 });
  const report = JSON.parse(readFileSync(json, "utf8")) as AuditReport;
  return { status: run.code, stdout: run.stdout, report };
}

describe("a client that sends its credentials in plaintext and hangs up before any answer", () => {
  let result: Awaited<ReturnType<typeof audit>>;
  beforeAll(async () => {
    result = await audit([
      "--client",
      `node ${LEAK_AND_HANG_UP} {host} {port} {user} {password}`,
      "--scenarios",
      "strip-backronym,mysql-5.7.41-notls",
      "--modes",
      LEAK_MODES,
    ]);
  }, 130_000);

  it("is a critical deviation in every mode that requires TLS, though the server refused nothing", () => {
    const cells = result.report.cells.map((cell) => ({
      at: `${cell.scenario} ${cell.mode}`,
      status: cell.status,
      severity: cell.severity,
      observed: cell.observed,
    }));
    expect(cells).toHaveLength(6);
    for (const cell of cells) {
      expect(cell).toEqual({
        at: cell.at,
        status: "deviation",
        severity: "critical",
        observed: "refused-after-credentials",
      });
    }
    const outcomes = result.report.cells.flatMap((cell) => cell.connections.map((c) => c.outcome));
    expect(new Set(outcomes)).toEqual(new Set(["client-went-away"]));
  });

  it("exits 1 and counts every run as failing at the default --fail-on high", () => {
    expect(result.report).toMatchObject({ failOn: "high", failing: 6 });
    expect(result.status).toBe(1);
  });
});

describe("PyMySQL, which sends its whole login with CLIENT_SSL set to a greeting without TLS", () => {
  const PROBE = join(__dirname, "..", "..", "probes", "pymysql_probe.py");
  let result: Awaited<ReturnType<typeof audit>>;
  beforeAll(async () => {
    result = await audit([
      "--client",
      `/usr/bin/python3 ${PROBE} --host {host} --port {port} --user {user} --password {password} --mode {mode} --ca {ca}`,
      "--scenarios",
      "strip-backronym,mysql-5.7.41-notls,mariadb-10.11-notls",
      "--modes",
      LEAK_MODES,
    ]);
  }, 130_000);

  it("is a critical deviation in every mode that requires TLS, whichever way each server family answers", () => {
    const cells = result.report.cells.map(
      (cell) => `${cell.scenario} ${cell.mode}: ${cell.status} ${cell.severity} ${cell.observed}`,
    );
    expect(cells).toEqual([
      "strip-backronym REQUIRED: deviation critical plaintext",
      "strip-backronym VERIFY_CA: deviation critical plaintext",
      "strip-backronym VERIFY_IDENTITY: deviation critical plaintext",
      // MySQL 5.7 answers Bad handshake — after the credentials crossed.
      "mysql-5.7.41-notls REQUIRED: deviation critical refused-after-credentials",
      "mysql-5.7.41-notls VERIFY_CA: deviation critical refused-after-credentials",
      "mysql-5.7.41-notls VERIFY_IDENTITY: deviation critical refused-after-credentials",
      // MariaDB masks the bit and logs the client in.
      "mariadb-10.11-notls REQUIRED: deviation critical plaintext",
      "mariadb-10.11-notls VERIFY_CA: deviation critical plaintext",
      "mariadb-10.11-notls VERIFY_IDENTITY: deviation critical plaintext",
    ]);
  });

  it("names the client as it named itself, and each leak as a response that asked for TLS", () => {
    for (const cell of result.report.cells) {
      expect(cell.clientName).toMatch(/^pymysql \d/);
      expect(cell.connections).toHaveLength(1);
      expect(cell.connections[0]).toMatchObject({
        sslRequest: false,
        credentialsInPlaintext: true,
        verdict: "plaintext-fallback",
        severity: "critical",
      });
    }
  });

  it("exits 1, and the terminal shows the severity and the client's own error under each deviation", () => {
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("CRITICAL");
    expect(result.stdout).toContain("Bad handshake");
  });
});

describe("--fail-on", () => {
  // The mariadb CLI told to verify refuses a greeting without TLS: safer than PREFERRED asks for.
  const refuser = [
    "--client",
    "mariadb --no-defaults --protocol=TCP -h {host} -P {port} -u {user} -p{password} --ssl-ca={ca} --ssl-verify-server-cert -e 'SELECT 1'",
    "--scenarios",
    "mysql-5.7.41-notls",
    "--modes",
    "PREFERRED",
  ];

  it("lets an info deviation pass the default threshold, and the report says it deviated", async () => {
    const { status, report } = await audit(refuser);
    expect(report.cells).toEqual([
      expect.objectContaining({
        status: "deviation",
        severity: "info",
        observed: "refuse-before-credentials",
      }),
    ]);
    expect(report.failing).toBe(0);
    expect(status).toBe(0);
  });

  it("fails on any deviation with --fail-on info", async () => {
    const { status, report } = await audit([...refuser, "--fail-on", "info"]);
    expect(report).toMatchObject({ failOn: "info", failing: 1 });
    expect(status).toBe(1);
  });

  it("refuses a severity it does not know, naming the known ones", async () => {
    const run = await runCli(["audit", "--client", "true", "--fail-on", "severe"], { timeoutMs: 30_000 });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown severity severe (known: critical, high, medium, info)");
  });
});

describe("a scenario the template cannot reach", () => {
  it("is not run, with the reason, and does not fail the audit", async () => {
    const { status, report } = await audit([
      "--client",
      "mariadb --no-defaults -h {host} -P {port} -u {user} -p{password} -e 'SELECT 1'",
      "--scenarios",
      "unix-socket-preferred",
      "--modes",
      "PREFERRED",
    ]);
    expect(report.cells).toEqual([
      expect.objectContaining({
        status: "not-run",
        detail: "the scenario listens on a Unix socket and the client template has no {socket}",
        connections: [],
      }),
    ]);
    expect(report.totals).toMatchObject({ "not-run": 1, error: 0 });
    expect(status).toBe(0);
  });
});
