import { rm } from "node:fs/promises";
import type { Socket } from "node:net";
import { ErrorCode } from "../protocol/constants";
import { encodePacket } from "../protocol/framing";
import { encodeErr } from "../protocol/packets/err-packet";
import type { ConnectionRecord } from "../record/connection-record";
import { ConnectionRecorder } from "../record/connection-recorder";
import type { KeyLogSink } from "../record/key-log-sink";
import { newConnectionRecord } from "../record/new-connection-record";
import { boundRecord } from "../record/retention";
import type { TlsAcceptor } from "../tls/tls-acceptor";
import { describeValue } from "../options/describe-value";
import { ServerConfigurationError } from "../options/configuration-error";
import { DEFAULT_ACCOUNT } from "../options/account-options";
import { ConnectionHost } from "./connection-host";
import { type ServerParts, tlsAcceptorFor } from "./listen";
import { isWildcardAddress, type ResolvedOptions, type ResolvedTls } from "./options";
import { Session, type SessionContext } from "./session";

export { ConnectionRecordDroppedError, ServerStoppedError } from "./connection-host";

/** ER_CON_COUNT_ERROR's text in 5.7's sql/share/errmsg-utf8.txt. */
const TOO_MANY_CONNECTIONS = "Too many connections";
/** mysql_errno_to_sqlstate(ER_CON_COUNT_ERROR): on the record only, the client is not sent it. */
const TOO_MANY_CONNECTIONS_SQLSTATE = "08004";

/**
 * Options the listener or the kept records were built with: {@link ServerCore.reconfigure} cannot
 * change them without closing the listener, which would refuse clients mid-run.
 */
export const LISTENER_OPTIONS = ["host", "port", "socketPath", "backlog", "keepConnections"] as const;

/**
 * A running server: it accepts connections, runs a session for each, keeps their records and
 * emits their events. It knows options, not scenarios; the public `MockServer` (src/mock-server.ts)
 * adds the scenario it serves.
 */
export class ServerCore extends ConnectionHost {
  private readonly cachingSha2Cache = new Set<string>();
  private nextConnectionId: number;
  /** What every new session shares with the server; replaced by {@link reconfigure}. */
  private sessionContext: SessionContext;
  private readonly keyLog: KeyLogSink | null;
  private current: ResolvedOptions;

  /** @internal use `startMockServer` */
  constructor({ server, options, tlsAcceptor, sink, keyLog }: ServerParts) {
    super({ server, keepConnections: options.keepConnections, sink });
    this.current = options;
    this.keyLog = keyLog;
    this.nextConnectionId = options.firstConnectionId;
    this.sessionContext = this.contextFor(options, tlsAcceptor);
  }

  /** The options in force for new connections, with every default applied. */
  get options(): ResolvedOptions {
    return this.current;
  }

  /** What sessions started with `options` share with the server. */
  private contextFor(options: ResolvedOptions, tlsAcceptor: TlsAcceptor | null): SessionContext {
    if (options.cachingSha2CacheWarm) {
      for (const account of options.accounts) this.cachingSha2Cache.add(account.user);
    }
    const listenerAddress = this.boundAddress();
    return {
      options,
      tlsAcceptor,
      events: this.recorderSink(options.recordPackets, options.recordPayloadBytes),
      cachingSha2Cache: this.cachingSha2Cache,
      ...(listenerAddress !== undefined ? { listenerAddress } : {}),
    };
  }

  /**
   * The one address a TCP listener is bound to, which every client then connects to; undefined on
   * a Unix socket and on a wildcard address (0.0.0.0, ::), where only the socket knows.
   */
  private boundAddress(): string | undefined {
    const address = this.server.address();
    if (address === null || typeof address === "string") return undefined;
    return isWildcardAddress(address.address) ? undefined : address.address;
  }

  /**
   * Serves NEW connections with other options; connections already open keep the options they
   * started with. The listener stays, so the options it was built with ({@link LISTENER_OPTIONS})
   * must not change: a {@link ServerConfigurationError} names the first that does. The key-log file
   * is the one opened at start: a server started without TLS has none.
   */
  reconfigure(options: ResolvedOptions): void {
    for (const name of LISTENER_OPTIONS) {
      if (options[name] !== this.current[name]) {
        throw new ServerConfigurationError(
          name,
          `cannot change while the server runs (${describeValue(this.current[name])} → ${describeValue(options[name])}): stop and start a new server`,
        );
      }
    }
    // The socket folder belongs to the running listener, which stop() removes.
    this.current = { ...options, socketDir: this.current.socketDir };
    this.sessionContext = this.contextFor(this.current, tlsAcceptorFor(options.tls, this.keyLog));
  }

