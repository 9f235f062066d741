/**
 * What the pre-auth fuzz property needs around it: mock servers on loopback, a bare client that
 * writes whatever it is told, a real TLS ClientHello to mutate, bounded waits, and a watch on
 * exceptions that escape into the process.
 */
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { connect as tlsConnect, type TLSSocket } from "node:tls";
import * as mysql2 from "mysql2/promise";
import { Command } from "../../src/protocol/constants";
import { encodePacket, type Packet, PacketFramer } from "../../src/protocol/framing";
import { decodeErr } from "../../src/protocol/packets/err-packet";
import { decodeHandshakeV10, type HandshakeV10 } from "../../src/protocol/packets/handshake-v10";
import { type MockServer, startMockServer } from "../../src/mock-server";
import { DEFAULT_ACCOUNT } from "../../src/server/options";
import { captureClientHello } from "../helpers/client-hello";
import { CLIENT_CAPABILITIES, handshakeResponse } from "../helpers/raw-client";

/** Records a fuzz server keeps: more than a long run's connections. */
export const FUZZ_KEEP_CONNECTIONS = 1_000_000;

/**
 * Accounts of the server without TLS: the default one (the TLS server's only one), and one per
 * SHA-2 plugin, so that the auth conversation (fast path, full authentication, RSA key requests,
 * encrypted passwords) is fuzzed too.
 */
