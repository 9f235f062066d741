import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { computeNativePasswordReply, verifyNativePasswordReply } from "../../src/auth/native-password";

const sha1 = (b: Buffer) => createHash("sha1").update(b).digest();

describe("mysql_native_password", () => {
  const scramble = Buffer.from("0123456789abcdefghij");

  it("computes SHA1(pw) XOR SHA1(nonce ‖ SHA1(SHA1(pw))), nonce first", () => {
    const stage1 = sha1(Buffer.from("secret"));
    const stage2 = sha1(stage1);
    const mask = sha1(Buffer.concat([scramble, stage2]));
    const expected = Buffer.from(stage1.map((b, i) => b ^ mask[i]!));
    expect(computeNativePasswordReply("secret", scramble)).toEqual(expected);
  });

  it("matches the reply the mysql2 driver computes for the same nonce", () => {
    // mysql2's own implementation of the client side, as a second real peer.
    // The package's exports map hides lib/, so load the file by path.
    const auth41 = require(join(dirname(require.resolve("mysql2")), "lib", "auth_41.js")) as {
      calculateToken(password: string, part1: Buffer, part2: Buffer): Buffer;
    };
    const fromDriver = auth41.calculateToken("secret", scramble.subarray(0, 8), scramble.subarray(8));
    expect(computeNativePasswordReply("secret", scramble)).toEqual(fromDriver);
  });

  it("accepts the right reply and refuses a wrong one", () => {
    const reply = computeNativePasswordReply("secret", scramble);
    expect(verifyNativePasswordReply("secret", scramble, reply)).toBe(true);
    expect(verifyNativePasswordReply("other", scramble, reply)).toBe(false);
    expect(verifyNativePasswordReply("secret", Buffer.from("jihgfedcba9876543210"), reply)).toBe(false);
  });

  it("treats an empty reply as the empty password and nothing else", () => {
    expect(computeNativePasswordReply("", scramble)).toHaveLength(0);
    expect(verifyNativePasswordReply("", scramble, Buffer.alloc(0))).toBe(true);
    expect(verifyNativePasswordReply("secret", scramble, Buffer.alloc(0))).toBe(false);
    expect(verifyNativePasswordReply("", scramble, computeNativePasswordReply("x", scramble))).toBe(false);
  });

  it("refuses replies of the wrong length without throwing", () => {
    expect(verifyNativePasswordReply("secret", scramble, Buffer.alloc(19))).toBe(false);
    expect(verifyNativePasswordReply("secret", scramble, Buffer.alloc(32))).toBe(false);
  });
});
