import { InvalidArgumentError } from "commander";

/**
 * Commander argument parsers the commands share. Each returns the value or throws an
 * `InvalidArgumentError` that says what was expected. (`serve`'s flags that set a server option
 * are parsed by the option's own schema: see option-flags.ts.)
 */

/** The most seconds a timer takes: setTimeout's ceiling (2^31 - 1 ms), beyond which it fires at once. */
export const MAX_SECONDS = 2_147_483;

/** Seconds, as MySQL's connect_timeout and wait_timeout take them (fractions allowed here). */
export function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_SECONDS) {
    throw new InvalidArgumentError(`expected a number of seconds above 0 (at most ${MAX_SECONDS})`);
  }
  return seconds;
}
