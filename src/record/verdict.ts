import type { CredentialExposure } from "../auth/auth-plugin";
import type { ConnectionRecord } from "./connection-record";

/**
 * What one client did around TLS, as a security reviewer asks it: did it encrypt, did it check the
 * server, did its credentials cross in the clear. A verdict describes the connection, not whether
 * that was right: a client in DISABLED mode is expected to expose a scramble reply, one in
 * VERIFY_CA is not. Comparing with what a mode requires is the scenario's and the audit's job.
 */
export type VerdictKind =
  /** The greeting offered no TLS and the client went on in plaintext (a stripped or TLS-less server). */
  | "plaintext-fallback"
  /** TLS completed with a certificate a verifying client must refuse, and the client sent its credentials. */
  | "accepted-bad-certificate"
  /** A password-bearing response (scramble reply or password) crossed without TLS. */
  | "credentials-exposed"
  /** The greeting offered TLS and the client logged in without asking for it. */
  | "plaintext"
  /**
   * The client refused a flawed certificate before sending credentials: with a certificate alert
   * during the handshake, or by closing right after it (node's TLS clients check then, and the
   * server cannot tell that from a client that simply quit).
   */
  | "tls-verified-refused"
  /** TLS completed with a certificate without flaws and the client left before sending credentials. */
  | "tls-abandoned"
  /** The greeting offered no TLS and the client gave up before sending credentials. */
  | "refused-plaintext"
  /** The TLS handshake failed for another reason (versions, ciphers, a good certificate rejected, a reset). */
  | "tls-failed"
  /** The credentials went only inside TLS, to a server whose certificate has no flaw. */
  | "tls"
  /** The connection ended before the client showed what it does (protocol error, fault, timeout, stop). */
  | "incomplete";

/** Headline order: the first that applies names the connection (and the most telling of several). */
export const VERDICT_PRIORITY: readonly VerdictKind[] = [
  "plaintext-fallback",
  "accepted-bad-certificate",
  "credentials-exposed",
  "plaintext",
  "tls-verified-refused",
  "refused-plaintext",
  "tls-abandoned",
  "tls-failed",
  "tls",
];

export interface Verdict {
  /** The headline: the first finding by {@link VERDICT_PRIORITY}, or `incomplete`. */
  kind: VerdictKind;
  /** Every finding that applies, headline first (`incomplete` alone when none does). */
  findings: VerdictKind[];
  /** One sentence a person reads. Never holds a password: the record has none. */
  summary: string;
  /** What the credentials revealed and for which plugin, when a password-bearing response crossed without TLS. */
  exposure: { plugin: string; what: CredentialExposure } | null;
}

/** What each credential exposure is, in words. */
export const EXPOSURE_WORDS: Record<CredentialExposure, string> = {
  "scramble-reply": "scramble reply",
  "encrypted-password": "RSA-encrypted password",
  "cleartext-password": "password in cleartext",
};

function findingsOf(record: ConnectionRecord): VerdictKind[] {
  const tls = record.tls;
  const sentCredentials = record.user !== null;
  const negotiated = tls?.outcome === "negotiated";
  const flawed = (record.serverCertificate?.flaws.length ?? 0) > 0;
  const wentAway = record.outcome.kind === "client-went-away";
  const applies: Record<VerdictKind, boolean> = {
    "plaintext-fallback": !record.greeting.tlsOffered && !record.sslRequest && sentCredentials,
    "accepted-bad-certificate": negotiated && flawed && sentCredentials,
    "credentials-exposed": record.credentialsInPlaintext,
    plaintext: record.greeting.tlsOffered && !record.sslRequest && sentCredentials,
    "tls-verified-refused":
      flawed &&
      !sentCredentials &&
      ((tls?.outcome === "failed" && tls.failure.cause === "cert-rejected") || (negotiated && wentAway)),
    "refused-plaintext": !record.greeting.tlsOffered && !record.sslRequest && !sentCredentials && wentAway,
    "tls-abandoned": negotiated && !flawed && !sentCredentials && wentAway,
    "tls-failed": tls?.outcome === "failed",
    tls: negotiated && sentCredentials && !flawed && !record.credentialsInPlaintext,
    incomplete: false,
  };
  // A refusal explained by the certificate is not also a TLS failure.
  if (applies["tls-verified-refused"]) applies["tls-failed"] = false;
  const findings = VERDICT_PRIORITY.filter((kind) => applies[kind]);
  return findings.length > 0 ? findings : ["incomplete"];
}

