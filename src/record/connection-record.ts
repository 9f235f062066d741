import type { CredentialExposure } from "../auth/auth-plugin";
import type { CertificateAssessment } from "../certs/assess-certificate";
import type { FaultAction, FaultPoint } from "../options/faults";
import type { ErrPacket } from "../protocol/packets/err-packet";
import type { ClientHelloSummary } from "../tls/client-hello";
import type { TlsFailure } from "../tls/tls-failure";
import type { CertificateSummary, ClientClose } from "../tls/tls-session";
import type { Verdict } from "./verdict-vocabulary";

/** Where in the login a connection is. The same names label packets and events. */
export type Phase =
  | "greeting"
  | "handshake-response"
  | "tls-handshake"
  | "tls-handshake-response"
  | "authentication"
  | "command"
  | "closed";

export type Direction = "client" | "server";

/** One MySQL packet as it crossed the wire. */
export interface PacketRecord {
  /** Milliseconds since the connection was accepted. */
  atMs: number;
  direction: Direction;
  phase: Phase;
  sequenceId: number;
  /** Payload length in bytes (without the 4-byte header). */
  length: number;
  /** Packet type by its protocol name, e.g. `HandshakeV10`, `SSLRequest`, `COM_QUERY`, `ERR`. */
  type: string;
  /** Whether the packet travelled inside TLS. */
  encrypted: boolean;
  /** Up to `recordPayloadBytes` of the payload as hex; absent where it may carry credentials. */
  payloadHex?: string;
  /**
   * Set where the payload is withheld because it may carry authentication data: any client packet
   * before the login completes or inside an auth exchange (COM_CHANGE_USER's), COM_CHANGE_USER
   * itself, and any packet out of sequence. Only a bare SSLRequest shows its payload before login.
   */
  redacted?: true;
}

export type TlsRecord =
  | {
      outcome: "negotiated";
      version: string;
      cipher: string;
      sni: string | null;
      clientHello: ClientHelloSummary | null;
      clientCertificate: CertificateSummary | null;
      clientCertificateVerified: boolean;
      /**
       * Set when the client closed the completed session without sending a byte inside it (no
       * MySQL packet, not part of one): how it ended TLS, as far as the server can see.
       */
      clientClosed?: ClientClose;
    }
  | { outcome: "failed"; failure: TlsFailure; clientHello: ClientHelloSummary | null };

/** How the connection ended up, from the server's side. */
export type ConnectionOutcome =
  | { kind: "pending" }
  /** Logged in; `ended` says how the session finished. */
  | {
      kind: "authenticated";
      ended: "quit" | "client-closed" | "server-stopped" | "timeout" | "error" | null;
      /** Why it ended with `error`: the socket error, or the protocol error the client made after login. */
      error?: string;
    }
  /**
   * The server refused the login with an ERR packet. `reason` says why where the ERR does not
   * (a failed REQUIRE looks like a wrong password to the client, as in MySQL).
   */
  | ({ kind: "refused"; reason?: string } & Required<ErrPacket>)
  /** The TLS handshake did not complete. */
  | { kind: "tls-failed"; failure: TlsFailure }
  /** The client closed or reset before the login finished (e.g. after a greeting it rejected). */
  | { kind: "client-went-away"; phase: Phase; how: "closed" | "reset" }
  /** The client sent bytes the protocol does not allow; the connection was closed. */
  | { kind: "protocol-error"; phase: Phase; message: string }
  /** The login did not finish within the connect timeout. */
  | { kind: "timeout"; phase: Phase }
  /** The server broke the connection on purpose (a scenario's fault). */
  | { kind: "fault"; point: FaultPoint; action: FaultAction }
  /** The server was stopped while the login was under way. */
  | { kind: "server-stopped"; phase: Phase }
  /**
   * The host program failed the server before the login completed (an event listener threw): only
   * this connection was ended. After login the same ends an `authenticated` session with `error`.
   */
  | { kind: "server-error"; phase: Phase; message: string }
  /**
   * A proxy relayed the connection to its end without seeing how the login went, because it went
   * inside TLS the proxy does not terminate; `ended` says which side closed first.
   */
  | { kind: "relayed"; ended: "client-closed" | "server-closed" | "error"; message?: string }
  /** A proxy could not reach the real server (refused, timed out); the client was closed. */
  | { kind: "upstream-failed"; message: string };

/**
 * A LOAD DATA LOCAL request the server made (a rogue server's, or a proxy's), and what the client
 * sent for it. The contents are never kept: only their length and digest, so a record can prove
 * which file left the client without holding it.
 */
