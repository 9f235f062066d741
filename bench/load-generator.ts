/**
 * Connect rate with a client that is not the bottleneck: mysql2 spends more CPU per login than the
 * server it loads (the bench's "Client CPU per operation" table), so its logins/s say more about
 * mysql2 than about the server. This section drives the mock, Debian's mariadbd and
 * bench/minimal-login-server.ts (the least a Node server can do for the same login: the floor any
 * Node implementation starts from) with bench/login-loop.go, a Go load generator whose own CPU per
 * login is measured in the same rounds and shown beside the servers', so the table proves it is
 * well below theirs. The Node servers run both built (what an installed package runs) and through
 * tsx (what a clone can run), since tsx's transform changes what the JIT is given.
 *
 * CPU time, medians and the dist/ build come from measure.ts, shared with bench.ts. The server
 * processes are started here with their own small spawner: bench.ts's runs a script for the mock
 * only, this one runs any server file with arguments.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { getCertificateSet, writeCertificateSet } from "../src/certs";
import { findExecutable, startMariadbServer } from "../test/helpers/mariadb-server";
import { buildDist, cpuMsOf, fmt, median, ROOT, tsc } from "./measure";

/** Logins per measured round, per server. */
const LOGINS = Number(process.env.BENCH_GENERATOR_LOGINS ?? 2000);
/** Rounds, each server measured once per round in turn; medians kept. */
const ROUNDS = Number(process.env.BENCH_CPU_ROUNDS ?? 5);
/** As the bench's other connect-rate tables: 8 logins under way at once. */
const CONCURRENCY = 8;
/** Generator processes the logins are split over (see {@link generate}). */
const PROCESSES = Number(process.env.BENCH_GENERATOR_PROCESSES ?? 2);
const START_TIMEOUT_MS = 60_000;
/** Logins each server gets before the rounds: the Node servers' JIT, mariadbd's thread cache. */
const WARM_UP_LOGINS = 500;
const MINIMAL_SERVER = join(ROOT, "bench", "minimal-login-server.ts");

/** The served certificate set as PEM files. */
interface CertificateFiles {
  key: string;
  cert: string;
  ca: string;
}

/** What one run of the generator reports about itself. */
interface GeneratorRun {
  logins: number;
  failed: number;
  wallMs: number;
  cpuMs: number;
  /** `TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`: what the handshakes negotiated. */
  tls: string | null;
  error: string | null;
}

/** One server's figures, medians over the rounds. */
export interface LoadFigures {
  loginsPerSecond: number;
  serverCpuMs: number;
  /** Fastest and slowest round's server CPU per login. */
  serverCpuMsRange: [number, number];
  generatorCpuMs: number;
  tls: string;
}

/** Builds bench/login-loop.go into `dir` with the standard library only; null and why when it cannot. */
async function buildGenerator(dir: string): Promise<{ path: string } | { missing: string }> {
  const go = findExecutable("go");
  if (!go) return { missing: "go is not installed (Debian: golang-go)" };
  const path = join(dir, "login-loop");
  await promisify(execFile)(go, ["build", "-o", path, join(ROOT, "bench", "login-loop.go")], {
    env: {
      ...process.env,
      GO111MODULE: "off",
      CGO_ENABLED: "0",
      GOCACHE: process.env.GOCACHE ?? join(tmpdir(), "mysql-tls-mock-go-build-cache"),
    },
  });
  return { path };
}

/**
 * One generator run: `logins` logins, {@link CONCURRENCY} under way at once, split over
 * {@link PROCESSES} processes of one Go scheduler thread each (GOMAXPROCS=1): a Go program with
 * more threads than work spins its idle ones looking for some, CPU the servers would be charged
 * for on a small machine. Rejects with a process's output when a login failed.
 */
