/**
 * `npm run bench`: speed and memory of the mock server, each reported as a ratio against a
 * baseline measured in the same run (never as an absolute target in a test). Writes
 * docs/BENCHMARKS.md with the machine and the date.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { connect as tlsConnect, createServer as createTlsServer } from "node:tls";
import * as mysql2 from "mysql2/promise";
import { getCertificateSet, writeCertificateSet } from "../src/certs";
import { startMockServer } from "../src/mock-server";
import { findExecutable, startMariadbServer } from "../test/helpers/mariadb-server";
import { auditRateSection } from "./audit-rate";
import { carriedSection } from "./doc-section";
import { loadGeneratorSection } from "./load-generator";
import { buildDist, cpuMsOf, fmt, median, ROOT } from "./measure";
import { startupSection } from "./startup";
import { SOAK_SECTION } from "./soak";

/** Each rate is measured for this long (bounded count too), after a short warm-up. */
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 3000);
const MAX_OPERATIONS = 20_000;
const IDLE_CONNECTIONS = Number(process.env.BENCH_IDLE_CONNECTIONS ?? 1000);

type Operation = () => Promise<void>;

/** Runs `operation` with `concurrency` loops for DURATION_MS; returns operations per second. */
async function rate(operation: Operation, concurrency: number): Promise<number> {
  for (let i = 0; i < Math.min(concurrency, 8); i++) await operation(); // warm-up
  let done = 0;
  const started = performance.now();
  const deadline = started + DURATION_MS;
  const loop = async () => {
    while (performance.now() < deadline && done < MAX_OPERATIONS) {
      await operation();
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return done / ((performance.now() - started) / 1000);
}

/** One bare TLS 1.2 handshake with `tls.connect`, closed as soon as it completes. */
function tlsHandshakeOnce(port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const socket = tlsConnect(
      { port, host: "127.0.0.1", rejectUnauthorized: false, maxVersion: "TLSv1.2" },
      () => {
        socket.destroy();
        resolve();
      },
    );
    socket.on("error", reject);
  });
}

/** The ceiling: a bare node:tls server that only completes handshakes, with the same key. */
async function bareTlsHandshakes(key: string, cert: string, concurrency: number): Promise<number> {
  const server = createTlsServer({ key, cert, maxVersion: "TLSv1.2" }, (socket) => socket.end());
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  try {
    return await rate(() => tlsHandshakeOnce(port), concurrency);
  } finally {
    server.close();
  }
}

/** A full login with mysql2: greeting, (SSLRequest, TLS,) native auth, SELECT 1, quit. */
async function mysqlLoginOnce(port: number, tls = true, user = "root", password = "root"): Promise<void> {
  const connection = await mysql2.createConnection({
    host: "127.0.0.1",
    port,
    user,
    password,
    ...(tls ? { ssl: { rejectUnauthorized: false, maxVersion: "TLSv1.2" } } : {}),
  });
  await connection.query("SELECT 1");
  await connection.end();
}

/** Logins per second, see {@link rate}. */
function mysqlLogins(port: number, tls: boolean, concurrency: number): Promise<number> {
  return rate(() => mysqlLoginOnce(port, tls), concurrency);
}

/** How long a server process may take to say it listens. */
const START_TIMEOUT_MS = 60_000;

/** Server processes still running: killed if the bench ends early, so none is left listening. */
const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * Runs node with `args` and waits until its stdout matches `ready` (a port, say). Rejects, and kills
 * the child, if it exits first or has not matched within START_TIMEOUT_MS.
 */
