/**
 * The server's clock in the test's hands. Jest's fake timers take over `setTimeout` and
 * `setInterval` — what the session's timeouts (connect, wait, net_read, net_write) and the fault
 * delays run on — while sockets, immediates, microtasks and `Date` stay real: bytes still flow,
 * and a server timer fires only when the test moves the clock past it. A test then says "not
 * before 400 ms, at 400 ms" exactly, however slow the machine.
 *
 * Start the server before taking the clock (its start-up may wait on timers), and give it back
 * (`jest.useRealTimers()`) before stopping the server.
 */
export function takeServerClock(): void {
  jest.useFakeTimers({
    doNotFake: [
      "nextTick",
      "setImmediate",
      "clearImmediate",
      "queueMicrotask",
      "Date",
      "performance",
      "hrtime",
    ],
  });
}

/** Moves the server's clock on by `ms`, running every timer that falls due, in order. */
export async function advanceServerClock(ms: number): Promise<void> {
  await jest.advanceTimersByTimeAsync(ms);
}

/** A turn of the event loop: the I/O that is ready gets read. */
export function ioTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Waits, turn by turn of the event loop (the server's clock standing still), until `condition` holds. */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await ioTurn();
}

/** A few turns of the event loop: long enough for bytes already written on loopback to arrive. */
export async function settleIo(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await ioTurn();
}

/**
 * Takes the server's clock for `body`, then gives it back and stops `server`, whatever happens:
 * the server's timers created meanwhile stay on the test's clock and never fire on their own.
 */
export async function withServerClock<T>(
  server: { stop(): Promise<void> },
  body: () => Promise<T>,
): Promise<T> {
  takeServerClock();
  try {
    return await body();
  } finally {
    jest.useRealTimers();
    await server.stop();
  }
}
