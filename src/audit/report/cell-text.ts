import type { AuditCell, AuditConnection, AuditReport, AuditStatus } from "../audit-report";

/**
 * The words every format uses for the same thing, so a deviation reads the same in a terminal, a
 * pull-request comment and a CI test report.
 */

/** Upper case for deviations: they are the finding, and must stand out even without colour. */
export const STATUS_WORD: Record<AuditStatus, string> = {
  pass: "pass",
  deviation: "DEVIATION",
  error: "error",
};

/** A symbol beside the word, so status never rests on colour alone. */
export const STATUS_SYMBOL: Record<AuditStatus, string> = { pass: "✓", deviation: "✗", error: "⚠" };

/** What a grid position with no run shows. */
export const NOT_RUN = "—";

/** What the client did, or that it never reached the server. */
export function observedText(cell: AuditCell): string {
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
  return cell.timedOut ? "none (killed after the timeout)" : "none (the command did not start)";
}

/** How long the whole audit took, or null when its timestamps do not parse. */
export function runDuration(report: AuditReport): string | null {
  const ms = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
  return Number.isNaN(ms) ? null : formatDuration(ms);
}

/**
 * The audit's status as a whole: a deviation outweighs an error (it is the finding), an error
 * outweighs passes (the audit could not judge everything).
 */
export function overallStatus(totals: Record<AuditStatus, number>): AuditStatus {
  if (totals.deviation > 0) return "deviation";
  return totals.error > 0 ? "error" : "pass";
}

/** `3 passed, 1 deviation, 1 error`. */
export function totalsText(totals: Record<AuditStatus, number>): string {
  return [
    `${totals.pass} passed`,
    plural(totals.deviation, "deviation", "deviations"),
    plural(totals.error, "error", "errors"),
  ].join(", ");
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

/** Labels of `cellFacts`; `Why` only when the scenario says why. */
export type CellFactLabel =
  "Expected" | "Why" | "Observed" | "Verdict" | "What happened" | "Exit code" | "Took";

/** What every format says about one run, as label/value pairs in reading order, nulls said in words. */
export function cellFacts(cell: AuditCell): Array<[CellFactLabel, string]> {
  return [
    ["Expected", cell.expected],
    ...(cell.why ? [["Why", cell.why] as [CellFactLabel, string]] : []),
    ["Observed", observedText(cell)],
    ["Verdict", cell.verdict ?? "none"],
    ["What happened", cell.detail],
    ["Exit code", exitText(cell)],
    ["Took", formatDuration(cell.durationMs)],
  ];
}

/** Labels of `connectionFacts`, in order: the column heads of a connections table. */
export const CONNECTION_FACT_LABELS = [
  "#",
  "SSLRequest",
  "TLS",
  "Offered TLS versions",
  "User",
  "Auth plugin",
  "Credentials in plaintext",
  "Outcome",
  "Verdict",
  "Summary",
] as const;

/** A connection as label/value pairs, in `CONNECTION_FACT_LABELS` order, nulls said in words. */
export function connectionFacts(connection: AuditConnection): Array<[string, string]> {
  const values = [
    String(connection.id),
    connection.sslRequest ? "yes" : "no",
    connection.tls ?? "none",
    connection.offeredTlsVersions ? connection.offeredTlsVersions.join(", ") : "no ClientHello",
    connection.user ?? "none sent",
    connection.authPlugin ?? "none",
    connection.credentialsInPlaintext ? "YES" : "no",
    connection.outcome,
    connection.verdict,
    connection.summary,
  ];
  return CONNECTION_FACT_LABELS.map((label, i) => [label, values[i] ?? ""]);
}
