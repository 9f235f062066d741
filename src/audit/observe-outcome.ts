import type { ConnectionRecord } from "../record/connection-record";
import { VERDICT_PRIORITY, verdictOf } from "../record/verdict";
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

/**
 * The connection that says most about the run: the first by the verdict's own headline order
 * (`VERDICT_PRIORITY`), an `incomplete` one last.
 */
export function mostTellingConnection(connections: readonly AuditConnection[]): AuditConnection | null {
  let best: AuditConnection | null = null;
  for (const connection of connections) {
    if (!best || rank(connection) < rank(best)) best = connection;
  }
  return best;
}

function rank(connection: AuditConnection): number {
  const index = (VERDICT_PRIORITY as readonly string[]).indexOf(connection.verdict);
  return index === -1 ? VERDICT_PRIORITY.length : index;
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
