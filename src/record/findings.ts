import type { CertificateFlaw } from "../certs/assess-certificate";
import type { ConnectionRecord } from "./connection-record";
import { type ConnectionFacts, factsOf } from "./facts";
import {
  type Finding,
  type Severity,
  type SslMode,
  type VerdictKind,
  VERDICT_PRIORITY,
} from "./verdict-vocabulary";

export {
  atLeast,
  CLIENT_OUTCOMES,
  type ClientOutcome,
  type Finding,
  SEVERITIES,
  type Severity,
  SSL_MODES,
  type SslMode,
  VERDICT_PRIORITY,
  type VerdictKind,
  worstSeverity,
} from "./verdict-vocabulary";

/** Which of a certificate's trust flaws a client in `mode` must refuse it for. */
export function flawsCheckedBy(mode: SslMode, flaws: readonly CertificateFlaw[]): CertificateFlaw[] {
  switch (mode) {
    case "VERIFY_IDENTITY":
      return [...flaws];
    case "VERIFY_CA":
      // VERIFY_CA checks the chain and its validity, not the host name.
      return flaws.filter((flaw) => flaw !== "host-mismatch");
    default:
      return [];
  }
}

/**
 * How bad `kind` is for a client in `mode`: what the mode permits is `info`. A record's own
 * verdict, which knows no mode, is weighed as for VERIFY_IDENTITY: a client that meant to be safe.
 */
export function severityIn(kind: VerdictKind, facts: ConnectionFacts, mode: SslMode): Severity {
  switch (kind) {
    case "local-infile-sent":
      // No ssl-mode permits it: a mode chooses the transport, and TLS only hides the file from
      // others on the path, not from the server that asked for it.
      return "critical";
    case "credentials-exposed":
      // No mode permits the password itself in the clear: a mode chooses the transport, and a
      // client sends its password only to a plugin it enabled (MySQL's clients refuse
      // mysql_clear_password without TLS unless told otherwise).
      if (facts.cleartextPasswordOutsideTls) return "critical";
      // DISABLED asks for plaintext; PREFERRED falls back to it when the greeting offers no TLS.
      if (mode === "DISABLED" || (mode === "PREFERRED" && !facts.tlsOffered)) return "info";
      return "critical";
    case "plaintext-fallback":
      return mode === "DISABLED" || mode === "PREFERRED" ? "info" : "high";
    case "plaintext":
      return mode === "DISABLED" ? "info" : "high";
    case "accepted-bad-certificate":
      if (flawsCheckedBy(mode, facts.trustFlaws).length === 0) return "info";
      return facts.sentPassword ? "critical" : "high";
    case "accepted-weak-tls":
      return mode === "DISABLED" ? "info" : "medium";
    default:
      return "info";
  }
}

/** The kinds that apply to a record, in {@link VERDICT_PRIORITY} order (`incomplete` alone when none does). */
export function findingKinds(facts: ConnectionFacts, record: ConnectionRecord): VerdictKind[] {
  const flawed = facts.trustFlaws.length + facts.weakFlaws.length > 0;
  const refused = facts.certificateRefusal !== null && flawed;
  const applies: Record<VerdictKind, boolean> = {
    "local-infile-sent": facts.sentUnaskedFile,
    "plaintext-fallback": !facts.tlsOffered && facts.sentLogin && facts.loginOutsideTls,
    "accepted-bad-certificate": facts.tlsCompleted && facts.sentLogin && facts.trustFlaws.length > 0,
    "credentials-exposed": facts.passwordOutsideTls,
    plaintext: facts.tlsOffered && !record.sslRequest && facts.sentLogin,
    "accepted-weak-tls":
      facts.tlsCompleted &&
      facts.sentLogin &&
      !facts.loginOutsideTls &&
      facts.weakFlaws.length + facts.weakSession.length > 0,
    "tls-verified-refused": refused,
    "refused-plaintext": !facts.tlsOffered && !facts.sentLogin && (facts.clientWentAway || record.sslRequest),
    "tls-abandoned": facts.tlsCompleted && !facts.sentLogin && facts.clientWentAway && !refused,
    "tls-failed": record.tls?.outcome === "failed" && !refused,
    tls: facts.tlsCompleted && facts.sentLogin && !facts.loginOutsideTls && facts.trustFlaws.length === 0,
    incomplete: false,
  };
  const kinds = VERDICT_PRIORITY.filter((kind) => applies[kind]);
  return kinds.length > 0 ? kinds : ["incomplete"];
}

/** Every finding on a record, weighed for `mode` (VERIFY_IDENTITY when none is known). */
export function findingsOf(record: ConnectionRecord, mode: SslMode = "VERIFY_IDENTITY"): Finding[] {
  const facts = factsOf(record);
  return findingKinds(facts, record).map((kind) => ({
    kind,
    severity: severityIn(kind, facts, mode),
    evidence:
      kind === "tls-verified-refused" ? (facts.certificateRefusal?.evidence ?? "observed") : "observed",
  }));
}
