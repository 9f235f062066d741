import { accessSync, constants, readFileSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, resolve } from "node:path";
import { SingleBar } from "cli-progress";
import { type Command, CommanderError, InvalidArgumentError, Option } from "commander";
import pc from "picocolors";
import type { AuditCell, AuditReport } from "../audit/audit-report";
import { CLIENT_PRESETS, PRESET_LIST } from "../audit/client-presets";
import { checkTemplate, TEMPLATE_FIELDS, TemplateError } from "../audit/command-template";
import { REPORT_FORMATS, renderReport, renderTerminalTable } from "../audit/report";
import type { UpstreamTarget } from "../audit/audit-target";
import { AUDITED_ATTACKS, type AttackContext, attackScenarios } from "../audit/proxy-attacks";
import { checkUpstreamCertificate } from "../audit/upstream-certificate";
import { AuditInterrupted, type AuditOptions, runAudit } from "../audit/run-audit";
import { checkJobs, JobsError } from "../audit/run-pool";
import { SEVERITIES, type Severity } from "../record/findings";
import { builtinScenarioNames, loadScenario, ScenarioError } from "../scenarios/load-scenario";
import { type Scenario, SSL_MODES, type SslMode } from "../scenarios/scenario-schema";
import { parseSeconds } from "./arguments";
import { parseUpstream } from "./proxy-command";
import { terminalWidth } from "./terminal-width";

interface AuditFlags {
  /** Absent only with --list-presets. */
  client?: string;
  listPresets?: boolean;
  modes: SslMode[];
  /** `all` (the default) or the scenarios named, loaded. */
  scenarios: Scenario[] | "all";
  timeout: number;
  markdown?: string;
  /** A report file; `true` (no file) only with --list-presets, which then prints JSON. */
  json?: string | true;
  junit?: string;
  html?: string;
  progress: boolean;
  failOn: Severity;
  /** Audit through the proxy in front of this real server. */
  upstream?: { host: string; port: number };
  upstreamUser?: string;
  upstreamPassword?: string;
  upstreamCa?: string;
  upstreamTls: "verify" | "no-verify" | "off";
  /** With --upstream: the attacks to run (default all). */
  attacks?: string[];
  /** Runs at once, each with its own server. */
  jobs: number;
}

/**
 * Exit statuses, so a pipeline can tell a failing run (a deviation at `--fail-on` or worse) from a
 * run that could not judge, and both from an audit that could not run at all (a usage error, a
 * scenario that cannot be served, a report file that cannot be written). Ctrl-C or SIGTERM gives
 * 130 or 143 (see `AuditInterrupted`).
 */
const AUDIT_EXIT = { pass: 0, failing: 1, failed: 2, error: 3 } as const;

/** The audit's exit status: a failing run outweighs an error, an error outweighs passes. */
function exitStatusOf(report: AuditReport): number {
  if (report.failing > 0) return AUDIT_EXIT.failing;
  return report.totals.error > 0 ? AUDIT_EXIT.error : AUDIT_EXIT.pass;
}

function parseSeverity(value: string): Severity {
  const severity = value.trim().toLowerCase();
  if (!(SEVERITIES as readonly string[]).includes(severity)) {
    throw new InvalidArgumentError(`unknown severity ${value} (known: ${SEVERITIES.join(", ")})`);
  }
  return severity as Severity;
}

/** `--jobs`: a whole number of runs at once, 1 or more (`2.5`, `0`, `1e3` and `-1` are refused). */
function parseJobs(value: string): number {
  const jobs = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  try {
    return checkJobs(jobs);
  } catch (error) {
    if (error instanceof JobsError) {
      throw new InvalidArgumentError("expected a whole number of runs at once, 1 or more");
    }
    throw error;
  }
}

function parseModes(value: string): SslMode[] {
  const modes = value.split(",").map((m) => m.trim().toUpperCase());
  for (const mode of modes) {
    if (!(SSL_MODES as readonly string[]).includes(mode)) {
      throw new InvalidArgumentError(`unknown ssl-mode ${mode} (known: ${SSL_MODES.join(", ")})`);
    }
  }
  return [...new Set(modes as SslMode[])];
}

/** `all`, or each name or file loaded (an unknown name or a bad file is a usage error), once each. */
function parseScenarios(value: string): Scenario[] | "all" {
  if (value === "all") return "all";
  const scenarios = new Map<string, Scenario>();
  for (const reference of value.split(",").map((s) => s.trim())) {
    try {
      const scenario = loadScenario(reference);
      if (!scenarios.has(scenario.source)) scenarios.set(scenario.source, scenario);
    } catch (error) {
      if (error instanceof ScenarioError) throw new InvalidArgumentError(error.message);
      throw error;
    }
  }
  return [...scenarios.values()];
}

