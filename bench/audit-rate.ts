/**
 * Audit throughput: runs per second of `runAudit` with the mariadb CLI preset over every built-in
 * scenario in every ssl-mode the preset expresses (all five), one fresh server per run, with
 * `jobs` 1, 2 and the default (the number of cores; one row with 2 on a 2-core machine). The settings are measured in turns (1, 2,
 * default, 1, …) and the median kept, so drift in the machine's load favours none of them.
 * Wall-clock by nature — it is the audit's elapsed time that `--jobs` is for.
 */
import { availableParallelism, cpus } from "node:os";
import { CLIENT_PRESETS } from "../src/audit/client-presets";
import { runAudit } from "../src/audit/run-audit";
import { builtinScenarioNames, loadScenario } from "../src/scenarios/load-scenario";
import { SSL_MODES } from "../src/scenarios/scenario-schema";
import { findExecutable } from "../test/helpers/mariadb-server";
import { fmt, median } from "./measure";

/** Rounds: each jobs setting audits the whole matrix once per round. */
const ROUNDS = Number(process.env.BENCH_AUDIT_ROUNDS ?? 3);
/** As the CLI's default --timeout. */
const TIMEOUT_MS = 20_000;

/** One jobs setting's figures, medians over the rounds. */
export interface AuditRate {
  /** What the row is called: `1`, `2 (default: the number of cores)`. */
  label: string;
  jobs: number;
  runs: number;
  runsPerSecond: number;
  /** Runs that could not be judged in any round (the client never connected, say): should be 0. */
  errors: number;
}

/** Runs per second of each jobs setting over the full matrix; null when the mariadb CLI is missing. */
export async function measureAuditRate(): Promise<AuditRate[] | null> {
  if (!findExecutable("mariadb")) return null;
  const preset = CLIENT_PRESETS["mariadb-cli"]!;
  const scenarios = builtinScenarioNames().map((name) => loadScenario(name));
  const cores = availableParallelism();
  // The default is a row of its own unless it is 1 or 2 already (a 2-core machine): measured once.
  const settings = [1, 2, ...(cores > 2 ? [cores] : [])].map((jobs) => ({
    label: jobs === cores ? `${jobs} (default: the number of cores)` : String(jobs),
    jobs,
  }));
  const audit = (jobs: number, chosen = scenarios) =>
    runAudit({
      client: { name: "mariadb-cli", preset },
      scenarios: chosen,
      modes: [...SSL_MODES],
      timeoutMs: TIMEOUT_MS,
      jobs,
    });
  // Warm-up, so the first setting measured does not pay for loading and compiling the code.
  await audit(cores, scenarios.slice(0, 5));
  const samples = settings.map(() => ({ rates: [] as number[], runs: 0, errors: 0 }));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, setting] of settings.entries()) {
      const started = performance.now();
      const report = await audit(setting.jobs);
      const seconds = (performance.now() - started) / 1000;
      samples[i]!.rates.push(report.cells.length / seconds);
      samples[i]!.runs = report.cells.length;
      samples[i]!.errors = Math.max(samples[i]!.errors, report.totals.error);
    }
  }
  return settings.map((setting, i) => ({
    ...setting,
    runs: samples[i]!.runs,
    runsPerSecond: median(samples[i]!.rates),
    errors: samples[i]!.errors,
  }));
}

/** The section for docs/BENCHMARKS.md: runs/s per `--jobs`, and the ratio to `--jobs 1`. */
export async function auditRateSection(): Promise<string> {
  const rates = await measureAuditRate();
  const title = `## Audit runs per second (mariadb-cli preset, every built-in scenario × every ssl-mode, one server per run, median of ${ROUNDS} interleaved rounds, ${cpus().length} cores)`;
  if (!rates) return [title, "", "the mariadb CLI is not installed here; not measured."].join("\n");
  const one = rates[0]!.runsPerSecond;
  return [
    title,
    "",
    "| `--jobs` | runs | runs/s | ratio to `--jobs 1` | runs that could not be judged |",
    "| --- | --- | --- | --- | --- |",
    ...rates.map(
      (rate) =>
        `| ${rate.label} | ${rate.runs} | ${fmt(rate.runsPerSecond, 1)} | ${fmt(rate.runsPerSecond / one, 2)}× | ${rate.errors} |`,
    ),
  ].join("\n");
}
