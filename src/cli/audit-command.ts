import { writeFileSync } from "node:fs";
import { SingleBar } from "cli-progress";
import { type Command, InvalidArgumentError } from "commander";
import pc from "picocolors";
import type { AuditCell, AuditReport } from "../audit/audit-report";
import { CLIENT_PRESETS } from "../audit/client-presets";
import { checkTemplate, TemplateError } from "../audit/command-template";
import { renderHtml, renderJson, renderJunit, renderMarkdown, renderTerminalTable } from "../audit/report";
import { type AuditOptions, runAudit } from "../audit/run-audit";
import { builtinScenarioNames } from "../scenarios/load-scenario";
import { SSL_MODES, type SslMode } from "../scenarios/scenario-schema";

interface AuditFlags {
  client: string;
  modes: SslMode[];
  scenarios: string[];
  timeout: number;
  markdown?: string;
  json?: string;
  junit?: string;
  html?: string;
  progress: boolean;
}

/** Exit statuses, so a pipeline can tell a deviation from a run that could not judge. */
export const AUDIT_EXIT = { pass: 0, deviation: 1, error: 3 } as const;

function parseModes(value: string): SslMode[] {
  const modes = value.split(",").map((m) => m.trim().toUpperCase());
  for (const mode of modes) {
    if (!(SSL_MODES as readonly string[]).includes(mode)) {
      throw new InvalidArgumentError(`unknown ssl-mode ${mode} (known: ${SSL_MODES.join(", ")})`);
    }
  }
  return modes as SslMode[];
}

function parseScenarios(value: string): string[] {
  return value === "all" ? builtinScenarioNames() : value.split(",").map((s) => s.trim());
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new InvalidArgumentError("expected seconds above 0");
  return seconds;
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

function writeReports(report: AuditReport, flags: AuditFlags): void {
  const outputs: Array<[string | undefined, () => string]> = [
    [flags.markdown, () => renderMarkdown(report)],
    [flags.json, () => renderJson(report)],
    [flags.junit, () => renderJunit(report)],
    [flags.html, () => renderHtml(report)],
  ];
  for (const [file, render] of outputs) {
    if (file) writeFileSync(file, render());
  }
}

/** Adds `audit`: run a client command against scenarios and report where it deviates. */
export function auditCommand(program: Command, version: string): void {
  program
    .command("audit")
    .description(
      "run a client command against every chosen scenario in every chosen ssl-mode, one fresh server per run, and report where it does not do what a correct client does",
    )
    .requiredOption(
      "--client <template>",
      `the client command, with fields {host} {port} {socket} {user} {password} {ca} {cert} {key} {mode} (shell-quoted when filled in), or a preset: ${Object.keys(CLIENT_PRESETS).join(", ")}`,
      parseClient,
    )
    .option("--modes <list>", "ssl-modes to run, comma-separated", parseModes, [...SSL_MODES])
    .option(
      "--scenarios <list>",
      "scenario names or files, comma-separated, or all",
      parseScenarios,
      builtinScenarioNames(),
    )
    .option("--timeout <seconds>", "longest a run may take before the client is killed", parseSeconds, 20)
    .option("--markdown <file>", "also write the report as Markdown")
    .option("--json <file>", "also write the report as JSON")
    .option("--junit <file>", "also write the report as JUnit XML, for CI test reports")
    .option("--html <file>", "also write the report as one self-contained HTML page")
    .option("--no-progress", "print no progress")
    .addHelpText(
      "after",
      `\nExit status: ${AUDIT_EXIT.pass} when every run did what a correct client does, ${AUDIT_EXIT.deviation} when a run deviated, ${AUDIT_EXIT.error} when some run could not be judged (and none deviated).\n` +
        `\nExample:\n  mysql-tls-mock audit --client 'mysql -h {host} -P {port} -u {user} -p{password} --ssl-mode={mode} --ssl-ca={ca} -e "SELECT 1"' --modes REQUIRED,VERIFY_CA\n`,
    )
    .action(async (flags: AuditFlags) => {
      const preset = CLIENT_PRESETS[flags.client];
      const progress = progressReporter(flags.progress);
      let report: AuditReport;
      try {
        report = await runAudit({
          client: preset ? { name: flags.client, preset } : flags.client,
          scenarios: flags.scenarios,
          modes: flags.modes,
          timeoutMs: flags.timeout * 1000,
          onCell: progress.onCell,
          toolVersion: version,
        });
      } finally {
        progress.stop();
      }
      process.stdout.write(`${renderTerminalTable(report, { colour: pc.isColorSupported })}\n`);
      writeReports(report, flags);
      process.exitCode =
        report.totals.deviation > 0
          ? AUDIT_EXIT.deviation
          : report.totals.error > 0
            ? AUDIT_EXIT.error
            : AUDIT_EXIT.pass;
    });
}
