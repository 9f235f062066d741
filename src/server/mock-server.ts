import { rm } from "node:fs/promises";
import { EventEmitter, once } from "node:events";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import type { ConnectionRecord } from "../record/connection-record";
import type { MockServerEvent, MockServerEventType } from "../record/events";
import { JsonLinesSink } from "../record/jsonl-sink";
import { KeyLogSink } from "../record/key-log-sink";
import { loadScenario } from "../scenarios/load-scenario";
import { scenarioToOptions } from "../scenarios/scenario-options";
import type { Scenario, ScenarioFile } from "../scenarios/scenario-schema";
import { TlsAcceptor } from "../tls/tls-acceptor";
import { type MockServerOptions, type ResolvedOptions, type ResolvedTls, resolveOptions } from "./options";
import { Session, type SessionContext } from "./session";

/** Options of {@link startMockServer} beyond the server's behaviour. */
export interface StartOptions extends MockServerOptions {
  /**
   * A scenario to serve: a built-in name (`mysql-tls-mock scenarios`), a path to a scenario file,
   * or a scenario object. The other options given here override what it sets.
   */
  scenario?: string | ScenarioFile;
  /** Append every event as a JSON line to this file (mode 0600). */
  eventsFile?: string;
  /**
   * Append the TLS secrets of every connection to this file in the SSLKEYLOGFILE format (mode
   * 0600), so Wireshark can decrypt a capture of the sessions.
   */
  keylogFile?: string;
}

/**
 * `Symbol.asyncDispose`, or the registered symbol Node 20 defines it as where a test runner's vm
 * context has none (jest 29), so `await using` finds the same method either way.
 */
const asyncDispose: typeof Symbol.asyncDispose =
  Symbol.asyncDispose ?? (Symbol.for("nodejs.asyncDispose") as typeof Symbol.asyncDispose);

type Listener<T extends MockServerEventType> = (event: Extract<MockServerEvent, { type: T }>) => void;

/**
 * A running mock MySQL server. Create one with {@link startMockServer}; stop it with
 * {@link MockServer.stop} or `await using`.
 */
export class MockServer {
  private readonly emitter = new EventEmitter();
  private readonly sessions = new Set<Session>();
  private readonly records: ConnectionRecord[] = [];
  private readonly cachingSha2Cache = new Set<string>();
  private nextConnectionId: number;
  private stopping: Promise<void> | null = null;
  /** What every session shares with the server, built once. */
  private readonly sessionContext: SessionContext;
  private readonly address: AddressInfo | string;

  /** @internal use {@link startMockServer} */
  constructor(
    private readonly server: Server,
    /** The options in force, with every default applied. */
    readonly options: ResolvedOptions,
    private readonly tlsAcceptor: TlsAcceptor | null,
    private readonly sink: JsonLinesSink | null,
    /** The scenario served, with `extends` applied, when one was given. */
    readonly scenario: Scenario | null = null,
    private readonly keyLog: KeyLogSink | null = null,
  ) {
    // Kept from the start: a stopped server's address() is null, and records still name it.
    this.address = server.address() as AddressInfo | string;
    this.nextConnectionId = options.firstConnectionId;
    this.sessionContext = {
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
    if (options.cachingSha2CacheWarm) {
      for (const account of options.accounts) this.cachingSha2Cache.add(account.user);
    }
    this.emitter.setMaxListeners(0);
    server.on("connection", (socket) => this.accept(socket));
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

  /** A connection URL without credentials, e.g. `mysql://127.0.0.1:40123`. */
  get url(): string {
    const host = this.host.includes(":") ? `[${this.host}]` : this.host;
    return `mysql://${host}:${this.port}`;
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

  /** One record per connection so far, oldest first; live connections' records keep filling in. */
  get connections(): readonly ConnectionRecord[] {
    return this.records;
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
    await Promise.all([...this.sessions].map((s) => s.whenClosed()));
    return this.records;
  }

  /**
   * Waits for the next connection (or the `n`th overall, 1-based) to close and returns its record.
   */
  async waitForConnection(n = this.records.length + 1): Promise<ConnectionRecord> {
    while (this.records.length < n) await once(this.emitter, "connection-opened");
    const record = this.records[n - 1]!;
    await [...this.sessions].find((s) => s.record === record)?.whenClosed();
    return record;
  }

  /** Closes the listener and every live connection. Safe to call more than once. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      for (const session of this.sessions) session.destroy();
      await Promise.all([closed, ...[...this.sessions].map((s) => s.whenClosed())]);
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
    const session = new Session(socket, this.nextConnectionId, this.sessionContext);
    this.nextConnectionId = (this.nextConnectionId + 1) >>> 0;
    this.sessions.add(session);
    this.records.push(session.record);
    void session.whenClosed().then(() => this.sessions.delete(session));
    session.start();
  }

  private emit(event: MockServerEvent): void {
    this.sink?.write(event);
    this.emitter.emit(event.type, event);
    this.emitter.emit("event", event);
  }
}

/**
 * Starts a mock MySQL server.
 *
 * @example
 * ```ts
 * await using server = await startMockServer({ accounts: [{ user: "app", password: "secret" }] });
 * // connect a client to server.host / server.port, then:
 * const [record] = await server.settled();
 * expect(record.tls?.outcome).toBe("negotiated");
 * ```
 */
export async function startMockServer(options: StartOptions = {}): Promise<MockServer> {
  const { eventsFile, keylogFile, scenario: scenarioReference, ...serverOptions } = options;
  const scenario = scenarioReference === undefined ? null : loadScenario(scenarioReference);
  const resolved = await resolveOptions(
    scenario ? { ...scenarioToOptions(scenario), ...serverOptions } : serverOptions,
  );
  // Opened once the server listens, so a failed start leaves no file open.
  let keyLog: KeyLogSink | null = null;
  const tlsAcceptor = resolved.tls
    ? new TlsAcceptor({
        ...resolved.tls,
        ...(keylogFile ? { onKeylog: (line: Buffer) => keyLog?.write(line) } : {}),
      })
    : null;
  const server = createServer({ noDelay: true });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    const ready = () => {
      server.off("error", reject);
      resolve();
    };
    if (resolved.socketPath) server.listen(resolved.socketPath, ready);
    else server.listen(resolved.port, resolved.host, ready);
  });
  const sink = eventsFile ? new JsonLinesSink(eventsFile) : null;
  if (keylogFile && tlsAcceptor) keyLog = new KeyLogSink(keylogFile);
  return new MockServer(server, resolved, tlsAcceptor, sink, scenario, keyLog);
}
