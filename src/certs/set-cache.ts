import { createHash, createPrivateKey, randomBytes, X509Certificate } from "node:crypto";
import { mkdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import type { BuiltSet, ReuseWindow } from "./build-set";
import type { CertificateSetDefinition } from "./set-definition";
import type { CertificateSet } from "./types";

/**
 * Disk cache of built sets: one JSON file per (set name, server version, definition hash, key source, day of
 * the injected clock). Files are written atomically (temp file + rename) with mode 0600 because they hold
 * private keys; the folder is created 0700. Anything unreadable, corrupt or stale is ignored so the caller
 * regenerates: the cache can make things faster, never make them fail.
 */

/** Bump when the entry layout or the builder's output changes, so old entries stop matching. */
const CACHE_FORMAT = 2;

/** Identity of a cache entry. `day` is the UTC day of an injected clock, or `"live"` without one. */
export interface CacheKey {
  name: string;
  serverVersion: string;
  definitionHash: string;
  /**
   * Where the set's keys came from: `fresh` (generated for this user), or `shipped-<id>` with the
   * fingerprint of the shipped key pool, so regenerated shipped keys never meet sets signed with
   * the old ones, and a fresh-keys set is never served to a start that asked for the shipped keys
   * (or the other way round).
   */
  keys: string;
  day: string;
}

interface CacheEntry {
  format: number;
  key: CacheKey;
  reuse: { from: number | null; until: number | null };
  set: CertificateSet;
}

/** `$XDG_CACHE_HOME/mysql-tls-mock/certs`, or `~/.cache/mysql-tls-mock/certs`. */
export function defaultCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(homedir(), ".cache");
  return join(base, "mysql-tls-mock", "certs");
}

/** Hash of everything that determines a set's content apart from the clock and the server version. */
export function hashDefinition(definition: CertificateSetDefinition): string {
  return createHash("sha256")
    .update(JSON.stringify({ format: CACHE_FORMAT, definition }))
    .digest("hex")
    .slice(0, 16);
}

/** `fresh`, or `shipped-<fingerprint of the shipped pool>`: see {@link CacheKey.keys}. */
export function keysLabel(fresh: boolean, shippedPoolId: string): string {
  return fresh ? "fresh" : `shipped-${shippedPoolId}`;
}

export function cacheKeyFor(
  definition: CertificateSetDefinition,
  serverVersion: string,
  now: Date | undefined,
  keys: string,
): CacheKey {
  return {
    name: definition.name,
    serverVersion,
    definitionHash: hashDefinition(definition),
    keys,
    day: now ? now.toISOString().slice(0, 10) : "live",
  };
}

export function cacheFilePath(dir: string, key: CacheKey): string {
  const safe = (text: string) => text.replace(/[^A-Za-z0-9._-]/g, "_");
  return join(
    dir,
    `${key.name}--${safe(key.serverVersion)}--${key.definitionHash}--${safe(key.keys)}--${key.day}.json`,
  );
}

export function isWithin(window: ReuseWindow, clock: number): boolean {
  return window.from <= clock && clock <= window.until;
}

/** The cached set for this key if there is a sound one that still holds at `clock`; otherwise undefined. */
export async function readCachedSet(
  dir: string,
  key: CacheKey,
  clock: number,
): Promise<BuiltSet | undefined> {
  let text: string;
  try {
    text = await readFile(cacheFilePath(dir, key), "utf8");
  } catch {
    return undefined;
  }
  try {
    const entry = JSON.parse(text) as CacheEntry;
    if (entry.format !== CACHE_FORMAT || JSON.stringify(entry.key) !== JSON.stringify(key)) return undefined;
    const reuse: ReuseWindow = {
      from: entry.reuse.from ?? Number.NEGATIVE_INFINITY,
      until: entry.reuse.until ?? Number.POSITIVE_INFINITY,
    };
    if (!isWithin(reuse, clock) || !isSoundSet(entry.set, key.name)) return undefined;
    return { set: entry.set, reuse };
  } catch {
    return undefined;
  }
}

/** Writes the entry atomically. Failures (read-only disk, permissions) are swallowed: the set is still usable. */
export async function writeCachedSet(dir: string, key: CacheKey, built: BuiltSet): Promise<void> {
  const entry: CacheEntry = {
    format: CACHE_FORMAT,
    key,
    reuse: {
      from: Number.isFinite(built.reuse.from) ? built.reuse.from : null,
      until: Number.isFinite(built.reuse.until) ? built.reuse.until : null,
    },
    set: built.set,
  };
  const file = cacheFilePath(dir, key);
  const temp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(temp, JSON.stringify(entry), { mode: 0o600, flag: "wx" });
    await rename(temp, file);
  } catch {
    await unlink(temp).catch(() => undefined);
  }
}

/** Shape check plus a real parse: every certificate decodes and every key matches its certificate. */
function isSoundSet(set: CertificateSet, name: string): boolean {
  if (set?.name !== name || typeof set.description !== "string" || typeof set.ca !== "string") return false;
  if (!set.files || Object.values(set.files).some((content) => typeof content !== "string")) return false;
  new X509Certificate(set.ca);
  for (const pair of [set.server, ...(set.client ? [set.client] : [])]) {
    if (!new X509Certificate(pair.cert).checkPrivateKey(createPrivateKey(pair.key))) return false;
  }
  return true;
}
