import type { AuditCell, AuditReport, AuditStatus } from "../audit-report";
import {
  CONNECTION_FACT_LABELS,
  NOT_RUN,
  STATUS_WORD,
  cellFacts,
  connectionFacts,
  formatDuration,
  plural,
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
};

/**
 * The report as GitHub-flavoured Markdown, for a pull-request comment or a job summary: run facts,
 * the totals, the grid, then every deviation and every error in full.
 */
export function renderMarkdown(report: AuditReport): string {
  const grid = auditGrid(report);
  const duration = runDuration(report);
  const notRun = grid.missing > 0 ? `, ${grid.missing} not run` : "";
  const blocks = [
    "# mysql-tls-mock audit",
    [
      `- **Client:** ${codeSpan(report.clientTemplate)}`,
      `- **Run:** ${markdownText(report.startedAt)} to ${markdownText(report.finishedAt)}${duration ? ` (${duration})` : ""}`,
      `- **Timeout per run:** ${formatDuration(report.timeoutMs)}`,
      `- **Tool:** ${markdownText(`${report.tool.name} ${report.tool.version}`)}`,
    ].join("\n"),
    `**${totalsText(report.totals)}** — ${plural(report.cells.length, "run", "runs")} of ${plural(grid.rows.length, "scenario", "scenarios")} × ${plural(grid.modes.length, "mode", "modes")}${notRun}.`,
    [
      `| Scenario | ${grid.modes.map((mode) => markdownText(mode)).join(" | ")} |`,
      `| --- | ${grid.modes.map(() => "---").join(" | ")} |`,
      ...grid.rows.map((row) => {
        const cells = row.positions.map(({ cell }) => (cell ? gridCell(cell) : NOT_RUN));
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
  ];
  return `${blocks.join("\n\n")}\n`;
}

function scenarioCell(name: string, description: string): string {
  const title = `**${markdownText(name)}**`;
  return description ? `${title}<br><sub>${markdownText(description)}</sub>` : title;
}

function gridCell(cell: AuditCell): string {
  return `${STATUS_BADGE[cell.status]}<br>${markdownText(shortOutcome(cell))}`;
}

function section(title: string, cells: AuditCell[]): string[] {
  if (cells.length === 0) return [`## ${title}`, `_No ${title.toLowerCase()}._`];
  return [`## ${title} (${cells.length})`, ...cells.flatMap(cellDetails)];
}

function cellDetails(cell: AuditCell): string[] {
  const facts: string[] = [];
  for (const [label, value] of cellFacts(cell)) {
    // The duration ends the exit-code item: `0, took 1.2 s`.
    if (label === "Took") facts[facts.length - 1] += `, took ${markdownText(value)}`;
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
          .map(([, value]) => markdownText(value))
          .join(" | ")} |`,
    ),
  ].join("\n");
}
