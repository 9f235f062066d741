import type { CredentialExposure } from "../auth/auth-plugin";

/*
 * The words a verdict is made of: ssl-modes, client outcomes, severities, finding kinds and the
 * verdict's shape. Data only, so the record can hold a verdict while the functions that judge
 * (findings.ts, verdict.ts, judgement.ts) read records, without the two importing each other.
 */

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
 *   certificate the mode required the client to verify and it did not; or the client sent a
 *   local file a server asked for and its own query did not;
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
  /**
   * The client sent one of its files to a LOAD DATA LOCAL request that its own query did not ask
   * for (a rogue server's or a proxy's): any file the client can read may leave it this way.
   */
  | "local-infile-sent"
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
  // A file taken from the client says more than how its login travelled, which the summary adds.
  "local-infile-sent",
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

/**
 * The verdict on one connection: what the client did around TLS, as a security reviewer asks it —
 * did it encrypt, did it check the server, did its credentials cross in the clear. It describes the
 * connection, not whether that was right for the client's ssl-mode: its severities are weighed as
 * for a client that meant to be safe (VERIFY_IDENTITY); the audit weighs them for the mode it ran.
 */
export interface Verdict {
  /** The headline: the first finding by {@link VERDICT_PRIORITY}, or `incomplete`. */
  kind: VerdictKind;
  /** The worst severity among the findings. */
  severity: Severity;
  /** Every finding that applies, headline first (`incomplete` alone when none does). */
  findings: Finding[];
  /** One sentence a person reads; says where a finding is inferred. Never holds a password: the record has none. */
  summary: string;
  /** What the credentials revealed and for which plugin, when a password-bearing response crossed without TLS. */
  exposure: { plugin: string; what: CredentialExposure } | null;
}
