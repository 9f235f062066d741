import type { Finding } from "../../record/findings";
import type { AuditCell, AuditConnection, AuditReport, AuditStatus } from "../audit-report";

/**
 * The keys of `T` in the order the type declares them. The compiler rejects a list that misses one,
 * so a field added to the report type cannot silently drop out of (or float around in) the JSON.
 */
function keyOrder<T>() {
  return <const K extends ReadonlyArray<keyof T>>(
    ...keys: K & ([Exclude<keyof T, K[number]>] extends [never] ? unknown : never)
  ): K => keys;
}

const REPORT_KEYS = keyOrder<AuditReport>()(
  "tool",
  "clientTemplate",
  "startedAt",
  "finishedAt",
  "timeoutMs",
  "modes",
  "scenarios",
  "cells",
  "totals",
  "failOn",
  "failing",
);
const TOOL_KEYS = keyOrder<AuditReport["tool"]>()("name", "version");
const SCENARIO_KEYS = keyOrder<AuditReport["scenarios"][number]>()("name", "description");
const CELL_KEYS = keyOrder<AuditCell>()(
  "scenario",
  "mode",
  "status",
  "expected",
  "why",
  "observed",
  "verdict",
  "severity",
  "clientName",
  "detail",
  "command",
  "exitCode",
  "timedOut",
  "durationMs",
  "stderrTail",
  "connections",
);
const CONNECTION_KEYS = keyOrder<AuditConnection>()(
  "id",
  "sslRequest",
  "tls",
  "offeredTlsVersions",
  "user",
  "authPlugin",
  "credentialsInPlaintext",
  "outcome",
  "verdict",
  "severity",
  "findings",
  "summary",
  "clientName",
);
const FINDING_KEYS = keyOrder<Finding>()("kind", "severity", "evidence");
const TOTALS_KEYS = keyOrder<Record<AuditStatus, number>>()("pass", "deviation", "error", "not-run");

/**
 * Copies `value` with `keys` first, in that order, then any keys the type does not know, as they
 * came: a newer engine's extra field is kept rather than lost.
 */
function ordered<T extends object>(value: T, keys: ReadonlyArray<keyof T>): T {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (key in value) out[key as string] = value[key];
  for (const [key, v] of Object.entries(value)) if (!(key in out)) out[key] = v;
  return out as T;
}

function orderedReport(report: AuditReport): AuditReport {
  return {
    ...ordered(report, REPORT_KEYS),
    tool: ordered(report.tool, TOOL_KEYS),
    scenarios: report.scenarios.map((scenario) => ordered(scenario, SCENARIO_KEYS)),
    cells: report.cells.map((cell) => ({
      ...ordered(cell, CELL_KEYS),
      connections: cell.connections.map((connection) => ({
        ...ordered(connection, CONNECTION_KEYS),
        findings: connection.findings.map((finding) => ordered(finding, FINDING_KEYS)),
      })),
    })),
    totals: ordered(report.totals, TOTALS_KEYS),
  };
}

/**
 * The report as pretty JSON (two-space indent, keys in the order the `AuditReport` type declares
 * them, so two reports diff cleanly), ending in a newline.
 */
export function renderJson(report: AuditReport): string {
  return `${JSON.stringify(orderedReport(report), null, 2)}\n`;
}
