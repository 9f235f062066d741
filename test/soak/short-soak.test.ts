import { runSoak, type SoakReport, startServeProcess } from "../../bench/soak";
import { DEFAULT_KEEP_CONNECTIONS } from "../../src/server/options";

/**
 * `npm run soak` in small: a real `serve` process under a few thousand logins of every kind, with
 * pre-login 4 MiB senders and clients that never read among them. Its RSS, after a warm-up that
 * fills the record retention, must level off: judged against its own warm-up baseline and its own
 * growth rate, never against absolute numbers or time.
 */

/** Logins before measuring: past the default retention, so kept records stop adding up. */
const WARMUP_LOGINS = Math.ceil(DEFAULT_KEEP_CONNECTIONS * 1.5);
const LOGINS_PER_ROUND = 150;
const ROUNDS = 24;
/**
 * The last third's median RSS may not exceed the warm-up baseline by more than this: a leak of a
 * few KiB per connection crosses it over the measured logins, GC's swings (a few percent) do not.
 */
const MAX_LAST_THIRD_RATIO = 1.08;

let report: SoakReport;

beforeAll(async () => {
  const server = await startServeProcess();
  try {
    report = await runSoak(server, {
      warmupRounds: Math.ceil(WARMUP_LOGINS / LOGINS_PER_ROUND),
      rounds: ROUNDS,
      loginsPerRound: LOGINS_PER_ROUND,
      concurrency: 8,
      preLoginSendersPerRound: 1,
      nonReadersPerRound: 1,
      nonReaderQueries: 200,
      nonReaderHoldMs: 300,
      hostileConcurrency: 2,
    });
  } finally {
    await server.stop();
  }
  const mib = (bytes: number) => Math.round(bytes / 1024 / 1024);
  process.stdout.write(
    `short soak: baseline ${mib(report.baselineRss)} MiB, samples ${report.samples.map((s) => mib(s.rss)).join(" ")} MiB, ` +
      `slopes ${Math.round(report.firstThirdSlope)} → ${Math.round(report.lastThirdSlope)} B/login\n`,
  );
}, 180_000);

describe("the short soak", () => {
  it("serves every client of every kind and outlives the hostile ones", () => {
    expect(report.serverAlive).toBe(true);
    expect(report.failureSamples).toEqual([]);
    const measured = ROUNDS * LOGINS_PER_ROUND;
    expect(report.samples[report.samples.length - 1]!.logins).toBeGreaterThanOrEqual(measured);
  });

  it("levels off: the last third grows far slower than the first, or hardly at all", () => {
    expect(report.plateau).toBe(true);
    expect(report.lastThirdMedianRatio).toBeLessThan(MAX_LAST_THIRD_RATIO);
  });
});
