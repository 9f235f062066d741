import type { Finding, Severity } from "../../record/findings";
import {
  AUDIT_STATUSES,
  type AuditCell,
  type AuditConnection,
  type AuditReport,
  type AuditStatus,
} from "../audit-report";

/**
 * The words every format uses for the same thing, so a deviation reads the same in a terminal, a
 * pull-request comment and a CI test report.
 */

/** Upper case for deviations: they are the finding, and must stand out even without colour. */
export const STATUS_WORD: Record<AuditStatus, string> = {
  pass: "pass",
  deviation: "DEVIATION",
  error: "error",
  "not-run": "not run",
};

/** A symbol beside the word, so status never rests on colour alone. */
export const STATUS_SYMBOL: Record<AuditStatus, string> = {
  pass: "✓",
  deviation: "✗",
  error: "⚠",
  "not-run": "⊘",
};

/** Upper case for `critical`, for the same reason as `DEVIATION`: it must stand out without colour. */
export const SEVERITY_WORD: Record<Severity, string> = {
  critical: "CRITICAL",
  high: "high",
  medium: "medium",
  info: "info",
};

/** What a grid position with no run shows: the scenario says nothing about that mode. */
export const NO_RUN_MARK = "—";

/** The word for a grid position with no run, in counts and legends. */
export const NOT_APPLICABLE = "not applicable";

/** Whether the run was judged (it connected), so its severity and verdict say something. */
export function isJudged(cell: AuditCell): boolean {
  return cell.status === "pass" || cell.status === "deviation";
}

/** What the client did, that it never reached the server, or that it was not run. */
export function observedText(cell: AuditCell): string {
  if (cell.status === "not-run") return "not run";
  return cell.observed ?? "no connection";
}

/** The observed outcome, and the verdict when it adds something (null when it would repeat it). */
export function outcomeParts(cell: AuditCell): { observed: string; verdict: string | null } {
  const observed = observedText(cell);
  return { observed, verdict: cell.verdict && cell.verdict !== observed ? cell.verdict : null };
}

/** The observed outcome and, when it adds something, the verdict: `plaintext · credentials-exposed`. */
export function shortOutcome(cell: AuditCell): string {
  const { observed, verdict } = outcomeParts(cell);
  return verdict ? `${observed} · ${verdict}` : observed;
}

/** The run's severity in a word, or why it has none (a run that never connected judged nothing). */
export function severityText(cell: AuditCell): string {
  if (isJudged(cell)) return SEVERITY_WORD[cell.severity];
  return cell.status === "not-run" ? "none (not run)" : "none (no connection to judge)";
}

/** The client's own name for itself, or why there is none. */
export function clientNameText(cell: AuditCell): string {
  if (cell.clientName !== null) return cell.clientName;
  if (cell.status === "not-run") return "unknown (not run)";
  return cell.connections.length > 0
    ? "not named (no connect attributes reached the server)"
    : "unknown (no connection)";
}

/**
 * The names the client gave itself across the report, once each in order of first appearance. A
 * client that refused before its handshake response sent none, so runs without a name do not count.
 */
export function reportClientNames(report: AuditReport): string[] {
  const names = new Set<string>();
  for (const cell of report.cells) {
    if (cell.clientName !== null) names.add(cell.clientName);
    for (const connection of cell.connections) {
      if (connection.clientName !== null) names.add(connection.clientName);
    }
  }
  return [...names];
}

/**
 * The report header's client line: `pymysql 1.0.2 (as it named itself)` when one name covers the
 * report, every name when the runs disagree, null when no run named its client.
 */
export function reportClientText(report: AuditReport): string | null {
  const names = reportClientNames(report);
  if (names.length === 0) return null;
  if (names.length === 1) return `${names[0]} (as it named itself)`;
  return `${names.join(", ")} (as they named themselves; see each run)`;
}

/** `850 ms`, `1.2 s`, `2 min 5 s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "unknown";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1).replace(/\.0$/, "")} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** The exit code, or why there is none. */
export function exitText(cell: AuditCell): string {
  if (cell.exitCode !== null) return String(cell.exitCode);
  if (cell.status === "not-run") return "none (not run)";
  return cell.timedOut ? "none (killed after the timeout)" : "none (the command did not start)";
}

/** How long the whole audit took, or null when its timestamps do not parse. */
export function runDuration(report: AuditReport): string | null {
  const ms = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
  return Number.isNaN(ms) ? null : formatDuration(ms);
}

const TOTAL_WORDS: Record<AuditStatus, [string, string]> = {
  pass: ["passed", "passed"],
  deviation: ["deviation", "deviations"],
  error: ["error", "errors"],
  "not-run": ["not run", "not run"],
};

/**
 * `3 passed, 1 deviation, 1 error, 2 not run`. Not-run is said only when there is one: it is rare,
 * and unlike an error it says nothing is wrong.
 */
export function totalsText(totals: Record<AuditStatus, number>): string {
  return totalsParts(totals)
    .map(([, text]) => text)
    .join(", ");
}

