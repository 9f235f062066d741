import { mkdir, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { getCertificateSet, getKeyPoolStats, resetCertificateFactory } from "../../src/certs";
import { buildCertificateSet } from "../../src/certs/build-set";
import { resolveDefinition } from "../../src/certs/resolve-definition";
import { cacheKeyFor, defaultCacheDir, readCachedSet, writeCachedSet } from "../../src/certs/set-cache";
import { TempDirs } from "./openssl-cli";

/**
 * The disk cache: a warm start signs nothing and loads no key, and a bad entry costs a rebuild, never a
 * failure. A rebuild shows in the key pool's counters: building a set takes its keys from the pool.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
const dirs = new TempDirs();
afterAll(() => dirs.cleanup());
beforeEach(() => resetCertificateFactory());

/** Keys taken from the shipped pool or generated since the last reset: 0 when every set came from a cache. */
const keysLoaded = () => getKeyPoolStats().shipped + getKeyPoolStats().generated;

async function onlyEntry(cacheDir: string): Promise<string> {
  const entries = (await readdir(cacheDir)).filter((name) => name.endsWith(".json"));
  expect(entries).toHaveLength(1);
  return join(cacheDir, entries[0]!);
}

describe("disk cache", () => {
  it("serves a second process-fresh request from disk, without loading or generating any key", async () => {
    const cacheDir = join(await dirs.make(), "cache");
    const cold = await getCertificateSet("good", { cacheDir });
    expect(keysLoaded()).toBe(3);

    resetCertificateFactory(); // as if a new process started
    const warm = await getCertificateSet("good", { cacheDir });
    expect(keysLoaded()).toBe(0);
    expect(warm).toEqual(cold);
  });

  it("serves fresh-keys sets from disk too, so only the first fresh start generates keys", async () => {
    const cacheDir = await dirs.make();
    const cold = await getCertificateSet("good", { cacheDir, freshKeys: true });
    expect(getKeyPoolStats().generated).toBe(3);

    resetCertificateFactory();
    expect(await getCertificateSet("good", { cacheDir, freshKeys: true })).toEqual(cold);
    expect(keysLoaded()).toBe(0);
  });

  it("creates the cache folder 0700 and writes entries 0600, atomically (no temp files left)", async () => {
    const cacheDir = join(await dirs.make(), "nested", "cache");
    await getCertificateSet("mysql-auto", { cacheDir });
    expect((await stat(cacheDir)).mode & 0o777).toBe(0o700);
    expect((await readdir(cacheDir)).filter((name) => name.endsWith(".tmp"))).toEqual([]);
    expect((await stat(await onlyEntry(cacheDir))).mode & 0o777).toBe(0o600);
  });

  it("regenerates a corrupted entry and rewrites it", async () => {
    const cacheDir = await dirs.make();
    await getCertificateSet("good", { cacheDir });
    const entry = await onlyEntry(cacheDir);
    await writeFile(entry, '{"format":1,"set":{"name":"go');

    resetCertificateFactory();
    const set = await getCertificateSet("good", { cacheDir });
    expect(keysLoaded()).toBe(3);
    expect(set.server.cert).toContain("BEGIN CERTIFICATE");
    expect(JSON.parse(await readFile(entry, "utf8")).set.name).toBe("good");
  });

  it("regenerates an entry whose key no longer matches its certificate", async () => {
    const cacheDir = await dirs.make();
    const good = await getCertificateSet("good", { cacheDir });
    const entry = await onlyEntry(cacheDir);
    const content = JSON.parse(await readFile(entry, "utf8"));
    content.set.server.key = good.client!.key;
    await writeFile(entry, JSON.stringify(content));

    resetCertificateFactory();
    const set = await getCertificateSet("good", { cacheDir });
    expect(set.server.key).not.toBe(good.client!.key);
    expect(keysLoaded()).toBeGreaterThan(0);
  });

  it("still builds the set when the cache folder cannot be used", async () => {
    const blocker = join(await dirs.make(), "not-a-folder");
    await writeFile(blocker, "");
    const set = await getCertificateSet("good", { cacheDir: join(blocker, "cache") });
    expect(set.name).toBe("good");
  });

  // Unreadable for root too, which reads a file whatever its mode: CI runs as root.
  it.each([
    ["a folder in its place (EISDIR)", (entry: string) => mkdir(entry)],
    ["a link to itself (ELOOP)", (entry: string) => symlink(entry, entry)],
  ])("regenerates when an entry cannot be read: %s", async (_what, makeUnreadable) => {
    const cacheDir = await dirs.make();
    const first = await getCertificateSet("good", { cacheDir });
    const entry = await onlyEntry(cacheDir);
    await rm(entry);
    await makeUnreadable(entry);
    await expect(readFile(entry, "utf8")).rejects.toThrow();

    resetCertificateFactory();
    const set = await getCertificateSet("good", { cacheDir });
    expect(set.name).toBe("good");
    expect(keysLoaded()).toBe(3);
    expect(set.ca).not.toBe(first.ca);
  });

  it("keys entries by the UTC day of an injected clock", async () => {
    const cacheDir = await dirs.make();
    await getCertificateSet("expired", { cacheDir, now: new Date("2030-01-01T01:00:00Z") });
    resetCertificateFactory();
    await getCertificateSet("expired", { cacheDir, now: new Date("2030-01-01T23:00:00Z") });
    expect(keysLoaded()).toBe(0);
    await getCertificateSet("expired", { cacheDir, now: new Date("2030-01-02T01:00:00Z") });
    expect(keysLoaded()).toBeGreaterThan(0);
    expect((await readdir(cacheDir)).sort()).toEqual([
      expect.stringMatching(/^expired--5\.7\.41--[0-9a-f]{16}--shipped-[0-9a-f]{16}--2030-01-01\.json$/),
      expect.stringMatching(/^expired--5\.7\.41--[0-9a-f]{16}--shipped-[0-9a-f]{16}--2030-01-02\.json$/),
    ]);
  });

  it("keeps sets of different server versions apart", async () => {
    const cacheDir = await dirs.make();
    const a = await getCertificateSet("mysql-auto", { cacheDir, serverVersion: "5.7.41" });
    const b = await getCertificateSet("mysql-auto", { cacheDir, serverVersion: "5.7.33" });
    expect(a.ca).not.toBe(b.ca);
    expect(await readdir(cacheDir)).toHaveLength(2);
  });

  it("stops reusing an entry once the set would no longer behave as defined", async () => {
    const cacheDir = await dirs.make();
    const definition = resolveDefinition("not-yet-valid");
    const built = await buildCertificateSet(definition, "5.7.41", new Date());
    const key = cacheKeyFor(definition, "5.7.41", undefined, "fresh");
    await writeCachedSet(cacheDir, key, built);

    expect(await readCachedSet(cacheDir, key, Date.now() + DAY_MS)).toBeDefined();
    // 30 days on, the "not yet valid" server certificate would be valid.
    expect(await readCachedSet(cacheDir, key, Date.now() + 30 * DAY_MS)).toBeUndefined();
  });

  it("defaults to $XDG_CACHE_HOME/mysql-tls-mock/certs", () => {
    const saved = process.env.XDG_CACHE_HOME;
    try {
      process.env.XDG_CACHE_HOME = "/var/cache/someone";
      expect(defaultCacheDir()).toBe("/var/cache/someone/mysql-tls-mock/certs");
      delete process.env.XDG_CACHE_HOME;
      expect(defaultCacheDir()).toMatch(/\/\.cache\/mysql-tls-mock\/certs$/);
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
  });
});
