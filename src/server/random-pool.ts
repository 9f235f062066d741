import { randomFillSync } from "node:crypto";

/** Bytes drawn from the CSPRNG at a time: a greeting's nonce for each of about two hundred connections. */
const POOL_BYTES = 4096;

/**
 * Random bytes for per-connection nonces, drawn from node's CSPRNG a block at a time. Each call
 * still costs a trip into OpenSSL, and a login needs only 20 bytes: a block serves many logins.
 * The bytes are as random as `randomBytes`'; each is handed out once, in a buffer of its own (a
 * nonce is kept, and changed in place by `generateScramble`, so it must not share memory).
 */
export class RandomPool {
  private pool = Buffer.allocUnsafe(0);
  private at = 0;

  /** `n` fresh random bytes (at most a pool's worth). */
  readonly take = (n: number): Buffer => {
    if (this.at + n > this.pool.length) {
      this.pool = randomFillSync(Buffer.allocUnsafe(Math.max(POOL_BYTES, n)));
      this.at = 0;
    }
    // Memory of its own: a nonce lives as long as its connection, and a small Buffer.from() would
    // share (and so pin) one of node's 8 KiB allocation slabs with short-lived buffers.
    const bytes = Buffer.allocUnsafeSlow(n);
    this.pool.copy(bytes, 0, this.at, this.at + n);
    // Handed-out bytes are overwritten: nothing else can ever read this nonce from the pool.
    this.pool.fill(0, this.at, this.at + n);
    this.at += n;
    return bytes;
  };
}
