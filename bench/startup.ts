/**
 * Start-up, cold against warm: a first start (an empty certificate cache, as on a new machine or a
 * CI runner) against a start with the cache on disk, for each way the mock is started —
 * `startMockServer` in a fresh process (from the clone's sources through tsx, and from an installed
 * package's dist/), `mysql-tls-mock serve` from an installed package, and a clone's `npm start`
 * (tsx over the sources) against its built output. `startupSection()` returns the markdown;
 * `npx tsx bench/startup.ts` prints it alone.
 *
 * Each figure is the median of several rounds, the cases interleaved within a round. Wall time is
 * from spawning the process to its listening line; CPU time is that of the whole process tree
 * (npm, tsx and their node children) at that moment, read from /proc, which other work on the
 * machine does not inflate.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stagePackageSources } from "../test/helpers/package-stage";

/** Linux's USER_HZ: /proc/PID/stat counts CPU time in these ticks. */
const TICKS_PER_SECOND = 100;
const START_TIMEOUT_MS = 120_000;
/** `serve`'s banner, and the line the `startMockServer` probe prints. */
const LISTENING = /listening on \S+:\d+/;

export interface StartupOptions {
  /** Rounds per figure (default `BENCH_STARTUP_ROUNDS` or 5). */
  rounds?: number;
  /** Progress lines, e.g. `console.error`. */
  progress?: (line: string) => void;
}

/** One start: wall and tree CPU milliseconds to the listening line, and the probe's in-process figure. */
interface Start {
  wallMs: number;
  cpuMs: number;
  inProcessMs?: number;
}

/** CPU milliseconds of `root` and every descendant alive now (plus children they have reaped). */
function treeCpuMs(root: number): number {
  const processes = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The command name may hold spaces and parentheses: the fields start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // Fields 4 (ppid) and 14-17 (utime, stime, cutime, cstime) of proc(5), from field 3 on.
      const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
      processes.set(Number(entry), { ppid: Number(fields[1]), ticks });
    } catch {
      // Gone since the listing.
    }
  }
  let ticks = 0;
  const pending = [root];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    ticks += processes.get(pid)?.ticks ?? 0;
    for (const [child, info] of processes) if (info.ppid === pid) pending.push(child);
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/**
 * Spawns `command` in a process group of its own, waits for `LISTENING` on stdout or stderr, takes
 * the figures, then ends the whole group.
 */
