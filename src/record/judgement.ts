import type { ConnectionRecord } from "./connection-record";
import { factsOf } from "./facts";
import {
  atLeast,
  type ClientOutcome,
  type Finding,
  findingsOf,
  type Severity,
  type SslMode,
  VERDICT_PRIORITY,
  worstSeverity,
} from "./findings";

/**
 * What a client did in one run — every connection it made — in the four words scenario files
 * expect. Only the server's records count: a client's exit code says nothing reliable about TLS.
 *
 * - `plaintext`: a connection logged in, and some connection let its login or credentials cross
 *   without TLS (a leak is a leak, whichever connection then logged in);
 * - `tls`: a connection logged in, and every login of every connection went only inside TLS;
 * - `refused-after-credentials`: nothing logged in, but some connection sent its login (it was
 *   refused, or the client hung up after sending it);
 * - `refuse-before-credentials`: no connection sent a login.
 *
 * Null when the client made no connection at all.
 */
export function observedOutcome(records: readonly ConnectionRecord[]): ClientOutcome | null {
  if (records.length === 0) return null;
  const facts = records.map(factsOf);
  if (facts.some((f) => f.authenticated)) {
    return facts.some((f) => f.loginOutsideTls) ? "plaintext" : "tls";
  }
  return facts.some((f) => f.sentLogin) ? "refused-after-credentials" : "refuse-before-credentials";
}

/** One connection's findings, weighed for the run's mode. */
export interface JudgedConnection {
  record: ConnectionRecord;
  findings: Finding[];
  severity: Severity;
}

/** The judgement of one run: a client in one ssl-mode against one scenario. */
export interface RunJudgement {
  /** What the client did; null when it made no connection. */
  observed: ClientOutcome | null;
  /**
   * `pass`: it did what a correct client does, and nothing the mode forbids at `high` or worse;
   * `deviation`: anything else; `no-connection`: there is nothing to judge.
   */
  status: "pass" | "deviation" | "no-connection";
  /** The worst finding of any connection, weighed for the mode. */
  severity: Severity;
  /** The connection that says most: the worst severity, then the headline order. */
  telling: JudgedConnection | null;
  connections: JudgedConnection[];
}

function rank(connection: JudgedConnection): [number, number] {
  const headline = connection.findings[0]!.kind;
  const index = (VERDICT_PRIORITY as readonly string[]).indexOf(headline);
  const severity = ["critical", "high", "medium", "info"].indexOf(connection.severity);
  return [severity, index === -1 ? VERDICT_PRIORITY.length : index];
}

function moreTelling(a: JudgedConnection, b: JudgedConnection): boolean {
  const [sa, ia] = rank(a);
  const [sb, ib] = rank(b);
  return sa < sb || (sa === sb && ia < ib);
}

/**
 * Judges a run from the server's records: the observed outcome against the expected one, and every
 * finding weighed for `mode`. A run whose outcome matches but that did something the mode forbids
 * at `high` or worse is a deviation: a leak is never a pass.
 */
export function judgeRun(
  records: readonly ConnectionRecord[],
  mode: SslMode,
  expected: ClientOutcome,
): RunJudgement {
  const connections = records.map((record): JudgedConnection => {
    const findings = findingsOf(record, mode);
    return { record, findings, severity: worstSeverity(findings.map((f) => f.severity)) };
  });
  const observed = observedOutcome(records);
  let telling: JudgedConnection | null = null;
  for (const connection of connections) {
    if (telling === null || moreTelling(connection, telling)) telling = connection;
  }
  const severity = worstSeverity(connections.map((c) => c.severity));
  const status =
    observed === null
      ? "no-connection"
      : observed === expected && !atLeast(severity, "high")
        ? "pass"
        : "deviation";
  return { observed, status, severity, telling, connections };
}
