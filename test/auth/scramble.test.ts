import { generateScramble, SCRAMBLE_LENGTH } from "../../src/auth/scramble";

describe("generateScramble", () => {
  it("makes 20 bytes of 7-bit values with neither NUL nor '$', like generate_user_salt", () => {
    // Feed every byte value through the masking, including those that must be bumped.
    let next = 0;
    const all = (n: number) => Buffer.from(Array.from({ length: n }, () => next++ & 0xff));
    for (let round = 0; round < 13; round++) {
      const scramble = generateScramble(all);
      expect(scramble).toHaveLength(SCRAMBLE_LENGTH);
      for (const b of scramble) {
        expect(b).toBeLessThan(0x80);
        expect(b).not.toBe(0x00);
        expect(b).not.toBe(0x24);
      }
    }
  });

  it("differs from one connection to the next", () => {
    expect(generateScramble().equals(generateScramble())).toBe(false);
  });
});
