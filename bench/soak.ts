/**
 * The soak: a real `mysql-tls-mock serve` in a child process, many logins from real clients
 * (mysql2 and hand-driven ones, TLS and plaintext) with hostile clients among them (pre-login
 * senders of 4 MiB packets, clients that never read their replies), and the server's resident
 * memory sampled all along. Whether the server plateaus is read from its own curve: the growth per
 * login over the last third of the run against the first, and against its RSS after a warm-up.
 *
 * Used by `npm run soak` (scripts/soak.ts, minutes) and by a short, bounded run in the test suite.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join, resolve } from "node:path";
import * as mysql2 from "mysql2/promise";
import { CapabilityFlags, Command } from "../src/protocol/constants";
import { encodePacket } from "../src/protocol/framing";
import { CLIENT_CAPABILITIES, handshakeResponse, RawClient } from "../test/helpers/raw-client";

const ROOT = resolve(__dirname, "..");
const CLI = join(ROOT, "bin", "mysql-tls-mock.js");
const ACCOUNT = { user: "root", password: "root" };
const MiB = 1024 * 1024;

/** How long the server process may take to say it listens. */
const START_TIMEOUT_MS = 60_000;
/** How long a hostile client waits for the server to end it before ending itself. */
const HOSTILE_GIVE_UP_MS = 5_000;
/**
 * Longest a pre-login sender may take in all, waits for a greeting included: past MySQL's default
 * connect_timeout (10 s), by which the server must have ended it. Past it the sender gives up and
 * counts as a failure, so a server that neither serves nor ends a client cannot stall the soak.
 */
const PRE_LOGIN_DEADLINE_MS = 30_000;
/** Bytes per write of a pre-login sender. */
const SEND_CHUNK = 64 * 1024;
/** The plateau test: the last third may grow at most this fraction of the first third's rate… */
const PLATEAU_SLOPE_RATIO = 0.25;
/** …or at most this fraction of the warm-up RSS over the whole last third. */
const PLATEAU_GROWTH_FRACTION = 0.03;

/** The kinds of client a soak runs, each counted on its own. */
export type ClientKind =
  "mysql2-tls" | "mysql2-plain" | "raw-tls" | "raw-plain" | "pre-login-sender" | "non-reader";

