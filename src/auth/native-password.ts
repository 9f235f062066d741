import { createHash, timingSafeEqual } from "node:crypto";

/** The plugin name as it appears on the wire. */
export const NATIVE_PASSWORD_PLUGIN = "mysql_native_password";

function sha1(...parts: Buffer[]): Buffer {
  const hash = createHash("sha1");
  for (const part of parts) hash.update(part);
  return hash.digest();
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/**
 * What a mysql_native_password client sends: SHA1(pw) XOR SHA1(nonce ‖ SHA1(SHA1(pw))).
 * The nonce comes first here; caching_sha2_password hashes in the opposite order.
 */
export function computeNativePasswordReply(password: string, scramble: Buffer): Buffer {
  if (password === "") return Buffer.alloc(0);
  const stage1 = sha1(Buffer.from(password, "utf8"));
  const stage2 = sha1(stage1);
  return xor(stage1, sha1(scramble, stage2));
}

/**
 * Checks a client's reply the way the server does, from the stored SHA1(SHA1(pw)): it recovers the
 * candidate SHA1(pw) from the reply and compares its hash with the stored one.
 */
export function verifyNativePasswordReply(password: string, scramble: Buffer, reply: Buffer): boolean {
  if (password === "") return reply.length === 0;
  if (reply.length !== 20) return false;
  const stage2 = nativePasswordHash(password);
  const candidateStage1 = xor(reply, sha1(scramble, stage2));
  return timingSafeEqual(sha1(candidateStage1), stage2);
}

/** What the server stores for a native password: SHA1(SHA1(pw)) (`*` + hex in mysql.user). */
export function nativePasswordHash(password: string): Buffer {
  return sha1(sha1(Buffer.from(password, "utf8")));
}