/** The pieces of {@link totalsText} with the status each counts, for formats that colour them. */
export function totalsParts(totals: Record<AuditStatus, number>): Array<[AuditStatus, string]> {
  return AUDIT_STATUSES.filter((status) => status !== "not-run" || totals[status] > 0).map((status) => [
    status,
    plural(totals[status], ...TOTAL_WORDS[status]),
  ]);
}

/** `2 runs fail at --fail-on high`, `1 run fails …`, `no run fails …`. */
export function failingText(report: Pick<AuditReport, "failing" | "failOn">): string {
  const { failing, failOn } = report;
  const who =
    failing === 0 ? "no run fails" : `${plural(failing, "run", "runs")} ${failing === 1 ? "fails" : "fail"}`;
  return `${who} at --fail-on ${failOn}`;
}

/** `1 run`, `2 runs`. */
export function plural(n: number, one: string, many: string): string {
  return `${n} ${pluralWord(n, one, many)}`;
}

/** `run` or `runs`, for `n` of them; for markup that sets the number apart. */
export function pluralWord(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}

/** Collapses line breaks and runs of white space, for places that hold one line. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** Runs of one scenario not run for one reason, so a reason is said once for all its modes. */
export interface NotRunGroup {
  scenario: string;
  modes: string[];
  reason: string;
}

/** The report's not-run cells, grouped by scenario and reason, in report order. */
export function notRunGroups(cells: readonly AuditCell[]): NotRunGroup[] {
  const groups = new Map<string, NotRunGroup>();
  for (const cell of cells) {
    if (cell.status !== "not-run") continue;
    const key = JSON.stringify([cell.scenario, cell.detail]);
    const group = groups.get(key);
    if (group) group.modes.push(cell.mode);
    else groups.set(key, { scenario: cell.scenario, modes: [cell.mode], reason: cell.detail });
  }
  return [...groups.values()];
}

/** Labels of `cellFacts`; `Why` only when the scenario says why. */
export type CellFactLabel =
  | "Expected"
  | "Why"
  | "Observed"
  | "Verdict"
  | "Severity"
  | "Client"
  | "What happened"
  | "Exit code"
  | "Took";

/**
 * What every format says about one run, as label/value pairs in reading order, nulls said in
 * words. A run that was not made has no exit code or duration, so those are left out.
 */
export function cellFacts(cell: AuditCell): Array<[CellFactLabel, string]> {
  const facts: Array<[CellFactLabel, string]> = [["Expected", cell.expected]];
  if (cell.why) facts.push(["Why", cell.why]);
  facts.push(
    ["Observed", observedText(cell)],
    ["Verdict", cell.verdict ?? "none"],
    ["Severity", severityText(cell)],
    ["Client", clientNameText(cell)],
    ["What happened", cell.detail],
  );
  if (cell.status !== "not-run") {
    facts.push(["Exit code", exitText(cell)], ["Took", formatDuration(cell.durationMs)]);
  }
  return facts;
}

/** `credentials-exposed (critical)`, `tls-verified-refused (info, inferred)`. */
export function findingText(finding: Finding): string {
  const inferred = finding.evidence === "inferred" ? ", inferred" : "";
  return `${finding.kind} (${finding.severity}${inferred})`;
}

/** A connection's findings, worst first as the record layer orders them, or `none`. */
export function findingsText(findings: readonly Finding[]): string {
  return findings.length === 0 ? "none" : findings.map(findingText).join("; ");
}

/** Labels of `connectionFacts`, in order: the column heads of a connections table. */
export const CONNECTION_FACT_LABELS = [
  "#",
  "Client",
  "SSLRequest",
  "TLS",
  "Offered TLS versions",
  "User",
  "Auth plugin",
  "Credentials in plaintext",
  "Outcome",
  "Verdict",
  "Severity",
  "Findings",
  "Summary",
] as const;

/** One of {@link CONNECTION_FACT_LABELS}. */
export type ConnectionFactLabel = (typeof CONNECTION_FACT_LABELS)[number];

/** A connection as label/value pairs, in `CONNECTION_FACT_LABELS` order, nulls said in words. */
export function connectionFacts(connection: AuditConnection): Array<[ConnectionFactLabel, string]> {
  const values: Record<ConnectionFactLabel, string> = {
    "#": String(connection.id),
    Client: connection.clientName ?? "not named",
    SSLRequest: connection.sslRequest ? "yes" : "no",
    TLS: connection.tls ?? "none",
    "Offered TLS versions": connection.offeredTlsVersions
      ? connection.offeredTlsVersions.join(", ")
      : "no ClientHello",
    User: connection.user ?? "none sent",
    "Auth plugin": connection.authPlugin ?? "none",
    "Credentials in plaintext": connection.credentialsInPlaintext ? "YES" : "no",
    Outcome: connection.outcome,
    Verdict: connection.verdict,
    Severity: SEVERITY_WORD[connection.severity],
    Findings: findingsText(connection.findings),
    Summary: connection.summary,
  };
  return CONNECTION_FACT_LABELS.map((label) => [label, values[label]]);
}