async function generate(
  generator: string,
  port: number,
  user: string,
  password: string,
  logins: number,
  handshakeOnly = false,
): Promise<GeneratorRun> {
  const share = (total: number, i: number) => Math.floor(total / PROCESSES) + (i < total % PROCESSES ? 1 : 0);
  const runs = await Promise.all(
    Array.from({ length: PROCESSES }, async (_, i) => {
      const args = [
        "127.0.0.1",
        String(port),
        user,
        password,
        String(share(logins, i)),
        String(share(CONCURRENCY, i)),
      ];
      const { stdout } = await promisify(execFile)(generator, handshakeOnly ? [...args, "handshake"] : args, {
        env: { ...process.env, GOMAXPROCS: "1" },
      }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
        throw new Error(`the load generator failed: ${error.stdout ?? ""}${error.stderr ?? error.message}`);
      });
      return JSON.parse(stdout) as GeneratorRun;
    }),
  );
  return {
    logins: runs.reduce((sum, run) => sum + run.logins, 0),
    failed: runs.reduce((sum, run) => sum + run.failed, 0),
    // The processes start together; the run lasts until the last one is done.
    wallMs: Math.max(...runs.map((run) => run.wallMs)),
    cpuMs: runs.reduce((sum, run) => sum + run.cpuMs, 0),
    tls: runs[0]!.tls,
    error: runs.find((run) => run.error !== null)?.error ?? null,
  };
}

/** How a Node server process runs: TypeScript through tsx (as a clone can), or built JavaScript (as an installed package does). */
type Runtime = "tsx" | "node";

