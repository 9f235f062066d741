import { type ServerParts, tlsAcceptorFor } from "./listen";
import { rm } from "node:fs/promises";
import { EventEmitter } from "node:events";
import { type AddressInfo, type Server, type Socket } from "node:net";
import { ErrorCode } from "../protocol/constants";
import { encodePacket } from "../protocol/framing";
import { encodeErr } from "../protocol/packets/err-packet";
import type { ConnectionRecord } from "../record/connection-record";
import { ConnectionRecorder } from "../record/connection-recorder";
import type { MockServerEvent, MockServerEventType } from "../record/events";
import { JsonLinesSink } from "../record/jsonl-sink";
import { KeyLogSink } from "../record/key-log-sink";
import { newConnectionRecord } from "../record/new-connection-record";
import { boundRecord } from "../record/retention";
import { retainedList } from "../record/retained-list";
import { TlsAcceptor } from "../tls/tls-acceptor";
import { describeValue } from "../options/describe-value";
import { ServerConfigurationError } from "../options/configuration-error";
import { DEFAULT_ACCOUNT } from "../options/account-options";
import { type ResolvedOptions, type ResolvedTls } from "./options";
import { Session, type SessionContext } from "./session";

/** {@link ServerCore.waitForConnection} waited for a connection the stopped server will never accept. */
export class ServerStoppedError extends Error {
  constructor(
    /** The connection waited for (1-based, counting every connection the server accepted). */
    readonly connection: number,
  ) {
    super(`the mock server was stopped before connection ${connection} arrived`);
    this.name = "ServerStoppedError";
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** {@link ServerCore.waitForConnection} asked for a record the server no longer keeps (`keepConnections`). */
export class ConnectionRecordDroppedError extends Error {
  constructor(
    readonly connection: number,
    readonly keepConnections: number,
    /** Whether reset() forgot it, rather than `keepConnections` dropping it. */
    readonly forgotten = false,
  ) {
    super(
      forgotten
        ? `the record of connection ${connection} was forgotten by reset()`
        : `the record of connection ${connection} was dropped: the server keeps the last ${keepConnections} (keepConnections)`,
    );
    this.name = "ConnectionRecordDroppedError";
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/**
 * `Symbol.asyncDispose`, or the registered symbol Node 20 defines it as where a test runner's vm
 * context has none (jest 29), so `await using` finds the same method either way.
 */
const asyncDispose: typeof Symbol.asyncDispose =
  Symbol.asyncDispose ?? (Symbol.for("nodejs.asyncDispose") as typeof Symbol.asyncDispose);

type Listener<T extends MockServerEventType> = (event: Extract<MockServerEvent, { type: T }>) => void;

/** ER_CON_COUNT_ERROR's text in 5.7's sql/share/errmsg-utf8.txt. */
const TOO_MANY_CONNECTIONS = "Too many connections";
/** mysql_errno_to_sqlstate(ER_CON_COUNT_ERROR): on the record only, the client is not sent it. */
const TOO_MANY_CONNECTIONS_SQLSTATE = "08004";

/** Someone waiting for the server to accept a connection. */
interface AcceptWaiter {
  resolve(): void;
  reject(error: Error): void;
  connection: number;
}

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
export class ServerCore {
  private readonly emitter = new EventEmitter();
  private readonly sessions = new Set<Session>();
  /** Connections refused with ERR 1040, until their socket closes. */
  private readonly refusals = new Map<Socket, Promise<void>>();
  private readonly records: ConnectionRecord[];
  /** When each connection's record is final, by record. */
  private readonly closedOf = new WeakMap<ConnectionRecord, Promise<void>>();
  private readonly acceptWaiters = new Set<AcceptWaiter>();
  private readonly cachingSha2Cache = new Set<string>();
  private nextConnectionId: number;
  private accepted = 0;
  private dropped = 0;
  /**
   * The connections reset() forgot: 1 to this number. With {@link dropped}, where a connection's
   * number finds its record.
   */
  private forgottenThrough = 0;
  private stopping: Promise<void> | null = null;
  /** What every new session shares with the server; replaced by {@link reconfigure}. */
  private sessionContext: SessionContext;
  private readonly address: AddressInfo | string;

  private readonly server: Server;
  private readonly sink: JsonLinesSink | null;
  private readonly keyLog: KeyLogSink | null;
  private current: ResolvedOptions;

  /** @internal use `startMockServer` */
  constructor({ server, options, tlsAcceptor, sink, keyLog }: ServerParts) {
    this.server = server;
    this.current = options;
    this.sink = sink;
    this.keyLog = keyLog;
    // Kept from the start: a stopped server's address() is null, and records still name it.
    this.address = server.address() as AddressInfo | string;
    this.nextConnectionId = options.firstConnectionId;
    this.records = retainedList(options.keepConnections, (n) => {
      this.dropped += n;
    });
    this.sessionContext = this.contextFor(options, tlsAcceptor);
    this.emitter.setMaxListeners(0);
    server.on("connection", (socket) => this.accept(socket));
  }

  /** Whether stop() has been called: the server takes no new connection. */
  get stopped(): boolean {
    return this.stopping !== null;
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
    return {
      options,
      tlsAcceptor,
      events: {
        emit: (event) => this.emit(event),
        wants: (type) =>
          this.sink !== null ||
          this.emitter.listenerCount(type) > 0 ||
          this.emitter.listenerCount("event") > 0,
        recordPackets: options.recordPackets,
        recordPayloadBytes: options.recordPayloadBytes,
      },
      cachingSha2Cache: this.cachingSha2Cache,
    };
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

  /**
   * Forgets every record kept now, open connections' included, and the count of dropped ones:
   * {@link connections} starts empty again. Open connections keep being served (their events are
   * still emitted and written), but their records are no longer listed. A
   * {@link waitForConnection} already waiting for a connection still gets its record; one asking
   * afterwards for a forgotten connection rejects with {@link ConnectionRecordDroppedError}.
   * Connections keep their numbers: {@link totalConnections} is not reset.
   */
  reset(): void {
    // Every connection taken has pushed its record, so the list held connections up to `accepted`.
    this.forgottenThrough = this.accepted;
    this.records.length = 0;
    this.dropped = 0;
  }

  /**
   * Resolves when the record's connection has closed (at once for a record this server did not
   * make or one already closed).
   */
  async whenRecordClosed(record: ConnectionRecord): Promise<void> {
    await this.closedOf.get(record);
  }

  /** The first account's user name (`root` when no account was configured). */
  get user(): string {
    return this.current.accounts[0]?.user ?? DEFAULT_ACCOUNT.user;
  }

  /** The first account's password (`root` when no account was configured). */
  get password(): string {
    return this.current.accounts[0]?.password ?? DEFAULT_ACCOUNT.password;
  }

  /** The address the server listens on (`localhost` on a Unix socket); still readable after stop(). */
  get host(): string {
    return typeof this.address === "string" ? "localhost" : this.address.address;
  }

  /** The port the server listens on (the real one when started on port 0; 0 on a Unix socket). */
  get port(): number {
    return typeof this.address === "string" ? 0 : this.address.port;
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

  /**
   * One record per connection, oldest first, live connections' records still filling in: the last
   * `keepConnections` (default 1000) of them; older ones are dropped and counted in
   * {@link droppedConnections}.
   */
  get connections(): readonly ConnectionRecord[] {
    return this.records;
  }

  /** How many connections the server has taken so far, refused ones included (kept or dropped). */
  get totalConnections(): number {
    return this.accepted;
  }

  /** How many of the oldest records {@link connections} no longer holds (`keepConnections`). */
  get droppedConnections(): number {
    return this.dropped;
  }

  /** Connections open now: logging in or logged in (what counts against `maxConnections`). */
  get openConnections(): number {
    return this.sessions.size;
  }

  /** Subscribes to one event type, or to every event with `"event"`. */
  on<T extends MockServerEventType>(type: T, listener: Listener<T>): this;
  on(type: "event", listener: (event: MockServerEvent) => void): this;
  on(type: string, listener: (event: never) => void): this {
    this.emitter.on(type, listener as (...args: unknown[]) => void);
    return this;
  }

  off(type: string, listener: (event: never) => void): this {
    this.emitter.off(type, listener as (...args: unknown[]) => void);
    return this;
  }

  /**
   * Resolves when every connection accepted so far has closed, so a test can assert on final
   * records right after its client disconnects.
   */
  async settled(): Promise<readonly ConnectionRecord[]> {
    await Promise.all([...[...this.sessions].map((s) => s.whenClosed()), ...this.refusals.values()]);
    return this.records;
  }

  /**
   * Waits for the next connection (or the `n`th overall, 1-based, counting every connection the
   * server took) to close and returns its record. Once the server is stopping, a connection it has
   * not taken yet never comes: the promise rejects with a {@link ServerStoppedError}; a connection
   * it had taken resolves when stop() has closed it. Rejects with a
   * {@link ConnectionRecordDroppedError} when the record is no longer kept.
   */
  async waitForConnection(n = this.accepted + 1): Promise<ConnectionRecord> {
    if (!Number.isInteger(n) || n < 1) {
      throw new RangeError(`waitForConnection(n): n counts connections from 1, got ${describeValue(n)}`);
    }
    while (this.accepted < n) {
      if (this.stopping) throw new ServerStoppedError(n);
      await new Promise<void>((resolve, reject) => {
        this.acceptWaiters.add({ resolve, reject, connection: n });
      });
    }
    const record = this.records[n - 1 - this.dropped - this.forgottenThrough];
    if (record === undefined || n <= this.forgottenThrough) {
      throw new ConnectionRecordDroppedError(n, this.options.keepConnections, n <= this.forgottenThrough);
    }
    await this.closedOf.get(record);
    return record;
  }

  /**
   * Closes the listener and every live connection, then the events and key-log files. Safe to
   * call more than once; a {@link waitForConnection} still waiting for a new connection rejects.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const waiter of this.acceptWaiters) waiter.reject(new ServerStoppedError(waiter.connection));
      this.acceptWaiters.clear();
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      for (const session of this.sessions) session.destroy();
      for (const socket of this.refusals.keys()) socket.destroy();
      await Promise.all([
        closed,
        ...[...this.sessions].map((s) => s.whenClosed()),
        ...this.refusals.values(),
      ]);
      await this.sink?.close();
      await this.keyLog?.close();
      if (this.options.socketDir) await rm(this.options.socketDir, { recursive: true, force: true });
    })();
    return this.stopping;
  }

  async [asyncDispose](): Promise<void> {
    await this.stop();
  }

  private accept(socket: Socket): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    const id = this.nextConnectionId;
    this.nextConnectionId = (this.nextConnectionId + 1) >>> 0;
    this.accepted++;
    if (this.sessions.size >= this.options.maxConnections) {
      this.refuseTooMany(socket, id);
    } else {
      const session = new Session(socket, id, this.sessionContext);
      boundRecord(session.record, this.options);
      this.sessions.add(session);
      this.records.push(session.record);
      this.closedOf.set(session.record, session.whenClosed());
      void session.whenClosed().then(() => this.sessions.delete(session));
      session.start();
    }
    for (const waiter of this.acceptWaiters) waiter.resolve();
    this.acceptWaiters.clear();
  }

  /**
   * Past `maxConnections`, as 5.7's `Connection_handler_manager::process_new_connection`: ERR 1040
   * in place of the greeting, written by `net_send_error` with no client capabilities (so no
   * `#SQLSTATE`) and sequence id 0, then the socket is closed.
   */
  private refuseTooMany(socket: Socket, id: number): void {
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
    this.records.push(record);
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
        this.refusals.delete(socket);
        resolve();
      });
    });
    this.refusals.set(socket, closed);
    this.closedOf.set(record, closed);
    // A client that resets or is gone already changes nothing: the refusal is on the record.
    socket.on("error", () => undefined);
    // Closed as soon as the ERR is handed to the kernel, as 5.7's vio_delete closes the channel.
    socket.end(encodePacket(payload, 0), () => socket.destroy());
  }

  private emit(event: MockServerEvent): void {
    this.sink?.write(event);
    this.emitter.emit(event.type, event);
    this.emitter.emit("event", event);
  }
}