function parseClient(value: string): string {
  if (CLIENT_PRESETS[value]) return value;
  try {
    checkTemplate(value);
  } catch (error) {
    if (error instanceof TemplateError) throw new InvalidArgumentError(error.message);
    throw error;
  }
  return value;
}

/** A bar on a terminal; a line per run elsewhere (CI logs), so progress is never silent. */
function progressReporter(enabled: boolean): { onCell: AuditOptions["onCell"]; stop: () => void } {
  if (!enabled) return { onCell: undefined, stop: () => undefined };
  if (!process.stderr.isTTY) {
    return {
      onCell: (cell: AuditCell, done: number, total: number) =>
        process.stderr.write(`[${done}/${total}] ${cell.scenario} ${cell.mode}: ${cell.status}\n`),
      stop: () => undefined,
    };
  }
  const bar = new SingleBar({
    stream: process.stderr,
    format: "audit [{bar}] {value}/{total} {cell}",
    hideCursor: true,
    clearOnComplete: true,
  });
  let started = false;
  return {
    onCell: (cell, done, total) => {
      if (!started) bar.start(total, 0, { cell: "" });
      started = true;
      bar.update(done, { cell: `${cell.scenario} ${cell.mode}: ${cell.status}` });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

/** The file a report format is to be written to, if any (`--json` alone names none). */
function reportFile(flags: AuditFlags, format: (typeof REPORT_FORMATS)[number]): string | undefined {
  const file = format === "table" ? undefined : flags[format];
  return typeof file === "string" ? file : undefined;
}

/** `--markdown` for `markdown`: the flag each report file comes from. */
const flagOf = (format: string) => `--${format}`;

/** Why `file` cannot be written, or null when it can (as far as can be told without writing it). */
function unwritable(file: string): string | null {
  const denied = (path: string) => {
    try {
      accessSync(path, constants.W_OK);
      return false;
    } catch {
      return true;
    }
  };
  try {
    const stats = statSync(file);
    if (stats.isDirectory()) return "is a directory";
    return denied(file) ? "is not writable" : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") return (error as Error).message;
  }
  const folder = dirname(resolve(file));
  try {
    if (!statSync(folder).isDirectory()) return `${folder} is not a directory`;
  } catch {
    return `its folder ${folder} does not exist`;
  }
  return denied(folder) ? `its folder ${folder} is not writable` : null;
}

/**
 * Checks every report file asked for before the first run, so an audit never runs for minutes and
 * then fails on a typo in the last path, or writes some reports and not others: each must be
 * writable (an existing file, or a new one in a writable folder) and no two may be the same file.
 */
function checkReportPaths(flags: AuditFlags): void {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const format of REPORT_FORMATS) {
    const file = reportFile(flags, format);
    if (!file) continue;
    const earlier = seen.get(resolve(file));
    if (earlier) problems.push(`${flagOf(format)} ${file}: the same file as ${earlier}`);
    seen.set(resolve(file), flagOf(format));
    const problem = unwritable(file);
    if (problem) problems.push(`${flagOf(format)} ${file}: ${problem}`);
  }
  if (problems.length > 0) throw new Error(`cannot write the reports, nothing run: ${problems.join("; ")}`);
}

/** Writes each report file asked for; tries them all, then throws naming every one that failed. */
function writeReports(report: AuditReport, flags: AuditFlags): void {
  const failures: string[] = [];
  for (const format of REPORT_FORMATS) {
    const file = reportFile(flags, format);
    if (!file) continue;
    try {
      writeFileSync(file, renderReport(format, report));
    } catch (error) {
      failures.push(`cannot write the ${format} report: ${(error as Error).message}`);
    }
  }
  if (failures.length > 0) throw new Error(failures.join("; "));
}

/** Adds `audit`: run a client command against scenarios and report where it deviates. */
export function auditCommand(program: Command, version: string): void {
  program
    .command("audit")
    .description(
      "run a client command against every chosen scenario in every chosen ssl-mode, one fresh server per run, and report where it does not do what a correct client does",
    )
    .option(
      "--client <template>",
      `the client command, with fields ${TEMPLATE_FIELDS.map((f) => `{${f}}`).join(" ")} (shell-quoted when filled in), or a preset: ${Object.keys(CLIENT_PRESETS).join(", ")}`,
      parseClient,
    )
    .option("--modes <list>", "ssl-modes to run, comma-separated", parseModes, [...SSL_MODES])
    .option(
      "--scenarios <list>",
      "scenario names or files, comma-separated, or all (the built-ins)",
      parseScenarios,
      "all",
    )
    .option("--timeout <seconds>", "longest a run may take before the client is killed", parseSeconds, 20)
    .addOption(
      new Option(
        "--jobs <n>",
        "runs at once, each with its own server and client; the report is the same whatever the number (1: one after the other)",
      )
        .argParser(parseJobs)
        .default(availableParallelism(), `the number of cores, ${availableParallelism()} here`),
    )
    .option("--markdown <file>", "also write the report as Markdown")
    .option("--json [file]", "also write the report as JSON (with --list-presets: print the list as JSON)")
    .option("--junit <file>", "also write the report as JUnit XML, for CI test reports")
    .option("--html <file>", "also write the report as one self-contained HTML page")
    .option(
      "--fail-on <severity>",
      `exit ${AUDIT_EXIT.failing} when a run deviates with a finding this bad or worse (${SEVERITIES.join(", ")}; info: any deviation)`,
      parseSeverity,
      "high",
    )
    .option(
      "--upstream <host:port>",
      "audit through the proxy in front of this real server: each scenario is one of the proxy's attacks",
      parseUpstream,
    )
    .option("--upstream-user <name>", "with --upstream: an account of the real server ({user})")
    .addOption(
      new Option("--upstream-password <password>", "with --upstream: its password ({password})").env(
        "MYSQL_TLS_MOCK_UPSTREAM_PASSWORD",
      ),
    )
    .option("--upstream-ca <file>", "with --upstream: the CA (PEM) of the real server's certificate ({ca})")
    .addOption(
      new Option(
        "--upstream-tls <mode>",
        "with --upstream: how the proxy checks the real server where it speaks TLS to it",
      )
        .choices(["verify", "no-verify", "off"])
        .default("no-verify"),
    )
    .option(
      "--attacks <list>",
      `with --upstream: the attacks to run, comma-separated (default all: ${AUDITED_ATTACKS.map((a) => a.attack).join(", ")})`,
      (value: string) => value.split(",").map((name) => name.trim()),
    )
    .option("--no-progress", "print no progress")
    .option("--list-presets", "list the client presets and what each needs installed, then exit")
    .addHelpText(
      "after",
      `\nSeverity: critical — credentials or a password-equivalent sent outside TLS, or to a peer the mode required verifying; high — a plaintext fallback or an unverified certificate accepted where the mode forbids it; medium — a weak key, SHA-1 signature, TLS below 1.2 or a weak cipher accepted; info — the rest.\n` +
        `\nExit status: ${AUDIT_EXIT.pass} when no run fails, ${AUDIT_EXIT.failing} when a run deviates at --fail-on or worse (default high), ${AUDIT_EXIT.error} when some run could not be judged (and none fails), ${AUDIT_EXIT.failed} when the audit could not run (bad arguments, a scenario that cannot be served, a report file that cannot be written), 130/143 when interrupted by SIGINT/SIGTERM (every running client is killed, no further run starts, no report is written).\n` +
        `\nExamples:\n  mysql-tls-mock audit --client mariadb-cli --modes PREFERRED,VERIFY_IDENTITY\n` +
        `  mysql-tls-mock audit --client 'mariadb --no-defaults -h {host} -P {port} -u {user} -p{password} --ssl-ca={ca} --ssl-verify-server-cert -e "SELECT 1"' --modes VERIFY_IDENTITY\n`,
    )
    // Commander has printed the usage error (and the help); the status is the audit's own.
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : AUDIT_EXIT.failed))
    .action(async (flags: AuditFlags) => {
      try {
        if (flags.listPresets) {
          process.stdout.write(listPresets(flags.json === true));
          return;
        }
        if (flags.client === undefined)
          throw new Error("required option '--client <template>' not specified");
        if (flags.json === true)
          throw new Error("--json needs a file name (it prints JSON only with --list-presets)");
        await audit({ ...flags, client: flags.client }, version);
      } catch (error) {
        if (error instanceof AuditInterrupted) {
          throw new CommanderError(error.exitCode, "mysql-tls-mock.interrupted", error.message);
        }
        throw new CommanderError(AUDIT_EXIT.failed, "mysql-tls-mock.auditFailed", (error as Error).message);
      }
    });
}