function plugin(record: ConnectionRecord): string {
  return record.authSwitchedTo ?? record.clientAuthPlugin ?? "an auth plugin";
}

/** How the login ended, as a clause after a verdict's own words (also used by failure messages). */
export function describeEnding(record: ConnectionRecord): string {
  const outcome = record.outcome;
  switch (outcome.kind) {
    case "authenticated":
      return `logged in as ${record.user}`;
    case "refused":
      return `the server refused the login (${outcome.code} ${outcome.message})`;
    case "client-went-away":
      return `the client ${outcome.how === "reset" ? "reset" : "closed"} the connection in ${outcome.phase}`;
    case "tls-failed":
      return `TLS failed (${outcome.failure.cause}${outcome.failure.alert ? `: ${outcome.failure.alert}` : ""})`;
    case "protocol-error":
      return `the client broke the protocol in ${outcome.phase}: ${outcome.message}`;
    case "timeout":
      return `the login timed out in ${outcome.phase}`;
    case "fault":
      return `the server broke the connection on purpose (${outcome.action} at ${outcome.point})`;
    case "server-stopped":
      return `the server stopped during ${outcome.phase}`;
    case "pending":
      return "the connection is still open";
  }
}

function flawsText(record: ConnectionRecord): string {
  return (record.serverCertificate?.flaws ?? []).join(", ");
}

function tlsText(record: ConnectionRecord): string {
  const tls = record.tls;
  return tls?.outcome === "negotiated" ? `${tls.version} (${tls.cipher})` : "TLS";
}

function summaryOf(kind: VerdictKind, record: ConnectionRecord, exposure: Verdict["exposure"]): string {
  const exposed = exposure
    ? `its ${exposure.plugin} ${EXPOSURE_WORDS[exposure.what]} crossed unencrypted`
    : "its credentials crossed unencrypted";
  const tls = record.tls;
  switch (kind) {
    case "plaintext-fallback":
      return `The greeting offered no TLS and the client went on in plaintext: ${exposed}; ${describeEnding(record)}.`;
    case "accepted-bad-certificate":
      return `The client completed ${tlsText(record)} with a certificate that is flawed (${flawsText(record)}) and sent its credentials anyway; ${describeEnding(record)}.`;
    case "credentials-exposed":
      return `The client sent credentials outside TLS: ${exposed}; ${describeEnding(record)}.`;
    case "plaintext":
      return `The greeting offered TLS and the client logged in without it: ${exposed}; ${describeEnding(record)}.`;
    case "tls-verified-refused": {
      const alert = tls?.outcome === "failed" && tls.failure.alert ? `, alert ${tls.failure.alert}` : "";
      if (tls?.outcome === "failed") {
        return `The client refused the server certificate (${flawsText(record)}${alert}) during the handshake, before sending credentials.`;
      }
      return `The client closed right after the handshake without sending credentials, as a client that checks the flawed certificate (${flawsText(record)}) then does.`;
    }
    case "refused-plaintext":
      return "The greeting offered no TLS and the client gave up before sending credentials.";
    case "tls-abandoned":
      return `The client completed ${tlsText(record)} and left before sending credentials; the certificate has no flaw.`;
    case "tls-failed": {
      const failure = tls?.outcome === "failed" ? tls.failure : null;
      const cause = failure ? `${failure.cause}${failure.alert ? `: ${failure.alert}` : ""}` : "unknown";
      const clean = (record.serverCertificate?.flaws.length ?? 0) === 0 && failure?.cause === "cert-rejected";
      return clean
        ? `The client rejected a certificate without flaws (${cause}): it does not trust the CA it should.`
        : `The TLS handshake failed (${cause}) before any credentials were sent.`;
    }
    case "tls":
      return `The client sent its credentials only inside ${tlsText(record)}; ${describeEnding(record)}.`;
    case "incomplete":
      return `The client did not get as far as a TLS decision: ${describeEnding(record)}.`;
  }
}

/** The verdict on one connection's record (final once the connection has closed). */
export function verdictOf(record: ConnectionRecord): Verdict {
  const findings = findingsOf(record);
  const kind = findings[0]!;
  const exposure =
    record.credentialsInPlaintext && record.credentialExposure
      ? { plugin: plugin(record), what: record.credentialExposure }
      : null;
  return { kind, findings, summary: summaryOf(kind, record, exposure), exposure };
}