export interface SoakOptions {
  /** Rounds before measuring, e.g. enough logins to fill the server's record retention. */
  warmupRounds: number;
  /** Measured rounds; RSS is sampled after each. */
  rounds: number;
  /** Logins per round, spread over the login kinds by {@link SoakOptions.loginMix}. */
  loginsPerRound: number;
  /** Relative share of each login kind; default: mostly raw plaintext (cheap), some of every kind. */
  loginMix?: Partial<Record<"mysql2-tls" | "mysql2-plain" | "raw-tls" | "raw-plain", number>>;
  /** Logins running at once. */
  concurrency: number;
  /** Pre-login senders per round (each sends one packet of {@link SoakOptions.preLoginBytes}). */
  preLoginSendersPerRound: number;
  /** Size of the packet a pre-login sender claims and sends before any login; default 4 MiB. */
  preLoginBytes?: number;
  /** Clients per round that log in, pipeline queries and never read a reply. */
  nonReadersPerRound: number;
  /** Queries each non-reader sends (`SHOW GLOBAL VARIABLES`, about 20 KiB of reply each). */
  nonReaderQueries: number;
  /** How long a non-reader keeps its connection open before dropping it. */
  nonReaderHoldMs: number;
  /** Hostile clients running at once. */
  hostileConcurrency: number;
  /** Also sample RSS on a timer this often, to catch peaks between rounds. */
  sampleIntervalMs?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** RSS of the server after a round. */
export interface SoakSample {
  round: number;
  /** Completed logins so far (warm-up included). */
  logins: number;
  rss: number;
  atMs: number;
}

/** The section of docs/BENCHMARKS.md that `npm run soak -- --write-doc` writes. */
export const SOAK_SECTION = "soak";

export interface SoakReport {
  /** Server RSS after the warm-up: what the plateau is measured against. */
  baselineRss: number;
  finalRss: number;
  /** Highest RSS seen, timer samples included. */
  peakRss: number;
  /** After-round samples of the measured rounds. */
  samples: SoakSample[];
  /** Bytes of RSS per login, least squares over the first and the last third of the samples. */
  firstThirdSlope: number;
  lastThirdSlope: number;
  /** RSS the last third gained at its slope, over the logins it spans. */
  lastThirdGrowth: number;
  /** Median RSS of the last third of the samples over {@link SoakReport.baselineRss}. */
  lastThirdMedianRatio: number;
  plateau: boolean;
  /** Completed clients of each kind, and failures (a hostile client ended by the server is not one). */
  completed: Record<ClientKind, number>;
  failures: Record<ClientKind, number>;
  /** The first few failure messages, for the report. */
  failureSamples: string[];
  durationMs: number;
  /** Whether the server process was still running at the end. */
  serverAlive: boolean;
}

/** The `serve` process under test. */
export interface SoakServer {
  pid: number;
  port: number;
  /**
   * Runs full garbage collections in the server and resolves when they are done, so the RSS read
   * next is what the server retains rather than where its GC cycle happens to be.
   */
  collect(): Promise<void>;
  /** Last lines the server wrote to stderr. */
  stderr(): string;
  alive(): boolean;
  stop(): Promise<void>;
}

/** Resident memory of process `pid`, from /proc. */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/**
 * Runs in the server process before the CLI: answers "gc" on the IPC channel with two full
 * collections (the second frees what finalizers of the first released). Instrumentation of the
 * soak only; the server is the unchanged CLI.
 */
const GC_PROBE = `
process.on("message", (message) => {
  if (message !== "gc") return;
  global.gc();
  global.gc();
  process.send("collected");
});
process.channel.unref();
process.argv = [process.argv[0], process.env.SOAK_CLI, ...process.argv.slice(1)];
require(process.env.SOAK_CLI);
`;

/** Starts `mysql-tls-mock serve --port 0` with `args`; resolves once it says where it listens. */
export async function startServeProcess(args: string[] = []): Promise<SoakServer> {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--expose-gc", "-e", GC_PROBE, "--", "serve", "--port", "0", ...args],
    {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "1", SOAK_CLI: CLI },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    },
  );
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-8192);
  });
  let out = "";
  let timer: NodeJS.Timeout | undefined;
  try {
    const port = await new Promise<number>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`serve not ready within ${START_TIMEOUT_MS} ms: ${out}${stderr}`)),
        START_TIMEOUT_MS,
      );
      const onData = (d: Buffer) => {
        out += d.toString();
        const match = /listening on [\d.]+:(\d+)/.exec(out);
        if (match) {
          child.stdout!.off("data", onData);
          // Every connection prints lines: drained and dropped, so the pipe never stalls the server.
          child.stdout!.resume();
          resolve(Number(match[1]));
        }
      };
      child.stdout!.on("data", onData);
      child.once("error", reject);
      child.once("exit", (code, signal) =>
        reject(new Error(`serve exited (${code ?? signal}) before listening: ${out}${stderr}`)),
      );
    });
    const alive = () => child.exitCode === null && child.signalCode === null;
    return {
      pid: child.pid!,
      port,
      collect: async () => {
        if (!alive()) return;
        const collected = new Promise<void>((resolve) => {
          const done = () => {
            child.off("message", done);
            child.off("exit", done);
            resolve();
          };
          child.on("message", done);
          child.once("exit", done);
        });
        child.send("gc");
        await collected;
      },
      stderr: () => stderr,
      alive,
      stop: async () => {
        if (!alive()) return;
        const exited = once(child, "exit");
        child.kill("SIGTERM");
        await exited;
      },
    };
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

// ---- clients ------------------------------------------------------------------------------------

async function mysql2Login(port: number, tls: boolean): Promise<void> {
  const connection = await mysql2.createConnection({
    host: "127.0.0.1",
    port,
    ...ACCOUNT,
    ...(tls ? { ssl: { rejectUnauthorized: false, maxVersion: "TLSv1.2" } } : {}),
  });
  try {
    await connection.query("SELECT 1");
  } finally {
    await connection.end();
  }
}

