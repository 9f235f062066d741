import type { CredentialExposure } from "../auth/auth-plugin";
import { describeTlsFailure } from "../tls/tls-failure";
import type { ConnectionRecord } from "./connection-record";
import { type CertificateRefusal, factsOf } from "./facts";
import { findingsOf } from "./findings";
import { type Verdict, type VerdictKind, worstSeverity } from "./verdict-vocabulary";

export { type Verdict, VERDICT_PRIORITY, type VerdictKind } from "./verdict-vocabulary";

/** What each credential exposure is, in words. */
export const EXPOSURE_WORDS: Record<CredentialExposure, string> = {
  "scramble-reply": "scramble reply",
  "encrypted-password": "RSA-encrypted password",
  "cleartext-password": "password in cleartext",
};

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
      return `TLS failed: ${describeTlsFailure(outcome.failure)}`;
    case "protocol-error":
      return `the client broke the protocol in ${outcome.phase}: ${outcome.message}`;
    case "timeout":
      return `the login timed out in ${outcome.phase}`;
    case "fault":
      return `the server broke the connection on purpose (${outcome.action} at ${outcome.point})`;
    case "server-stopped":
      return `the server stopped during ${outcome.phase}`;
    case "server-error":
      return `the server failed during ${outcome.phase}: ${outcome.message}`;
    case "relayed":
      return `relayed to the end inside TLS (the ${outcome.ended === "error" ? `relay failed: ${outcome.message ?? "error"}` : outcome.ended === "client-closed" ? "client closed first" : "server closed first"})`;
    case "upstream-failed":
      return `the real server could not be reached: ${outcome.message}`;
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

/** How a refusal was seen, as a clause: what the server observed, and what it inferred from it. */
function refusalText(refusal: CertificateRefusal | null): string {
  switch (refusal?.how) {
    case "alert":
      return `with alert ${refusal.alert ?? "(unnamed)"} during the handshake (observed)`;
    case "closed-after-server-flight":
      return (
        "by closing without an alert after the server's whole handshake flight and before its own Finished " +
        "(inferred: how Node's TLS stack refuses a certificate over TLS 1.3)"
      );
    case "closed-after-handshake":
      return (
        "by closing at once after the handshake, without close_notify and without a byte " +
        "(inferred: how Node's TLS stack refuses a certificate over TLS 1.2)"
      );
    default:
      return "";
  }
}

function summaryOf(kind: VerdictKind, record: ConnectionRecord, exposure: Verdict["exposure"]): string {
  const exposed = exposure
    ? `its ${exposure.plugin} ${EXPOSURE_WORDS[exposure.what]} crossed unencrypted`
    : record.credentialsInPlaintext
      ? "its credentials crossed unencrypted"
      : "its login crossed unencrypted";
  const tls = record.tls;
  const asked = record.tlsAskedInResponse ? " (its response asked for TLS, and none followed)" : "";
  switch (kind) {
    case "local-infile-sent": {
      const file = record.localInfile!;
      const how =
        tls?.outcome === "negotiated" && file.encrypted ? `inside ${tlsText(record)}` : "in plaintext";
      return (
        `The client sent the file ${file.requested} to a LOAD DATA LOCAL request its own query did not ask for: ` +
        `${file.bytes} bytes ${how} (SHA-256 ${file.sha256 ?? "not known until the transfer ends"}); ${describeEnding(record)}.`
      );
    }
    case "plaintext-fallback":
      return `The greeting offered no TLS and the client went on in plaintext${asked}: ${exposed}; ${describeEnding(record)}.`;
    case "accepted-bad-certificate":
      return `The client completed ${tlsText(record)} with a certificate that is flawed (${flawsText(record)}) and sent its login anyway; ${describeEnding(record)}.`;
    case "credentials-exposed":
      return `The client sent credentials outside TLS: ${exposed}; ${describeEnding(record)}.`;
    case "plaintext":
      return `The greeting offered TLS and the client logged in without it: ${exposed}; ${describeEnding(record)}.`;
    case "accepted-weak-tls": {
      const facts = factsOf(record);
      const weak = [...facts.weakSession, ...facts.weakFlaws].join(", ");
      return `The client sent its login over ${tlsText(record)} despite ${weak}; ${describeEnding(record)}.`;
    }
    case "tls-verified-refused":
      return `The client refused the server certificate (${flawsText(record)}) ${refusalText(factsOf(record).certificateRefusal)}, before sending credentials.`;
    case "refused-plaintext":
      return record.sslRequest
        ? "The greeting offered no TLS; the client asked for TLS anyway, got Bad handshake and sent no credentials."
        : "The greeting offered no TLS and the client gave up before sending credentials.";
    case "tls-abandoned": {
      const flaws = flawsText(record);
      const why = flaws
        ? `whether it checked the flawed certificate (${flaws}) or simply quit, the server cannot tell`
        : "the certificate has no flaw";
      return `The client completed ${tlsText(record)} and left before sending credentials; ${why}.`;
    }
    case "tls-failed": {
      const failure = tls?.outcome === "failed" ? tls.failure : null;
      const cause = failure ? describeTlsFailure(failure) : "unknown";
      const refusal = factsOf(record).certificateRefusal;
      const clean = (record.serverCertificate?.flaws.length ?? 0) === 0 && refusal !== null;
      return clean
        ? `The client rejected a certificate without flaws ${refusalText(refusal)}: it does not trust the CA it should.`
        : `The TLS handshake failed: ${cause}, before any credentials were sent.`;
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
  const kind = findings[0]!.kind;
  const exposure =
    record.credentialsInPlaintext && record.credentialExposure
      ? { plugin: record.credentialExposurePlugin ?? plugin(record), what: record.credentialExposure }
      : null;
  return {
    kind,
    severity: worstSeverity(findings.map((finding) => finding.severity)),
    findings,
    summary: summaryOf(kind, record, exposure),
    exposure,
  };
}
