import type { X509Certificate } from "node:crypto";
import type { TLSSocket } from "node:tls";
import type { ClientHelloSummary } from "./client-hello";
import type { TlsFailure } from "./tls-failure";

/** How the server treats client certificates. MySQL 5.7 always asks and never insists. */
export type ClientCertificateMode = "none" | "request" | "require";

/** A certificate as the record shows it: enough to tell which one it was, never key material. */
export interface CertificateSummary {
  /** One-line form, as MySQL compares it for REQUIRE SUBJECT: `/C=SE/O=MySQL/CN=client`. */
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  fingerprint256: string;
  serialNumber: string;
}

/** A completed handshake, as the session keeps it. */
export interface NegotiatedTls {
  socket: TLSSocket;
  /** `TLSv1` … `TLSv1.3`, as MySQL's Ssl_version shows it. */
  version: string;
  /** OpenSSL cipher name, as MySQL's Ssl_cipher shows it. */
  cipher: string;
  /** The SNI the client sent, or null. */
  sni: string | null;
  clientCertificate: CertificateSummary | null;
  /** Whether a presented client certificate chained to the server's CA (false when none was presented). */
  clientCertificateVerified: boolean;
  clientCertificateError: string | null;
  /** `performance.now()` when the server saw the handshake complete. */
  completedAt: number;
  /**
   * Bytes read from the client's TCP socket by then (its SSLRequest included). A record sent right
   * behind the client's Finished may be in the same read, and so already counted.
   */
  socketBytesAtCompletion: number;
  /** Whether the client resumed an earlier session (an abbreviated handshake). */
  resumed: boolean;
}

/**
 * How a client ended a completed TLS session it had sent nothing inside: what the server read from
 * the socket after the handshake, not what the client meant by it.
 */
export interface ClientClose {
  /**
   * Whether the client ended TLS with close_notify:
   * - `true`: it sent TLS records after the handshake that carried no data and raised no error, and
   *   then closed: its close_notify. (A warning alert or a TLSv1.3 KeyUpdate would count the same;
   *   no client measured sends either there.)
   * - `false`: it sent nothing after the handshake, and could not have sent close_notify in the
   *   read that completed it: over a full TLS 1.2 (or older) handshake the server's Finished comes
   *   last, and a client's close_notify can only follow it;
   * - `null`: the server cannot tell. Either nothing came in a later read, but over TLSv1.3 (or a
   *   resumed TLS 1.2 session) the client's Finished is the last handshake message, and a
   *   close_notify written right behind it (as `openssl s_client` does) arrives in the same read;
   *   or bytes came and the stream then ended in an error (a reset), so what they were is unknown.
   */
  closeNotify: boolean | null;
  /** TLS bytes read from the client after the read that completed the handshake. */
  bytesAfterHandshake: number;
  /** Milliseconds from the completed handshake to the close, to 0.1 ms. */
  afterMs: number;
}

/** What the socket showed when a client closed a TLS session it had sent no data inside. */
export interface SocketAtClose {
  /** Bytes read from the client's TCP socket in all. */
  socketBytes: number;
  /** `performance.now()` at the close. */
  closedAt: number;
  /** The TLS socket or the TCP socket under it reported an error (a reset, a fatal alert) before closing. */
  errored: boolean;
}

const TLS_VERSIONS_WITH_SERVER_FINISHED_LAST: ReadonlySet<string> = new Set([
  "SSLv3",
  "TLSv1",
  "TLSv1.1",
  "TLSv1.2",
]);

/** How the client ended `tls`, given what its socket showed at the close (see {@link ClientClose}). */
export function clientCloseOf(tls: NegotiatedTls, atClose: SocketAtClose): ClientClose {
  const bytesAfterHandshake = atClose.socketBytes - tls.socketBytesAtCompletion;
  const serverFinishedLast = TLS_VERSIONS_WITH_SERVER_FINISHED_LAST.has(tls.version) && !tls.resumed;
  let closeNotify: boolean | null;
  if (bytesAfterHandshake > 0) closeNotify = atClose.errored ? null : true;
  else closeNotify = serverFinishedLast ? false : null;
  return {
    closeNotify,
    bytesAfterHandshake,
    afterMs: Math.round((atClose.closedAt - tls.completedAt) * 10) / 10,
  };
}

export type TlsUpgradeResult =
  | { ok: true; tls: NegotiatedTls; clientHello: ClientHelloSummary | null }
  | { ok: false; failure: TlsFailure; clientHello: ClientHelloSummary | null; socket: TLSSocket | null };

/**
 * The X509_NAME_oneline form from node's X509Certificate names, which keep the certificate's
 * attribute order one per line (`C=SE\nCN=client`). Values are not escaped, as OpenSSL 1.x — which
 * 5.7 links — did not escape them.
 */
export function onelineFromMultiline(name: string): string {
  return name === "" ? "" : `/${name.split("\n").join("/")}`;
}

/** A presented certificate as the record shows it. */
export function summarizeCertificate(x509: X509Certificate): CertificateSummary {
  return {
    subject: onelineFromMultiline(x509.subject),
    issuer: onelineFromMultiline(x509.issuer),
    validFrom: x509.validFrom,
    validTo: x509.validTo,
    fingerprint256: x509.fingerprint256,
    serialNumber: x509.serialNumber,
  };
}
