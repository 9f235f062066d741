import { create } from "xmlbuilder2";
import type { XMLBuilder } from "xmlbuilder2/lib/interfaces";
import type { AuditCell, AuditReport } from "../audit-report";
import { observedText, oneLine } from "./cell-text";
import { auditGrid } from "./grid";
import { cellDetailText } from "./plain-text";

/** `classname` of every test case: the reporters group by it, one group per scenario. */
export const JUNIT_CLASSNAME_PREFIX = "mysql-tls-mock.audit.";

/**
 * Jenkins splits a classname at its last dot into package and class, and built-in scenario names
 * carry versions (`mysql-5.7.41-autocert`); dots in the name become `_` so each scenario stays one
 * class. The `<testsuite>` name keeps the scenario's name as it is.
 */
function classname(scenario: string): string {
  return `${JUNIT_CLASSNAME_PREFIX}${scenario.replace(/\./g, "_")}`;
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

/**
 * The Ant JUnit schema's `timestamp` is a date-time without a zone; Jenkins and most readers take
 * that form. Written in UTC, as the report's own times are.
 */
function junitTimestamp(iso: string): string | undefined {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().slice(0, 19);
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  ms: number;
}

function count(cells: AuditCell[]): Counts {
  return {
    tests: cells.length,
    failures: cells.filter((cell) => cell.status === "deviation").length,
    errors: cells.filter((cell) => cell.status === "error").length,
    skipped: cells.filter((cell) => cell.status === "not-run").length,
    ms: cells.reduce((sum, cell) => sum + cell.durationMs, 0),
  };
}

function countAttributes(counts: Counts): Record<string, string> {
  return {
    tests: String(counts.tests),
    failures: String(counts.failures),
    errors: String(counts.errors),
    skipped: String(counts.skipped),
    time: seconds(counts.ms),
  };
}

function addTestcase(suite: XMLBuilder, cell: AuditCell): void {
  const testcase = suite.ele("testcase", {
    name: cell.mode,
    classname: classname(cell.scenario),
    time: seconds(cell.durationMs),
  });
  // Per-testcase properties, as pytest writes them and Jenkins, GitLab and most reporters read them.
  const properties = testcase.ele("properties");
  properties.ele("property", { name: "severity", value: cell.severity });
  if (cell.clientName !== null)
    properties.ele("property", { name: "clientName", value: oneLine(cell.clientName) });
  const details = cellDetailText(cell);
  if (cell.status === "not-run") {
    // Not a failure and not an error: the template cannot reach this scenario's server.
    testcase.ele("skipped", { message: oneLine(cell.detail) });
    return;
  }
  if (cell.status === "deviation") {
    const message = `${cell.severity}: expected ${cell.expected}, observed ${observedText(cell)}: ${oneLine(cell.detail)}`;
    testcase.ele("failure", { message, type: "deviation" }).txt(details);
  } else if (cell.status === "error") {
    testcase.ele("error", { message: oneLine(cell.detail), type: "error" }).txt(details);
  } else {
    // Passing cases carry the same record, for whoever opens a passing case to see what the client did.
    testcase.ele("system-out").txt(details);
  }
  if (cell.stderrTail) testcase.ele("system-err").txt(cell.stderrTail);
}

/**
 * The report as JUnit XML for CI test reporters (Jenkins, GitLab, GitHub actions): one
 * `<testsuite>` per scenario, one `<testcase name="MODE">` per run, a deviation as `<failure>`, an
 * error as `<error>` (each with the whole record of the run as the element's text) and a run that
 * was not made as `<skipped message="why">`. Each test case carries the run's `severity` and, when
 * the client named itself, its name (`clientName`) as properties.
 */
export function renderJunit(report: AuditReport): string {
  const grid = auditGrid(report);
  // Client output may hold characters XML 1.0 cannot carry at all (NUL, ESC); show them as U+FFFD.
  const doc = create({ version: "1.0", encoding: "UTF-8", invalidCharReplacement: "\uFFFD" });
  const timestamp = junitTimestamp(report.startedAt);
  const root = doc.ele("testsuites", {
    name: `${report.tool.name} audit`,
    ...countAttributes(count(report.cells)),
    ...(timestamp ? { timestamp } : {}),
  });
  for (const row of grid.rows) {
    const cells = report.cells.filter((cell) => cell.scenario === row.name);
    const suite = root.ele("testsuite", {
      name: row.name,
      ...countAttributes(count(cells)),
      ...(timestamp ? { timestamp } : {}),
    });
    const properties = suite.ele("properties");
    // A line break in an attribute reaches a reader as a space anyway; say so rather than surprise.
    properties.ele("property", { name: "description", value: oneLine(row.description) });
    properties.ele("property", { name: "client", value: oneLine(report.clientTemplate) });
    properties.ele("property", { name: "timeoutMs", value: String(report.timeoutMs) });
    for (const cell of cells) addTestcase(suite, cell);
  }
  return doc.end({ prettyPrint: true }) + "\n";
}