/** A server process started with `args`, printing its port on a line of its own; killed by `stop`. */
async function serverProcess(what: string, args: string[]) {
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = once(child, "exit");
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  };
  let out = "";
  let timer: NodeJS.Timeout | undefined;
  try {
    const port = await new Promise<number>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not start: ${out}`)), START_TIMEOUT_MS);
      child.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        const found = /^(\d+)$/m.exec(out);
        if (found) resolve(Number(found[1]));
      });
      void exited.then(() => reject(new Error(`${what} exited before it listened: ${out}`)));
    });
    return { pid: child.pid!, port, stop };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** The mock in its own process with the given certificate files (as bench.ts's mockProcess), from src/ through tsx or from dist/. */
function mockProcess(files: CertificateFiles, runtime: Runtime) {
  const entry =
    runtime === "tsx" ? join(ROOT, "src", "mock-server.ts") : join(ROOT, "dist", "mock-server.js");
  const script = `
    ${runtime === "tsx" ? 'require("tsx/cjs");' : ""}
    const { readFileSync } = require("node:fs");
    const files = ${JSON.stringify(files)};
    const tls = { key: readFileSync(files.key, "utf8"), cert: readFileSync(files.cert, "utf8"), ca: readFileSync(files.ca, "utf8") };
    require(${JSON.stringify(entry)})
      .startMockServer({ tls }).then((s) => console.log(s.port));`;
  return serverProcess(`the mock (${runtime})`, ["-e", script]);
}

/** bench/minimal-login-server.ts in its own process, through tsx or as `built` JavaScript. */
function minimalProcess(files: CertificateFiles, runtime: Runtime, built: string) {
  const entry = runtime === "tsx" ? ["--require", "tsx/cjs", MINIMAL_SERVER] : [built];
  return serverProcess(`the minimal server (${runtime})`, [...entry, files.key, files.cert]);
}

/**
 * A bare node:tls server that only completes handshakes (the issue's other yardstick), with the
 * minimal server's TLS settings; bench/login-loop.go's `handshake` mode drives it.
 */
function bareTlsProcess(files: CertificateFiles) {
  const script = `
    const { readFileSync } = require("node:fs");
    const tls = require("node:tls");
    const files = ${JSON.stringify(files)};
    const server = tls.createServer(
      {
        key: readFileSync(files.key), cert: readFileSync(files.cert), minVersion: "TLSv1.2", maxVersion: "TLSv1.2",
        secureOptions: require("node:crypto").constants.SSL_OP_NO_TICKET,
      },
      (socket) => { socket.on("error", () => {}); socket.end(); },
    );
    server.on("tlsClientError", () => {});
    server.listen(0, "127.0.0.1", () => console.log(server.address().port));`;
  return serverProcess("the bare TLS server", ["-e", script]);
}

/**
 * The same handshake as {@link bareTlsProcess}, but on a TLSSocket wrapped around a net.Socket as
 * the minimal server (and every MySQL server) upgrades one: what that path costs on its own.
 */
function wrappedTlsProcess(files: CertificateFiles) {
  const script = `
    const { readFileSync } = require("node:fs");
    const net = require("node:net");
    const tls = require("node:tls");
    const files = ${JSON.stringify(files)};
    const secureContext = tls.createSecureContext({
      key: readFileSync(files.key), cert: readFileSync(files.cert), minVersion: "TLSv1.2", maxVersion: "TLSv1.2",
      secureOptions: require("node:crypto").constants.SSL_OP_NO_TICKET,
    });
    const server = net.createServer({ noDelay: true }, (socket) => {
      socket.on("error", () => {});
      const secure = new tls.TLSSocket(socket, { isServer: true, secureContext });
      secure.on("error", () => {});
      secure.on("secure", () => secure.end());
    });
    server.listen(0, "127.0.0.1", () => console.log(server.address().port));`;
  return serverProcess("the wrapped TLS server", ["-e", script]);
}

/** Compiles bench/minimal-login-server.ts (and the src modules it imports) into `dir`; the built entry. */
async function buildMinimalServer(dir: string): Promise<string> {
  const out = join(dir, "minimal-server");
  // tsconfig.json's settings that matter for emit; with a file named, tsc reads no tsconfig.
  const options = ["--target", "ES2022", "--module", "commonjs", "--moduleResolution", "node", "--strict"];
  await tsc([
    ...options,
    "--skipLibCheck",
    "--types",
    "node",
    "--rootDir",
    ROOT,
    "--outDir",
    out,
    MINIMAL_SERVER,
  ]);
  return join(out, "bench", "minimal-login-server.js");
}

/** The servers measured, in the order of the tables. */
const SERVERS = [
  "mockNode",
  "mockTsx",
  "minimalNode",
  "minimalTsx",
  "mariadbd",
  "bareTls",
  "wrappedTls",
] as const;
type ServerName = (typeof SERVERS)[number];
const LABELS: Record<ServerName, string> = {
  mockNode: "mock (dist/, node)",
  mockTsx: "mock (src/, tsx)",
  minimalNode: "minimal Node server (tsc build, node)",
  minimalTsx: "minimal Node server (tsx)",
  mariadbd: "mariadbd",
  bareTls: "bare node:tls server, handshake only (no login)",
  wrappedTls: "TLSSocket over net.Socket, handshake only (no login)",
};
/** The servers that only complete a TLS handshake: bench/login-loop.go's `handshake` mode drives them. */
const HANDSHAKE_ONLY: ReadonlySet<ServerName> = new Set(["bareTls", "wrappedTls"]);

/** Options of {@link measureLoadGenerator}. */
export interface LoadGeneratorOptions {
  /** dist/ was just built from the sources (bench.ts builds it first); otherwise it is built here. */
  distBuilt?: boolean;
}

/** The figures of every server, and the per-round ratios of server CPU per login. */
export interface LoadGeneratorFigures {
  servers: Record<ServerName, LoadFigures>;
  /** Server CPU per login of `a` over `b`, one value per round (both measured in that round). */
  ratio(a: ServerName, b: ServerName): number[];
}

/**
 * Logins/s and CPU per login of each server and of the generator, the servers measured in turns
 * (each round in a rotated order) with the same generator, certificate files (the mysql-auto set,
 * RSA 2048), TLSv1.2 and concurrency: the mock from dist/ and through tsx, the minimal Node server
 * (bench/minimal-login-server.ts: the floor a Node server pays for this login) built and through
 * tsx, Debian's mariadbd, and two Node servers that only complete a TLS handshake (a tls.Server,
 * and a TLSSocket over a net.Socket as a MySQL upgrade makes one). The reason instead, when go or
 * mariadbd is missing.
 */
export async function measureLoadGenerator(
  options: LoadGeneratorOptions = {},
): Promise<LoadGeneratorFigures | { missing: string }> {
  if (!findExecutable("mariadbd")) return { missing: "mariadbd is not installed here" };
  const dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-bench-generator-"));
  const stops: Array<() => Promise<void>> = [];
  try {
    const [built, minimalBuilt] = await Promise.all([
      buildGenerator(dir),
      buildMinimalServer(dir),
      options.distBuilt ? Promise.resolve() : buildDist(),
    ]);
    if ("missing" in built) return built;
    await writeCertificateSet(await getCertificateSet("mysql-auto"), dir);
    const files: CertificateFiles = {
      ca: join(dir, "ca.pem"),
      cert: join(dir, "server-cert.pem"),
      key: join(dir, "server-key.pem"),
    };
    const real = await startMariadbServer({ ssl: files });
    stops.push(() => real.stop());
    const created = await real.admin(
      "CREATE USER 'bench'@'127.0.0.1' IDENTIFIED BY 'bench'; GRANT ALL ON *.* TO 'bench'@'127.0.0.1';",
    );
    if (created.code !== 0) throw new Error(`mariadbd refused the bench account: ${created.stderr}`);
    const started = async (pending: Promise<{ pid: number; port: number; stop: () => Promise<void> }>) => {
      const server = await pending;
      stops.push(server.stop);
      return { pid: server.pid, port: server.port, user: "root", password: "root" };
    };
    const subjects: Record<ServerName, { pid: number; port: number; user: string; password: string }> = {
      mockNode: await started(mockProcess(files, "node")),
      mockTsx: await started(mockProcess(files, "tsx")),
      minimalNode: await started(minimalProcess(files, "node", minimalBuilt)),
      minimalTsx: await started(minimalProcess(files, "tsx", minimalBuilt)),
      mariadbd: { pid: real.pid, port: real.port, user: "bench", password: "bench" },
      bareTls: await started(bareTlsProcess(files)),
      wrappedTls: await started(wrappedTlsProcess(files)),
    };
    const run = (name: ServerName, logins: number) => {
      const s = subjects[name];
      return generate(built.path, s.port, s.user, s.password, logins, HANDSHAKE_ONLY.has(name));
    };
    // Warm-up: the Node servers' JIT, mariadbd's thread cache.
    for (const name of SERVERS) await run(name, WARM_UP_LOGINS);
    const samples = Object.fromEntries(
      SERVERS.map((name) => [
        name,
        { rate: [] as number[], server: [] as number[], generator: [] as number[], tls: new Set<string>() },
      ]),
    ) as Record<ServerName, { rate: number[]; server: number[]; generator: number[]; tls: Set<string> }>;
    for (let round = 0; round < ROUNDS; round++) {
      // Rotated, so no server is always measured first (or right after the same neighbour).
      const order = SERVERS.map((_, i) => SERVERS[(i + round) % SERVERS.length]!);
      for (const name of order) {
        const pid = subjects[name].pid;
        const before = cpuMsOf(pid);
        const done = await run(name, LOGINS);
        const serverMs = cpuMsOf(pid) - before;
        const sample = samples[name];
        sample.rate.push(done.logins / (done.wallMs / 1000));
        sample.server.push(serverMs / done.logins);
        sample.generator.push(done.cpuMs / done.logins);
        sample.tls.add(done.tls ?? "none");
      }
    }
    const servers = Object.fromEntries(
      SERVERS.map((name) => {
        const sample = samples[name];
        const figures: LoadFigures = {
          loginsPerSecond: median(sample.rate),
          serverCpuMs: median(sample.server),
          serverCpuMsRange: [Math.min(...sample.server), Math.max(...sample.server)],
          generatorCpuMs: median(sample.generator),
          tls: [...sample.tls].join(", "),
        };
        return [name, figures];
      }),
    ) as Record<ServerName, LoadFigures>;
    return {
      servers,
      ratio: (a, b) => samples[a].server.map((cpu, round) => cpu / samples[b].server[round]!),
    };
  } finally {
    for (const stop of stops.reverse()) await stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A median with the smallest and largest round beside it: `1.23 (1.10–1.40)`. */
function withSpread(values: number[], digits: number, unit = ""): string {
  return `${fmt(median(values), digits)}${unit} (${fmt(Math.min(...values), digits)}–${fmt(Math.max(...values), digits)})`;
}

/** The section for docs/BENCHMARKS.md: the tables, or why nothing was measured. */
export async function loadGeneratorSection(options: LoadGeneratorOptions = {}): Promise<string> {
  const title = `## Connect rate with a light load generator (bench/login-loop.go in ${PROCESSES} processes, RSA 2048, TLSv1.2, ${CONCURRENCY} concurrent, each server in its own process, median of ${ROUNDS} interleaved rounds of ${fmt(LOGINS)} logins)`;
  const figures = await measureLoadGenerator(options);
  if ("missing" in figures) return [title, "", `${figures.missing}; not measured.`].join("\n");
  const { servers, ratio } = figures;
  const row = (what: string, cell: (f: LoadFigures) => string) =>
    `| ${what} | ${SERVERS.map((name) => cell(servers[name])).join(" | ")} |`;
  const ratioRow = (what: string, pairs: Array<[ServerName, ServerName] | null>) =>
    `| ${what} | ${pairs.map((pair) => (pair ? withSpread(ratio(...pair), 2, "×") : "—")).join(" | ")} |`;
  return [
    title,
    "",
    "The minimal Node server (bench/minimal-login-server.ts) is the floor for a Node server: the same login with every reply precomputed, no password check, no recording — a net.Socket upgraded with `new tls.TLSSocket(socket, { isServer: true })` and one shared SecureContext. It requests no client certificate, which mariadbd and the mock do (a CertificateRequest with no CA names from mariadbd). Server CPU cells: median (fastest–slowest round).",
    "",
    `| | ${SERVERS.map((name) => LABELS[name]).join(" | ")} |`,
    `| --- | ${SERVERS.map(() => "---").join(" | ")} |`,
    row("TLS logins/s (handshake-only servers: handshakes/s)", (f) => fmt(f.loginsPerSecond)),
    row(
      "server CPU per TLS login (handshake-only servers: per handshake)",
      (f) =>
        `${fmt(f.serverCpuMs, 2)} ms (${fmt(f.serverCpuMsRange[0], 2)}–${fmt(f.serverCpuMsRange[1], 2)})`,
    ),
    row("generator CPU per TLS login", (f) => `${fmt(f.generatorCpuMs, 2)} ms`),
    row(
      "generator CPU / server CPU (well below 1: the server is the bottleneck)",
      (f) => `${fmt(f.generatorCpuMs / f.serverCpuMs, 2)}×`,
    ),
    "",
    "Server CPU per TLS login, ratios per round (median, lowest–highest round):",
    "",
    "| ratio | built (node) | through tsx |",
    "| --- | --- | --- |",
    ratioRow("mock / mariadbd", [
      ["mockNode", "mariadbd"],
      ["mockTsx", "mariadbd"],
    ]),
    ratioRow("minimal Node server / mariadbd", [
      ["minimalNode", "mariadbd"],
      ["minimalTsx", "mariadbd"],
    ]),
    ratioRow("mock / minimal Node server", [
      ["mockNode", "minimalNode"],
      ["mockTsx", "minimalTsx"],
    ]),
    ratioRow("mock / bare TLS handshake", [
      ["mockNode", "bareTls"],
      ["mockTsx", "bareTls"],
    ]),
    ratioRow("minimal Node server / bare TLS handshake", [
      ["minimalNode", "bareTls"],
      ["minimalTsx", "bareTls"],
    ]),
    ratioRow("mariadbd / bare TLS handshake", [["mariadbd", "bareTls"], null]),
    ratioRow("TLSSocket-over-net.Socket handshake / bare TLS handshake", [["wrappedTls", "bareTls"], null]),
    ratioRow("minimal Node server / TLSSocket-over-net.Socket handshake", [
      ["minimalNode", "wrappedTls"],
      ["minimalTsx", "wrappedTls"],
    ]),
    "",
    `Negotiated: ${SERVERS.map((name) => `${LABELS[name]} ${servers[name].tls}`).join("; ")}.`,
  ].join("\n");
}
