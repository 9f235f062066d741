import { createPrivateKey, generateKeyPairSync } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { getKeyPoolStats, getPooledKeyPair, resetKeyPool } from "../../src/certs/key-pool";
import {
  readShippedKeys,
  SHIPPED_KEY_POOL_FILE,
  SHIPPED_KEY_POOL_FORMAT,
  useShippedKeyPoolFile,
} from "../../src/certs/shipped-keys";
import { TempDirs } from "./openssl-cli";

const dirs = new TempDirs();
afterAll(() => dirs.cleanup());
beforeEach(() => resetKeyPool());
afterEach(() => useShippedKeyPoolFile(undefined));

/** A pool file holding `keys` (pool id → PKCS#8 PEM). */
async function poolFile(keys: Record<string, string>): Promise<string> {
  const file = join(await dirs.make(), "pool.json");
  await writeFile(file, JSON.stringify({ format: SHIPPED_KEY_POOL_FORMAT, notice: "test", keys }));
  return file;
}

const pkcs8 = (bits: number) =>
  generateKeyPairSync("rsa", { modulusLength: bits })
    .privateKey.export({ type: "pkcs8", format: "pem" })
    .toString();

describe("key pool", () => {
  it("generates one fresh key per spec and role, and shares it with later and concurrent callers", async () => {
    const spec = { type: "rsa", bits: 1024 } as const;
    const [a, b] = await Promise.all([
      getPooledKeyPair(spec, "server", "fresh"),
      getPooledKeyPair(spec, "server", "fresh"),
    ]);
    expect(a).toBe(b);
    expect(await getPooledKeyPair(spec, "server", "fresh")).toBe(a);
    expect(getKeyPoolStats()).toEqual({ generated: 1, shipped: 0, reused: 2 });
  });

  it("keeps roles and sizes apart", async () => {
    const server = await getPooledKeyPair({ type: "rsa", bits: 1024 }, "server", "fresh");
    const client = await getPooledKeyPair({ type: "rsa", bits: 1024 }, "client", "fresh");
    expect(server.privateKey.equals(client.privateKey)).toBe(false);
    expect(getKeyPoolStats().generated).toBe(2);
  });

  it("serves the shipped key for a shipped spec and role, without generating", async () => {
    const shipped = await readShippedKeys(SHIPPED_KEY_POOL_FILE);
    const { privateKey } = await getPooledKeyPair({ type: "rsa", bits: 2048 }, "good-ca");
    expect(privateKey.equals(createPrivateKey(shipped.pem("good-ca/rsa-2048")!))).toBe(true);
    expect(getKeyPoolStats()).toEqual({ generated: 0, shipped: 1, reused: 0 });
  });

  it("keeps shipped and fresh keys of the same spec and role apart", async () => {
    const spec = { type: "rsa", bits: 2048 } as const;
    const shipped = await getPooledKeyPair(spec, "good-ca", "shipped");
    const fresh = await getPooledKeyPair(spec, "good-ca", "fresh");
    expect(fresh.privateKey.equals(shipped.privateKey)).toBe(false);
    expect(await getPooledKeyPair(spec, "good-ca", "shipped")).toBe(shipped);
    expect(getKeyPoolStats()).toEqual({ generated: 1, shipped: 1, reused: 1 });
  });

  it("generates a spec or role the package does not ship", async () => {
    const pair = await getPooledKeyPair({ type: "ec", curve: "P-256" }, "not-shipped");
    expect(pair.privateKey.asymmetricKeyType).toBe("ec");
    expect(getKeyPoolStats()).toEqual({ generated: 1, shipped: 0, reused: 0 });
  });

  it("generates instead of serving a shipped key that is not of the spec asked for", async () => {
    // A 1024-bit key filed as 2048: the rsa-1024 set must stay the only one with a weak key.
    useShippedKeyPoolFile(await poolFile({ "server/rsa-2048": pkcs8(1024) }));
    const { privateKey } = await getPooledKeyPair({ type: "rsa", bits: 2048 }, "server");
    expect(privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(getKeyPoolStats()).toMatchObject({ generated: 1, shipped: 0 });
  });

  it("generates when a shipped entry is not a key", async () => {
    useShippedKeyPoolFile(await poolFile({ "server/rsa-2048": "-----BEGIN PRIVATE KEY-----\nAAAA\n" }));
    await getPooledKeyPair({ type: "rsa", bits: 2048 }, "server");
    expect(getKeyPoolStats()).toMatchObject({ generated: 1, shipped: 0 });
  });

  it.each([
    [{ type: "rsa", bits: 2048 } as const, "rsa", { modulusLength: 2048, publicExponent: 65537n }],
    [{ type: "rsa", bits: 4096 } as const, "rsa", { modulusLength: 4096, publicExponent: 65537n }],
    [{ type: "ec", curve: "P-256" } as const, "ec", { namedCurve: "prime256v1" }],
    [{ type: "ec", curve: "P-384" } as const, "ec", { namedCurve: "secp384r1" }],
  ])("makes %j keys", async (spec, type, details) => {
    const { privateKey } = await getPooledKeyPair(spec, "test", "fresh");
    expect(privateKey.asymmetricKeyType).toBe(type);
    expect(privateKey.asymmetricKeyDetails).toEqual(details);
  });
});

describe("reading a shipped pool file", () => {
  it.each([
    ["missing", null],
    ["not JSON", "{"],
    ["of another format", JSON.stringify({ format: 99, keys: { "server/rsa-2048": "x" } })],
    ["without keys", JSON.stringify({ format: SHIPPED_KEY_POOL_FORMAT })],
  ])(
    "reads a %s file as an empty pool, so keys are generated rather than the start failing",
    async (_what, text) => {
      const file = join(await dirs.make(), "pool.json");
      if (text !== null) await writeFile(file, text);
      const pool = await readShippedKeys(file);
      expect(pool.id).toBe("none");
      expect(pool.pem("server/rsa-2048")).toBeUndefined();
    },
  );

  it("names a pool by its content, so a regenerated pool has another id", async () => {
    const a = await readShippedKeys(await poolFile({ "server/rsa-2048": "a" }));
    const b = await readShippedKeys(await poolFile({ "server/rsa-2048": "b" }));
    expect(a.id).toMatch(/^[0-9a-f]{16}$/);
    expect(b.id).not.toBe(a.id);
  });
});
