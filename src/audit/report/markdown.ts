import type { Severity } from "../../record/findings";
import type { AuditCell, AuditReport, AuditStatus } from "../audit-report";
import {
  CONNECTION_FACT_LABELS,
  NO_RUN_MARK,
  NOT_APPLICABLE,
  SEVERITY_WORD,
  STATUS_WORD,
  cellFacts,
  connectionFacts,
  failingText,
  formatDuration,
  isJudged,
  notRunGroups,
  plural,
  reportClientText,
  runDuration,
  shortOutcome,
  totalsText,
} from "./cell-text";
import { auditGrid } from "./grid";
import { codeSpan, fencedBlock, markdownText } from "./markdown-text";

// GitHub renders these as coloured emoji, which is what a pull-request comment reader scans for.
const STATUS_BADGE: Record<AuditStatus, string> = {
  pass: `✅ ${STATUS_WORD.pass}`,
  deviation: `❌ **${STATUS_WORD.deviation}**`,
  error: `⚠️ ${STATUS_WORD.error}`,
  "not-run": `⏭️ ${STATUS_WORD["not-run"]}`,
};

/** Critical in bold behind a siren, so it stands out in a column of deviations. */
export const SEVERITY_BADGE: Record<Severity, string> = {
  critical: `🚨 **${SEVERITY_WORD.critical}**`,
  high: `🔴 ${SEVERITY_WORD.high}`,
  medium: `🟠 ${SEVERITY_WORD.medium}`,
  info: `⚪ ${SEVERITY_WORD.info}`,
};

/**
 * The report as GitHub-flavoured Markdown, for a pull-request comment or a job summary: run facts,
 * the totals and how many runs fail the audit, the grid with each run's status and severity, then
 * every deviation and every error in full, and the runs that were not made with why.
 */
export function renderMarkdown(report: AuditReport): string {
  const grid = auditGrid(report);
  const duration = runDuration(report);
  const client = reportClientText(report);
  const missing = grid.missing > 0 ? `, ${grid.missing} ${NOT_APPLICABLE}` : "";
  const blocks = [
    "# mysql-tls-mock audit",
    [
      `- **Client command:** ${codeSpan(report.clientTemplate)}`,
      ...(client ? [`- **Client:** ${markdownText(client)}`] : []),
      `- **Run:** ${markdownText(report.startedAt)} to ${markdownText(report.finishedAt)}${duration ? ` (${duration})` : ""}`,
      `- **Timeout per run:** ${formatDuration(report.timeoutMs)}`,
      `- **Tool:** ${markdownText(`${report.tool.name} ${report.tool.version}`)}`,
    ].join("\n"),
    [
      `**${totalsText(report.totals)}** — ${plural(report.cells.length, "run", "runs")} of ${plural(grid.rows.length, "scenario", "scenarios")} × ${plural(grid.modes.length, "mode", "modes")}${missing}.`,
      `**${capitalise(failingText(report))}.**`,
    ].join("\n"),
    [
      `| Scenario | ${grid.modes.map((mode) => markdownText(mode)).join(" | ")} |`,
      `| --- | ${grid.modes.map(() => "---").join(" | ")} |`,
      ...grid.rows.map((row) => {
        const cells = row.positions.map(({ cell }) => (cell ? gridCell(cell) : NO_RUN_MARK));
        return `| ${scenarioCell(row.name, row.description)} | ${cells.join(" | ")} |`;
      }),
    ].join("\n"),
    ...section(
      "Deviations",
      report.cells.filter((cell) => cell.status === "deviation"),
    ),
    ...section(
      "Errors",
      report.cells.filter((cell) => cell.status === "error"),
    ),
    ...notRunSection(report.cells),
  ];
  return `${blocks.join("\n\n")}\n`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function scenarioCell(name: string, description: string): string {
  const title = `**${markdownText(name)}**`;
  return description ? `${title}<br><sub>${markdownText(description)}</sub>` : title;
}

function gridCell(cell: AuditCell): string {
  if (cell.status === "not-run") return STATUS_BADGE[cell.status];
  const severity = isJudged(cell) ? ` · ${SEVERITY_BADGE[cell.severity]}` : "";
  return `${STATUS_BADGE[cell.status]}${severity}<br>${markdownText(shortOutcome(cell))}`;
}

function section(title: string, cells: AuditCell[]): string[] {
  if (cells.length === 0) return [`## ${title}`, `_No ${title.toLowerCase()}._`];
  return [`## ${title} (${cells.length})`, ...cells.flatMap(cellDetails)];
}

/** Said only when a run was not made: the reason, once for every mode it held in. */
function notRunSection(cells: AuditCell[]): string[] {
  const groups = notRunGroups(cells);
  if (groups.length === 0) return [];
  const count = cells.filter((cell) => cell.status === "not-run").length;
  return [
    `## Not run (${count})`,
    groups
      .map(
        (group) =>
          `- **${markdownText(group.scenario, " ")}** × ${group.modes.map((mode) => markdownText(mode)).join(", ")}: ${markdownText(group.reason)}`,
      )
      .join("\n"),
  ];
}

function cellDetails(cell: AuditCell): string[] {
  const facts: string[] = [];
  for (const [label, value] of cellFacts(cell)) {
    // The duration ends the exit-code item: `0, took 1.2 s`.
    if (label === "Took") facts[facts.length - 1] += `, took ${markdownText(value)}`;
    else if (label === "Severity" && isJudged(cell))
      facts.push(`- **${label}:** ${SEVERITY_BADGE[cell.severity]}`);
    else facts.push(`- **${label}:** ${markdownText(value)}`);
  }
  return [
    `### ${markdownText(cell.scenario, " ")} × ${markdownText(cell.mode, " ")}`,
    facts.join("\n"),
    connectionsTable(cell),
    `Command:\n\n${fencedBlock(cell.command, "sh")}`,
    cell.stderrTail
      ? `stderr (last lines):\n\n${fencedBlock(cell.stderrTail, "text")}`
      : "_stderr was empty._",
  ];
}

function connectionsTable(cell: AuditCell): string {
  if (cell.connections.length === 0) return "_No connection reached the server._";
  return [
    `| ${CONNECTION_FACT_LABELS.join(" | ")} |`,
    `| ${CONNECTION_FACT_LABELS.map(() => "---").join(" | ")} |`,
    ...cell.connections.map(
      (connection) =>
        `| ${connectionFacts(connection)
          .map(([label, value]) =>
            label === "Severity" ? SEVERITY_BADGE[connection.severity] : markdownText(value),
          )
          .join(" | ")} |`,
    ),
  ].join("\n");
}
