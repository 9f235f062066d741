/**
 * Connect rate with a client that is not the bottleneck: mysql2 spends more CPU per login than the
 * server it loads (the bench's "Client CPU per operation" table), so its logins/s say more about
 * mysql2 than about the server. This section drives the mock and Debian's mariadbd with
 * bench/login-loop.go, a Go load generator whose own CPU per login is measured in the same rounds
 * and shown beside the servers', so the table proves it is well below theirs.
 *
 * bench.ts exports nothing (it runs its main on import), so the few helpers this needs — a server
 * process that prints its port, CPU time from /proc, a median — are duplicated here in minimal form.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { getCertificateSet, writeCertificateSet } from "../src/certs";
import { findExecutable, startMariadbServer } from "../test/helpers/mariadb-server";

const ROOT = join(__dirname, "..");
/** Logins per measured round, per server. */
const LOGINS = Number(process.env.BENCH_GENERATOR_LOGINS ?? 2000);
/** Rounds, each server measured once per round in turn; medians kept. */
const ROUNDS = Number(process.env.BENCH_CPU_ROUNDS ?? 5);
/** As the bench's other connect-rate tables: 8 logins under way at once. */
const CONCURRENCY = 8;
/** Generator processes the logins are split over (see {@link generate}). */
const PROCESSES = Number(process.env.BENCH_GENERATOR_PROCESSES ?? 2);
const START_TIMEOUT_MS = 60_000;

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
  generatorCpuMs: number;
  tls: string;
}

/** CPU time (user + system) a process has used, in milliseconds, from /proc (as bench.ts). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  // utime and stime are fields 14 and 15 of /proc/pid/stat, in clock ticks (100 per second on Linux).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
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
): Promise<GeneratorRun> {
  const share = (total: number, i: number) => Math.floor(total / PROCESSES) + (i < total % PROCESSES ? 1 : 0);
  const runs = await Promise.all(
    Array.from({ length: PROCESSES }, async (_, i) => {
      const args = ["127.0.0.1", String(port), user, password, String(share(logins, i))];
      const { stdout } = await promisify(execFile)(generator, [...args, String(share(CONCURRENCY, i))], {
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

/** The mock in its own process with the given certificate files, printing its port (as bench.ts's mockProcess). */
async function mockProcess(files: { key: string; cert: string; ca: string }) {
  const script = `
    require("tsx/cjs");
    const { readFileSync } = require("node:fs");
    const files = ${JSON.stringify(files)};
    const tls = { key: readFileSync(files.key, "utf8"), cert: readFileSync(files.cert, "utf8"), ca: readFileSync(files.ca, "utf8") };
    require(${JSON.stringify(join(ROOT, "src", "mock-server.ts"))})
      .startMockServer({ tls }).then((s) => console.log(s.port));`;
  const child: ChildProcess = spawn(process.execPath, ["-e", script], {
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
      timer = setTimeout(() => reject(new Error(`the mock did not start: ${out}`)), START_TIMEOUT_MS);
      child.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        const found = /^(\d+)$/m.exec(out);
        if (found) resolve(Number(found[1]));
      });
      void exited.then(() => reject(new Error(`the mock exited before it listened: ${out}`)));
    });
    return { pid: child.pid!, port, stop };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Logins/s and CPU per login of each server and of the generator, the two servers measured in
 * turns (mock, mariadbd, mock, …) with the same generator, certificate files (the mysql-auto set,
 * RSA 2048), TLSv1.2 and concurrency. Null, with the reason, when go or mariadbd is missing.
 */
export async function measureLoadGenerator(): Promise<
  { mock: LoadFigures; mariadbd: LoadFigures } | { missing: string }
> {
  if (!findExecutable("mariadbd")) return { missing: "mariadbd is not installed here" };
  const dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-bench-generator-"));
  const stops: Array<() => Promise<void>> = [];
  try {
    const built = await buildGenerator(dir);
    if ("missing" in built) return built;
    await writeCertificateSet(await getCertificateSet("mysql-auto"), dir);
    const files = {
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
    const mock = await mockProcess(files);
    stops.push(mock.stop);
    const subjects = [
      { pid: mock.pid, port: mock.port, user: "root", password: "root" },
      { pid: real.pid, port: real.port, user: "bench", password: "bench" },
    ];
    // Warm-up: the mock's JIT, mariadbd's thread cache.
    for (const s of subjects) await generate(built.path, s.port, s.user, s.password, 200);
    const samples = subjects.map(() => ({
      rate: [] as number[],
      server: [] as number[],
      generator: [] as number[],
      tls: new Set<string>(),
    }));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, s] of subjects.entries()) {
        const before = cpuMsOf(s.pid);
        const run = await generate(built.path, s.port, s.user, s.password, LOGINS);
        const serverMs = cpuMsOf(s.pid) - before;
        samples[i]!.rate.push(run.logins / (run.wallMs / 1000));
        samples[i]!.server.push(serverMs / run.logins);
        samples[i]!.generator.push(run.cpuMs / run.logins);
        samples[i]!.tls.add(run.tls ?? "none");
      }
    }
    const [mockFigures, realFigures] = samples.map((sample) => ({
      loginsPerSecond: median(sample.rate),
      serverCpuMs: median(sample.server),
      generatorCpuMs: median(sample.generator),
      tls: [...sample.tls].join(", "),
    }));
    return { mock: mockFigures!, mariadbd: realFigures! };
  } finally {
    for (const stop of stops.reverse()) await stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** The section for docs/BENCHMARKS.md: the table, or why nothing was measured. */
export async function loadGeneratorSection(): Promise<string> {
  const title = `## Connect rate with a light load generator (bench/login-loop.go in ${PROCESSES} processes, RSA 2048, TLSv1.2, ${CONCURRENCY} concurrent, each server in its own process, median of ${ROUNDS} interleaved rounds of ${fmt(LOGINS)} logins)`;
  const figures = await measureLoadGenerator();
  if ("missing" in figures) return [title, "", `${figures.missing}; not measured.`].join("\n");
  const { mock, mariadbd } = figures;
  const row = (what: string, m: number, r: number, digits: number, unit = "") =>
    `| ${what} | ${fmt(m, digits)}${unit} | ${fmt(r, digits)}${unit} | ${fmt(m / r, 2)}× |`;
  return [
    title,
    "",
    "| | mock | mariadbd | ratio mock/mariadbd |",
    "| --- | --- | --- | --- |",
    row("TLS logins/s", mock.loginsPerSecond, mariadbd.loginsPerSecond, 0),
    row("server CPU per TLS login", mock.serverCpuMs, mariadbd.serverCpuMs, 2, " ms"),
    row("generator CPU per TLS login", mock.generatorCpuMs, mariadbd.generatorCpuMs, 2, " ms"),
    `| generator CPU / server CPU (well below 1: the server is the bottleneck) | ${fmt(mock.generatorCpuMs / mock.serverCpuMs, 2)}× | ${fmt(mariadbd.generatorCpuMs / mariadbd.serverCpuMs, 2)}× | |`,
    "",
    `Negotiated: mock ${mock.tls}; mariadbd ${mariadbd.tls}.`,
  ].join("\n");
}
