import type { CertificateFlaw } from "../../src/certs/assess-certificate";
import type { ConnectionRecord, TlsRecord } from "../../src/record/connection-record";
import { newConnectionRecord } from "../../src/record/new-connection-record";

/**
 * Hand-built records for the judging code: each test states the few facts it is about and gets
 * the rest from a connection that did nothing remarkable. The server's own records are tested
 * with real clients elsewhere; these pin the rules.
 */

/** A record of a client that received the greeting (TLS offered, certificate without flaw) and did nothing yet. */
export function aRecord(overrides: Partial<ConnectionRecord> = {}): ConnectionRecord {
  return {
    ...newConnectionRecord({
      id: 1,
      startedAt: Date.parse("2026-12-05T00:00:00.000Z"),
      client: { address: "127.0.0.1", port: 50000 },
      greeting: {
        serverVersion: "5.7.41",
        capabilityFlags: 0xc1ffffff,
        tlsOffered: true,
        authPluginName: "mysql_native_password",
      },
      serverCertificate: { subject: "/CN=localhost", flaws: [], hosts: ["127.0.0.1"] },
    }),
    endedAt: "2026-12-05T00:00:01.000Z",
    phase: "closed",
    outcome: { kind: "client-went-away", phase: "handshake-response", how: "closed" },
    ...overrides,
  };
}

/** A completed TLS handshake. */
export function negotiated(extra: Partial<Extract<TlsRecord, { outcome: "negotiated" }>> = {}): TlsRecord {
  return {
    outcome: "negotiated",
    version: "TLSv1.2",
    cipher: "ECDHE-RSA-AES256-GCM-SHA384",
    sni: null,
    clientHello: null,
    clientCertificate: null,
    clientCertificateVerified: false,
    ...extra,
  };
}

/** The greeting without CLIENT_SSL (a TLS-less server or a stripping proxy), and no certificate shown. */
export const NO_TLS_GREETING: Partial<ConnectionRecord> = {
  greeting: {
    serverVersion: "5.7.41",
    capabilityFlags: 0x81fff7ff,
    tlsOffered: false,
    authPluginName: "mysql_native_password",
  },
  serverCertificate: null,
};

/** A certificate with these flaws. */
export function flawed(...flaws: CertificateFlaw[]): Partial<ConnectionRecord> {
  return { serverCertificate: { subject: "/CN=localhost", flaws, hosts: ["127.0.0.1"] } };
}

/** A native-password login over TLS that the server accepted. */
export const TLS_LOGIN: Partial<ConnectionRecord> = {
  sslRequest: true,
  tls: negotiated(),
  user: "app",
  clientAuthPlugin: "mysql_native_password",
  credentialExposure: "scramble-reply",
  outcome: { kind: "authenticated", ended: "quit" },
};

/** A native-password login in plaintext that the server accepted. */
export const PLAINTEXT_LOGIN: Partial<ConnectionRecord> = {
  user: "app",
  clientAuthPlugin: "mysql_native_password",
  credentialExposure: "scramble-reply",
  credentialsInPlaintext: true,
  outcome: { kind: "authenticated", ended: "quit" },
};