export const PLAIN_SERVER_ACCOUNTS = [
  DEFAULT_ACCOUNT,
  { user: "sha2", password: "sha2-password", plugin: "caching_sha2_password" },
  { user: "sha256", password: "sha256-password", plugin: "sha256_password" },
];

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves with `promise`, or rejects with `message()` after `ms`. */
export async function within<T>(ms: number, promise: Promise<T>, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// ---- exceptions that escape ----------------------------------------------------------------------

/**
 * The process whose 'uncaughtException' / 'unhandledRejection' events fire. Under jest a test
 * file sees a copy of `process` whose events never fire; test/fuzz/host-process-environment.ts
 * hands the real one over.
 */
export function hostProcess(): NodeJS.Process {
  return (globalThis as { __fuzzHostProcess?: NodeJS.Process }).__fuzzHostProcess ?? process;
}

type EscapeEvent = "uncaughtException" | "unhandledRejection";
type EscapeListener = (error: unknown) => void;

/**
 * Collects exceptions and rejections nobody handled, while installed. It takes the process's
 * other listeners off meanwhile (jest's among them, as jest itself does with the ones it finds)
 * so an escape fails the property run that caused it, with its counterexample, and puts them back.
 */
export class EscapeWatch {
  readonly escaped: Array<{ event: EscapeEvent; error: unknown }> = [];
  private readonly saved = new Map<EscapeEvent, EscapeListener[]>();
  private readonly listeners = new Map<EscapeEvent, EscapeListener>();

  install(): this {
    // Typed as a plain emitter: NodeJS.Process overloads `on` per event name.
    const host: NodeJS.EventEmitter = hostProcess();
    for (const event of ["uncaughtException", "unhandledRejection"] as const) {
      this.saved.set(event, host.listeners(event) as EscapeListener[]);
      host.removeAllListeners(event);
      const listener = (error: unknown) => this.escaped.push({ event, error });
      this.listeners.set(event, listener);
      host.on(event, listener);
    }
    return this;
  }

  dispose(): void {
    const host: NodeJS.EventEmitter = hostProcess();
    for (const [event, listener] of this.listeners) {
      host.off(event, listener);
      for (const saved of this.saved.get(event) ?? []) host.on(event, saved);
    }
    this.listeners.clear();
    this.saved.clear();
  }

  /** Throws (and forgets) what escaped since the last call. */
  throwIfEscaped(): void {
    if (this.escaped.length === 0) return;
    const all = this.escaped.splice(0);
    const text = all
      .map(
        ({ event, error }) =>
          `${event}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      )
      .join("\n");
    throw new Error(`${all.length} exception(s) escaped into the process:\n${text}`);
  }
}

// ---- a client that writes anything ---------------------------------------------------------------

/** A TCP client that reads the greeting and then writes what it is told. */
export class BareClient {
  private readonly framer = new PacketFramer();
  private readonly packets: Packet[] = [];
  private framing = true;
  private wake: (() => void) | null = null;
  private closed = false;
  tlsSocket: TLSSocket | null = null;

  private constructor(readonly socket: Socket) {
    socket.on("data", this.onData);
    socket.on("error", () => {});
    socket.on("close", () => {
      this.closed = true;
      this.wake?.();
    });
  }

  static async connect(port: number, timeoutMs: number): Promise<BareClient> {
    const socket = connect(port, "127.0.0.1");
    socket.setNoDelay(true);
    const client = new BareClient(socket);
    await within(
      timeoutMs,
      once(socket, "connect"),
      () => `no TCP connection to port ${port} within ${timeoutMs} ms`,
    );
    return client;
  }

  private readonly onData = (chunk: Buffer) => {
    if (!this.framing) return;
    try {
      this.packets.push(...this.framer.push(chunk));
    } catch {
      this.framing = false;
    }
    this.wake?.();
  };

  /** The next packet from the server, or null if it closed first. */
  async read(timeoutMs: number, what: string): Promise<Packet | null> {
    const wait = async () => {
      while (this.packets.length === 0 && !this.closed) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = null;
      }
      return this.packets.shift() ?? null;
    };
    return within(timeoutMs, wait(), () => `no ${what} from the server within ${timeoutMs} ms`);
  }

  async greeting(timeoutMs: number): Promise<HandshakeV10> {
    const packet = await this.read(timeoutMs, "greeting");
    if (!packet) throw new Error("the server closed before sending its greeting");
    return decodeHandshakeV10(packet.payload);
  }

  /** Stops reading packets: from now on what arrives is discarded (or TLS). */
  stopFraming(): void {
    this.framing = false;
  }

  /** Writes `sslRequest` and performs a real TLS handshake; later writes go inside TLS. */
  async startTls(sslRequest: Buffer, timeoutMs: number): Promise<TLSSocket> {
    this.stopFraming();
    this.socket.off("data", this.onData);
    this.socket.write(sslRequest);
    const tls = tlsConnect({ socket: this.socket, rejectUnauthorized: false });
    tls.on("error", () => {});
    this.tlsSocket = tls;
    await within(timeoutMs, once(tls, "secureConnect"), () => `no TLS handshake within ${timeoutMs} ms`);
    tls.on("data", () => {});
    return tls;
  }

  /** Where writes go: the TLS socket once TLS is on. */
  get output(): Socket | TLSSocket {
    return this.tlsSocket ?? this.socket;
  }

  get localPort(): number {
    return this.socket.localPort ?? 0;
  }

  destroy(): void {
    this.tlsSocket?.destroy();
    this.socket.destroy();
  }
}

// ---- waiting --------------------------------------------------------------------------------------------

/** Polls until `condition` holds, or throws `message()` after `ms`. */
export async function until(condition: () => boolean, ms: number, message: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(message());
    await sleep(5);
  }
}

// ---- is the server still taking logins? ---------------------------------------------------------------

/** A plain mysql_native_password login with a bare client: greeting, response, OK, COM_QUIT. */
export async function bareLogin(server: MockServer, timeoutMs: number): Promise<void> {
  const client = await BareClient.connect(server.port, timeoutMs);
  try {
    const greeting = await client.greeting(timeoutMs);
    const { user, password } = DEFAULT_ACCOUNT;
    const response = handshakeResponse({ user, password, scramble: greeting.authPluginData });
    client.socket.write(encodePacket(response, 1));
    const reply = await client.read(timeoutMs, "reply to a valid login");
    if (!reply) throw new Error("the server closed instead of answering a valid login");
    if (reply.payload[0] !== 0x00) {
      const detail = reply.payload[0] === 0xff ? decodeErr(reply.payload, CLIENT_CAPABILITIES).message : "";
      throw new Error(`a valid login got ${reply.payload.subarray(0, 16).toString("hex")} ${detail}`);
    }
    client.socket.end(encodePacket(Buffer.from([Command.COM_QUIT]), 0));
  } finally {
    setTimeout(() => client.destroy(), 50).unref();
  }
}

/** A login and a query with the mysql2 driver, over TLS when `tls`. */
export async function mysql2Login(server: MockServer, tls: boolean): Promise<void> {
  const connection = await mysql2.createConnection({
    host: "127.0.0.1",
    port: server.port,
    user: DEFAULT_ACCOUNT.user,
    password: DEFAULT_ACCOUNT.password,
    connectTimeout: 5000,
    ...(tls ? { ssl: { rejectUnauthorized: false } } : {}),
  });
  try {
    const [rows] = await connection.query("SELECT 1 AS one");
    const one = (rows as Array<{ one: unknown }>)[0]?.one;
    if (Number(one) !== 1) throw new Error(`SELECT 1 returned ${JSON.stringify(rows)}`);
  } finally {
    await connection.end();
  }
}

// ---- the servers ---------------------------------------------------------------------------------------

export interface PreAuthHarnessOptions {
  /** The servers' connect timeout: a connection that stalls ends by timeout after this long. */
  connectTimeoutMs: number;
}

/**
 * One server with TLS (default options) and one without (and with SHA-2 accounts besides the
 * default one), for the whole property.
 */
export class PreAuthHarness {
  private constructor(
    readonly options: PreAuthHarnessOptions,
    readonly tlsServer: MockServer,
    readonly plainServer: MockServer,
    readonly clientHello: Buffer,
  ) {}

  static async start(options: PreAuthHarnessOptions): Promise<PreAuthHarness> {
    // A long `npm run fuzz` makes thousands of connections, each found again by its number:
    // keep every record (the default 1000 would drop the oldest from under a run).
    const keepConnections = FUZZ_KEEP_CONNECTIONS;
    const tlsServer = await startMockServer({ connectTimeoutMs: options.connectTimeoutMs, keepConnections });
    const plainServer = await startMockServer({
      tls: false,
      keepConnections,
      connectTimeoutMs: options.connectTimeoutMs,
      accounts: PLAIN_SERVER_ACCOUNTS,
    });
    // node's own ClientHello (up to TLSv1.3, with SNI), for mutation.
    const clientHello = await captureClientHello({ maxVersion: "TLSv1.3", servername: "localhost" });
    return new PreAuthHarness(options, tlsServer, plainServer, clientHello);
  }

  server(kind: "tls" | "plain"): MockServer {
    return kind === "tls" ? this.tlsServer : this.plainServer;
  }

  /** mysql2 logs in to both servers (over TLS where offered, and in plaintext). */
  async checkMysql2Logins(): Promise<void> {
    await mysql2Login(this.tlsServer, true);
    await mysql2Login(this.tlsServer, false);
    await mysql2Login(this.plainServer, false);
  }

  async stop(): Promise<void> {
    await Promise.all([this.tlsServer.stop(), this.plainServer.stop()]);
  }
}