  /** The first account's user name (`root` when no account was configured). */
  get user(): string {
    return this.current.accounts[0]?.user ?? DEFAULT_ACCOUNT.user;
  }

  /** The first account's password (`root` when no account was configured). */
  get password(): string {
    return this.current.accounts[0]?.password ?? DEFAULT_ACCOUNT.password;
  }

  /** The Unix socket the server listens on, or null on TCP. */
  get socketPath(): string | null {
    return this.options.socketPath;
  }

  /**
   * A connection URL with the first account's credentials, URL-encoded, e.g.
   * `mysql://root:root@127.0.0.1:40123/`, as mysql2's `createConnection(url)` takes it.
   */
  get url(): string {
    const host = this.host.includes(":") ? `[${this.host}]` : this.host;
    const credentials = `${encodeURIComponent(this.user)}:${encodeURIComponent(this.password)}`;
    return `mysql://${credentials}@${host}:${this.port}/`;
  }

  /** The CA (PEM) a client should trust to verify this server, when TLS is on. */
  get ca(): string | undefined {
    const ca = this.options.tls?.ca;
    return ca === undefined ? undefined : ca.toString();
  }

  /** The TLS settings in force, or null when the greeting does not offer TLS. */
  get tls(): ResolvedTls | null {
    return this.options.tls;
  }

  protected override async closeResources(): Promise<void> {
    await this.keyLog?.close();
    if (this.options.socketDir) await rm(this.options.socketDir, { recursive: true, force: true });
  }

  protected nextId(): number {
    const id = this.nextConnectionId;
    this.nextConnectionId = (this.nextConnectionId + 1) >>> 0;
    return id;
  }

  protected take(socket: Socket, id: number) {
    if (this.openConnections >= this.options.maxConnections) return this.refuseTooMany(socket, id);
    const session = new Session(socket, id, this.sessionContext);
    boundRecord(session.record, this.options);
    return { connection: session, start: () => session.start() };
  }

  /**
   * Past `maxConnections`, as 5.7's `Connection_handler_manager::process_new_connection`: ERR 1040
   * in place of the greeting, written by `net_send_error` with no client capabilities (so no
   * `#SQLSTATE`) and sequence id 0, then the socket is closed.
   */
  private refuseTooMany(socket: Socket, id: number): { record: ConnectionRecord; closed: Promise<void> } {
    const startedAt = Date.now();
    const record = newConnectionRecord({
      id,
      startedAt,
      client: { address: socket.remoteAddress ?? "localhost", port: socket.remotePort ?? 0 },
      // The greeting this server sends; this client was refused before it.
      greeting: {
        serverVersion: this.options.serverVersion,
        capabilityFlags: this.options.capabilityFlags,
        tlsOffered: false,
        authPluginName: this.options.defaultAuthPlugin,
      },
      serverCertificate: null,
    });
    boundRecord(record, this.options);
    const recorder = new ConnectionRecorder(record, this.sessionContext.events, startedAt);
    recorder.opened();
    const err = { code: ErrorCode.ER_CON_COUNT_ERROR, message: TOO_MANY_CONNECTIONS };
    const payload = encodeErr(err, 0);
    recorder.packet("server", 0, payload, "ERR", false);
    recorder.setOutcome({
      kind: "refused",
      ...err,
      sqlState: TOO_MANY_CONNECTIONS_SQLSTATE,
      reason: `max_connections (${this.options.maxConnections}) reached`,
    });
    const closed = new Promise<void>((resolve) => {
      socket.once("close", () => {
        recorder.phase("closed");
        recorder.finish();
        resolve();
      });
    });
    // A client that resets or is gone already changes nothing: the refusal is on the record.
    socket.on("error", () => undefined);
    // Closed as soon as the ERR is handed to the kernel, as 5.7's vio_delete closes the channel.
    socket.end(encodePacket(payload, 0), () => socket.destroy());
    return { record, closed };
  }
}
