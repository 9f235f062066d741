import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, constants, tmpdir } from "node:os";
import { join } from "node:path";
import { type CertificateSet, getCertificateSet } from "../certs";
import { ScenarioError } from "../scenarios/load-scenario";
import { scenarioToOptions } from "../scenarios/scenario-options";
import type { Scenario, SslMode } from "../scenarios/scenario-schema";
import type { ProxyAttack } from "../options/proxy-options";
import { type MockServerOptions, resolveOptions } from "../server/options";
import type { AuditCell, AuditReport } from "./audit-report";
import { type ClientPreset, PROBE_EXIT } from "./client-presets";
import {
  type CheckedTemplate,
  checkTemplate,
  fillTemplate,
  redactPassword,
  type TemplateFields,
} from "./command-template";
import { atLeast, type Severity } from "../record/findings";
import { judgeRun } from "../record/judgement";
import type { ConnectionRecord } from "../record/connection-record";
import { AUDIT_STATUSES } from "./audit-report";
import { auditConnection } from "./observe-outcome";
import { formatDuration } from "./report/cell-text";
import { type AuditTarget, proxyTarget, serverTarget, type UpstreamTarget } from "./audit-target";
import { checkJobs, runPool } from "./run-pool";

/** What to audit, and how. */
export interface AuditOptions {
  /** A command template with `{field}`s (see command-template.ts), or a preset's template per mode. */
  client: string | { name: string; preset: ClientPreset };
  /** The scenarios to run, loaded (`loadScenario`). */
  scenarios: Scenario[];
  modes: SslMode[];
  /** Longest a run may take before the command is killed. */
  timeoutMs: number;
  /**
   * Called after each run, e.g. for a progress bar, in the order runs finish (with `jobs` above 1
   * not the report's order), `done` counting the runs finished so far.
   */
  onCell?: (cell: AuditCell, done: number, total: number) => void;
  /**
   * How many runs at once, each with its own server and client process; the report is the same
   * whatever the number (its cells are in plan order). Default: the number of cores
   * (`os.availableParallelism()`). 1 runs them one after the other.
   */
  jobs?: number;
  /** The version the report names. */
  toolVersion?: string;
  /** The severity at which a run fails the audit. Default `high`. */
  failOn?: Severity;
  /**
   * Variables added to the client command's environment, e.g. the presets' MYSQL_TLS_MOCK_PYTHON
   * or MYSQL_TLS_MOCK_JDBC_JAR (client-presets.ts) to pick the runtime or driver a probe uses.
   */
  env?: Readonly<Record<string, string>>;
  /**
   * Audit through the proxy in front of a real server instead of against the fake one: each
   * scenario is then one of the proxy's attacks (`attackScenarios()`), and the client logs in with
   * the real server's account and is given its CA.
   */
  upstream?: UpstreamTarget;
}

/** How much of the command's stderr a cell keeps. */
const STDERR_TAIL_LINES = 6;
/** How much of the command's stderr is held while it runs: the end, where the tail comes from. */
const STDERR_WINDOW_CHARS = 64 * 1024;
/** How long records may take to settle after the command exited (its sockets close with it). */
const SETTLE_MS = 5000;

/**
 * Thrown by {@link runAudit} when SIGINT or SIGTERM stopped it, once the run in progress was
 * cleaned up (client killed, server stopped, temporary files removed).
 */
export class AuditInterrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`audit interrupted by ${signal}; no report was written`);
    this.name = "AuditInterrupted";
  }

  /** The shell's status for a death by this signal: 128 + its number (130 for SIGINT, 143 for SIGTERM). */
  get exitCode(): number {
    return 128 + constants.signals[this.signal];
  }
}

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, "SIGKILL");
  } catch {
    child.kill("SIGKILL");
  }
}

/**
 * SIGINT and SIGTERM while an audit runs. Each client runs in a process group of its own (so a
 * timeout kills everything it started), which a terminal's Ctrl-C does not reach: the handler kills
 * every running client's group and aborts `abort`, so no further run starts, and the audit stops
 * once the runs under way have cleaned up their servers and files. The handlers go after the first
 * signal, so a second one ends the process at once.
 */
