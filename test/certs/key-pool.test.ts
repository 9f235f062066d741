import { getKeyPoolStats, getPooledKeyPair, resetKeyPool } from "../../src/certs/key-pool";

beforeEach(() => resetKeyPool());

describe("key pool", () => {
  it("generates one key per spec and role, and shares it with later and concurrent callers", async () => {
    const spec = { type: "rsa", bits: 1024 } as const;
    const [a, b] = await Promise.all([getPooledKeyPair(spec, "server"), getPooledKeyPair(spec, "server")]);
    expect(a).toBe(b);
    expect(await getPooledKeyPair(spec, "server")).toBe(a);
    expect(getKeyPoolStats()).toEqual({ generated: 1, reused: 2 });
  });

  it("keeps roles and sizes apart", async () => {
    const server = await getPooledKeyPair({ type: "rsa", bits: 1024 }, "server");
    const client = await getPooledKeyPair({ type: "rsa", bits: 1024 }, "client");
    expect(server.privateKey.equals(client.privateKey)).toBe(false);
    expect(getKeyPoolStats().generated).toBe(2);
  });

  it.each([
    [{ type: "rsa", bits: 2048 } as const, "rsa", { modulusLength: 2048, publicExponent: 65537n }],
    [{ type: "rsa", bits: 4096 } as const, "rsa", { modulusLength: 4096, publicExponent: 65537n }],
    [{ type: "ec", curve: "P-256" } as const, "ec", { namedCurve: "prime256v1" }],
    [{ type: "ec", curve: "P-384" } as const, "ec", { namedCurve: "secp384r1" }],
  ])("makes %j keys", async (spec, type, details) => {
    const { privateKey } = await getPooledKeyPair(spec, "test");
    expect(privateKey.asymmetricKeyType).toBe(type);
    expect(privateKey.asymmetricKeyDetails).toEqual(details);
  });
});
