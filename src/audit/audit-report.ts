import type { Finding, Severity } from "../record/findings";
import type { ClientOutcome, SslMode } from "../scenarios/scenario-schema";

/**
 * The result of `mysql-tls-mock audit`: one client command run against chosen scenarios in chosen
 * ssl-modes, each run compared with what the scenario says a correct client does in that mode.
 * Plain data, so every report format (terminal, Markdown, JSON, JUnit, HTML) renders the same thing.
 */

/**
 * - `pass`: the server saw what a correct client does, and nothing the mode forbids;
 * - `deviation`: the client did something else (the finding the audit exists for);
 * - `error`: the run says nothing about TLS behaviour (the command never connected, timed out
 *   before any connection, or could not be started);
 * - `not-run`: the client template cannot reach the scenario's server (the reason is the detail).
 */
export type AuditStatus = "pass" | "deviation" | "error" | "not-run";

/** Every status, in the order reports count them. */
export const AUDIT_STATUSES: readonly AuditStatus[] = ["pass", "deviation", "error", "not-run"];

/** One connection the server recorded during a run, reduced to what a report shows. */
export interface AuditConnection {
  id: number;
  /** Whether the client sent an SSLRequest. */
  sslRequest: boolean;
  /** `TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384`, `failed: cert-rejected (unknown_ca)`, or null without TLS. */
  tls: string | null;
  /** TLS versions the client offered in its ClientHello, highest first; null without a ClientHello. */
  offeredTlsVersions: string[] | null;
  /** The user in the client's handshake response, or null when it sent none. */
  user: string | null;
  /** The auth plugin the credentials were for, when the client sent any. */
  authPlugin: string | null;
  /** True when a password-bearing response crossed without TLS. */
  credentialsInPlaintext: boolean;
  /** The record's outcome kind (`authenticated`, `refused`, `tls-failed`, `client-went-away`, …). */
  outcome: string;
  /** The per-connection verdict (`tls`, `plaintext-fallback`, `credentials-exposed`, …). */
  verdict: string;
  /** The worst of its findings, weighed for the run's ssl-mode. */
  severity: Severity;
  /** Every finding, weighed for the run's ssl-mode, with whether the server saw or inferred it. */
  findings: Finding[];
  /** The verdict in one sentence. */
  summary: string;
  /** The client as it named itself in its connect attributes (`_client_name` `_client_version`), if it did. */
  clientName: string | null;
}

/** One client run: a scenario in an ssl-mode. */
export interface AuditCell {
  scenario: string;
  mode: SslMode;
  status: AuditStatus;
  /** What a correct client does here (from the scenario file). */
  expected: ClientOutcome;
  /** Why, when the scenario says. */
  why?: string;
  /** What the server saw this client do; null when it made no connection. */
  observed: ClientOutcome | null;
  /** The verdict of the run in one word (the most telling connection's). */
  verdict: string | null;
  /**
   * The worst finding of the run, weighed for its ssl-mode (`info` when it made no connection):
   * `critical` credentials outside TLS or to an unverified peer the mode required verifying,
   * `high` a forbidden plaintext fallback or unverified certificate, `medium` weak TLS accepted.
   */
  severity: Severity;
  /** The client as it named itself (connect attributes), when any connection said. */
  clientName: string | null;
  /** One sentence: what happened, for the table's detail and the HTML cell. */
  detail: string;
  /** The command as run, with the password replaced by `***`. */
  command: string;
  /** The command's exit code; null when it was killed (`timedOut`) or could not start. */
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  /** The last lines the command printed on stderr (password replaced by `***`). */
  stderrTail: string;
  connections: AuditConnection[];
}

/** A whole audit. */
export interface AuditReport {
  tool: { name: "mysql-tls-mock"; version: string };
  /** The client command template as given (before any field was filled in). */
  clientTemplate: string;
  startedAt: string;
  finishedAt: string;
  /** Per-run timeout in milliseconds. */
  timeoutMs: number;
  modes: SslMode[];
  scenarios: Array<{ name: string; description: string }>;
  cells: AuditCell[];
  /** Counts of each status. */
  totals: Record<AuditStatus, number>;
  /** The severity at which a run fails the audit (`--fail-on`). */
  failOn: Severity;
  /** Runs that fail the audit: a deviation at `failOn` or worse, or a pass with a finding that bad above `info`. */
  failing: number;
}
