/**
 * The long fuzz run: every property of test/fuzz/properties.ts and post-auth-properties.ts for a
 * time budget instead of CI's fixed run counts, with a fresh seed each time (printed first, so a
 * failure can be replayed).
 *
 *   npm run fuzz                                  # 3 minutes, random seed
 *   npm run fuzz -- --minutes 30 --seed 12345
 *   npm run fuzz -- --seed S --only "SSLRequest" --path "12:3:0"   # replay one counterexample
 */
import { Command, InvalidArgumentError } from "commander";
import fc from "fast-check";
import {
  decoderProperties,
  failureReport,
  framerProperties,
  type FuzzProperty,
  PreAuthHarness,
  preAuthProperties,
  readerProperties,
  roundTripProperties,
  type RunParameters,
} from "../test/fuzz/properties";
import { PostAuthHarness, postAuthProperties } from "../test/fuzz/post-auth-properties";

/** Share of the time budget the pre-auth properties get: each of their runs costs a connection. */
const PRE_AUTH_SHARE = 2 / 3;
/** The servers' connect timeout in the long run: a stalled connection ends by timeout after this. */
const CONNECT_TIMEOUT_MS = 1500;
/** The post-auth servers' net_read_timeout and net_write_timeout in the long run. */
const NET_TIMEOUT_MS = 1000;
const PROGRESS_EVERY_MS = 10_000;

interface Options {
  minutes: number;
  seed?: number;
  only?: string;
  path?: string;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("expected a positive number");
  return n;
}

function seedNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError("expected an integer");
  return n | 0;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

interface Outcome {
  name: string;
  runs: number;
  ms: number;
  failed: boolean;
}

async function runProperty(
  property: FuzzProperty,
  budgetMs: number,
  options: Options,
  seed: number,
): Promise<Outcome> {
  const started = Date.now();
  let runs = 0;
  let nextProgress = started + PROGRESS_EVERY_MS;
  const replaying = options.path !== undefined;
  console.log(`\n▶ ${property.name}`);
  console.log(replaying ? `  replaying path ${options.path}` : `  budget ${seconds(budgetMs)}`);
  let details: fc.RunDetails<unknown>;
  try {
    details = await property.check({
      seed,
      numRuns: replaying ? 1 : 1_000_000_000,
      ...(replaying ? { path: options.path } : { timeLimitMs: budgetMs }),
      onRun: () => {
        runs++;
        // Sync properties block the event loop, so progress is printed from inside the runs.
        const now = Date.now();
        if (now >= nextProgress) {
          nextProgress = now + PROGRESS_EVERY_MS;
          console.log(`  … ${runs} runs, ${seconds(now - started)}`);
        }
      },
    });
  } catch (error) {
    // Not a counterexample: the harness around the runs failed (e.g. mysql2 could no longer log in).
    console.log(
      `✗ ${property.name}\n  ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return { name: property.name, runs, ms: Date.now() - started, failed: true };
  }
  const ms = Date.now() - started;
  if (!details.failed) {
    console.log(`✓ ${details.numRuns} runs in ${seconds(ms)}`);
    return { name: property.name, runs: details.numRuns, ms, failed: false };
  }
  console.log(`✗ ${property.name} failed after ${details.numRuns} runs (${details.numShrinks} shrinks)`);
  console.log(await failureReport(property, details));
  if (details.counterexamplePath !== null) {
    console.log(
      `  replay: npx tsx scripts/fuzz.ts --seed ${details.seed} --path "${details.counterexamplePath}" ` +
        `--only ${JSON.stringify(property.name)}`,
    );
  }
  return { name: property.name, runs: details.numRuns, ms, failed: true };
}

/** Splits `budgetMs` over the properties by weight. */
function budgets(properties: readonly FuzzProperty[], budgetMs: number): number[] {
  const total = properties.reduce((sum, p) => sum + p.weight, 0);
  return properties.map((p) => Math.max(1000, (budgetMs * p.weight) / total));
}

async function main(options: Options): Promise<number> {
  const seed = options.seed ?? (Math.random() * 0x7fffffff) | 0;
  const budgetMs = options.minutes * 60_000;
  if (options.path === undefined) {
    console.log(`fuzz: seed ${seed}, ${options.minutes} minute(s)`);
    console.log(`  replay this seed: npx tsx scripts/fuzz.ts --seed ${seed} --minutes ${options.minutes}`);
  } else {
    console.log(`fuzz: replaying seed ${seed}, path ${options.path}`);
  }

  const harness = await PreAuthHarness.start({ connectTimeoutMs: CONNECT_TIMEOUT_MS });
  const postAuthHarness = await PostAuthHarness.start({ netTimeoutMs: NET_TIMEOUT_MS });
  const outcomes: Outcome[] = [];
  try {
    const matches = (p: { name: string }) => options.only === undefined || p.name.includes(options.only);
    const protocol = [
      ...decoderProperties,
      ...readerProperties,
      ...roundTripProperties,
      ...framerProperties,
    ].filter(matches);
    // Bound to their harness, so they run like the others; the post-auth ones, which also cost a
    // connection per run, share the pre-auth time.
    const preAuth: FuzzProperty[] = [
      ...preAuthProperties.filter(matches).map((property) => ({
        ...property,
        check: (params: RunParameters) => property.check(params, harness),
      })),
      ...postAuthProperties.filter(matches).map((property) => ({
        ...property,
        check: (params: RunParameters) => property.check(params, postAuthHarness),
      })),
    ];
    if (protocol.length + preAuth.length === 0) {
      console.log(`no property name contains ${JSON.stringify(options.only)}`);
      return 2;
    }
    const preAuthShare = protocol.length === 0 ? 1 : preAuth.length === 0 ? 0 : PRE_AUTH_SHARE;
    const groups: Array<[FuzzProperty[], number]> = [
      [protocol, budgetMs * (1 - preAuthShare)],
      [preAuth, budgetMs * preAuthShare],
    ];
    for (const [properties, groupBudget] of groups) {
      const shares = budgets(properties, groupBudget);
      for (const [i, property] of properties.entries()) {
        outcomes.push(await runProperty(property, shares[i]!, options, seed));
      }
    }
  } finally {
    await Promise.all([harness.stop(), postAuthHarness.stop()]);
  }

  console.log(`\nfuzz: seed ${seed}`);
  for (const o of outcomes) {
    console.log(
      `  ${o.failed ? "✗" : "✓"} ${String(o.runs).padStart(8)} runs ${seconds(o.ms).padStart(8)}  ${o.name}`,
    );
  }
  const failed = outcomes.filter((o) => o.failed).length;
  console.log(
    failed === 0 ? "fuzz: no failure" : `fuzz: ${failed} propert${failed === 1 ? "y" : "ies"} failed`,
  );
  return failed === 0 ? 0 : 1;
}

const program = new Command()
  .name("fuzz")
  .description(
    "Runs every fuzz property of test/fuzz/properties.ts and post-auth-properties.ts for a time budget",
  )
  .option("--minutes <n>", "total time budget", positiveNumber, 3)
  .option("--seed <n>", "fast-check seed (default: random, printed)", seedNumber)
  .option("--only <text>", "run only the properties whose name contains this text")
  .option(
    "--path <path>",
    "replay one counterexample: the path a failure printed (with its --seed and --only)",
  )
  .action(async (options: Options) => {
    process.exitCode = await main(options);
  });

program.parseAsync().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
