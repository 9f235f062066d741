import { type BuiltSet, buildCertificateSet, DEFAULT_SERVER_VERSION } from "./build-set";
import { CATALOGUE, type CertificateSetName } from "./catalogue";
import { resetKeyPool } from "./key-pool";
import { resolveDefinition } from "./resolve-definition";
import {
  cacheKeyFor,
  defaultCacheDir,
  isWithin,
  keysLabel,
  readCachedSet,
  writeCachedSet,
} from "./set-cache";
import { shippedKeys } from "./shipped-keys";
import type { CertificateOptions, CertificateSet } from "./types";

/** Every catalogue entry with its one-line description, in catalogue order. */
export function listCertificateSets(): Array<{ name: CertificateSetName; description: string }> {
  return CATALOGUE.map(({ name, description }) => ({ name, description }));
}

/**
 * In-process memo: N servers in one jest worker build a set once. Keyed like the disk cache, but by the exact
 * injected clock, so a given `now` always yields certificates computed from exactly that `now`.
 */
const memo = new Map<string, Promise<BuiltSet>>();
/** Bound on memo entries: every distinct injected clock is an entry, and each holds private keys and PEMs. */
const MEMO_LIMIT = 64;

/**
 * Builds (or fetches from the in-process memo or the disk cache) one catalogue set.
 *
 * Validity windows are computed from `options.now` (default: the current time). A cached set is only reused while
 * it still behaves as its definition says at that clock, so e.g. `not-yet-valid` never silently turns valid.
 *
 * Keys are the package's shipped public test keys unless `options.freshKeys` asks for generated ones; the
 * certificates are signed when the set is built either way.
 *
 * @throws {UnknownCertificateSetError} for a name that is not in the catalogue (the promise rejects).
 */
export async function getCertificateSet(
  name: CertificateSetName,
  options: CertificateOptions = {},
): Promise<CertificateSet> {
  const definition = resolveDefinition(name);
  if (options.now && Number.isNaN(options.now.getTime())) {
    throw new TypeError("options.now is an invalid Date");
  }
  const serverVersion = options.serverVersion ?? DEFAULT_SERVER_VERSION;
  const cacheDir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;
  const freshKeys = options.freshKeys ?? false;
  const keys = keysLabel(freshKeys, freshKeys ? "" : (await shippedKeys()).id);
  const key = cacheKeyFor(definition, serverVersion, options.now, keys);
  const clock = () => options.now?.getTime() ?? Date.now();
  const memoKey = JSON.stringify([
    key.name,
    key.serverVersion,
    key.definitionHash,
    key.keys,
    options.now?.getTime() ?? "live",
  ]);

  const pending = memo.get(memoKey);
  if (pending) {
    const built = await pending.catch(() => undefined);
    if (built && isWithin(built.reuse, clock())) return structuredClone(built.set);
  }

  const loading = (async (): Promise<BuiltSet> => {
    if (cacheDir !== false) {
      const cached = await readCachedSet(cacheDir, key, clock());
      if (cached) return cached;
    }
    const built = await buildCertificateSet(
      definition,
      serverVersion,
      options.now ?? new Date(),
      freshKeys ? "fresh" : "shipped",
    );
    if (cacheDir !== false) await writeCachedSet(cacheDir, key, built);
    return built;
  })();
  memo.delete(memoKey);
  memo.set(memoKey, loading);
  if (memo.size > MEMO_LIMIT) memo.delete(memo.keys().next().value!);
  loading.catch(() => {
    if (memo.get(memoKey) === loading) memo.delete(memoKey);
  });
  return structuredClone((await loading).set);
}

/**
 * Forgets the in-process memo and the key pool, as if the process had just started. For tests of the disk cache;
 * nothing else needs it.
 */
export function resetCertificateFactory(): void {
  memo.clear();
  resetKeyPool();
}
