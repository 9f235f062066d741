import { randomBytes } from "node:crypto";

/** Length of the nonce MySQL sends in the greeting and in auth switches. */
export const SCRAMBLE_LENGTH = 20;

const DOLLAR = 0x24;

/**
 * Makes a 20-byte nonce the way MySQL 5.7's `generate_user_salt` does: random bytes masked to
 * 7 bits, with NUL and `$` bumped by one. Some drivers read the second scramble part as a C string,
 * so a NUL inside it would cut the nonce short.
 */
export function generateScramble(random: (n: number) => Buffer = randomBytes): Buffer {
  const bytes = random(SCRAMBLE_LENGTH);
  for (let i = 0; i < bytes.length; i++) {
    let b = bytes[i]! & 0x7f;
    if (b === 0 || b === DOLLAR) b += 1;
    bytes[i] = b;
  }
  return bytes;
}
