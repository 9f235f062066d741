import type { ConnectionRecord } from "../record/connection-record";
import type { Finding, Severity } from "../record/findings";
import { type JudgedConnection, observedOutcome } from "../record/judgement";
import { verdictOf } from "../record/verdict";
import { describeTlsFailure } from "../tls/tls-failure";
import type { AuditConnection } from "./audit-report";

// The run's outcome is the record layer's judgement; the audit only reports it.
export { observedOutcome };

/** The client as it named itself in its connect attributes: `pymysql 1.0.2`, or null when it did not. */
export function clientNameOf(record: ConnectionRecord): string | null {
  const attributes = record.connectAttributes;
  const name = attributes?.["_client_name"];
  if (!name) return null;
  const version = attributes?.["_client_version"];
  return version ? `${name} ${version}` : name;
}

/** One record as the audit report shows it, with its findings weighed for the run's mode. */
export function auditConnection(
  judged: Pick<JudgedConnection, "record" | "findings" | "severity">,
): AuditConnection {
  const { record } = judged;
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
          : `failed: ${describeTlsFailure(tls.failure)}`,
    offeredTlsVersions: hello ? (hello.supportedVersions ?? [hello.legacyVersion]) : null,
    user: record.user,
    authPlugin: record.user === null ? null : (record.authSwitchedTo ?? record.clientAuthPlugin),
    credentialsInPlaintext: record.credentialsInPlaintext,
    outcome: record.outcome.kind,
    verdict: verdict.kind,
    severity: judged.severity,
    findings: judged.findings,
    summary: verdict.summary,
    clientName: clientNameOf(record),
  };
}

/** A record outside any run, weighed as its own verdict weighs it (for a client that meant to verify). */
export function auditConnectionOfRecord(record: ConnectionRecord): AuditConnection {
  const verdict = record.verdict ?? verdictOf(record);
  const findings: Finding[] = verdict.findings;
  const severity: Severity = verdict.severity;
  return auditConnection({ record, findings, severity });
}
