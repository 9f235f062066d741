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
  /**
   * Set when the client went away without an alert (cause `closed` or `reset`) after the server had
   * written its whole first flight, Finished included, and before the client's side of the
   * handshake was complete. Only a TLSv1.3 server can show it: OpenSSL logs the server's
   * SERVER_TRAFFIC_SECRET_0 once it has written its Finished, and that flight is all the server sends
   * before the client's Finished (in TLSv1.2 the server's Finished comes last). Node's TLS clients
   * (mysql2, mysql, mariadb) refusing a certificate over TLSv1.3 end this way.
   */
  afterServerFlight?: true;
  /**
   * TLS bytes the client sent after its ClientHello before the handshake failed, as read from its
   * socket: 0 means nothing at all — no ChangeCipherSpec, no Certificate, no Finished, no alert.
   * Absent when no whole ClientHello was read.
   */
  bytesAfterClientHello?: number;
}

/**
 * A failed handshake in words for people: the cause, and the client's alert when it sent one —
 * `cert-rejected (unknown_ca)`. Every text output says it this way.
 */
export function describeTlsFailure(failure: Pick<TlsFailure, "cause" | "alert">): string {
  return failure.alert ? `${failure.cause} (${failure.alert})` : failure.cause;
}

/** What the server saw of a failed handshake besides the error, from its own side of the connection. */
export interface HandshakeProgress {
  /** The server had written its Finished (TLSv1.3: its whole flight before the client's Finished). */
  serverFinishedSent: boolean;
  /** TLS bytes read from the client after its ClientHello; null when no whole ClientHello was read. */
  bytesAfterClientHello: number | null;
}

/** Causes that mean the client left without saying why: no alert, just the end of the stream. */
const WENT_AWAY: ReadonlySet<TlsFailureCause> = new Set(["closed", "reset"]);

/** `failure` with what the server saw of the handshake's progress added (see {@link TlsFailure}). */
export function withHandshakeProgress(failure: TlsFailure, progress: HandshakeProgress): TlsFailure {
  return {
    ...failure,
    ...(progress.serverFinishedSent && WENT_AWAY.has(failure.cause)
      ? { afterServerFlight: true as const }
      : {}),
    ...(progress.bytesAfterClientHello !== null
      ? { bytesAfterClientHello: progress.bytesAfterClientHello }
      : {}),
  };
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
 * The name of the TLS alert a server-side TLSSocket's error reports receiving from the client
 * (`handshake_failure`, `unknown_ca`, …), or null when the error is not a received alert. After the
 * handshake it says how a client aborted its session: OpenSSL clients whose renegotiation the
 * server refuses send `handshake_failure`.
 */
export function tlsAlertOf(error: NodeJS.ErrnoException): string | null {
  const match = /^ERR_SSL_(?:TLSV1|SSLV3|TLSV13)_ALERT_(.+)$/.exec(error.code ?? "");
  return match ? match[1]!.toLowerCase() : null;
}

/** The failure a fatal TLS alert names (`unknown_ca`: the certificate was rejected). */
export function failureOfAlert(alert: string, message: string): TlsFailure {
  if (CERTIFICATE_ALERTS.has(alert)) return { cause: "cert-rejected", alert, message };
  if (alert === "protocol_version") return { cause: "protocol-version", alert, message };
  if (alert === "handshake_failure" || alert === "insufficient_security")
    return { cause: "no-shared-cipher", alert, message };
  return { cause: "unknown", alert, message };
}

/**
 * Classifies an error emitted by a server-side TLSSocket. OpenSSL reports a received alert as
 * `ERR_SSL_TLSV1_ALERT_<NAME>` / `ERR_SSL_SSLV3_ALERT_<NAME>` (reason "tlsv1 alert unknown ca").
 */
export function classifyTlsError(error: NodeJS.ErrnoException): TlsFailure {
  const code = error.code ?? "";
  const message = error.message;
  const alert = tlsAlertOf(error);
  if (alert !== null) return failureOfAlert(alert, message);
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