class Interruption {
  signal: NodeJS.Signals | null = null;
  /** The client commands running now: as many as the audit's jobs. */
  readonly children = new Set<ChildProcess>();
  private readonly controller = new AbortController();
  /** Aborted, with the {@link AuditInterrupted} to throw, by the first SIGINT or SIGTERM. */
  readonly abort = this.controller.signal;
  private readonly handler = (signal: NodeJS.Signals) => {
    this.signal = signal;
    for (const child of this.children) killGroup(child);
    this.controller.abort(new AuditInterrupted(signal));
    this.remove();
  };

  constructor() {
    process.on("SIGINT", this.handler);
    process.on("SIGTERM", this.handler);
  }

  remove(): void {
    process.off("SIGINT", this.handler);
    process.off("SIGTERM", this.handler);
  }
}

interface Run {
  exitCode: number | null;
  timedOut: boolean;
  stderr: string;
  durationMs: number;
  spawnError: string | null;
}

/** Runs `command` in a shell, in its own process group so a timeout kills everything it started. */
function runCommand(
  command: string,
  timeoutMs: number,
  interruption: Interruption,
  env: Readonly<Record<string, string>> | undefined,
): Promise<Run> {
  const started = Date.now();
  if (interruption.signal) {
    return Promise.resolve({
      exitCode: null,
      timedOut: false,
      stderr: "",
      durationMs: 0,
      spawnError: "interrupted",
    });
  }
  return new Promise((resolve) => {
    const child = spawn("/bin/sh", ["-c", command], {
      stdio: ["ignore", "ignore", "pipe"],
      detached: true,
      ...(env ? { env: { ...process.env, ...env } } : {}),
    });
    interruption.children.add(child);
    let stderr = "";
    let timedOut = false;
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_WINDOW_CHARS);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, timeoutMs);
    const finish = (exitCode: number | null, spawnError: string | null) => {
      clearTimeout(timer);
      interruption.children.delete(child);
      resolve({
        exitCode: timedOut ? null : exitCode,
        timedOut,
        stderr,
        durationMs: Date.now() - started,
        spawnError,
      });
    };
    child.once("error", (error) => finish(null, error.message));
    child.once("close", (code) => finish(code, null));
  });
}

function tail(text: string): string {
  return text.trimEnd().split("\n").slice(-STDERR_TAIL_LINES).join("\n");
}

/** Waits for the server's records to be final, bounded: a client may leave a socket behind. */
async function settle(server: { settled(): Promise<unknown> }): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    server.settled(),
    new Promise((resolve) => {
      timer = setTimeout(resolve, SETTLE_MS);
    }),
  ]);
  clearTimeout(timer);
}

/** What every run of one audit shares. */
interface AuditContext {
  options: AuditOptions;
  interruption: Interruption;
  /** The good set, fetched once, when a run first needs it. */
  goodSet: () => Promise<CertificateSet>;
}

/** One run to make, with everything checked before the first run. */
interface PlannedRun {
  scenario: Scenario;
  mode: SslMode;
  server: MockServerOptions;
  template: CheckedTemplate;
  /** Why the template cannot reach this scenario's server, when it cannot: the run is not made. */
  unreachable: string | null;
  /** Whether the command is a probe, whose exit codes 3 and 4 are not login results (client-presets.ts). */
  probe: boolean;
}

/** Why `template` cannot reach a server listening as `server` does, or null when it can. */
function unreachableReason(template: string, server: MockServerOptions): string | null {
  if (server.socketPath !== undefined && !template.includes("{socket}")) {
    return "the scenario listens on a Unix socket and the client template has no {socket}";
  }
  return null;
}

/** A cell for a run that was not made, or whose server did not start. */
function unmadeCell(
  about: Pick<AuditCell, "scenario" | "mode" | "expected" | "why">,
  status: "error" | "not-run",
  detail: string,
  command: string,
): AuditCell {
  return {
    ...about,
    status,
    observed: null,
    verdict: null,
    severity: "info",
    clientName: null,
    detail,
    command,
    exitCode: null,
    timedOut: false,
    durationMs: 0,
    stderrTail: "",
    connections: [],
  };
}

/** What a run of the client command left behind, besides the server's records. */
export interface FinishedRun {
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  spawnError: string | null;
  /** The end of its stderr, password already redacted. */
  stderrTail: string;
}