async function spawnServer(
  args: string[],
  ready: RegExp,
  env?: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "inherit"] });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let out = "";
  let timer: NodeJS.Timeout | undefined;
  try {
    const match = await new Promise<RegExpExecArray>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`server process not ready within ${START_TIMEOUT_MS} ms; it printed: ${out}`)),
        START_TIMEOUT_MS,
      );
      child.stdout!.on("data", (d: Buffer) => {
        if (out.length > 65_536) return; // ready long ago; the rest is per-connection output
        out += d.toString();
        const found = ready.exec(out);
        if (found) resolve(found);
      });
      child.once("error", reject);
      child.once("exit", (code, signal) =>
        reject(
          new Error(`server process exited (${code ?? signal}) before it was ready; it printed: ${out}`),
        ),
      );
    });
    return { child, match };
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Ends a child spawned by {@link spawnServer} with `signal` and waits for it to exit. */
async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill(signal);
  await exited;
}

/** Starts a server script in its own process; resolves with its pid and port once it listens. */
async function serverProcess(
  script: string,
): Promise<{ pid: number; port: number; stop: () => Promise<void> }> {
  const { child, match } = await spawnServer(["-e", script], /^(\d+)$/m);
  return { pid: child.pid!, port: Number(match[1]), stop: () => stopChild(child, "SIGKILL") };
}

/**
 * The mock in its own process, started with `options` (JSON), printing its port: from the built
 * output (dist/, which main() builds first), as an installed package runs it — not through tsx,
 * whose transform wraps every closure.
 */
function mockProcess(options: object): ReturnType<typeof serverProcess> {
  return serverProcess(`
    require(${JSON.stringify(join(ROOT, "dist", "mock-server.js"))})
      .startMockServer(${JSON.stringify(options)}).then((s) => console.log(s.port));`);
}

/** CPU per operation of the server process `pid` and of this (client) process, over the same run. */
async function cpuPerOperationBothSides(
  pid: number,
  operation: Operation,
  durationMs: number,
): Promise<{ server: number; client: number }> {
  for (let i = 0; i < 20; i++) await operation();
  const before = cpuMsOf(pid);
  const clientBefore = process.cpuUsage();
  let count = 0;
  const deadline = performance.now() + durationMs;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (performance.now() < deadline) {
        await operation();
        count++;
      }
    }),
  );
  const client = process.cpuUsage(clientBefore);
  return { server: (cpuMsOf(pid) - before) / count, client: (client.user + client.system) / 1000 / count };
}

/** Rounds of the interleaved CPU measurements: each subject is measured once per round, median kept. */
const CPU_ROUNDS = Number(process.env.BENCH_CPU_ROUNDS ?? 5);

/**
 * Server CPU per operation for several servers, and this (client) process's, measured in turns
 * (A, B, C, A, B, C, …) and reduced to medians, so drift in the machine's load or the client's JIT
 * favours none of them.
 */
async function interleavedCpu(
  subjects: Array<{ pid: number; operation: Operation }>,
): Promise<Array<{ server: number; client: number }>> {
  const samples = subjects.map(() => ({ server: [] as number[], client: [] as number[] }));
  for (let round = 0; round < CPU_ROUNDS; round++) {
    for (const [i, subject] of subjects.entries()) {
      const both = await cpuPerOperationBothSides(subject.pid, subject.operation, DURATION_MS / 2);
      samples[i]!.server.push(both.server);
      samples[i]!.client.push(both.client);
    }
  }
  return samples.map((sample) => ({ server: median(sample.server), client: median(sample.client) }));
}

/**
 * The same client against a real MariaDB server on loopback with the same certificate set (RSA
 * 2048, TLSv1.2), where Debian's mariadbd is installed: login rate and server CPU per login.
 */
