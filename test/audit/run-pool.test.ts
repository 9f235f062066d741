import { checkJobs, JobsError, runPool } from "../../src/audit/run-pool";

/**
 * The pool an audit's runs go through with `--jobs N`: at most N at once, started in plan order,
 * results in plan order whatever order they finish in, and a stop (an error, Ctrl-C) that starts
 * nothing more and waits for the runs under way. Each run here is a promise the test settles by
 * hand, so every claim is about the order of events, never about time.
 */

/** A run the test finishes by hand, and a log of what the pool did, in order. */
function controlledRuns() {
  const events: string[] = [];
  const finishers = new Map<number, { resolve: (value: string) => void; reject: (error: Error) => void }>();
  let running = 0;
  let mostAtOnce = 0;
  const run = (item: string, index: number) => {
    events.push(`start ${index}`);
    running++;
    mostAtOnce = Math.max(mostAtOnce, running);
    return new Promise<string>((resolve, reject) => {
      finishers.set(index, { resolve, reject });
    }).finally(() => {
      running--;
      events.push(`end ${index}`);
    });
  };
  return {
    events,
    run,
    mostAtOnce: () => mostAtOnce,
    started: () => [...finishers.keys()],
    finish: async (index: number, value = `result ${index}`) => {
      finishers.get(index)!.resolve(value);
      await flush();
    },
    fail: async (index: number, error: Error) => {
      finishers.get(index)!.reject(error);
      await flush();
    },
  };
}

/** Lets every promise callback queued so far run. */
const flush = () => new Promise((resolve) => setImmediate(resolve));

const ITEMS = ["a", "b", "c", "d", "e", "f", "g"];

describe("runPool", () => {
  it.each([1, 2, 3])(
    "with jobs %i keeps exactly that many runs going while there are runs left",
    async (jobs) => {
      const runs = controlledRuns();
      const pool = runPool(ITEMS, runs.run, { jobs });
      await flush();
      expect(runs.started()).toEqual([...Array(jobs).keys()]);
      // Finish whichever started first; the next in plan order takes its place.
      for (let finished = 0; finished < ITEMS.length; finished++) {
        await runs.finish(finished);
        expect(runs.started()).toHaveLength(Math.min(ITEMS.length, jobs + finished + 1));
      }
      await pool;
      expect(runs.mostAtOnce()).toBe(jobs);
    },
  );

  it("with jobs 1 runs one after the other, each starting once the one before has ended", async () => {
    const runs = controlledRuns();
    const pool = runPool(ITEMS.slice(0, 3), runs.run, { jobs: 1 });
    await flush();
    for (const index of [0, 1, 2]) await runs.finish(index);
    await pool;
    expect(runs.events).toEqual(["start 0", "end 0", "start 1", "end 1", "start 2", "end 2"]);
  });

  it("returns the results in plan order when the runs finish in reverse order", async () => {
    const runs = controlledRuns();
    const reported: number[] = [];
    const pool = runPool(ITEMS.slice(0, 3), runs.run, {
      jobs: 3,
      onResult: (_result, index, done) => reported.push(index * 10 + done),
    });
    await flush();
    for (const index of [2, 1, 0]) await runs.finish(index, `made ${ITEMS[index]}`);
    await expect(pool).resolves.toEqual(["made a", "made b", "made c"]);
    // Progress is told as runs finish: run 2 first (done 1), run 0 last (done 3).
    expect(reported).toEqual([21, 12, 3]);
  });

  it("starts no more runs after one throws, lets the ones under way end, then rejects with its error", async () => {
    const runs = controlledRuns();
    const pool = runPool(ITEMS, runs.run, { jobs: 2 });
    const outcome = pool.then(
      () => "resolved",
      (error: Error) => `rejected: ${error.message}`,
    );
    await flush();
    await runs.fail(0, new Error("mkdtemp failed"));
    expect(runs.started()).toEqual([0, 1]);
    let settled: string | null = null;
    void outcome.then((text) => (settled = text));
    await flush();
    // Run 1 is still under way: the pool waits for it to end (and clean up) before it rejects.
    expect(settled).toBeNull();
    await runs.finish(1);
    expect(await outcome).toBe("rejected: mkdtemp failed");
    expect(runs.started()).toEqual([0, 1]);
  });

  it("once aborted starts no more runs, reports none, lets the ones under way end and rejects with the reason", async () => {
    const runs = controlledRuns();
    const controller = new AbortController();
    const reported: number[] = [];
    const pool = runPool(ITEMS, runs.run, {
      jobs: 2,
      signal: controller.signal,
      onResult: (_result, index) => reported.push(index),
    });
    const outcome = pool.catch((error: unknown) => error);
    await flush();
    await runs.finish(0);
    expect(runs.started()).toEqual([0, 1, 2]);
    const reason = new Error("interrupted by SIGINT");
    controller.abort(reason);
    await runs.finish(1);
    await runs.finish(2);
    expect(await outcome).toBe(reason);
    expect(runs.started()).toEqual([0, 1, 2]);
    expect(reported).toEqual([0]);
  });

  it("resolves with no results for no runs", async () => {
    await expect(runPool([], () => Promise.resolve(1), { jobs: 4 })).resolves.toEqual([]);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])("refuses jobs %p", async (jobs) => {
    expect(() => checkJobs(jobs)).toThrow(JobsError);
    await expect(runPool(ITEMS, () => Promise.resolve(1), { jobs })).rejects.toThrow(
      /jobs must be a whole number of runs, 1 or more/,
    );
  });
});
