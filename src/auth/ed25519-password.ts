import { createHash } from "node:crypto";
import { ed25519 } from "@noble/curves/ed25519";

/** The plugin name as MariaDB's server asks for it in an AuthSwitchRequest. */
export const ED25519_CLIENT_PLUGIN = "client_ed25519";

/** The order of the ed25519 base point (RFC 8032 §5.1, `L`). */
const L = ed25519.CURVE.n;

const sha512 = (...parts: Buffer[]): Buffer => {
  const hash = createHash("sha512");
  for (const part of parts) hash.update(part);
  return hash.digest();
};

const fromLittleEndian = (bytes: Buffer): bigint =>
  BigInt(`0x${Buffer.from(bytes).reverse().toString("hex")}`);

const toLittleEndian32 = (n: bigint): Buffer =>
  Buffer.from(n.toString(16).padStart(64, "0"), "hex").reverse();

/**
 * What MariaDB's `client_ed25519` sends for `nonce`: an Ed25519 signature of the nonce with a key
 * whose seed is the password itself, of any length — RFC 8032 signing with SHA-512(password) in
 * place of SHA-512(32-byte seed) (MariaDB `plugin/auth_ed25519/ref10/sign.c`, `crypto_sign`).
 * Node's Ed25519 keys take only 32-byte seeds, hence the curve arithmetic from @noble/curves.
 */
export function computeEd25519Reply(password: string, nonce: Buffer): Buffer {
  const az = sha512(Buffer.from(password, "utf8"));
  az[0]! &= 248;
  az[31]! &= 63;
  az[31]! |= 64;
  const a = fromLittleEndian(az.subarray(0, 32)) % L;
  const publicKey = Buffer.from(ed25519.Point.BASE.multiply(a).toBytes());
  const r = fromLittleEndian(sha512(az.subarray(32), nonce)) % L;
  const R = Buffer.from(ed25519.Point.BASE.multiply(r).toBytes());
  const k = fromLittleEndian(sha512(R, publicKey, nonce)) % L;
  const S = (r + k * a) % L;
  return Buffer.concat([R, toLittleEndian32(S)]);
}