/** `--list-presets`: each preset, and what it needs installed, as a table or JSON. */
export function listPresets(json: boolean): string {
  if (json) {
    const presets = PRESET_LIST.map(({ name, description, needs, probe }) => ({
      name,
      description,
      needs,
      probe,
    }));
    return `${JSON.stringify({ presets }, null, 2)}\n`;
  }
  const width = Math.max(...PRESET_LIST.map((preset) => preset.name.length));
  const lines = PRESET_LIST.flatMap((preset) => [
    `${preset.name.padEnd(width)}  ${preset.description}`,
    `${"".padEnd(width)}  needs: ${preset.needs.runtime}; ${preset.needs.driver}` +
      (preset.needs.debian.length > 0 ? ` (Debian: ${preset.needs.debian.join(" ")})` : ""),
  ]);
  return `${lines.join("\n")}\n`;
}

/** The real server of `--upstream`, its account and CA read and checked before anything runs. */
function upstreamTarget(flags: AuditFlags): UpstreamTarget {
  const missing = (["upstreamUser", "upstreamPassword", "upstreamCa"] as const).filter(
    (key) => flags[key] === undefined,
  );
  if (missing.length > 0) {
    const names = missing.map((key) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    throw new Error(`--upstream needs ${names.join(", ")} (the real server's account and CA)`);
  }
  const unknown = (flags.attacks ?? []).filter((name) => !AUDITED_ATTACKS.some((a) => a.attack === name));
  if (unknown.length > 0) {
    throw new Error(
      `--attacks: no attack named ${unknown.join(", ")}; the audit runs ${AUDITED_ATTACKS.map((a) => a.attack).join(", ")}`,
    );
  }
  let ca: string;
  try {
    ca = readFileSync(flags.upstreamCa!, "utf8");
  } catch (error) {
    throw new Error(`--upstream-ca ${flags.upstreamCa}: ${(error as Error).message}`);
  }
  return {
    ...flags.upstream!,
    user: flags.upstreamUser!,
    password: flags.upstreamPassword!,
    ca,
    upstreamTls: flags.upstreamTls,
  };
}

/** Where the audit's proxies listen (the proxy's default address): the name a verifying client checks. */
const PROXY_ADDRESS = "127.0.0.1";

/**
 * The real server's certificate, checked before anything runs for the address clients reach the
 * proxy at: where it does not name it, VERIFY_IDENTITY's refusal is the correct outcome of every
 * attack that relays the real certificate, and the user is told why.
 */
async function upstreamCertificateContext(upstream: UpstreamTarget): Promise<AttackContext> {
  let checked: Awaited<ReturnType<typeof checkUpstreamCertificate>>;
  try {
    checked = await checkUpstreamCertificate(upstream, PROXY_ADDRESS);
  } catch (error) {
    throw new Error(
      `--upstream ${upstream.host}:${upstream.port}: could not read the server's certificate: ${(error as Error).message}`,
    );
  }
  if (checked === null) {
    process.stderr.write(
      `note: --upstream ${upstream.host}:${upstream.port} offers no TLS; the attacks' expectations assume it does\n`,
    );
  } else if (!checked.namesHost) {
    process.stderr.write(
      `note: the real server's certificate does not name ${PROXY_ADDRESS}, where clients reach the proxy ` +
        `(${checked.mismatch}): VERIFY_IDENTITY is expected to refuse wherever the real certificate reaches the client\n`,
    );
  }
  return { certificateNamesProxy: checked?.namesHost ?? true };
}

async function audit(flags: AuditFlags & { client: string }, version: string): Promise<void> {
  checkReportPaths(flags);
  const preset = CLIENT_PRESETS[flags.client];
  const upstream = flags.upstream ? upstreamTarget(flags) : undefined;
  const scenarios = upstream
    ? attackScenarios(flags.attacks, await upstreamCertificateContext(upstream))
    : flags.scenarios === "all"
      ? builtinScenarioNames().map((name) => loadScenario(name))
      : flags.scenarios;
  for (const scenario of scenarios) {
    const judged = flags.modes.filter((mode) => scenario.expect[mode] !== undefined);
    if (judged.length < flags.modes.length) {
      const missing = flags.modes.filter((mode) => !judged.includes(mode)).join(", ");
      process.stderr.write(
        `note: ${scenario.name} has no expectation for ${missing}: nothing to judge there, not run` +
          `${scenario.notes?.length ? ` (${scenario.notes.map((n) => n.message).join("; ")})` : ""}\n`,
      );
    }
  }
  const progress = progressReporter(flags.progress);
  let report: AuditReport;
  try {
    report = await runAudit({
      client: preset ? { name: flags.client, preset } : flags.client,
      scenarios,
      modes: flags.modes,
      timeoutMs: flags.timeout * 1000,
      onCell: progress.onCell,
      toolVersion: version,
      failOn: flags.failOn,
      jobs: flags.jobs,
      ...(upstream ? { upstream } : {}),
    });
  } finally {
    progress.stop();
  }
  const table = renderTerminalTable(report, { colour: pc.isColorSupported, width: terminalWidth() });
  process.stdout.write(`${table}\n`);
  writeReports(report, flags);
  process.exitCode = exitStatusOf(report);
}
