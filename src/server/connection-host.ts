import { EventEmitter } from "node:events";
import type { AddressInfo, Server, Socket } from "node:net";
import type { ConnectionRecord } from "../record/connection-record";
import type { RecorderSink } from "../record/connection-recorder";
import type { MockServerEvent, MockServerEventType } from "../record/events";
import type { JsonLinesSink } from "../record/jsonl-sink";
import { retainedList } from "../record/retained-list";
import { describeValue } from "../options/describe-value";

/** {@link ConnectionHost.waitForConnection} waited for a connection the stopped host will never accept. */
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

/** {@link ConnectionHost.waitForConnection} asked for a record the host no longer keeps (`keepConnections`). */
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

/** Someone waiting for the host to accept a connection. */
interface AcceptWaiter {
  resolve(): void;
  reject(error: Error): void;
  connection: number;
}

/** One connection a host runs (a server session, a relay): it owns its socket and its record. */
export interface HostedConnection {
  readonly record: ConnectionRecord;
  /** Resolves once the connection is closed and its record final. */
  whenClosed(): Promise<void>;
  /** Ends the connection now (the host is stopping). */
  destroy(): void;
}

/** What a host is built on: its listening socket, how many records it keeps, its events file. */
export interface HostParts {
  server: Server;
  keepConnections: number;
  sink: JsonLinesSink | null;
}

/**
 * What every listener of this project shares, whatever it does with a connection: it takes
 * sockets, numbers them, keeps their records (the newest `keepConnections`), emits and writes their
 * events, lets a caller wait for them, and stops them all. The mock server and the proxy extend it
 * with what they do to each connection ({@link take}).
 */
export abstract class ConnectionHost {
  private readonly emitter = new EventEmitter();
  private readonly live = new Set<HostedConnection>();
  private readonly records: ConnectionRecord[];
  /** When each connection's record is final, by record. */
  private readonly closedOf = new WeakMap<ConnectionRecord, Promise<void>>();
  private readonly acceptWaiters = new Set<AcceptWaiter>();
  /** When the connections {@link take} refused itself are over, until their socket closes. */
  private readonly refusing = new Set<Promise<void>>();
  private accepted = 0;
  private dropped = 0;
  /**
   * The connections reset() forgot: 1 to this number. With {@link dropped}, where a connection's
   * number finds its record.
   */
  private forgottenThrough = 0;
  private stopping: Promise<void> | null = null;
  private readonly address: AddressInfo | string;
  private readonly keepConnections: number;
  protected readonly server: Server;
  protected readonly sink: JsonLinesSink | null;

  protected constructor({ server, keepConnections, sink }: HostParts) {
    this.server = server;
    this.sink = sink;
    this.keepConnections = keepConnections;
    // Kept from the start: a stopped server's address() is null, and records still name it.
    this.address = server.address() as AddressInfo | string;
    this.records = retainedList(keepConnections, (n) => {
      this.dropped += n;
    });
    this.emitter.setMaxListeners(0);
    server.on("connection", (socket) => this.accept(socket));
  }

  /**
   * Runs the connection on `socket`, numbered `id`, and returns it with its record; or settles it
   * itself (a refusal) and returns its record and when it is final.
   */
  protected abstract take(
    socket: Socket,
    id: number,
  ): { connection: HostedConnection; start(): void } | { record: ConnectionRecord; closed: Promise<void> };

  /** Closes what the host opened besides the listener and the events file (called once, by stop()). */
  protected async closeResources(): Promise<void> {
    // Nothing by default.
  }

  /** Whether stop() has been called: the host takes no new connection. */
  get stopped(): boolean {
    return this.stopping !== null;
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
   * Resolves when the record's connection has closed (at once for a record this host did not
   * make or one already closed).
   */
  async whenRecordClosed(record: ConnectionRecord): Promise<void> {
    await this.closedOf.get(record);
  }

  /** The address the host listens on (`localhost` on a Unix socket); still readable after stop(). */
  get host(): string {
    return typeof this.address === "string" ? "localhost" : this.address.address;
  }

  /** The port the host listens on (the real one when started on port 0; 0 on a Unix socket). */
  get port(): number {
    return typeof this.address === "string" ? 0 : this.address.port;
  }

  /**
   * One record per connection, oldest first, live connections' records still filling in: the last
   * `keepConnections` (default 1000) of them; older ones are dropped and counted in
   * {@link droppedConnections}.
   */
  get connections(): readonly ConnectionRecord[] {
    return this.records;
  }

  /** How many connections the host has taken so far, refused ones included (kept or dropped). */
  get totalConnections(): number {
    return this.accepted;
  }

  /** How many of the oldest records {@link connections} no longer holds (`keepConnections`). */
  get droppedConnections(): number {
    return this.dropped;
  }

  /** Connections open now (what counts against `maxConnections`). */
  get openConnections(): number {
    return this.live.size;
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
    await Promise.all([...[...this.live].map((connection) => connection.whenClosed()), ...this.refusing]);
    return this.records;
  }

  /**
   * Waits for the next connection (or the `n`th overall, 1-based, counting every connection the
   * host took) to close and returns its record. Once the host is stopping, a connection it has
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
      throw new ConnectionRecordDroppedError(n, this.keepConnections, n <= this.forgottenThrough);
    }
    await this.closedOf.get(record);
    return record;
  }

  /**
   * Closes the listener and every live connection, then the events file and what the host opened
   * besides. Safe to call more than once; a {@link waitForConnection} still waiting for a new
   * connection rejects.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const waiter of this.acceptWaiters) waiter.reject(new ServerStoppedError(waiter.connection));
      this.acceptWaiters.clear();
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      const pending = [...this.live];
      for (const connection of pending) connection.destroy();
      await Promise.all([closed, ...pending.map((connection) => connection.whenClosed()), ...this.refusing]);
      await this.sink?.close();
      await this.closeResources();
    })();
    return this.stopping;
  }

  async [asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** The events port every recorder of this host writes through. */
  protected recorderSink(recordPackets: boolean, recordPayloadBytes: number): RecorderSink {
    return {
      emit: (event) => this.emit(event),
      wants: (type) =>
        this.sink !== null || this.emitter.listenerCount(type) > 0 || this.emitter.listenerCount("event") > 0,
      recordPackets,
      recordPayloadBytes,
    };
  }

  private accept(socket: Socket): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    const id = this.nextId();
    this.accepted++;
    const taken = this.take(socket, id);
    if ("connection" in taken) this.hold(taken.connection, taken.start);
    else this.holdRefused(taken.record, taken.closed);
    for (const waiter of this.acceptWaiters) waiter.resolve();
    this.acceptWaiters.clear();
  }

  /*
   * Each callback below captures only what it needs: one that shared a scope with the result of
   * take() would keep that object alive for as long as the connection lasts.
   */
  private hold(connection: HostedConnection, start: () => void): void {
    this.live.add(connection);
    this.records.push(connection.record);
    const closed = connection.whenClosed();
    this.closedOf.set(connection.record, closed);
    void closed.then(() => this.live.delete(connection));
    start();
  }

  private holdRefused(record: ConnectionRecord, closed: Promise<void>): void {
    this.records.push(record);
    this.closedOf.set(record, closed);
    this.refusing.add(closed);
    void closed.then(() => this.refusing.delete(closed));
  }

  /** The number the next connection gets (the greeting's connection id for the mock server). */
  protected abstract nextId(): number;

  private emit(event: MockServerEvent): void {
    this.sink?.write(event);
    this.emitter.emit(event.type, event);
    this.emitter.emit("event", event);
  }
}
