import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getCertificateSet } from "../certs";
import { loadScenario } from "../scenarios/load-scenario";
import type { Scenario, SslMode } from "../scenarios/scenario-schema";
import { type MockServer, startMockServer } from "../server/mock-server";
import { DEFAULT_ACCOUNT } from "../server/options";
import type { AuditCell, AuditReport, AuditStatus } from "./audit-report";
import type { ClientPreset } from "./client-presets";
import { checkTemplate, fillTemplate, redactPassword, type TemplateFields } from "./command-template";
import { auditConnection, mostTellingRecord, observedOutcome } from "./observe-outcome";

/** What to audit, and how. */
export interface AuditOptions {
  /** A command template with `{field}`s (see command-template.ts), or a preset's template per mode. */
  client: string | { name: string; preset: ClientPreset };
  /** Scenario names (built-in) or paths to scenario files. */
  scenarios: string[];
  modes: SslMode[];
  /** Longest a run may take before the command is killed. */
  timeoutMs: number;
  /** Called after each run, e.g. for a progress bar. */
  onCell?: (cell: AuditCell, done: number, total: number) => void;
  /** The version the report names. */
  toolVersion?: string;
}

/** How much of the command's stderr a cell keeps. */
const STDERR_TAIL_LINES = 6;
const OUTPUT_LIMIT_BYTES = 64 * 1024;
/** How long records may take to settle after the command exited (its sockets close with it). */
const SETTLE_MS = 5000;

interface Run {
  exitCode: number | null;
  timedOut: boolean;
  stderr: string;
  durationMs: number;
  spawnError: string | null;
}

/** Runs `command` in a shell, in its own process group so a timeout kills everything it started. */
function runCommand(command: string, timeoutMs: number): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn("/bin/sh", ["-c", command], { stdio: ["ignore", "ignore", "pipe"], detached: true });
    let stderr = "";
    let timedOut = false;
    child.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < OUTPUT_LIMIT_BYTES) stderr += chunk.toString();
    });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, timeoutMs);
    const finish = (exitCode: number | null, spawnError: string | null) => {
      clearTimeout(timer);
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
async function settle(server: MockServer): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    server.settled(),
    new Promise((resolve) => {
      timer = setTimeout(resolve, SETTLE_MS);
    }),
  ]);
  clearTimeout(timer);
}

/** The files a run's client may be pointed at, in a folder of their own (keys mode 0600). */
async function writeClientFiles(
  server: MockServer,
  dir: string,
): Promise<Pick<TemplateFields, "ca" | "cert" | "key">> {
  // A scenario without TLS still needs a CA for a client told to verify; the good set's serves.
  const fallback = await getCertificateSet("good");
  const set = server.tls?.certificateSet ?? fallback;
  const ca = server.ca ?? fallback.ca;
  const client = set.client ?? fallback.client!;
  const files = {
    ca: join(dir, "ca.pem"),
    cert: join(dir, "client-cert.pem"),
    key: join(dir, "client-key.pem"),
  };
  writeFileSync(files.ca, ca, { mode: 0o600 });
  writeFileSync(files.cert, client.cert, { mode: 0o600 });
  writeFileSync(files.key, client.key, { mode: 0o600 });
  return files;
}

async function auditCell(
  reference: string,
  scenario: Scenario,
  mode: SslMode,
  options: AuditOptions,
): Promise<AuditCell> {
  const expectation = scenario.expect[mode]!;
  const server = await startMockServer({ scenario: reference });
  const dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-audit-"));
  try {
    const account = server.options.accounts[0] ?? { ...DEFAULT_ACCOUNT };
    const fields: TemplateFields = {
      host: server.socketPath ? "localhost" : server.host,
      port: String(server.port),
      socket: server.socketPath ?? "",
      user: account.user,
      password: account.password,
      mode,
      ...(await writeClientFiles(server, dir)),
    };
    const template =
      typeof options.client === "string"
        ? options.client
        : options.client.preset(mode, server.socketPath !== null);
    const command = fillTemplate(template, fields);
    // What reports show: the same command with the password left out.
    const shown = fillTemplate(template, { ...fields, password: "***" });
    const run = await runCommand(command, options.timeoutMs);
    await settle(server);
    const records = [...server.connections];
    await server.stop();
    const observed = observedOutcome(records);
    const telling = mostTellingRecord(records);
    let status: AuditStatus;
    let detail: string;
    if (run.spawnError !== null) {
      status = "error";
      detail = `the command could not be started: ${run.spawnError}`;
    } else if (observed === null) {
      status = "error";
      detail = run.timedOut
        ? `the client made no connection before the ${options.timeoutMs} ms timeout`
        : `the client made no connection (exit code ${run.exitCode})`;
    } else {
      status = observed === expectation.outcome ? "pass" : "deviation";
      const many = records.length > 1 ? ` (${records.length} connections)` : "";
      detail = `${telling!.verdict?.summary ?? ""}${many}`;
    }
    const redact = (text: string) => redactPassword(text, account.password);
    return {
      scenario: scenario.name,
      mode,
      status,
      expected: expectation.outcome,
      ...(expectation.why ? { why: expectation.why } : {}),
      observed,
      verdict: telling?.verdict?.kind ?? null,
      detail,
      command: shown,
      exitCode: run.exitCode,
      timedOut: run.timedOut,
      durationMs: run.durationMs,
      stderrTail: redact(tail(run.stderr)),
      connections: records.map(auditConnection),
    };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs a client command against each scenario in each mode the scenario has an expectation for,
 * one fresh server per run, and compares what the server recorded with what a correct client does.
 */
export async function runAudit(options: AuditOptions): Promise<AuditReport> {
  if (typeof options.client === "string") checkTemplate(options.client);
  const startedAt = new Date().toISOString();
  // Every file is read (and a bad one rejected) before the first run.
  const scenarios = options.scenarios.map((reference) => ({ reference, scenario: loadScenario(reference) }));
  const plan = scenarios.flatMap(({ reference, scenario }) =>
    options.modes
      .filter((mode) => scenario.expect[mode] !== undefined)
      .map((mode) => ({ reference, scenario, mode })),
  );
  const cells: AuditCell[] = [];
  for (const { reference, scenario, mode } of plan) {
    const cell = await auditCell(reference, scenario, mode, options);
    cells.push(cell);
    options.onCell?.(cell, cells.length, plan.length);
  }
  const totals = { pass: 0, deviation: 0, error: 0 };
  for (const cell of cells) totals[cell.status]++;
  return {
    tool: { name: "mysql-tls-mock", version: options.toolVersion ?? "0.0.0" },
    clientTemplate: typeof options.client === "string" ? options.client : options.client.name,
    startedAt,
    finishedAt: new Date().toISOString(),
    timeoutMs: options.timeoutMs,
    modes: options.modes,
    scenarios: scenarios.map(({ scenario }) => ({ name: scenario.name, description: scenario.description })),
    cells,
    totals,
  };
}