/**
 * The cell for one run: the records judged by the record layer's `judgeRun` for the run's mode and
 * expectation, and that judgement put in the words every report format shows. Pure, so every
 * verdict kind × mode can be checked through it without a client.
 */
export function judgedCell(input: {
  about: Pick<AuditCell, "scenario" | "mode" | "expected" | "why">;
  records: readonly ConnectionRecord[];
  run: FinishedRun;
  /** The command as reports show it (password replaced). */
  command: string;
  timeoutMs: number;
}): AuditCell {
  const { about, run } = input;
  const judgement = judgeRun(input.records, about.mode, about.expected);
  const connections = judgement.connections.map(auditConnection);
  const telling = judgement.telling ? auditConnection(judgement.telling) : null;
  let status: AuditCell["status"];
  let detail: string;
  if (run.spawnError !== null) {
    status = "error";
    detail = `the command could not be started: ${run.spawnError}`;
  } else if (judgement.status === "no-connection" || telling === null) {
    status = "error";
    detail = run.timedOut
      ? `the client made no connection before the ${formatDuration(input.timeoutMs)} timeout`
      : `the client made no connection (exit code ${run.exitCode})`;
  } else {
    status = judgement.status;
    const many = connections.length > 1 ? ` (${connections.length} connections)` : "";
    detail = `${telling.summary}${many}`;
  }
  return {
    ...about,
    status,
    observed: judgement.observed,
    verdict: telling?.verdict ?? null,
    severity: judgement.severity,
    clientName: connections.find((c) => c.clientName !== null)?.clientName ?? null,
    detail,
    command: input.command,
    exitCode: run.exitCode,
    timedOut: run.timedOut,
    durationMs: run.durationMs,
    stderrTail: run.stderrTail,
    connections,
  };
}

/**
 * A probe that did not try to log in: it cannot express the mode (not run, in its words) or its
 * driver is missing (an error saying what to install). Null for every other exit.
 */
function probeRefusal(run: Run, password: string): { status: "not-run" | "error"; detail: string } | null {
  const said = redactPassword(tail(run.stderr), password).replace(/\s*\n\s*/g, " ");
  if (run.exitCode === PROBE_EXIT.modeNotExpressible) return { status: "not-run", detail: said };
  if (run.exitCode === PROBE_EXIT.driverMissing) {
    return { status: "error", detail: `the client is not installed: ${said}` };
  }
  return null;
}

