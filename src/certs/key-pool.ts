import { generateKeyPair, type KeyObject } from "node:crypto";
import { promisify } from "node:util";
import type { KeySpec } from "./types";

/**
 * Process-wide pool of key pairs, keyed by key spec and role. Key generation is the only slow step of the factory,
 * so certificates that may share a key (every set signed by the good CA, every `server` leaf of the same size)
 * get the same pair. Keys come from node's native asynchronous keygen, which runs off the main thread.
 */

const generateKeyPairAsync = promisify(generateKeyPair);

/** A generated key pair as node KeyObjects. */
export interface PooledKeyPair {
  spec: KeySpec;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** Counters of the key pool, for tests and diagnostics. */
export interface KeyPoolStats {
  /** Key pairs generated since the process started (or since {@link resetKeyPool}). */
  generated: number;
  /** Requests answered by a key that already existed. */
  reused: number;
}

const pool = new Map<string, Promise<PooledKeyPair>>();
const stats: KeyPoolStats = { generated: 0, reused: 0 };

/** Stable text form of a key spec, e.g. `rsa-2048` or `ec-P-256`. */
export function describeKeySpec(spec: KeySpec): string {
  return spec.type === "rsa" ? `rsa-${spec.bits}` : `ec-${spec.curve}`;
}

/** The key pair for this spec and role; generated on first use, then shared. Concurrent callers share one keygen. */
export function getPooledKeyPair(spec: KeySpec, role: string): Promise<PooledKeyPair> {
  const poolKey = `${role}/${describeKeySpec(spec)}`;
  const existing = pool.get(poolKey);
  if (existing) {
    stats.reused++;
    return existing;
  }
  const created = generate(spec);
  pool.set(poolKey, created);
  // A failed keygen must not poison the pool.
  created.catch(() => pool.delete(poolKey));
  return created;
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
  stats.reused = 0;
}
