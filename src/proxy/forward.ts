import type { Socket } from "node:net";

/**
 * Writes `bytes` to `to`. When `to`'s buffer is full, `from` — the side the bytes come from — is
 * paused until `to` drains: a client or server that reads slowly then slows its peer down
 * instead of making the proxy hold everything the peer sends.
 */
export function forward(to: Socket, bytes: Buffer, from: Socket): void {
  if (bytes.length === 0 || to.destroyed) return;
  if (!to.write(bytes)) {
    from.pause();
    to.once("drain", () => from.resume());
  }
}

/** Which peer sent the bytes a link could not read. */
export type Side = "client" | "server";

/** What every link tells the relay when a peer's bytes cannot be read (then it has closed both sides). */
export interface BrokenHook {
  broken(side: Side, message: string): void;
}

/**
 * What a link does when `side` sent bytes it cannot read: the relay is told why, and every socket
 * the link holds is closed (TLS sockets included, which the terminating links add partway).
 */
export function breakLink(
  hooks: BrokenHook,
  side: Side,
  error: Error,
  sockets: ReadonlyArray<Socket | null>,
): void {
  hooks.broken(side, error.message);
  for (const socket of sockets) socket?.destroy();
}

/**
 * `handler` for the data of `side`'s socket, with whatever it throws — a packet that cannot be
 * read, a frame over the limit, a response too short for its fields — handed to `fail` instead of
 * thrown out of the socket's event: a peer's bad bytes end its connection, never the process.
 */
export function guarded(
  side: Side,
  handler: (chunk: Buffer) => void,
  fail: (side: Side, error: Error) => void,
): (chunk: Buffer) => void {
  return (chunk) => {
    try {
      handler(chunk);
    } catch (error) {
      fail(side, error instanceof Error ? error : new Error(String(error)));
    }
  };
}
