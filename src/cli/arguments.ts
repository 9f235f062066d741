import { InvalidArgumentError } from "commander";

/**
 * Commander argument parsers the commands share. Each returns the value or throws an
 * `InvalidArgumentError` that says what was expected.
 */

/** The most seconds a timer takes: setTimeout's ceiling (2^31 - 1 ms), beyond which it fires at once. */
export const MAX_SECONDS = 2_147_483;

/** A TCP port, 0 for any free one. */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError("expected a port number from 0 to 65535");
  }
  return port;
}

/** Seconds, as MySQL's connect_timeout and wait_timeout take them (fractions allowed here). */
export function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_SECONDS) {
    throw new InvalidArgumentError(`expected a number of seconds above 0 (at most ${MAX_SECONDS})`);
  }
  return seconds;
}

/** A whole number from `min` to `max`, for counts and sizes (max_connections, back_log, …). */
export function parseCount(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    }
    return n;
  };
}
