import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { CERTIFICATE_SET_NAMES } from "./catalogue";
import { resolveDefinition } from "./resolve-definition";
import type { KeySpec } from "./types";

/**
 * The shipped key pool: private keys generated once by `scripts/generate-key-pool.ts` and shipped
 * in the package (`keys/test-key-pool.json`), one per key spec and role the catalogue uses. An RSA
 * keygen costs hundreds of milliseconds, signing a certificate about one, so with these keys a
 * first start only signs. The keys are public: anyone with the package has them. They stand in for
 * MySQL's throw-away auto-generated keys and protect nothing; `freshKeys` asks for keys of one's own.
 */

/**
 * `keys/test-key-pool.json` at the package root. `src/certs/` (tsx, ts-jest) and `dist/certs/`
 * (the built package) are both two folders below it.
 */
export const SHIPPED_KEY_POOL_FILE = join(__dirname, "..", "..", "keys", "test-key-pool.json");

/** Bump when the file's layout changes; a file of another format is not read. */
export const SHIPPED_KEY_POOL_FORMAT = 1;

/** The pool file as written: pool id (`role/spec`) → PKCS#8 PEM private key. */
export interface ShippedKeyPoolFile {
  format: typeof SHIPPED_KEY_POOL_FORMAT;
  notice: string;
  keys: Record<string, string>;
}

/** What the file says about itself, so a reader of the bare JSON knows the keys are public. */
export const SHIPPED_KEY_POOL_NOTICE =
  "Public test keys shipped with mysql-tls-mock for its certificate catalogue. Anyone with the package has them: " +
  "they protect nothing. Regenerate with `npx tsx scripts/generate-key-pool.ts`; serve fresh keys with --fresh-keys.";

/** The shipped pool as loaded. */
export interface ShippedKeys {
  /**
   * Fingerprint of the pool file (`none` when there is none): sets cached on disk are keyed by it,
   * so a package with regenerated keys never serves a set signed with the previous ones.
   */
  id: string;
  /** The PEM private key shipped for this pool id, if any. */
  pem(poolId: string): string | undefined;
}

const EMPTY: ShippedKeys = { id: "none", pem: () => undefined };

/** Stable text form of a key spec, e.g. `rsa-2048` or `ec-P-256`. */
export function describeKeySpec(spec: KeySpec): string {
  return spec.type === "rsa" ? `rsa-${spec.bits}` : `ec-${spec.curve}`;
}

/** The pool id of a key: its role and spec, e.g. `good-ca/rsa-2048`. Keys with the same id are one key. */
export function keyPoolId(spec: KeySpec, role: string): string {
  return `${role}/${describeKeySpec(spec)}`;
}

/**
 * Reads a pool file. A missing, unreadable or malformed file yields an empty pool, so keys are
 * generated as before: the pool makes starts faster, it never makes them fail.
 */
export async function readShippedKeys(file: string): Promise<ShippedKeys> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return EMPTY;
  }
  try {
    const parsed = JSON.parse(text) as ShippedKeyPoolFile;
    if (parsed.format !== SHIPPED_KEY_POOL_FORMAT || typeof parsed.keys !== "object" || !parsed.keys) {
      return EMPTY;
    }
    const keys = new Map(
      Object.entries(parsed.keys).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
    );
    const id = createHash("sha256").update(text).digest("hex").slice(0, 16);
    return { id, pem: (poolId) => keys.get(poolId) };
  } catch {
    return EMPTY;
  }
}

let poolFile = SHIPPED_KEY_POOL_FILE;
let loaded: Promise<ShippedKeys> | undefined;

/** The package's shipped pool, read once per process. */
export function shippedKeys(): Promise<ShippedKeys> {
  loaded ??= readShippedKeys(poolFile);
  return loaded;
}

/**
 * @internal For tests: read the shipped pool from `file` from now on (`undefined`: the package's
 * own). Keys already in the key pool stay there; reset it too.
 */
export function useShippedKeyPoolFile(file: string | undefined): void {
  poolFile = file ?? SHIPPED_KEY_POOL_FILE;
  loaded = undefined;
}

/** A key the catalogue uses: its pool id, spec and role. */
export interface KeyNeed {
  id: string;
  spec: KeySpec;
  role: string;
}

/**
 * Every key the catalogue's sets use, one per pool id, in catalogue order: what the shipped pool
 * must hold for no set to generate a key. Keys are shared by role and spec (see `key-pool.ts`), so a
 * set that uses one role for two certificates of the same spec needs one key, not two.
 */
export function catalogueKeyNeeds(): KeyNeed[] {
  const needs = new Map<string, KeyNeed>();
  const need = (spec: KeySpec, role: string) => {
    const id = keyPoolId(spec, role);
    if (!needs.has(id)) needs.set(id, { id, spec, role });
  };
  for (const name of CERTIFICATE_SET_NAMES) {
    const definition = resolveDefinition(name);
    for (const certificate of definition.certificates) need(certificate.key, certificate.keyRole);
    if (definition.rsaKeyPair) need(definition.rsaKeyPair.key, definition.rsaKeyPair.keyRole);
  }
  return [...needs.values()];
}