async function timeStart(
  command: string,
  args: string[],
  options: { cwd: string; cacheHome: string; env?: NodeJS.ProcessEnv },
): Promise<Start> {
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: options.cwd,
    detached: true,
    env: {
      ...process.env,
      XDG_CACHE_HOME: options.cacheHome,
      NO_COLOR: "1",
      MYSQL_TLS_MOCK_SCENARIO: "",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = once(child, "exit");
  try {
    const figures = await new Promise<Start>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no listening line within ${START_TIMEOUT_MS} ms`)),
        START_TIMEOUT_MS,
      );
      const onData = (data: Buffer) => {
        output += data.toString();
        if (!LISTENING.test(output)) return;
        clearTimeout(timer);
        const wallMs = performance.now() - started;
        const cpuMs = treeCpuMs(child.pid!);
        const inProcess = /in-process (\d+(?:\.\d+)?) ms/.exec(output);
        resolve({ wallMs, cpuMs, ...(inProcess ? { inProcessMs: Number(inProcess[1]) } : {}) });
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      void exited.then(() => reject(new Error(`exited before listening:\n${output}`)));
    });
    return figures;
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(-child.pid!, "SIGTERM");
      await exited;
    }
  }
}

/** Runs a command to completion; wall and tree CPU milliseconds (CPU from the shell's own rusage). */
async function timeRun(command: string, cwd: string): Promise<{ wallMs: number; cpuMs: number }> {
  const started = performance.now();
  // bash's `times` prints the children's user and system time once the command has been reaped.
  // The command's own output goes to stderr, so stdout holds only `times`.
  const child = spawn("bash", ["-c", `${command} 1>&2 || exit 1; times`], {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let log = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (log += d.toString()));
  const [code] = (await once(child, "exit")) as [number | null];
  const wallMs = performance.now() - started;
  if (code !== 0) throw new Error(`${command} failed in ${cwd}:\n${log.slice(-4000)}`);
  // `times`: the shell's user/sys, then its children's user/sys, as 0m1.234s.
  const seconds = [...output.split("\n")[1]!.matchAll(/(\d+)m([\d.]+)s/g)].map(
    (m) => Number(m[1]) * 60 + Number(m[2]),
  );
  return { wallMs, cpuMs: (seconds[0]! + seconds[1]!) * 1000 };
}

/** A fresh, empty `XDG_CACHE_HOME`. */
const emptyCache = (work: string) => mkdtempSync(join(work, "cache-"));

/** The `startMockServer` probe: loads the library, then times the start alone and prints it. */
function libraryProbe(requireLibrary: string): string {
  return `
    ${requireLibrary}
    const loaded = performance.now();
    startMockServer().then((server) => {
      process.stdout.write("in-process " + (performance.now() - loaded).toFixed(1) + " ms, listening on " + server.host + ":" + server.port + "\\n");
    });`;
}

interface Case {
  name: string;
  start: (cacheHome: string) => Promise<Start>;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const ms = (value: number | undefined) => (value === undefined ? "–" : `${Math.round(value)} ms`);

/**
 * The package as a user installs it: `npm pack` of a copy of the clone (its `prepack` builds dist/
 * there, leaving the clone as it is), installed with `npm install` into an empty project. Returns
 * the copy (a clone with dist/ built) and the project.
 */
async function packAndInstall(
  work: string,
  progress: (line: string) => void,
): Promise<{
  stage: string;
  project: string;
  packMs: number;
  installMs: number;
}> {
  const stage = stagePackageSources(work);
  progress("startup: npm pack (builds dist/)");
  const pack = await timeRun(`npm pack --silent --pack-destination ${JSON.stringify(work)}`, stage);
  const tarball = readdirSync(work).find((name) => name.endsWith(".tgz"))!;
  const project = join(work, "app");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), '{ "name": "app", "private": true }\n');
  progress("startup: npm install of the packed package");
  const install = await timeRun(
    `npm install ${JSON.stringify(join(work, tarball))} --prefer-offline --no-audit --no-fund`,
    project,
  );
  // A candidate `npm start`, measured beside the real one (added after packing: the package keeps its own).
  const stagePackage = JSON.parse(readFileSync(join(stage, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  stagePackage.scripts["start:dist"] = "node dist/cli/main.js serve";
  writeFileSync(join(stage, "package.json"), JSON.stringify(stagePackage, null, 2));
  return { stage, project, packMs: pack.wallMs, installMs: install.wallMs };
}

/** The start-up section of docs/BENCHMARKS.md. */
export async function startupSection(options: StartupOptions = {}): Promise<string> {
  const rounds = options.rounds ?? Number(process.env.BENCH_STARTUP_ROUNDS ?? 5);
  const progress = options.progress ?? (() => undefined);
  const work = mkdtempSync(join(tmpdir(), "mysql-tls-mock-startup-"));
  try {
    const { stage, project, packMs, installMs } = await packAndInstall(work, progress);
    const installedBin = join(project, "node_modules", ".bin", "mysql-tls-mock");
    const node = process.execPath;
    const tsxLibrary = `require("tsx/cjs"); const { startMockServer } = require(${JSON.stringify(join(stage, "src", "mock-server.ts"))});`;
    const cases: Case[] = [
      {
        name: "`startMockServer`, clone sources through tsx",
        start: (cache) => timeStart(node, ["-e", libraryProbe(tsxLibrary)], { cwd: stage, cacheHome: cache }),
      },
      {
        name: "`startMockServer`, installed package (dist/)",
        start: (cache) =>
          timeStart(node, ["-e", libraryProbe('const { startMockServer } = require("mysql-tls-mock");')], {
            cwd: project,
            cacheHome: cache,
          }),
      },
      {
        name: "`mysql-tls-mock serve`, installed package",
        start: (cache) =>
          timeStart(installedBin, ["serve", "--port", "0"], { cwd: project, cacheHome: cache }),
      },
      {
        name: "`mysql-tls-mock serve --fresh-keys`, installed package",
        start: (cache) =>
          timeStart(installedBin, ["serve", "--port", "0", "--fresh-keys"], {
            cwd: project,
            cacheHome: cache,
          }),
      },
      {
        name: "clone: `npm start` (node bin/mysql-tls-mock.js serve: tsx's require hook, one process)",
        start: (cache) =>
          timeStart("npm", ["start", "--silent", "--", "--port", "0"], { cwd: stage, cacheHome: cache }),
      },
      {
        // tsx caches what it compiled under the temp folder: a new TMPDIR is a clone's very first start.
        name: "clone: `npm start`, tsx's compile cache empty too",
        start: (cache) =>
          timeStart("npm", ["start", "--silent", "--", "--port", "0"], {
            cwd: stage,
            cacheHome: cache,
            env: { TMPDIR: mkdtempSync(join(work, "tmp-")) },
          }),
      },
      {
        name: "clone: `npm run start:dist` (node dist/cli/main.js serve)",
        start: (cache) =>
          timeStart("npm", ["run", "start:dist", "--silent", "--", "--port", "0"], {
            cwd: stage,
            cacheHome: cache,
          }),
      },
      {
        name: "clone: `node bin/mysql-tls-mock.js serve` (tsx require hook)",
        start: (cache) =>
          timeStart(node, [join(stage, "bin", "mysql-tls-mock.js"), "serve", "--port", "0"], {
            cwd: stage,
            cacheHome: cache,
          }),
      },
      {
        name: "clone: `node dist/cli/main.js serve` (built output)",
        start: (cache) =>
          timeStart(node, [join(stage, "dist", "cli", "main.js"), "serve", "--port", "0"], {
            cwd: stage,
            cacheHome: cache,
          }),
      },
    ];

    const figures = new Map(cases.map((c) => [c.name, { cold: [] as Start[], warm: [] as Start[] }]));
    const warmCache = emptyCache(work);
    // One start fills the warm cache with every set the cases serve (fresh-keys sets included).
    for (const c of cases) await c.start(warmCache);
    for (let round = 1; round <= rounds; round++) {
      progress(`startup: round ${round} of ${rounds}`);
      for (const c of cases) {
        const cold = emptyCache(work);
        figures.get(c.name)!.cold.push(await c.start(cold));
        rmSync(cold, { recursive: true, force: true });
        figures.get(c.name)!.warm.push(await c.start(warmCache));
      }
    }

    progress("startup: builds");
    const builds: Array<{ what: string; wallMs: number; cpuMs: number }> = [];
    const buildInfo = join(work, "tsbuildinfo");
    for (let round = 1; round <= Math.min(rounds, 3); round++) {
      rmSync(join(stage, "dist"), { recursive: true, force: true });
      rmSync(buildInfo, { force: true });
      builds.push({
        what: "npm run build (tsc, from nothing)",
        ...(await timeRun("npm run build --silent", stage)),
      });
      rmSync(join(stage, "dist"), { recursive: true, force: true });
      const incremental = `npx tsc -p tsconfig.build.json --incremental --tsBuildInfoFile ${JSON.stringify(buildInfo)}`;
      builds.push({ what: "tsc --incremental, from nothing", ...(await timeRun(incremental, stage)) });
      builds.push({ what: "tsc --incremental, nothing changed", ...(await timeRun(incremental, stage)) });
    }

    const lines: string[] = [];
    lines.push(`## Start-up, cold and warm (median of ${rounds}; spawn to the listening line)`);
    lines.push("");
    lines.push(
      "Cold: an empty certificate cache (`XDG_CACHE_HOME`), as on a new machine or CI runner; warm: the sets already cached. " +
        "The catalogue's keys are shipped with the package, so a cold start signs certificates but generates no key; " +
        "`--fresh-keys` shows what generating them costs (once: its warm starts reuse the cached fresh keys). " +
        "CPU is the whole process tree's (npm, tsx and node children), at 10 ms resolution. " +
        "cold − warm is the median of each round's difference (the two run back to back). " +
        "Start alone: from the library loaded to `startMockServer` resolved, in the process.",
    );
    lines.push("");
    lines.push(
      "| how | cold wall | warm wall | cold − warm wall | cold CPU | warm CPU | cold − warm CPU | start alone, cold / warm |",
    );
    lines.push("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for (const c of cases) {
      const { cold, warm } = figures.get(c.name)!;
      const m = (starts: Start[], pick: (s: Start) => number | undefined) => {
        const values = starts.map(pick).filter((v): v is number => v !== undefined);
        return values.length > 0 ? median(values) : undefined;
      };
      // Each round's cold and warm starts ran back to back: their difference shares the machine's load.
      const paired = (pick: (s: Start) => number) => median(cold.map((s, i) => pick(s) - pick(warm[i]!)));
      const alone =
        m(cold, (s) => s.inProcessMs) === undefined
          ? "–"
          : `${ms(m(cold, (s) => s.inProcessMs))} / ${ms(m(warm, (s) => s.inProcessMs))}`;
      const cells = [
        ms(m(cold, (s) => s.wallMs)),
        ms(m(warm, (s) => s.wallMs)),
        ms(paired((s) => s.wallMs)),
        ms(m(cold, (s) => s.cpuMs)),
        ms(m(warm, (s) => s.cpuMs)),
        ms(paired((s) => s.cpuMs)),
        alone,
      ];
      lines.push(`| ${c.name} | ${cells.join(" | ")} |`);
    }
    lines.push("");
    lines.push("| build step (in a copy of the clone) | wall | CPU |");
    lines.push("| --- | --- | --- |");
    for (const what of [...new Set(builds.map((b) => b.what))]) {
      const these = builds.filter((b) => b.what === what);
      lines.push(
        `| ${what} | ${ms(median(these.map((b) => b.wallMs)))} | ${ms(median(these.map((b) => b.cpuMs)))} |`,
      );
    }
    lines.push(`| npm pack (prepack builds dist/), once | ${ms(packMs)} | – |`);
    lines.push(`| npm install of the tarball into an empty project, once | ${ms(installMs)} | – |`);
    return lines.join("\n");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void startupSection({ progress: (line) => process.stderr.write(`${line}\n`) }).then((section) =>
    process.stdout.write(`${section}\n`),
  );
}
