import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from "node:crypto";
import { promisify } from "node:util";
import { describeKeySpec, keyPoolId, shippedKeys } from "./shipped-keys";
import type { KeySpec } from "./types";

/**
 * Process-wide pool of key pairs, keyed by source, key spec and role. Certificates that may share a
 * key (every set signed by the good CA, every `server` leaf of the same size) get the same pair.
 *
 * A `shipped` key comes from the package's pool of public test keys (`shipped-keys.ts`), so a first
 * start generates nothing; only a spec and role the package does not ship is generated. A `fresh`
 * key is always generated, with node's native asynchronous keygen, which runs off the main thread.
 */

export { describeKeySpec };

const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * Where keys come from: `shipped`, the package's public test keys (generated only for what it does
 * not ship), or `fresh`, generated in this process.
 */
export type KeySource = "shipped" | "fresh";

/** A key pair as node KeyObjects. */
export interface PooledKeyPair {
  spec: KeySpec;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** Counters of the key pool, for tests and diagnostics. */
export interface KeyPoolStats {
  /** Key pairs generated since the process started (or since {@link resetKeyPool}). */
  generated: number;
  /** Key pairs taken from the shipped pool. */
  shipped: number;
  /** Requests answered by a key that was already in the pool. */
  reused: number;
}

const pool = new Map<string, Promise<PooledKeyPair>>();
const stats: KeyPoolStats = { generated: 0, shipped: 0, reused: 0 };

/**
 * The key pair for this spec and role from `source`; loaded or generated on first use, then shared.
 * Concurrent callers share one load or keygen.
 */
export function getPooledKeyPair(
  spec: KeySpec,
  role: string,
  source: KeySource = "shipped",
): Promise<PooledKeyPair> {
  const id = keyPoolId(spec, role);
  const poolKey = `${source}:${id}`;
  const existing = pool.get(poolKey);
  if (existing) {
    stats.reused++;
    return existing;
  }
  const created = source === "shipped" ? fromShippedPool(spec, id) : generate(spec);
  pool.set(poolKey, created);
  // A failed keygen must not poison the pool.
  created.catch(() => pool.delete(poolKey));
  return created;
}

/** The shipped key for `id`, or a generated one when none is shipped or the shipped one is not of `spec`. */
async function fromShippedPool(spec: KeySpec, id: string): Promise<PooledKeyPair> {
  const pem = (await shippedKeys()).pem(id);
  if (pem !== undefined) {
    let privateKey: KeyObject | undefined;
    try {
      privateKey = createPrivateKey(pem);
    } catch {
      // A damaged entry costs a keygen, as a damaged cache entry does.
    }
    if (privateKey && isOfSpec(privateKey, spec)) {
      stats.shipped++;
      return { spec, privateKey, publicKey: createPublicKey(privateKey) };
    }
  }
  return generate(spec);
}

/** OpenSSL's names of the curves a {@link KeySpec} names. */
const CURVE_NAMES: Readonly<Record<Extract<KeySpec, { type: "ec" }>["curve"], string>> = {
  "P-256": "prime256v1",
  "P-384": "secp384r1",
};

/** Whether a key is what the spec asks for: a set that differs by key size must really have that size. */
function isOfSpec(key: KeyObject, spec: KeySpec): boolean {
  const details = key.asymmetricKeyDetails;
  return spec.type === "rsa"
    ? key.asymmetricKeyType === "rsa" &&
        details?.modulusLength === spec.bits &&
        details.publicExponent === 65537n
    : key.asymmetricKeyType === "ec" && details?.namedCurve === CURVE_NAMES[spec.curve];
}

async function generate(spec: KeySpec): Promise<PooledKeyPair> {
  stats.generated++;
  const { privateKey, publicKey } =
    spec.type === "rsa"
      ? await generateKeyPairAsync("rsa", { modulusLength: spec.bits, publicExponent: 0x10001 })
      : await generateKeyPairAsync("ec", { namedCurve: spec.curve });
  return { spec, privateKey, publicKey };
}

/** A snapshot of the pool counters. */
export function getKeyPoolStats(): KeyPoolStats {
  return { ...stats };
}

/** Forgets every pooled key and zeroes the counters (tests use it to simulate a fresh process). */
export function resetKeyPool(): void {
  pool.clear();
  stats.generated = 0;
  stats.shipped = 0;
  stats.reused = 0;
}
