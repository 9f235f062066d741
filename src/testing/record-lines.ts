import type { ConnectionRecord } from "../record/connection-record";
import { describeEnding, type Verdict, type VerdictKind, verdictOf } from "../record/verdict";

/*
 * One line per connection for the matchers' failure messages: where TLS got to, how the login
 * ended, and the verdict.
 */

/** How a value is shown in a message: jest's `printReceived` and kin, or plain `String`. */
export type Print = (value: unknown) => string;

/** The final verdict, or the verdict of the record as it is now when the connection is still open. */
export function verdict(record: ConnectionRecord): Verdict {
  return record.verdict ?? verdictOf(record);
}

export function hasFinding(record: ConnectionRecord, kind: VerdictKind): boolean {
  return verdict(record).findings.some((finding) => finding.kind === kind);
}

/** `plaintext-fallback (high), credentials-exposed (critical)` */
export function findingsText(record: ConnectionRecord): string {
  return verdict(record)
    .findings.map(
      (finding) =>
        `${finding.kind} (${finding.severity}${finding.evidence === "inferred" ? ", inferred" : ""})`,
    )
    .join(", ");
}

function tlsText(record: ConnectionRecord, print: Print): string {
  const tls = record.tls;
  if (tls === null) {
    if (record.sslRequest) return "sent an SSLRequest, no TLS handshake";
    return `no SSLRequest (the greeting ${record.greeting.tlsOffered ? "offered" : "did not offer"} TLS)`;
  }
  if (tls.outcome === "negotiated") return `TLS ${print(tls.version)} negotiated (${tls.cipher})`;
  const alert = tls.failure.alert === undefined ? "" : `, alert ${print(tls.failure.alert)}`;
  return `TLS failed: ${print(tls.failure.cause)}${alert}`;
}

/** How the login ended: the verdict's words, with what a line of a failure message needs besides. */
function loginText(record: ConnectionRecord, print: Print): string {
  const outcome = record.outcome;
  switch (outcome.kind) {
    case "pending":
      // Loud, with the phase: the note under the lines explains why the record is not final.
      return `STILL OPEN (phase ${record.phase})`;
    case "tls-failed":
      // The TLS part of the line already says how TLS failed.
      return "no credentials sent";
    case "refused":
      // Whose login: the server's message does not always name the user.
      return `login as ${print(record.user)} refused (${outcome.code} ${outcome.message})`;
    case "client-went-away":
      return `${describeEnding(record)}${record.user === null ? " before sending credentials" : ""}`;
    default:
      return describeEnding(record);
  }
}

/** `#3 127.0.0.1:51532: <what this matcher looks at> — <TLS>; <login>; verdict <kind>` */
export function line(record: ConnectionRecord, relevant: string | null, print: Print): string {
  const context = [tlsText(record, print), loginText(record, print), `verdict ${verdict(record).kind}`];
  return `#${record.id} ${record.client.address}:${record.client.port}: ${relevant ? `${relevant} — ` : ""}${context.join("; ")}`;
}