/** Greeting, (SSLRequest and TLS,) native-password response, OK, COM_QUIT, and the server's close. */
async function rawLogin(port: number, tls: boolean): Promise<RawClient> {
  const client = await RawClient.connect(port);
  try {
    const greeting = await client.readGreeting();
    let sequenceId = 1;
    if (tls) {
      await client.startTlsCoalesced(sequenceId++, { maxVersion: "TLSv1.2" });
    }
    const capabilities = tls ? CLIENT_CAPABILITIES | CapabilityFlags.CLIENT_SSL : CLIENT_CAPABILITIES;
    client.send(
      handshakeResponse({ ...ACCOUNT, scramble: greeting.authPluginData, capabilities }),
      sequenceId,
    );
    const ok = await client.read();
    if (!ok || ok.payload[0] !== 0x00) {
      throw new Error(`login not OK: ${ok ? ok.payload.subarray(0, 64).toString("latin1") : "closed"}`);
    }
    return client;
  } catch (error) {
    client.socket.destroy();
    throw error;
  }
}

async function rawLoginAndQuit(port: number, tls: boolean): Promise<void> {
  const client = await rawLogin(port, tls);
  client.send(Buffer.from([Command.COM_QUIT]), 0);
  await client.closed();
}

/** Settles when `socket` closes, or after `ms`, whichever is first. */
function closedWithin(socket: Socket, ms: number): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Reads the greeting, then sends one packet of `bytes` (header and payload of zeros) before any
 * login, as fast as the server takes it; waits for the server to end the connection. Rejects when
 * that has not happened within {@link PRE_LOGIN_DEADLINE_MS}.
 */
async function preLoginSender(port: number, bytes: number): Promise<void> {
  const socket = connect(port, "127.0.0.1");
  socket.on("error", () => {});
  // The server ending this client (even with a reset) is the expected outcome, not a failure.
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  const event = (name: string) => new Promise<void>((resolve) => socket.once(name, () => resolve()));
  let deadline: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    deadline = setTimeout(
      () => reject(new Error(`not ended by the server within ${PRE_LOGIN_DEADLINE_MS} ms`)),
      PRE_LOGIN_DEADLINE_MS,
    );
  });
  const until = (what: Promise<void>) => Promise.race([what, closed, expired]);
  try {
    await until(event("connect"));
    await until(event("data"));
    if (socket.destroyed) return;
    const header = Buffer.alloc(4);
    header.writeUIntLE(Math.min(bytes, 0xffffff), 0, 3);
    header[3] = 1;
    socket.write(header);
    const chunk = Buffer.alloc(SEND_CHUNK);
    for (let sent = 0; sent < bytes && !socket.destroyed; sent += SEND_CHUNK) {
      const piece = bytes - sent < SEND_CHUNK ? chunk.subarray(0, bytes - sent) : chunk;
      if (!socket.write(piece)) await until(event("drain"));
    }
    await until(closedWithin(socket, HOSTILE_GIVE_UP_MS));
  } finally {
    clearTimeout(deadline);
    socket.destroy();
  }
}

/** Logs in, pipelines `queries` queries, never reads a reply, and drops the connection after `holdMs`. */
async function nonReader(port: number, queries: number, holdMs: number): Promise<void> {
  const client = await rawLogin(port, false);
  const socket = client.socket;
  // Stop reading: the kernel's buffers fill, and then it is up to the server.
  socket.pause();
  socket.removeAllListeners("data");
  const query = encodePacket(
    Buffer.concat([Buffer.from([Command.COM_QUERY]), Buffer.from("SHOW GLOBAL VARIABLES")]),
    0,
  );
  socket.write(Buffer.concat(Array.from({ length: queries }, () => query)));
  await closedWithin(socket, holdMs);
  socket.destroy();
}

// ---- the run ------------------------------------------------------------------------------------

const LOGIN_KINDS = ["mysql2-tls", "mysql2-plain", "raw-tls", "raw-plain"] as const;
const DEFAULT_MIX: Record<(typeof LOGIN_KINDS)[number], number> = {
  "mysql2-tls": 1,
  "mysql2-plain": 1,
  "raw-tls": 2,
  "raw-plain": 6,
};