async function mariadbReference(): Promise<{
  mockRate: number;
  realRate: number;
  mockCpu: number;
  realCpu: number;
} | null> {
  if (!findExecutable("mariadbd") && !findExecutable("mysqld")) return null;
  const dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-bench-mariadb-"));
  await writeCertificateSet(await getCertificateSet("mysql-auto"), dir);
  const real = await startMariadbServer({
    ssl: { ca: join(dir, "ca.pem"), cert: join(dir, "server-cert.pem"), key: join(dir, "server-key.pem") },
  });
  const mock = await mockProcess({});
  try {
    const created = await real.admin(
      "CREATE USER 'bench'@'127.0.0.1' IDENTIFIED BY 'bench'; GRANT ALL ON *.* TO 'bench'@'127.0.0.1';",
    );
    if (created.code !== 0) throw new Error(`mariadbd refused the bench account: ${created.stderr}`);
    const realLogin = () => mysqlLoginOnce(real.port, true, "bench", "bench");
    const mockRate = await rate(() => mysqlLoginOnce(mock.port), 8);
    const realRate = await rate(realLogin, 8);
    const [mockCpu, realCpu] = await interleavedCpu([
      { pid: mock.pid, operation: () => mysqlLoginOnce(mock.port) },
      { pid: real.pid, operation: realLogin },
    ]);
    return { mockRate, realRate, mockCpu: mockCpu!.server, realCpu: realCpu!.server };
  } finally {
    await Promise.all([real.stop(), mock.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A query's round trip, sequentially on one connection: the median of `count` after a warm-up, in µs. */
async function queryLatencyUs(connection: mysql2.Connection, count: number): Promise<number> {
  for (let i = 0; i < 50; i++) await connection.query("SELECT 1");
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await connection.query("SELECT 1");
    times.push((performance.now() - started) * 1000);
  }
  return median(times);
}

/** MB/s of a 4 MiB value read `count` times on one connection (a resultset the server streams). */
async function resultThroughput(connection: mysql2.Connection, count: number): Promise<number> {
  const size = 4 * 1024 * 1024;
  await connection.query(`SELECT REPEAT('x', ${size}) AS v`);
  const started = performance.now();
  for (let i = 0; i < count; i++) await connection.query(`SELECT REPEAT('x', ${size}) AS v`);
  return (count * size) / 2 ** 20 / ((performance.now() - started) / 1000);
}

/**
 * What the passthrough proxy adds in front of a real server (Debian's mariadbd with TLS), the proxy
 * in its own process (`mysql-tls-mock proxy`), mysql2 over TLS in this one: logins per second,
 * a query's round trip and a large result's throughput, each direct and through the proxy.
 */
async function proxyOverhead(): Promise<Record<"logins" | "latencyUs" | "mbPerS", [number, number]> | null> {
  if (!findExecutable("mariadbd") && !findExecutable("mysqld")) return null;
  const dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-bench-proxy-"));
  await writeCertificateSet(await getCertificateSet("mysql-auto"), dir);
  const real = await startMariadbServer({
    ssl: { ca: join(dir, "ca.pem"), cert: join(dir, "server-cert.pem"), key: join(dir, "server-key.pem") },
  });
  const proxy = spawn(process.execPath, [
    join(ROOT, "bin", "mysql-tls-mock.js"),
    "proxy",
    "--port",
    "0",
    "--upstream",
    `127.0.0.1:${real.port}`,
    "--json",
  ]);
  try {
    const created = await real.admin(
      "CREATE USER 'bench'@'127.0.0.1' IDENTIFIED BY 'bench'; GRANT ALL ON *.* TO 'bench'@'127.0.0.1';",
    );
    if (created.code !== 0) throw new Error(`mariadbd refused the bench account: ${created.stderr}`);
    const [line] = (await once(proxy.stdout, "data")) as [Buffer];
    const proxyPort = (JSON.parse(line.toString().split("\n")[0]!) as { port: number }).port;
    const login = (port: number) => () => mysqlLoginOnce(port, true, "bench", "bench");
    const logins: [number, number] = [await rate(login(real.port), 8), await rate(login(proxyPort), 8)];
    const connect = (port: number) =>
      mysql2.createConnection({
        host: "127.0.0.1",
        port,
        user: "bench",
        password: "bench",
        ssl: { rejectUnauthorized: false },
      });
    const [direct, proxied] = [await connect(real.port), await connect(proxyPort)];
    try {
      const latencyUs: [number, number] = [
        await queryLatencyUs(direct, 2000),
        await queryLatencyUs(proxied, 2000),
      ];
      const mbPerS: [number, number] = [
        await resultThroughput(direct, 20),
        await resultThroughput(proxied, 20),
      ];
      return { logins, latencyUs, mbPerS };
    } finally {
      await Promise.all([direct.end(), proxied.end()]);
    }
  } finally {
    proxy.kill("SIGTERM");
    await once(proxy, "exit");
    await real.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Server CPU per operation, each server in its own process: what the mock costs, whatever the
 * client's own cost (mysql2 in this process is the bottleneck on 2 cores, not the server).
 */
async function serverCpuPerOperation(): Promise<{
  bare: number;
  full: number;
  off: number;
  eventsFile: number;
  bareClient: number;
  loginClient: number;
}> {
  const dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-bench-events-"));
  const bare = await serverProcess(`
    const tls = require("node:tls");
    require(${JSON.stringify(join(ROOT, "dist", "certs"))}).getCertificateSet("mysql-auto").then((set) => {
      // The mock's own TLS settings: it asks for a client certificate from the set's CA.
      const server = tls.createServer(
        { key: set.server.key, cert: set.server.cert, ca: set.ca, requestCert: true, rejectUnauthorized: false, maxVersion: "TLSv1.2" },
        (s) => s.end(),
      );
      server.listen(0, "127.0.0.1", () => console.log(server.address().port));
    });`);
  const full = await mockProcess({});
  const off = await mockProcess({ recordPackets: false });
  const withFile = await mockProcess({ eventsFile: join(dir, "events.jsonl") });
  try {
    const login = (server: { port: number }) => () => mysqlLoginOnce(server.port);
    const [bareCpu, fullCpu, offCpu, fileCpu] = await interleavedCpu([
      { pid: bare.pid, operation: () => tlsHandshakeOnce(bare.port) },
      { pid: full.pid, operation: login(full) },
      { pid: off.pid, operation: login(off) },
      { pid: withFile.pid, operation: login(withFile) },
    ]);
    return {
      bare: bareCpu!.server,
      full: fullCpu!.server,
      off: offCpu!.server,
      eventsFile: fileCpu!.server,
      bareClient: bareCpu!.client,
      loginClient: fullCpu!.client,
    };
  } finally {
    await Promise.all([bare.stop(), full.stop(), off.stop(), withFile.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Mean milliseconds between the protocol points of sequential TLS logins, from the server's records. */
async function loginPhases(
  port: number,
  server: Awaited<ReturnType<typeof startMockServer>>,
): Promise<number[]> {
  for (let i = 0; i < 40; i++) await mysqlLoginOnce(port);
  // The newest 30: the server keeps a bounded list (keepConnections), so count from its end.
  const records = (await server.settled()).slice(-30);
  const at = (r: (typeof records)[number], type: string) =>
    r.packets.find((p) => p.type === type)?.atMs ?? Number.NaN;
  const points = records.map((r) => [
    at(r, "SSLRequest"),
    at(r, "HandshakeResponse41"),
    at(r, "OK"),
    at(r, "COM_QUIT"),
    Date.parse(r.endedAt ?? "") - Date.parse(r.startedAt),
  ]);
  const mean = (i: number) =>
    points.reduce((sum, p) => sum + (p[i]! - (i === 0 ? 0 : p[i - 1]!)), 0) / points.length;
  return [0, 1, 2, 3, 4].map(mean);
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

/** Resident bytes the CLI server gains per idle, authenticated TLS connection. */
async function memoryPerIdleConnection(count: number): Promise<{ perConnection: number; baseline: number }> {
  const { child, match } = await spawnServer(
    // Room for every idle connection above max_connections' default of 151.
    // The built CLI, as the installed package's bin runs it.
    [
      "-e",
      `require(${JSON.stringify(join(ROOT, "dist", "cli", "main.js"))}).main(["node", "mysql-tls-mock", ...process.argv.slice(1)])`,
      "--",
      "serve",
      "--port",
      "0",
      "--max-connections",
      String(count + 10),
    ],
    /listening on [\d.]+:(\d+)/,
    { ...process.env, NO_COLOR: "1" },
  );
  try {
    const port = Number(match[1]);
    // One login first, so lazily loaded code is not counted as per-connection memory.
    await mysqlLoginOnce(port);
    await new Promise((r) => setTimeout(r, 300));
    const baseline = rssOf(child.pid!);
    const connections: mysql2.Connection[] = [];
    for (let i = 0; i < count; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, count - i) }, () =>
          mysql2.createConnection({
            host: "127.0.0.1",
            port,
            user: "root",
            password: "root",
            ssl: { rejectUnauthorized: false },
          }),
        ),
      );
      connections.push(...batch);
    }
    await new Promise((r) => setTimeout(r, 500));
    const loaded = rssOf(child.pid!);
    await Promise.all(connections.map((c) => c.end()));
    return { perConnection: (loaded - baseline) / count, baseline };
  } finally {
    await stopChild(child, "SIGTERM");
  }
}

async function main(): Promise<void> {
  await buildDist();
  const set = await getCertificateSet("mysql-auto");
  const lines: string[] = [];
  const log = (line: string) => {
    lines.push(line);
    process.stdout.write(`${line}\n`);
  };

  log("## Connect rate (mysql2, RSA 2048, TLSv1.2, loopback)");
  log("");
  log("| concurrency | bare TLS handshakes/s (ceiling) | full TLS logins/s | ratio | plaintext logins/s |");
  log("| --- | --- | --- | --- | --- |");
  await using tlsServer = await startMockServer();
  await using plainServer = await startMockServer({ tls: false });
  for (const concurrency of [1, 32]) {
    const bare = await bareTlsHandshakes(set.server.key, set.server.cert, concurrency);
    const full = await mysqlLogins(tlsServer.port, true, concurrency);
    const plain = await mysqlLogins(plainServer.port, false, concurrency);
    log(`| ${concurrency} | ${fmt(bare)} | ${fmt(full)} | ${fmt(full / bare, 2)}× | ${fmt(plain)} |`);
  }

  log("");
  log(
    `## Server CPU per operation (each server in its own process, 8 concurrent clients, median of ${CPU_ROUNDS} interleaved rounds)`,
  );
  log("");
  const cpu = await serverCpuPerOperation();
  log(
    "| bare TLS server, per handshake | mock, per full TLS login | ratio bare/mock (1 = a login costs the server no more than a handshake) |",
  );
  log("| --- | --- | --- |");
  log(`| ${fmt(cpu.bare, 2)} ms | ${fmt(cpu.full, 2)} ms | ${fmt(cpu.bare / cpu.full, 2)}× |`);

  log("");
  log("## Client CPU per operation (this process, the same rounds): what the client side costs");
  log("");
  log(
    "| `tls.connect`, per bare handshake | mysql2, per full TLS login | ratio: the best connect-rate ratio a server of zero cost could reach with mysql2, client-bound |",
  );
  log("| --- | --- | --- |");
  log(
    `| ${fmt(cpu.bareClient, 2)} ms | ${fmt(cpu.loginClient, 2)} ms | ${fmt(cpu.bareClient / cpu.loginClient, 2)}× |`,
  );

  log("");
  log("## Recording overhead (server CPU per TLS login, from the same interleaved rounds)");
  log("");
  log(
    "| full record (every packet) | `recordPackets: false` | ratio off/full | full record + events file | ratio file/full |",
  );
  log("| --- | --- | --- | --- | --- |");
  log(
    `| ${fmt(cpu.full, 2)} ms | ${fmt(cpu.off, 2)} ms | ${fmt(cpu.off / cpu.full, 2)}× | ${fmt(cpu.eventsFile, 2)} ms | ${fmt(cpu.eventsFile / cpu.full, 2)}× |`,
  );

  log("");
  log(
    "## Reference: a real MariaDB server (Debian mariadbd, same certificate set, mysql2, 8 concurrent clients)",
  );
  log("");
  const reference = await mariadbReference();
  if (!reference) {
    log("mariadbd is not installed here; no reference measured.");
  } else {
    log("| | mock | mariadbd | ratio mock/mariadbd |");
    log("| --- | --- | --- | --- |");
    log(
      `| TLS logins/s | ${fmt(reference.mockRate)} | ${fmt(reference.realRate)} | ${fmt(reference.mockRate / reference.realRate, 2)}× |`,
    );
    log(
      `| server CPU per TLS login | ${fmt(reference.mockCpu, 2)} ms | ${fmt(reference.realCpu, 2)} ms | ${fmt(reference.mockCpu / reference.realCpu, 2)}× |`,
    );
  }

  log("");
  log(await loadGeneratorSection({ distBuilt: true }));
  log("");
  log(await auditRateSection());

  log("");
  log(
    "## The proxy (passthrough) in front of a real server (mariadbd with TLS, proxy in its own process, mysql2 over TLS)",
  );
  log("");
  const overhead = await proxyOverhead();
  if (!overhead) {
    log("mariadbd is not installed here; not measured.");
  } else {
    log("| | direct | through the proxy | ratio proxy/direct |");
    log("| --- | --- | --- | --- |");
    const row = (what: string, [direct, proxied]: [number, number], unit: string, digits: number) =>
      log(
        `| ${what} | ${fmt(direct, digits)}${unit} | ${fmt(proxied, digits)}${unit} | ${fmt(proxied / direct, 2)}× |`,
      );
    row("TLS logins/s (8 concurrent)", overhead.logins, "", 0);
    row("`SELECT 1` round trip (median of 2000, sequential)", overhead.latencyUs, " µs", 0);
    row("4 MiB result, 20 times (MB/s)", overhead.mbPerS, "", 1);
  }

  log("");
  log("## Where a sequential TLS login spends its time (server record, mean of 30 after 10 warm-up)");
  log("");
  const phases = await loginPhases(tlsServer.port, tlsServer);
  log(
    "| greeting → SSLRequest | SSLRequest → response inside TLS | → OK | OK → COM_QUIT | COM_QUIT → closed |",
  );
  log("| --- | --- | --- | --- | --- |");
  log(`| ${phases.map((ms) => `${fmt(ms, 2)} ms`).join(" | ")} |`);

  log("");
  log(await startupSection({ progress: (line) => process.stderr.write(`${line}\n`) }));

  log("");
  log(
    `## Memory per idle authenticated TLS connection (${IDLE_CONNECTIONS} connections, CLI server process)`,
  );
  log("");
  const memory = await memoryPerIdleConnection(IDLE_CONNECTIONS);
  log("| server RSS before | per connection | ratio to RSS before, per 1,000 connections |");
  log("| --- | --- | --- |");
  log(
    `| ${fmt(memory.baseline / 2 ** 20, 1)} MiB | ${fmt(memory.perConnection / 1024, 1)} KiB | ${fmt((memory.perConnection * 1000) / memory.baseline, 2)}× |`,
  );

  const header = [
    "# Benchmarks",
    "",
    "Written by `npm run bench`. Every figure comes with a baseline measured in the same run.",
    "",
    `- date: ${new Date().toISOString()}`,
    `- machine: ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, ${fmt(totalmem() / 2 ** 30, 1)} GiB`,
    `- node ${process.version}, measuring ${DURATION_MS} ms per rate`,
    "",
  ];
  const path = join(ROOT, "docs", "BENCHMARKS.md");
  // The soak's section is written by `npm run soak`; a bench run keeps it.
  const soak = carriedSection(path, SOAK_SECTION);
  writeFileSync(path, `${[...header, ...lines, ...(soak ? ["", soak] : [])].join("\n")}\n`);
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
