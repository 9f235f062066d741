import type { CertificateAssessment } from "../certs/assess-certificate";
import type { ConnectionRecord } from "./connection-record";

/** What is known of a connection the moment it is accepted. */
export interface AcceptedConnection {
  /** The connection id the greeting announces. */
  id: number;
  /** When the connection was accepted, in milliseconds since the epoch. */
  startedAt: number;
  /** The client's address and port; a Unix-socket client is `localhost`, port 0. */
  client: { address: string; port: number };
  /** The greeting this server sends (or would have sent, for a connection refused before it). */
  greeting: ConnectionRecord["greeting"];
  /** The certificate a client is shown, judged; null where the greeting offers no TLS. */
  serverCertificate: CertificateAssessment | null;
}

/**
 * The record of a connection that has just been accepted: nothing seen from the client yet, the
 * outcome pending. Every record starts here, whether a session fills it in or the server refuses
 * the connection before its greeting.
 */
export function newConnectionRecord(connection: AcceptedConnection): ConnectionRecord {
  return {
    id: connection.id,
    startedAt: new Date(connection.startedAt).toISOString(),
    endedAt: null,
    client: connection.client,
    phase: "greeting",
    greeting: connection.greeting,
    clientCapabilityFlags: null,
    clientCapabilities: [],
    sslRequest: false,
    tlsAskedInResponse: false,
    capabilitiesChangedAfterTls: null,
    tls: null,
    serverCertificate: connection.serverCertificate,
    user: null,
    database: null,
    clientAuthPlugin: null,
    authSwitchedTo: null,
    connectAttributes: null,
    credentialsInPlaintext: false,
    credentialExposure: null,
    commands: [],
    packets: [],
    localInfile: null,
    outcome: { kind: "pending" },
    verdict: null,
  };
}
