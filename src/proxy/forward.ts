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
