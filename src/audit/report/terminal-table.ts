import Table from "cli-table3";
import { createColors } from "picocolors";
import type { Severity } from "../../record/findings";
import type { AuditCell, AuditReport, AuditStatus } from "../audit-report";
import {
  NO_RUN_MARK,
  NOT_APPLICABLE,
  SEVERITY_WORD,
  STATUS_SYMBOL,
  STATUS_WORD,
  failingText,
  isJudged,
  notRunGroups,
  observedText,
  oneLine,
  plural,
  reportClientNames,
  reportClientText,
  shortOutcome,
  totalsParts,
} from "./cell-text";
import { auditGrid } from "./grid";

type Colors = ReturnType<typeof createColors>;

/** Options of `renderTerminalTable`. */
export interface TerminalTableOptions {
  /** ANSI colours; pass false when stdout is not a terminal or NO_COLOR is set. */
  colour: boolean;
  /**
   * The terminal's width in columns: the table's cells are wrapped (a word too long for its cell
   * is cut with `…`) so no line of the table is wider. Absent or null: cells keep their width.
   */
  width?: number | null;
}

/** The narrowest a column is squeezed to, padding included; a narrower terminal gets a wider table. */
const MIN_COLUMN_WIDTH = 8;

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/** Characters a text takes on screen: ANSI colour codes take none. */
function visibleLength(text: string): number {
  return text.replace(ANSI, "").length;
}

/**
 * Column widths (padding included) that fit `width`, or null when the natural widths already
 * fit: the widest of the cell columns give way first, so short columns stay whole, and the first
 * column (the scenarios' names, which say what a row is) only once the others are at their
 * narrowest.
 */
export function fitColumns(rows: ReadonlyArray<readonly string[]>, width: number): number[] | null {
  const columns = Math.max(0, ...rows.map((row) => row.length));
  const natural = Array.from(
    { length: columns },
    (_, i) =>
      Math.max(0, ...rows.map((row) => Math.max(0, ...(row[i] ?? "").split("\n").map(visibleLength)))) + 2,
  );
  // One border character left of each column, and one at the right end.
  const available = width - (columns + 1);
  let total = natural.reduce((sum, w) => sum + w, 0);
  if (total <= available) return null;
  const widths = [...natural];
  while (total > available) {
    const cells = widths.slice(1);
    const widestCell = cells.length > 0 ? 1 + cells.indexOf(Math.max(...cells)) : -1;
    const shrink = widestCell > 0 && widths[widestCell]! > MIN_COLUMN_WIDTH ? widestCell : 0;
    if (widths[shrink]! <= MIN_COLUMN_WIDTH) break;
    widths[shrink]!--;
    total--;
  }
  return widths;
}

/** How stderr lines are set under a run: indented below its line, behind a gutter. */
const STDERR_INDENT = "    ";
const STDERR_GUTTER = "│ ";
/**
 * A client can print one enormous line (a dumped packet, a stack trace on one line); the terminal
 * shows its start, the report files keep all of it.
 */
const STDERR_LINE_MAX_CHARS = 300;

/**
 * The report as a terminal table (scenarios down, modes across; each cell the status, the run's
 * severity and, in short, what the client did), then the totals, how many runs fail the audit, and
 * one line per deviation and per error with the tail of the client's stderr under it, and the runs
 * that were not made with why.
 */
export function renderTerminalTable(report: AuditReport, options: TerminalTableOptions): string {
  const c = createColors(options.colour);
  const grid = auditGrid(report);
  const head = [c.bold("scenario"), ...grid.modes.map((mode) => c.bold(mode))];
  const rows = grid.rows.map((row) => [
    safe(row.name),
    ...row.positions.map(({ cell }) => (cell ? cellText(cell, c) : c.dim(NO_RUN_MARK))),
  ]);
  const colWidths = options.width ? fitColumns([head, ...rows], options.width) : null;
  // cli-table3 colours heads and borders itself unless told not to; colour is ours to decide.
  const table = new Table({
    head,
    style: { head: [], border: [] },
    ...(colWidths ? { colWidths, wordWrap: true } : {}),
  });
  table.push(...rows);
  const client = reportClientText(report);
  // When the runs disagree on the client's name, the header only lists them; each run says its own.
  const perRun = reportClientNames(report).length > 1;
  const details = (cell: AuditCell) => [...(perRun ? clientLine(cell, c) : []), ...stderrLines(cell, c)];
  const lines = [
    ...(client ? [`${c.bold("Client:")} ${safe(client)}`] : []),
    table.toString(),
    "",
    summaryLine(report, grid.missing, c),
    failingLine(report, c),
  ];
  const deviations = report.cells.filter((cell) => cell.status === "deviation");
  const errors = report.cells.filter((cell) => cell.status === "error");
  const notRun = notRunGroups(report.cells);
  if (deviations.length > 0)
    lines.push("", c.bold("Deviations"), ...deviations.flatMap((d) => [deviationLine(d, c), ...details(d)]));
  if (errors.length > 0)
    lines.push("", c.bold("Errors"), ...errors.flatMap((e) => [errorLine(e, c), ...details(e)]));
  if (notRun.length > 0) {
    lines.push(
      "",
      c.bold("Not run"),
      ...notRun.map(
        (group) =>
          `${c.bold(safe(`${group.scenario} × ${group.modes.join(", ")}`))}: ${safe(oneLine(group.reason))}`,
      ),
    );
  }
  return `${lines.join("\n")}\n`;
}

