import type { AuditReport } from "../audit-report";
import { renderHtml } from "./html";
import { renderJson } from "./json";
import { renderJunit } from "./junit";
import { renderMarkdown } from "./markdown";
import { renderTerminalTable } from "./terminal-table";

export { escapeHtml } from "./escape-html";
export { MISSING_STATUS, renderHtml } from "./html";
export { renderJson } from "./json";
export { JUNIT_CLASSNAME_PREFIX, renderJunit } from "./junit";
export { renderMarkdown } from "./markdown";
export { renderTerminalTable, type TerminalTableOptions } from "./terminal-table";

/** The formats `mysql-tls-mock audit` writes: the table on stdout, the others to `--FORMAT FILE`. */
export const REPORT_FORMATS = ["table", "markdown", "json", "junit", "html"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Options of `renderReport`; only the terminal table uses any. */
export interface RenderReportOptions {
  /** ANSI colours in the `table` format; off unless asked for. */
  colour?: boolean;
}

/** Renders the report in one of `REPORT_FORMATS`. */
export function renderReport(
  format: ReportFormat,
  report: AuditReport,
  options: RenderReportOptions = {},
): string {
  switch (format) {
    case "table":
      return renderTerminalTable(report, { colour: options.colour ?? false });
    case "markdown":
      return renderMarkdown(report);
    case "json":
      return renderJson(report);
    case "junit":
      return renderJunit(report);
    case "html":
      return renderHtml(report);
    default: {
      const unknown: never = format;
      throw new Error(`unknown report format: ${String(unknown)}`);
    }
  }
}
