import type { CertificateFlaw } from "../certs/assess-certificate";
import type { ConnectionRecord } from "./connection-record";
import { type ConnectionFacts, factsOf } from "./facts";

/** The ssl-modes of MySQL 5.7.11+ clients (`--ssl-mode`, MYSQL_OPT_SSL_MODE). */
export const SSL_MODES = ["DISABLED", "PREFERRED", "REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY"] as const;
export type SslMode = (typeof SSL_MODES)[number];

/**
 * What a client did in one run, in four words:
 * - `plaintext`: logged in without TLS, or let credentials cross without it on the way;
 * - `tls`: logged in over TLS, every credential inside it;
 * - `refuse-before-credentials`: gave up without sending any handshake response (user, auth data);
 * - `refused-after-credentials`: sent its credentials and did not get in (refused, or hung up).
 */
export const CLIENT_OUTCOMES = [
  "plaintext",
  "tls",
  "refuse-before-credentials",
  "refused-after-credentials",
] as const;
export type ClientOutcome = (typeof CLIENT_OUTCOMES)[number];

/**
 * How bad a finding is, worst first:
 * - `critical`: credentials or a password-equivalent went outside TLS, or to a peer whose
 *   certificate the mode required the client to verify and it did not;
 * - `high`: a plaintext fallback, or an unverified certificate accepted, where the mode forbids it;
 * - `medium`: a weak key, a SHA-1 signature, TLS below 1.2 or a weak cipher accepted;
 * - `info`: the rest.
 */
export const SEVERITIES = ["critical", "high", "medium", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Whether `a` is at least as bad as `b`. */
export function atLeast(a: Severity, b: Severity): boolean {
  return SEVERITIES.indexOf(a) <= SEVERITIES.indexOf(b);
}

/** The worst of several severities (`info` for none). */
export function worstSeverity(severities: Iterable<Severity>): Severity {
  let worst: Severity = "info";
  for (const severity of severities) if (atLeast(severity, worst)) worst = severity;
  return worst;
}

/**
 * What one client did around TLS, as a security reviewer asks it. A finding describes the
 * connection; its severity weighs it against what an ssl-mode requires.
 */
export type VerdictKind =
  /** The greeting offered no TLS and the client sent its login in plaintext (a stripped or TLS-less server). */
  | "plaintext-fallback"
  /** TLS completed with a certificate a verifying client must refuse, and the client sent its login. */
  | "accepted-bad-certificate"
  /** A password-bearing response (scramble reply or password) crossed without TLS. */
  | "credentials-exposed"
  /** The greeting offered TLS and the client sent its login without asking for it. */
  | "plaintext"
  /** The client sent its login over TLS below 1.2, with a weak cipher, or to a weak certificate. */
  | "accepted-weak-tls"
  /** The client refused a flawed certificate before sending credentials (see the finding's evidence). */
  | "tls-verified-refused"
  /** The greeting offered no TLS and the client sent no credentials. */
  | "refused-plaintext"
  /** TLS completed and the client left before sending credentials; the server cannot tell why. */
  | "tls-abandoned"
  /** The TLS handshake failed for another reason (versions, ciphers, a good certificate rejected, a reset). */
  | "tls-failed"
  /** The credentials went only inside TLS, to a server whose certificate has no trust flaw. */
  | "tls"
  /** The connection ended before the client showed what it does (protocol error, fault, timeout, stop). */
  | "incomplete";

/** Headline order: the first that applies names the connection (and the most telling of several). */
export const VERDICT_PRIORITY: readonly VerdictKind[] = [
  "plaintext-fallback",
  "accepted-bad-certificate",
  "credentials-exposed",
  "plaintext",
  "accepted-weak-tls",
  "tls-verified-refused",
  "refused-plaintext",
  "tls-abandoned",
  "tls-failed",
  "tls",
];

/** One finding, with how bad it is and whether the server saw it or inferred it from a pattern. */
export interface Finding {
  kind: VerdictKind;
  severity: Severity;
  /** `observed`: the server saw it happen; `inferred`: read from a pattern the record names. */
  evidence: "observed" | "inferred";
}

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
