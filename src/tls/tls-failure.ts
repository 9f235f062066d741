/**
 * Why a TLS handshake did not complete, as a closed set (mockttp's `failureCause` idea): tests
 * compare causes, never error strings.
 */
export type TlsFailureCause =
  | "cert-rejected"
  | "protocol-version"
  | "no-shared-cipher"
  | "not-tls"
  | "reset"
  | "closed"
  | "timeout"
  /** The server broke the handshake on purpose (a scenario's fault). */
  | "server-fault"
  | "unknown";

export interface TlsFailure {
  cause: TlsFailureCause;
  /** TLS alert name when one was received from the client, e.g. `unknown_ca`, `bad_certificate`. */
  alert?: string;
  /** Raw text of the underlying error, for causes we could not name. */
  message: string;
}

/** Alerts a client sends when it rejects the server's certificate. */
const CERTIFICATE_ALERTS = new Set([
  "bad_certificate",
  "unsupported_certificate",
  "certificate_revoked",
  "certificate_expired",
  "certificate_unknown",
  "unknown_ca",
  "access_denied",
  "decrypt_error",
]);

/**
 * Classifies an error emitted by a server-side TLSSocket. OpenSSL reports a received alert as
 * `ERR_SSL_TLSV1_ALERT_<NAME>` / `ERR_SSL_SSLV3_ALERT_<NAME>` (reason "tlsv1 alert unknown ca").
 */
export function classifyTlsError(error: NodeJS.ErrnoException): TlsFailure {
  const code = error.code ?? "";
  const message = error.message;
  const alertMatch = /^ERR_SSL_(?:TLSV1|SSLV3|TLSV13)_ALERT_(.+)$/.exec(code);
  if (alertMatch) {
    const alert = alertMatch[1]!.toLowerCase();
    if (CERTIFICATE_ALERTS.has(alert)) return { cause: "cert-rejected", alert, message };
    if (alert === "protocol_version") return { cause: "protocol-version", alert, message };
    if (alert === "handshake_failure" || alert === "insufficient_security")
      return { cause: "no-shared-cipher", alert, message };
    return { cause: "unknown", alert, message };
  }
  // node reports a clean end of stream during the handshake as ECONNRESET from no system call
  // ("socket hang up"); a real reset comes from the read that saw it (syscall "read").
  if (code === "ECONNRESET" && error.syscall === undefined) return { cause: "closed", message };
  if (code === "ECONNRESET" || code === "EPIPE") return { cause: "reset", message };
  if (
    code === "ERR_SSL_UNSUPPORTED_PROTOCOL" ||
    code === "ERR_SSL_WRONG_VERSION_NUMBER" ||
    code === "ERR_SSL_NO_PROTOCOLS_AVAILABLE" ||
    code === "ERR_SSL_VERSION_TOO_LOW"
  )
    return { cause: "protocol-version", message };
  if (code === "ERR_SSL_NO_SHARED_CIPHER" || code === "ERR_SSL_NO_SUITABLE_SIGNATURE_ALGORITHM")
    return { cause: "no-shared-cipher", message };
  if (code === "ERR_SSL_HTTP_REQUEST" || code === "ERR_SSL_PACKET_LENGTH_TOO_LONG")
    return { cause: "not-tls", message };
  return { cause: "unknown", message };
}
