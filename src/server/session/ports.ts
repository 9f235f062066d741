import type { Socket } from "node:net";
import type { Packet } from "../../protocol/framing";
import type { ConnectionRecord } from "../../record/connection-record";
import type { ConnectionRecorder, RecorderSink } from "../../record/connection-recorder";
import type { TlsAcceptor } from "../../tls/tls-acceptor";
import type { CommandResponder } from "../command-responder";
import type { ResolvedOptions } from "../options";
import type { Lifecycle } from "./lifecycle";
import type { SessionState } from "./state";
import type { SequenceIds, Wire } from "./wire";

/** Everything the server shares with its sessions. */
export interface SessionContext {
  options: ResolvedOptions;
  /** Null when the server has no TLS to offer. */
  tlsAcceptor: TlsAcceptor | null;
  /** Where records' events go, and how much of each packet the records keep. */
  events: RecorderSink;
  /** caching_sha2_password's server-side cache: users whose hash a full authentication stored. */
  cachingSha2Cache: Set<string>;
  /**
   * The address every client connects to, for a TCP listener bound to one address (so a session
   * need not ask its socket); undefined for a wildcard address, where it differs per connection.
   */
  listenerAddress?: string;
}

/**
 * What a phase handler may use of its session. A handler takes these and a packet and returns
 * the state the session is in next; it reads the record but writes it only through the recorder.
 */
export interface SessionPorts {
  readonly connectionId: number;
  readonly options: ResolvedOptions;
  readonly server: SessionContext;
  readonly record: Readonly<ConnectionRecord>;
  readonly recorder: ConnectionRecorder;
  readonly wire: Wire;
  readonly lifecycle: Lifecycle;
  readonly sequence: SequenceIds;
  /** The greeting's 20-byte nonce (5.7 reuses it for COM_CHANGE_USER). */
  readonly scramble: Buffer;
  readonly commands: CommandResponder;
  /**
   * Capabilities that govern the session: what the client sent (its SSLRequest's, or its
   * response's without TLS) and the greeting offered. Clients set bits the server never offered
   * (mysql2 sends CLIENT_QUERY_ATTRIBUTES to a 5.7 greeting); those must not shape the replies.
   */
  readonly clientCapabilities: number;
  /**
   * MariaDB extended capabilities both sides set (the greeting's `mariadbCapabilities` and the
   * client's reserved bytes): they change the resultset format. 0 for a MySQL greeting or client.
   */
  readonly extendedCapabilities: number;
  /** Whether the greeting offers TLS: what the client sees, not what the server could do. */
  readonly tlsOffered: boolean;
  /** The address the client connected to, read at accept: a closed socket no longer says. */
  readonly localAddress: string | undefined;
  /** The TCP socket, under TLS once it is up. */
  readonly socket: Socket;
  readonly state: SessionState;

  /** Moves to `state` (the record's phase with it) and returns it. */
  enter<S extends SessionState>(state: S): S;
  /**
   * Takes the capability word the client sent, and the reserved bytes of its packet (where a
   * MariaDB client puts its extended capabilities): recorded as sent, kept as the greeting allows.
   */
  setClientCapabilities(flags: number, reserved?: Buffer): void;
  /** The login completed: from here max_allowed_packet and the net_* timeouts apply. */
  completeLogin(): void;
  /** Stops reading MySQL packets from the TCP socket and gives the bytes read ahead back to it. */
  handOverToTls(): void;
  /** Reads MySQL packets from the TLS socket, framed afresh. */
  readInsideTls(): void;
  /** Frames `bytes` (read off the socket past the framer) as the next packet, if they hold one whole. */
  framePlaintext(bytes: Buffer): Packet | undefined;
}
