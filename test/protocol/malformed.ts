import { MalformedPacketError } from "../../src/protocol/errors";

/**
 * Decodes every strict prefix of a valid payload and checks that each one either decodes (a
 * lenient decoder may accept some) or fails with a MalformedPacketError naming `packet` and an
 * offset inside the prefix — never a RangeError or any other error.
 * @returns how many prefixes were rejected
 */
export function expectPrefixesRejectedCleanly(
  decode: (payload: Buffer) => unknown,
  payload: Buffer,
  packet: string,
): number {
  let rejected = 0;
  for (let length = 0; length < payload.length; length++) {
    const prefix = Buffer.from(payload.subarray(0, length));
    try {
      decode(prefix);
    } catch (error) {
      if (!(error instanceof MalformedPacketError)) {
        throw new Error(`prefix of ${length} bytes threw ${String(error)}, not a MalformedPacketError`);
      }
      expect(error.packet).toBe(packet);
      expect(error.offset).toBeGreaterThanOrEqual(0);
      expect(error.offset).toBeLessThanOrEqual(length);
      expect(error.message).toMatch(new RegExp(`^malformed ${packet} at byte \\d+: `));
      rejected++;
    }
  }
  return rejected;
}

/** A deterministic byte source (xorshift32), so fuzz failures reproduce. */
export function pseudoRandomBytes(seed: number, length: number): Buffer {
  let state = seed >>> 0 || 1;
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    out[i] = state & 0xff;
  }
  return out;
}
