import { MalformedPacketError } from "../../src/protocol/errors";

/** What decoding each strict prefix of a payload did: the lengths that decoded, the errors of the rest. */
export interface Truncations {
  /** Prefix lengths that decoded, ascending. */
  decoded: number[];
  /** What every other prefix threw, by its length. */
  rejected: Map<number, unknown>;
}

/** Decodes every strict prefix of `payload` (lengths 0 … length − 1), each in a buffer of its own. */
export function truncationsOf(decode: (payload: Buffer) => unknown, payload: Buffer): Truncations {
  const decoded: number[] = [];
  const rejected = new Map<number, unknown>();
  for (let length = 0; length < payload.length; length++) {
    // A copy, so a decoder that reads past the prefix cannot find the rest of the packet there.
    const prefix = Buffer.from(payload.subarray(0, length));
    try {
      decode(prefix);
      decoded.push(length);
    } catch (error) {
      rejected.set(length, error);
    }
  }
  return { decoded, rejected };
}

/**
 * Why a rejection is not clean: anything but a MalformedPacketError naming `packet`, at an offset
 * inside the prefix, with the message shape every decoder shares. Null when it is clean.
 */
export function uncleanRejection(error: unknown, packet: string, length: number): string | null {
  if (!(error instanceof MalformedPacketError)) return `threw ${String(error)}, not a MalformedPacketError`;
  if (error.packet !== packet) return `named packet ${JSON.stringify(error.packet)}, not ${packet}`;
  if (!Number.isInteger(error.offset) || error.offset < 0 || error.offset > length) {
    return `reported offset ${error.offset}, outside 0..${length}`;
  }
  if (!error.message.startsWith(`malformed ${packet} at byte ${error.offset}: `)) {
    return `has the message ${JSON.stringify(error.message)}`;
  }
  return null;
}

/** The lengths `from` … `to`, both included: a run of prefixes that decode. */
export function lengths(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/**
 * Decodes every strict prefix of a valid payload. Exactly the prefixes of the lengths in `decoding`
 * may decode — each one a whole packet of its own (a string<EOF> ended sooner, an optional field
 * left out); every other prefix must fail with a MalformedPacketError naming `packet` and an
 * offset inside the prefix, never a RangeError or any other error.
 * @returns the error of each rejected prefix, by length, for a test that says which field it names
 */
export function expectTruncations(
  decode: (payload: Buffer) => unknown,
  payload: Buffer,
  packet: string,
  decoding: readonly number[],
): Map<number, MalformedPacketError> {
  const { decoded, rejected } = truncationsOf(decode, payload);
  expect({ packet, decoded }).toEqual({ packet, decoded: [...decoding].sort((a, b) => a - b) });
  const unclean = [...rejected]
    .map(([length, error]) => [length, uncleanRejection(error, packet, length)] as const)
    .filter(([, why]) => why !== null)
    .map(([length, why]) => `the prefix of ${length} bytes ${why}`);
  expect(unclean).toEqual([]);
  return rejected as Map<number, MalformedPacketError>;
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