async function auditCell(planned: PlannedRun, context: AuditContext): Promise<AuditCell> {
  const { scenario, mode, template } = planned;
  const { timeoutMs, upstream } = context.options;
  const expectation = scenario.expect[mode]!;
  const about = {
    scenario: scenario.name,
    mode,
    expected: expectation.outcome,
    ...(expectation.why ? { why: expectation.why } : {}),
  };
  if (planned.unreachable !== null) return unmadeCell(about, "not-run", planned.unreachable, template);
  let target: AuditTarget;
  try {
    target = upstream
      ? await proxyTarget(upstream, scenario.name as ProxyAttack)
      : await serverTarget(planned.server, context.goodSet);
  } catch (error) {
    const what = upstream ? "proxy" : "server";
    return unmadeCell(about, "error", `the ${what} could not start: ${(error as Error).message}`, template);
  }
  let dir: string | null = null;
  try {
    dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-audit-"));
    const fields: TemplateFields = {
      host: target.host,
      port: String(target.port),
      socket: target.socket,
      user: target.user,
      password: target.password,
      mode,
      ...(await target.writeClientFiles(dir, context.goodSet)),
    };
    const command = fillTemplate(template, fields);
    // What reports show: the same command with the password left out.
    const shown = fillTemplate(template, { ...fields, password: "***" });
    const run = await runCommand(command, timeoutMs, context.interruption, context.options.env);
    await settle(target);
    await target.stop();
    const stderrTail = redactPassword(tail(run.stderr), target.password);
    const unjudged = planned.probe ? probeRefusal(run, target.password) : null;
    if (unjudged !== null && target.connections.length === 0) {
      return {
        ...unmadeCell(about, unjudged.status, unjudged.detail, shown),
        exitCode: run.exitCode,
        durationMs: run.durationMs,
        stderrTail,
      };
    }
    return judgedCell({
      about,
      records: target.connections,
      run: { ...run, stderrTail },
      command: shown,
      timeoutMs,
    });
  } finally {
    await target.stop();
    if (dir !== null) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A scenario's server options, checked as a server start would check them (certificates, TLS
 * versions, accounts), so a scenario that cannot be served fails the audit before the first run.
 */
async function checkedServerOptions(scenario: Scenario): Promise<MockServerOptions> {
  const options = scenarioToOptions(scenario);
  try {
    await resolveOptions(options);
  } catch (error) {
    throw new ScenarioError(scenario.source, "", (error as Error).message);
  }
  return options;
}

/**
 * Runs a client command against each scenario in each mode the scenario has an expectation for,
 * one fresh server per run, and compares what the server recorded with what a correct client does.
 * `jobs` runs go at once (default: the number of cores); the cells are in plan order (scenario by
 * scenario, each in the order of `modes`) however many ran at once. Every scenario's server options
 * and every template are checked before the first run; a server that still fails to start makes an
 * `error` cell, and a run that deviates or errs does not stop the others. SIGINT or SIGTERM kills
 * every running client, starts no further run and ends the audit with an {@link AuditInterrupted}
 * once the runs under way have stopped their servers and removed their files.
 */
export async function runAudit(options: AuditOptions): Promise<AuditReport> {
  const jobs = checkJobs(options.jobs ?? availableParallelism());
  const startedAt = new Date().toISOString();
  const { client } = options;
  const templates = new Map<string, CheckedTemplate>();
  const templateFor = (mode: SslMode, overSocket: boolean): CheckedTemplate => {
    const template = typeof client === "string" ? client : client.preset.template(mode, overSocket);
    let checked = templates.get(template);
    if (checked === undefined) {
      checked = checkTemplate(template);
      templates.set(template, checked);
    }
    return checked;
  };
  const plan: PlannedRun[] = [];
  for (const scenario of options.scenarios) {
    // Through the proxy a scenario is an attack, and the server is the user's.
    const server = options.upstream ? {} : await checkedServerOptions(scenario);
    for (const mode of options.modes) {
      if (scenario.expect[mode] === undefined) continue;
      const template = templateFor(mode, server.socketPath !== undefined);
      plan.push({
        scenario,
        mode,
        server,
        template,
        unreachable: unreachableReason(template, server),
        probe: typeof client !== "string" && client.preset.probe,
      });
    }
  }
  let goodSet: Promise<CertificateSet> | undefined;
  const context: AuditContext = {
    options,
    interruption: new Interruption(),
    goodSet: () => (goodSet ??= getCertificateSet("good")),
  };
  let cells: AuditCell[];
  try {
    cells = await runPool(plan, (planned) => auditCell(planned, context), {
      jobs,
      signal: context.interruption.abort,
      onResult: (cell, _index, done) => options.onCell?.(cell, done, plan.length),
    });
  } finally {
    context.interruption.remove();
  }
  const failOn = options.failOn ?? "high";
  return {
    tool: { name: "mysql-tls-mock", version: options.toolVersion ?? "0.0.0" },
    clientTemplate: typeof client === "string" ? client : client.name,
    startedAt,
    finishedAt: new Date().toISOString(),
    timeoutMs: options.timeoutMs,
    modes: options.modes,
    scenarios: options.scenarios.map((scenario) => ({
      name: scenario.name,
      description: scenario.description,
    })),
    cells,
    ...tally(cells, failOn),
  };
}

/** The counts a report carries: runs per status, and the runs that fail at `failOn`. */
export function tally(
  cells: readonly AuditCell[],
  failOn: Severity,
): Pick<AuditReport, "totals" | "failOn" | "failing"> {
  const totals = Object.fromEntries(AUDIT_STATUSES.map((status) => [status, 0])) as AuditReport["totals"];
  for (const cell of cells) totals[cell.status]++;
  return { totals, failOn, failing: cells.filter((cell) => cellFails(cell, failOn)).length };
}

/**
 * Whether a run fails an audit that fails on `failOn`: a deviation at that severity or worse, or a
 * pass whose findings reach it above `info` (a weak cipher a correct client still accepted).
 */
export function cellFails(cell: Pick<AuditCell, "status" | "severity">, failOn: Severity): boolean {
  if (!atLeast(cell.severity, failOn)) return false;
  return cell.status === "deviation" || (cell.status === "pass" && cell.severity !== "info");
}
