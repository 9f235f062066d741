/**
 * Reads the grid cells out of HTML: the report as rendered, or the DOM Chromium dumps. Both write
 * attributes double-quoted with `&quot;` inside, which is all this relies on.
 */
export interface GridCellAttributes {
  scenario: string;
  mode: string;
  status: string;
}

function attribute(tag: string, name: string): string | undefined {
  const value = new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
  return value
    ?.replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** The `data-*` attributes of every `<td>` inside `table#audit-grid`, in document order. */
export function gridCells(html: string): GridCellAttributes[] {
  const table = /<table id="audit-grid"[\s\S]*?<\/table>/.exec(html)?.[0];
  if (!table) throw new Error("no table#audit-grid in the page");
  return Array.from(table.matchAll(/<td\b[^>]*>/g), ([tag]) => ({
    scenario: attribute(tag, "data-scenario") ?? "",
    mode: attribute(tag, "data-mode") ?? "",
    status: attribute(tag, "data-status") ?? "",
  }));
}

/** What the sample report's grid holds, row by row. */
export const SAMPLE_GRID: GridCellAttributes[] = [
  { scenario: "mysql-5.7.41-autocert", mode: "PREFERRED", status: "pass" },
  { scenario: "mysql-5.7.41-autocert", mode: "VERIFY_CA", status: "pass" },
  { scenario: "strip-backronym", mode: "PREFERRED", status: "pass" },
  { scenario: "strip-backronym", mode: "VERIFY_CA", status: "deviation" },
  { scenario: "tls-handshake-broken", mode: "PREFERRED", status: "error" },
  { scenario: "tls-handshake-broken", mode: "VERIFY_CA", status: "missing" },
  { scenario: "mysql-8.0-socket-only", mode: "PREFERRED", status: "not-run" },
  { scenario: "mysql-8.0-socket-only", mode: "VERIFY_CA", status: "not-run" },
];

/** The `data-severity` of every grid cell holding a run, in document order (empty positions have none). */
export function gridSeverities(html: string): Array<string | undefined> {
  const table = /<table id="audit-grid"[\s\S]*?<\/table>/.exec(html)?.[0];
  if (!table) throw new Error("no table#audit-grid in the page");
  return Array.from(table.matchAll(/<td\b[^>]*>/g), ([tag]) => attribute(tag, "data-severity"));
}

/** What the sample report's grid says of severity, row by row: only the deviation is critical. */
export const SAMPLE_SEVERITIES: Array<string | undefined> = [
  "info",
  "info",
  "info",
  "critical",
  "info",
  undefined,
  "info",
  "info",
];
