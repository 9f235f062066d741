/**
 * Runs an audit's runs a few at a time. Each run is independent (its own server, its own client
 * process, its own temporary folder), so the only shared things are the order results are reported
 * in and when to stop: results come back in the order the runs were planned whatever order they
 * finish in, so a report does not depend on how many ran at once.
 */

/** Thrown for a `jobs` that is not a whole number of runs at least 1. */
export class JobsError extends RangeError {
  constructor(readonly jobs: unknown) {
    super(`jobs must be a whole number of runs, 1 or more, not ${String(jobs)}`);
    this.name = "JobsError";
  }
}

/** Checks `jobs` as {@link runPool} takes it; returns it. */
export function checkJobs(jobs: number): number {
  if (!Number.isSafeInteger(jobs) || jobs < 1) throw new JobsError(jobs);
  return jobs;
}

export interface PoolOptions<R> {
  /** At most this many runs at once (1: one after the other, in plan order). */
  jobs: number;
  /**
   * Called as each run finishes, in the order they finish, with how many have finished: progress,
   * not the report (the report takes the results in plan order).
   */
  onResult?: (result: R, index: number, done: number) => void;
  /**
   * Once aborted, no further run starts and none is reported; the runs under way are left to finish
   * (each cleans up after itself), then the pool rejects with the signal's reason.
   */
  signal?: AbortSignal;
}

/**
 * `run` for each item, at most `jobs` at once, started in the items' order; resolves with the
 * results in the items' order. A run that throws stops further runs from starting, and the pool
 * rejects with that error once the runs under way have finished: a half-cleaned-up run (a server
 * still listening, a client still running) never outlives the pool.
 */
export async function runPool<T, R>(
  items: readonly T[],
  run: (item: T, index: number) => Promise<R>,
  options: PoolOptions<R>,
): Promise<R[]> {
  const jobs = checkJobs(options.jobs);
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let done = 0;
  let failure: { error: unknown } | null = null;
  const stopped = () => failure !== null || options.signal?.aborted === true;
  const worker = async () => {
    while (next < items.length && !stopped()) {
      const index = next++;
      try {
        const result = await run(items[index]!, index);
        results[index] = result;
        done++;
        // A run that ends after the abort was cut short: it is no result to show.
        if (!stopped()) options.onResult?.(result, index, done);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
  if (failure !== null) throw (failure as { error: unknown }).error;
  options.signal?.throwIfAborted();
  return results;
}
