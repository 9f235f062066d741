import Table from "cli-table3";
import { createColors } from "picocolors";
import type { AuditCell, AuditReport, AuditStatus } from "../audit-report";
import {
  NOT_RUN,
  STATUS_SYMBOL,
  STATUS_WORD,
  observedText,
  oneLine,
  overallStatus,
  plural,
  shortOutcome,
  totalsText,
} from "./cell-text";
import { auditGrid } from "./grid";

type Colors = ReturnType<typeof createColors>;

/** Options of `renderTerminalTable`. */
export interface TerminalTableOptions {
  /** ANSI colours; pass false when stdout is not a terminal or NO_COLOR is set. */
  colour: boolean;
}

/**
 * The report as a terminal table (scenarios down, modes across; each cell the status and, in short,
 * what the client did), then the totals and one line per deviation and per error.
 */
export function renderTerminalTable(report: AuditReport, options: TerminalTableOptions): string {
  const c = createColors(options.colour);
  const grid = auditGrid(report);
  // cli-table3 colours heads and borders itself unless told not to; colour is ours to decide.
  const table = new Table({
    head: [c.bold("scenario"), ...grid.modes.map((mode) => c.bold(mode))],
    style: { head: [], border: [] },
  });
  for (const row of grid.rows) {
    table.push([
      safe(row.name),
      ...row.positions.map(({ cell }) => (cell ? cellText(cell, c) : c.dim(NOT_RUN))),
    ]);
  }
  const lines = [table.toString(), "", summaryLine(report, grid.missing, c)];
  const deviations = report.cells.filter((cell) => cell.status === "deviation");
  const errors = report.cells.filter((cell) => cell.status === "error");
  if (deviations.length > 0)
    lines.push("", c.bold("Deviations"), ...deviations.map((d) => deviationLine(d, c)));
  if (errors.length > 0) lines.push("", c.bold("Errors"), ...errors.map((e) => errorLine(e, c)));
  return `${lines.join("\n")}\n`;
}

function paint(status: AuditStatus, text: string, c: Colors): string {
  if (status === "pass") return c.green(text);
  if (status === "deviation") return c.bold(c.red(text));
  return c.yellow(text);
}

function cellText(cell: AuditCell, c: Colors): string {
  const status = paint(cell.status, `${STATUS_SYMBOL[cell.status]} ${STATUS_WORD[cell.status]}`, c);
  return `${status}\n${safe(shortOutcome(cell))}`;
}

function summaryLine(report: AuditReport, missing: number, c: Colors): string {
  const totals = totalsText(report.totals);
  const runs = `${plural(report.cells.length, "run", "runs")}${missing > 0 ? `, ${missing} not run` : ""}`;
  const tone = { pass: c.green, deviation: c.red, error: c.yellow }[overallStatus(report.totals)];
  const coloured = tone(totals);
  return `${c.bold("Totals:")} ${coloured} (${runs})`;
}

function where(cell: AuditCell, c: Colors): string {
  return c.bold(safe(`${cell.scenario} × ${cell.mode}`));
}

function deviationLine(cell: AuditCell, c: Colors): string {
  return `${where(cell, c)}: expected ${cell.expected}, observed ${c.red(observedText(cell))} — ${safe(oneLine(cell.detail))}`;
}

function errorLine(cell: AuditCell, c: Colors): string {
  return `${where(cell, c)}: ${c.yellow("error")} — ${safe(oneLine(cell.detail))}`;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/g;

/**
 * Report strings come from scenario files and client output; an escape sequence in them must not
 * drive the terminal, so control characters other than line breaks are shown as `\xNN`.
 */
function safe(text: string): string {
  return text.replace(CONTROL, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