function paint(status: AuditStatus, text: string, c: Colors): string {
  switch (status) {
    case "pass":
      return c.green(text);
    case "deviation":
      return c.bold(c.red(text));
    case "error":
      return c.yellow(text);
    case "not-run":
      return c.cyan(text);
  }
}

/** Critical on red, so it stands out in a column of deviations; info fades. */
function paintSeverity(severity: Severity, c: Colors): string {
  const word = SEVERITY_WORD[severity];
  switch (severity) {
    case "critical":
      return c.bold(c.bgRed(c.white(word)));
    case "high":
      return c.bold(c.red(word));
    case "medium":
      return c.yellow(word);
    case "info":
      return c.dim(word);
  }
}

function cellText(cell: AuditCell, c: Colors): string {
  const status = paint(cell.status, `${STATUS_SYMBOL[cell.status]} ${STATUS_WORD[cell.status]}`, c);
  // A run that never connected has nothing to weigh, and a not-run one nothing to show.
  if (cell.status === "not-run") return status;
  const severity = isJudged(cell) ? ` · ${paintSeverity(cell.severity, c)}` : "";
  return `${status}${severity}\n${safe(shortOutcome(cell))}`;
}

function summaryLine(report: AuditReport, missing: number, c: Colors): string {
  const totals = totalsParts(report.totals)
    .map(([status, text]) => (report.totals[status] > 0 ? paint(status, text, c) : text))
    .join(", ");
  const runs = `${plural(report.cells.length, "run", "runs")}${missing > 0 ? `, ${missing} ${NOT_APPLICABLE}` : ""}`;
  return `${c.bold("Totals:")} ${totals} (${runs})`;
}

function failingLine(report: AuditReport, c: Colors): string {
  const text = failingText(report);
  return `${c.bold("Audit:")} ${report.failing > 0 ? c.bold(c.red(text)) : c.green(text)}`;
}

function where(cell: AuditCell, c: Colors): string {
  return c.bold(safe(`${cell.scenario} × ${cell.mode}`));
}

function deviationLine(cell: AuditCell, c: Colors): string {
  return `${where(cell, c)} [${paintSeverity(cell.severity, c)}]: expected ${cell.expected}, observed ${c.red(observedText(cell))} — ${safe(oneLine(cell.detail))}`;
}

function errorLine(cell: AuditCell, c: Colors): string {
  return `${where(cell, c)}: ${c.yellow("error")} — ${safe(oneLine(cell.detail))}`;
}

function clientLine(cell: AuditCell, c: Colors): string[] {
  return cell.clientName === null ? [] : [`${STDERR_INDENT}${c.dim("client:")} ${safe(cell.clientName)}`];
}

/** The tail of what the client printed on stderr, indented under its run, so the reason is on screen. */
function stderrLines(cell: AuditCell, c: Colors): string[] {
  const tail = cell.stderrTail.replace(/\r\n/g, "\n").replace(/\n+$/, "");
  if (tail === "") return [c.dim(`${STDERR_INDENT}(the client printed nothing on stderr)`)];
  return [
    c.dim(`${STDERR_INDENT}client stderr (last lines):`),
    ...tail.split("\n").map((line) => `${STDERR_INDENT}${c.dim(STDERR_GUTTER)}${safe(clip(line))}`),
  ];
}

function clip(line: string): string {
  return line.length > STDERR_LINE_MAX_CHARS ? `${line.slice(0, STDERR_LINE_MAX_CHARS)}…` : line;
}

// C0 and C1 controls and DEL, but not tab or line feed.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/**
 * Report strings come from scenario files, client output and the client's own connect attributes;
 * an escape sequence in them must not drive the terminal, so control characters other than tab and
 * line feed are shown as `\xNN`.
 */
function safe(text: string): string {
  return text.replace(CONTROL, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
