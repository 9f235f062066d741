import type { ConnectionRecord } from "../record/connection-record";
import { verdictOf, type VerdictKind } from "../record/verdict";
import type { ClientOutcome } from "../scenarios/scenario-schema";
import type { AuditConnection } from "./audit-report";

/**
 * What the server saw a client do in one run, in the scenario files' four outcomes. Only the
 * server's records count: a client's exit code says nothing reliable about TLS.
 *
 * - `plaintext` / `tls`: a connection authenticated, without or inside TLS (credentials only
 *   inside it);
 * - `refused-after-credentials`: no connection authenticated, but a handshake response arrived;
 * - `refuse-before-credentials`: no connection sent a handshake response.
 *
 * Null when the client made no connection at all.
 */
export function observedOutcome(records: readonly ConnectionRecord[]): ClientOutcome | null {
  if (records.length === 0) return null;
  const authenticated = records.filter((r) => r.outcome.kind === "authenticated");
  if (authenticated.length > 0) {
    const inTls = authenticated.every(
      (r) => r.sslRequest && r.tls?.outcome === "negotiated" && !r.credentialsInPlaintext,
    );
    return inTls ? "tls" : "plaintext";
  }
  return records.some((r) => r.user !== null) ? "refused-after-credentials" : "refuse-before-credentials";
}

/** Verdicts from the most to the least telling, to name a run after its worst connection. */
const SEVERITY: readonly VerdictKind[] = [
  "credentials-exposed",
  "plaintext-fallback",
  "accepted-bad-certificate",
  "plaintext",
  "tls-failed",
  "tls-verified-refused",
  "refused-plaintext",
  "tls-abandoned",
  "tls",
  "incomplete",
];

/** The connection that says most about the run: the one whose verdict ranks highest. */
export function mostTellingRecord(records: readonly ConnectionRecord[]): ConnectionRecord | null {
  let best: ConnectionRecord | null = null;
  for (const record of records) {
    if (!best || rank(record) < rank(best)) best = record;
  }
  return best;
}

function rank(record: ConnectionRecord): number {
  const verdict = record.verdict ?? verdictOf(record);
  return Math.min(...verdict.findings.map((kind) => SEVERITY.indexOf(kind)));
}

/** One record as the audit report shows it. */
export function auditConnection(record: ConnectionRecord): AuditConnection {
  const verdict = record.verdict ?? verdictOf(record);
  const tls = record.tls;
  const hello = tls?.clientHello ?? null;
  return {
    id: record.id,
    sslRequest: record.sslRequest,
    tls:
      tls === null
        ? null
        : tls.outcome === "negotiated"
          ? `${tls.version} ${tls.cipher}`
          : `failed: ${tls.failure.cause}${tls.failure.alert ? ` (${tls.failure.alert})` : ""}`,
    offeredTlsVersions: hello ? (hello.supportedVersions ?? [hello.legacyVersion]) : null,
    user: record.user,
    authPlugin: record.user === null ? null : (record.authSwitchedTo ?? record.clientAuthPlugin),
    credentialsInPlaintext: record.credentialsInPlaintext,
    outcome: record.outcome.kind,
    verdict: verdict.kind,
    summary: verdict.summary,
  };
}
