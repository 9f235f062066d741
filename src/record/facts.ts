import type { CertificateFlaw } from "../certs/assess-certificate";
import type { ConnectionRecord } from "./connection-record";

/**
 * What the server saw one client do, reduced to the facts every judgement reads: the verdict, the
 * audit's observed outcome and severity, and the matchers. Derived here and nowhere else, so no two
 * readers can disagree on, say, whether credentials were sent.
 */
export interface ConnectionFacts {
  /** A handshake response (a user name) reached the server, in whatever packet it came. */
  sentLogin: boolean;
  /** Password-bearing auth data (a scramble reply or the password) reached the server. */
  sentPassword: boolean;
  /**
   * Password-bearing auth data crossed without TLS — in a plaintext response, a response that
   * asked for TLS the greeting did not offer, or bytes riding on an SSLRequest.
   */
  passwordOutsideTls: boolean;
  /** The password itself (not a reply derived from it) crossed without TLS: what a rogue clear-password switch collects. */
  cleartextPasswordOutsideTls: boolean;
  /** The login went out in plaintext: a response or auth data before (or without) TLS. */
  loginOutsideTls: boolean;
  /** The greeting offered TLS (CLIENT_SSL). */
  tlsOffered: boolean;
  /** The TLS handshake completed. */
  tlsCompleted: boolean;
  /** The server sent OK to the login. */
  authenticated: boolean;
  /** The client closed or reset before the server answered its login, or before sending one. */
  clientWentAway: boolean;
  /** Flaws a verifying client must refuse the certificate for (trust, validity, identity). */
  trustFlaws: CertificateFlaw[];
  /** Flaws that make the certificate weak rather than untrusted (key size, SHA-1). */
  weakFlaws: CertificateFlaw[];
  /** What was weak about a completed TLS session: an old protocol version or a weak cipher. */
  weakSession: string[];
  /** How the client refused the certificate, when the record shows it did (see {@link CertificateRefusal}). */
  certificateRefusal: CertificateRefusal | null;
  /**
   * The client sent file contents to a LOAD DATA LOCAL request its own query did not ask for: a
   * server chose the file, and the client handed it over.
   */
  sentUnaskedFile: boolean;
}

/**
 * A refusal of the server certificate, with the evidence for it:
 * - `alert`: observed — the client sent a TLS alert that names the certificate;
 * - `closed-after-server-flight`: inferred — the client went away without an alert after the
 *   server's whole flight and before its own Finished (Node's TLS stack refuses this way over TLS 1.3);
 * - `closed-after-handshake`: inferred — a TLS 1.2 handshake completed and the client closed
 *   without a close_notify and without a byte inside TLS (Node's TLS stack, and libmariadb's host
 *   check, over TLS 1.2). Over TLS 1.3 the server cannot see whether a close_notify came, so a
 *   close there shows no refusal.
 */
export interface CertificateRefusal {
  how: "alert" | "closed-after-server-flight" | "closed-after-handshake";
  evidence: "observed" | "inferred";
  alert?: string;
}

/** Flaws that make a certificate weak; the rest make it untrusted. */
const WEAK_FLAWS: ReadonlySet<CertificateFlaw> = new Set(["weak-key", "sha1-signature"]);

/** TLS versions below 1.2 (RFC 8996 deprecates TLS 1.0 and 1.1). */
const OLD_TLS_VERSIONS: ReadonlySet<string> = new Set(["SSLv3", "TLSv1", "TLSv1.1"]);

/**
 * Cipher names (OpenSSL's) with a broken or absent primitive: RC4, single and triple DES, NULL
 * encryption, export grades, MD5 MACs, anonymous key exchange.
 */
const WEAK_CIPHER = /(^|-)(RC4|DES|DES-CBC3|3DES|NULL|EXP|EXPORT|MD5|ADH|AECDH)(-|$)|anon/i;

/** Whether the cipher (OpenSSL name) is weak by {@link WEAK_CIPHER}. */
export function isWeakCipher(cipher: string): boolean {
  return WEAK_CIPHER.test(cipher);
}

function refusalOf(record: ConnectionRecord, sentLogin: boolean): CertificateRefusal | null {
  const tls = record.tls;
  if (tls === null || sentLogin) return null;
  if (tls.outcome === "failed") {
    if (tls.failure.cause === "cert-rejected") {
      return {
        how: "alert",
        evidence: "observed",
        ...(tls.failure.alert ? { alert: tls.failure.alert } : {}),
      };
    }
    const failure = tls.failure;
    if (failure.afterServerFlight && (failure.bytesAfterClientHello ?? 0) === 0) {
      return { how: "closed-after-server-flight", evidence: "inferred" };
    }
    return null;
  }
  // TLS 1.3 cannot say whether a close_notify came (`null`): only a TLS 1.2 close is evidence.
  const closed = tls.clientClosed;
  if (closed && closed.closeNotify === false && closed.bytesAfterHandshake === 0) {
    return { how: "closed-after-handshake", evidence: "inferred" };
  }
  return null;
}

/** The facts of one record (final or not: an open connection is judged as it stands). */
export function factsOf(record: ConnectionRecord): ConnectionFacts {
  const tlsCompleted = record.tls?.outcome === "negotiated";
  // Through a proxy, a login inside TLS is unreadable: data the client sent inside TLS is its login.
  const sentLogin =
    record.user !== null ||
    record.credentialsInPlaintext ||
    (tlsCompleted && record.relay?.dataInsideTls === true);
  const flaws = record.serverCertificate?.flaws ?? [];
  const tls = record.tls;
  const weakSession: string[] = [];
  if (tls?.outcome === "negotiated") {
    if (OLD_TLS_VERSIONS.has(tls.version)) weakSession.push(tls.version);
    if (isWeakCipher(tls.cipher)) weakSession.push(`weak cipher ${tls.cipher}`);
  }
  return {
    sentLogin,
    sentPassword: record.credentialExposure !== null || record.credentialsInPlaintext,
    passwordOutsideTls: record.credentialsInPlaintext,
    cleartextPasswordOutsideTls:
      record.credentialsInPlaintext && record.credentialExposure === "cleartext-password",
    loginOutsideTls: record.credentialsInPlaintext || (sentLogin && (!record.sslRequest || !tlsCompleted)),
    tlsOffered: record.greeting.tlsOffered,
    tlsCompleted,
    // Through a proxy that cannot read TLS, data after the login is a client the server let in.
    authenticated:
      record.outcome.kind === "authenticated" ||
      (record.outcome.kind === "relayed" && (record.relay?.clientRecordsInsideTls ?? 0) >= 2),
    clientWentAway: record.outcome.kind === "client-went-away",
    trustFlaws: flaws.filter((flaw) => !WEAK_FLAWS.has(flaw)),
    weakFlaws: flaws.filter((flaw) => WEAK_FLAWS.has(flaw)),
    weakSession,
    certificateRefusal: refusalOf(record, sentLogin),
    sentUnaskedFile:
      record.localInfile !== null && record.localInfile.sent && !record.localInfile.askedByQuery,
  };
}
