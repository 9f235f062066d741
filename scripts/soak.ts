/**
 * `npm run soak`: a real `mysql-tls-mock serve` under many logins and hostile clients for minutes,
 * its RSS sampled all along; reports whether it plateaus, then how much a burst of pre-login
 * 4 MiB senders costs it. Outside CI (a short, bounded version runs in the test suite).
 *
 *   npm run soak -- [--logins 100000] [--pre-login-senders 1000] [--concurrency 16]
 *                   [--burst-concurrency 100] [--serve-arg=--keep --serve-arg=500] [--json soak.json]
 *                   [--write-doc]   # the figures into docs/BENCHMARKS.md's soak section
 */
import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { join } from "node:path";
import { writeSection } from "../bench/doc-section";
import { preLoginBurst, runSoak, SOAK_SECTION, type SoakReport, startServeProcess } from "../bench/soak";

const MiB = 1024 * 1024;
/** Samples the plateau is read from. */
const ROUNDS = 60;

function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(1)} MiB`;
}

function counts(values: Record<string, number>): string {
  return Object.entries(values)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(", ");
}

function printReport(report: SoakReport, log: (line: string) => void): void {
  log("");
  log(`completed: ${counts(report.completed)}`);
  log(`failures: ${counts(report.failures)}`);
  for (const sample of report.failureSamples) log(`  ${sample}`);
  log(
    `RSS after warm-up ${mib(report.baselineRss)}, at the end ${mib(report.finalRss)}, ` +
      `highest ${mib(report.peakRss)} (round samples after a forced GC; the highest from timer samples without)`,
  );
  log(
    `growth per login: first third ${report.firstThirdSlope.toFixed(1)} B, last third ${report.lastThirdSlope.toFixed(1)} B ` +
      `(last third grew ${mib(report.lastThirdGrowth)}) → ${report.plateau ? "plateau" : "NO plateau"}`,
  );
  log(`took ${(report.durationMs / 1000).toFixed(0)} s`);
}

/** The run's log as a section of docs/BENCHMARKS.md: its first line a heading, the rest verbatim. */
function docSection(lines: readonly string[]): string {
  const [title = "# Soak", ...rest] = lines;
  return [
    `## ${title.replace(/^# /, "")}`,
    "",
    "Written by `npm run soak -- --write-doc`: a `serve` process under many logins mixed with hostile",
    "clients (pre-login 4 MiB senders, clients that never read their replies), its RSS sampled",
    "after a forced GC each round; then a burst of pre-login 4 MiB senders.",
    "",
    "```",
    // Every tenth round is enough to see the plateau; the JSON output (--json) has all of them.
    ...rest.filter(
      (line) => !/^round (\d+)\//.test(line) || Number(/^round (\d+)/.exec(line)![1]) % 10 === 0,
    ),
    "```",
  ].join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      logins: { type: "string", default: "100000" },
      "pre-login-senders": { type: "string", default: "1000" },
      concurrency: { type: "string", default: "16" },
      // Below the default max_connections (151), so the burst measures buffering, not refusals.
      "burst-concurrency": { type: "string", default: "100" },
      "serve-arg": { type: "string", multiple: true, default: [] },
      json: { type: "string" },
      "write-doc": { type: "boolean", default: false },
    },
  });
  const logins = Number(values.logins);
  const senders = Number(values["pre-login-senders"]);
  const concurrency = Number(values.concurrency);
  const burstConcurrency = Number(values["burst-concurrency"]);
  const serveArgs = values["serve-arg"] ?? [];
  for (const [name, value] of [
    ["--logins", logins],
    ["--pre-login-senders", senders],
    ["--concurrency", concurrency],
    ["--burst-concurrency", burstConcurrency],
  ] as const) {
    if (!Number.isInteger(value) || value < 0)
      throw new Error(`${name} must be a whole number, got ${value}`);
  }
  const lines: string[] = [];
  const log = (line: string) => {
    lines.push(line);
    process.stdout.write(`${line}\n`);
  };
  log(
    `# Soak — ${new Date().toISOString()}, node ${process.version}, ${cpus().length} CPUs, ${mib(totalmem())}`,
  );
  log(`serve ${serveArgs.join(" ") || "(default options)"}`);

  const server = await startServeProcess(serveArgs);
  let report: SoakReport | undefined;
  let burst: Awaited<ReturnType<typeof preLoginBurst>> | undefined;
  try {
    if (logins > 0) {
      report = await runSoak(server, {
        // A sixth of the logins warm up (caches, JIT, the record retention filling).
        warmupRounds: Math.ceil(ROUNDS / 6),
        rounds: ROUNDS,
        loginsPerRound: Math.ceil(logins / (ROUNDS + ROUNDS / 6)),
        concurrency,
        preLoginSendersPerRound: 2,
        nonReadersPerRound: 2,
        nonReaderQueries: 500,
        nonReaderHoldMs: 1_000,
        hostileConcurrency: 4,
        sampleIntervalMs: 2_000,
        log,
      });
      printReport(report, log);
    }

    if (senders > 0 && server.alive()) {
      log("");
      log(`${senders} pre-login senders of 4 MiB, ${burstConcurrency} at a time…`);
      burst = await preLoginBurst(server, senders, 4 * MiB, burstConcurrency);
      log(
        `RSS before ${mib(burst.before)}, highest ${mib(burst.peak)}, after ${mib(burst.after)}; ` +
          `${burst.completed} ended by the server, ${burst.failed} failed`,
      );
      for (const sample of burst.failureSamples) log(`  ${sample}`);
    }
    if (!server.alive()) log(`the server died: ${server.stderr()}`);
  } finally {
    await server.stop();
  }
  if (values.json) writeFileSync(values.json, `${JSON.stringify({ report, burst }, null, 2)}\n`);
  if (values["write-doc"]) {
    const path = join(__dirname, "..", "docs", "BENCHMARKS.md");
    writeSection(path, SOAK_SECTION, docSection(lines));
  }
  if (report && !report.plateau) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