type Task = { kind: ClientKind; run: () => Promise<void> };

/** Runs `tasks` with at most `concurrency` at once; never rejects. */
async function pool(tasks: Task[], concurrency: number, settle: (kind: ClientKind, error: unknown) => void) {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const task = tasks[next++]!;
      try {
        await task.run();
        settle(task.kind, null);
      } catch (error) {
        settle(task.kind, error ?? new Error("failed"));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, tasks.length)) }, worker));
}

/** The kinds of `count` logins, interleaved in the proportions of `mix`. */
function loginKinds(count: number, mix: Record<(typeof LOGIN_KINDS)[number], number>) {
  const total = LOGIN_KINDS.reduce((sum, kind) => sum + mix[kind], 0);
  const kinds: Array<(typeof LOGIN_KINDS)[number]> = [];
  const credit = Object.fromEntries(LOGIN_KINDS.map((k) => [k, 0])) as Record<string, number>;
  for (let i = 0; i < count; i++) {
    for (const kind of LOGIN_KINDS) credit[kind]! += mix[kind] / total;
    const kind = LOGIN_KINDS.reduce((best, k) => (credit[k]! > credit[best]! ? k : best));
    credit[kind]! -= 1;
    kinds.push(kind);
  }
  return kinds;
}

/** Least-squares slope of y over x; 0 for fewer than two points. */
export function slope(points: ReadonlyArray<{ x: number; y: number }>): number {
  if (points.length < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / points.length;
  const my = points.reduce((s, p) => s + p.y, 0) / points.length;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/**
 * Whether RSS plateaus: over the last third of `samples` it grows at most
 * {@link PLATEAU_SLOPE_RATIO} of its rate over the first third, or by no more than
 * {@link PLATEAU_GROWTH_FRACTION} of `baselineRss` in all.
 */
export function plateauOf(
  samples: readonly SoakSample[],
  baselineRss: number,
): Pick<
  SoakReport,
  "firstThirdSlope" | "lastThirdSlope" | "lastThirdGrowth" | "lastThirdMedianRatio" | "plateau"
> {
  const third = Math.max(2, Math.floor(samples.length / 3));
  const points = samples.map((s) => ({ x: s.logins, y: s.rss }));
  const first = points.slice(0, third);
  const last = points.slice(-third);
  const firstThirdSlope = slope(first);
  const lastThirdSlope = slope(last);
  const span = last.length > 1 ? last[last.length - 1]!.x - last[0]!.x : 0;
  const lastThirdGrowth = Math.max(0, lastThirdSlope) * span;
  const plateau =
    lastThirdGrowth <= PLATEAU_GROWTH_FRACTION * baselineRss ||
    lastThirdSlope <= PLATEAU_SLOPE_RATIO * Math.max(0, firstThirdSlope);
  const lastRss = last.map((p) => p.y).sort((a, b) => a - b);
  const median = lastRss.length === 0 ? baselineRss : lastRss[Math.floor(lastRss.length / 2)]!;
  return {
    firstThirdSlope,
    lastThirdSlope,
    lastThirdGrowth,
    lastThirdMedianRatio: baselineRss > 0 ? median / baselineRss : 1,
    plateau,
  };
}

const zeroCounts = () =>
  Object.fromEntries([...LOGIN_KINDS, "pre-login-sender", "non-reader"].map((kind) => [kind, 0])) as Record<
    ClientKind,
    number
  >;

/** Runs the soak against `server` (see {@link SoakOptions}). */
export async function runSoak(server: SoakServer, options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? (() => {});
  const mix = { ...DEFAULT_MIX, ...options.loginMix };
  const completed = zeroCounts();
  const failures = zeroCounts();
  const failureSamples: string[] = [];
  let logins = 0;
  const settle = (kind: ClientKind, error: unknown) => {
    if (error === null) {
      completed[kind]++;
      if ((LOGIN_KINDS as readonly string[]).includes(kind)) logins++;
      return;
    }
    failures[kind]++;
    if (failureSamples.length < 10)
      failureSamples.push(`${kind}: ${(error as Error).message ?? String(error)}`);
  };

  const started = performance.now();
  let peakRss = rssOf(server.pid);
  const timer = options.sampleIntervalMs
    ? setInterval(() => {
        if (server.alive()) peakRss = Math.max(peakRss, rssOf(server.pid));
      }, options.sampleIntervalMs)
    : undefined;

  const round = async () => {
    const logins = loginKinds(options.loginsPerRound, mix).map((kind): Task => ({
      kind,
      run: () =>
        kind === "mysql2-tls" || kind === "mysql2-plain"
          ? mysql2Login(server.port, kind === "mysql2-tls")
          : rawLoginAndQuit(server.port, kind === "raw-tls"),
    }));
    const hostile: Task[] = [
      ...Array.from({ length: options.preLoginSendersPerRound }, (): Task => ({
        kind: "pre-login-sender",
        run: () => preLoginSender(server.port, options.preLoginBytes ?? 4 * MiB),
      })),
      ...Array.from({ length: options.nonReadersPerRound }, (): Task => ({
        kind: "non-reader",
        run: () => nonReader(server.port, options.nonReaderQueries, options.nonReaderHoldMs),
      })),
    ];
    await Promise.all([
      pool(logins, options.concurrency, settle),
      pool(hostile, options.hostileConcurrency, settle),
    ]);
  };

  const samples: SoakSample[] = [];
  let baselineRss = 0;
  try {
    for (let i = 0; i < options.warmupRounds; i++) await round();
    await server.collect();
    baselineRss = rssOf(server.pid);
    peakRss = Math.max(peakRss, baselineRss);
    log(`warm-up: ${logins} logins, RSS ${(baselineRss / MiB).toFixed(1)} MiB`);
    for (let i = 1; i <= options.rounds; i++) {
      await round();
      if (!server.alive()) break;
      // The timer samples saw the peak; this one is what the server keeps.
      peakRss = Math.max(peakRss, rssOf(server.pid));
      await server.collect();
      const rss = rssOf(server.pid);
      peakRss = Math.max(peakRss, rss);
      samples.push({ round: i, logins, rss, atMs: performance.now() - started });
      log(`round ${i}/${options.rounds}: ${logins} logins, RSS ${(rss / MiB).toFixed(1)} MiB`);
    }
  } finally {
    clearInterval(timer);
  }
  const serverAlive = server.alive();
  return {
    baselineRss,
    finalRss: samples[samples.length - 1]?.rss ?? baselineRss,
    peakRss,
    samples,
    ...plateauOf(samples, baselineRss),
    completed,
    failures,
    failureSamples,
    durationMs: performance.now() - started,
    serverAlive,
  };
}

/**
 * Runs `count` pre-login senders of `bytes` each, `concurrency` at a time, against `server`;
 * returns its RSS before, at the highest (sampled every `sampleIntervalMs`) and after (following a
 * forced GC, as the soak's samples).
 */
export async function preLoginBurst(
  server: SoakServer,
  count: number,
  bytes: number,
  concurrency: number,
  sampleIntervalMs = 250,
): Promise<{
  before: number;
  peak: number;
  after: number;
  completed: number;
  failed: number;
  failureSamples: string[];
}> {
  const before = rssOf(server.pid);
  let peak = before;
  const timer = setInterval(() => {
    if (server.alive()) peak = Math.max(peak, rssOf(server.pid));
  }, sampleIntervalMs);
  let completed = 0;
  let failed = 0;
  const failureSamples: string[] = [];
  try {
    const tasks = Array.from({ length: count }, (): Task => ({
      kind: "pre-login-sender",
      run: () => preLoginSender(server.port, bytes),
    }));
    await pool(tasks, concurrency, (_, error) => {
      if (error === null) completed++;
      else {
        failed++;
        if (failureSamples.length < 5) failureSamples.push((error as Error).message ?? String(error));
      }
    });
  } finally {
    clearInterval(timer);
  }
  if (server.alive()) peak = Math.max(peak, rssOf(server.pid));
  await server.collect();
  const after = server.alive() ? rssOf(server.pid) : 0;
  return { before, peak: Math.max(peak, after), after, completed, failed, failureSamples };
}