export interface LocalInfileRecord {
  /** The file name the server asked for. */
  requested: string;
  /**
   * The client's own query was a `LOAD DATA LOCAL INFILE` naming that file: sending it is then
   * what the client meant, not something a server made it do.
   */
  askedByQuery: boolean;
  /** The client sent file contents: at least one byte. */
  sent: boolean;
  /** Bytes of contents received: the data packets' payloads, headers and the closing empty packet excluded. */
  bytes: number;
  /** SHA-256 of those bytes in order, as hex; null when none came. */
  sha256: string | null;
  /**
   * How the client declined, when it sent no contents: `empty-packet` (it answered with the empty
   * packet at once, as libmariadb and mysql2 do when local files are off; an empty file looks the
   * same on the wire), `no-answer` (the connection ended, or the client sent something else, before
   * it answered). Null when it sent contents or has not answered yet.
   */
  refused: "empty-packet" | "no-answer" | null;
  /** The client ended the contents with its empty packet; false while it sends, or when cut short. */
  complete: boolean;
  /** Whether the request and the contents crossed inside TLS. */
  encrypted: boolean;
}

/** Everything the server saw one client do. */
export interface ConnectionRecord {
  /** The connection id the greeting announced. */
  id: number;
  startedAt: string;
  endedAt: string | null;
  client: { address: string; port: number };
  phase: Phase;
  greeting: {
    serverVersion: string;
    capabilityFlags: number;
    tlsOffered: boolean;
    authPluginName: string;
  };
  /** Capability flags the client sent (from its SSLRequest, or its response when it sent none). */
  clientCapabilityFlags: number | null;
  clientCapabilities: string[];
  sslRequest: boolean;
  /**
   * The client set CLIENT_SSL in a whole plaintext handshake response, to a greeting that offered
   * no TLS: a response that asked for TLS, not an SSLRequest (its credentials crossed unencrypted).
   */
  tlsAskedInResponse: boolean;
  /** Capabilities in the response inside TLS when they differ from the SSLRequest's (the server ignores them). */
  capabilitiesChangedAfterTls: number | null;
  tls: TlsRecord | null;
  /**
   * The certificate the server presents and what a verifying client should object to in it
   * (judged against the CA a correctly configured client trusts); null when the greeting offers no TLS.
   */
  serverCertificate: CertificateAssessment | null;
  user: string | null;
  database: string | null;
  /** The auth plugin the client's response was for. */
  clientAuthPlugin: string | null;
  /**
   * Set when the server switched the client to another plugin during the login. Like `user` and
   * `clientAuthPlugin` it describes the login: a later COM_CHANGE_USER's switch is told by its
   * `auth-switch` event alone.
   */
  authSwitchedTo: string | null;
  connectAttributes: Record<string, string> | null;
  /**
   * True when a password-bearing response (a scramble reply or a password) crossed without TLS.
   * The record never holds the password or the reply itself.
   */
  credentialsInPlaintext: boolean;
  /**
   * What the client's auth data revealed: a scramble reply, the password itself, or the password
   * RSA-encrypted (sha256_password / caching_sha2_password over plaintext). Null when none was sent.
   */
  credentialExposure: CredentialExposure | null;
  /**
   * The auth plugin whose data revealed `credentialExposure` (a COM_CHANGE_USER's plugin may not be
   * the login's). Absent when no auth data was sent.
   */
  credentialExposurePlugin?: string;
  /**
   * Queries and other commands the client sent after login, in order: the newest `keepCommands`
   * of them. A query longer than `RECORDED_QUERY_CHARS` is kept cut to that length, with
   * `queryLength` its full length.
   */
  commands: Array<{ command: string; query?: string; queryLength?: number }>;
  /** How many of the oldest commands were left out of `commands` to keep it within `keepCommands`. */
  commandsDropped?: number;
  /** The packets that crossed, in order: the newest `keepPackets` of them. */
  packets: PacketRecord[];
  /** How many of the oldest packets were left out of `packets` to keep it within `keepPackets`. */
  packetsDropped?: number;
  /** The LOAD DATA LOCAL request the server made after login, and what the client sent; null when none was made. */
  localInfile: LocalInfileRecord | null;
  outcome: ConnectionOutcome;
  /** What the client did, in a word and a sentence; set when the connection closes. */
  verdict: Verdict | null;
  /**
   * Set on a connection a proxy relayed to a real server: where to, and whether the client sent
   * data inside TLS after the handshake (its login, which the proxy cannot read).
   */
  relay?: {
    upstream: string;
    attack: string;
    dataInsideTls: boolean;
    /**
     * Records of data the client sent inside TLS after the handshake (its login, then its
     * commands): two or more mean the server let it in, as a refused client sends nothing after
     * its login.
     */
    clientRecordsInsideTls: number;
  };
}
