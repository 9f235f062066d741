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
