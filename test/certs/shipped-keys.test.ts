import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { CERTIFICATE_SET_NAMES } from "../../src/certs/catalogue";
import { getCertificateSet, getKeyPoolStats, resetCertificateFactory } from "../../src/certs";
import {
  catalogueKeyNeeds,
  SHIPPED_KEY_POOL_FILE,
  SHIPPED_KEY_POOL_FORMAT,
  type ShippedKeyPoolFile,
  useShippedKeyPoolFile,
} from "../../src/certs/shipped-keys";
import { TempDirs } from "./openssl-cli";

/**
 * The package ships a pool of public test keys, one per key spec and role the catalogue uses, so a
 * first start signs certificates without generating a key; `freshKeys` generates instead.
 */

const dirs = new TempDirs();
afterAll(() => dirs.cleanup());
beforeEach(() => resetCertificateFactory());
afterEach(() => useShippedKeyPoolFile(undefined));

const poolFile = async () => JSON.parse(await readFile(SHIPPED_KEY_POOL_FILE, "utf8")) as ShippedKeyPoolFile;

const spki = (key: KeyObject) => key.export({ type: "spki", format: "pem" }).toString();
/** The public key of the shipped private key `poolId`, as SPKI PEM. */
const shippedPublicKey = async (poolId: string) =>
  spki(createPublicKey(createPrivateKey((await poolFile()).keys[poolId]!)));
const leafPublicKey = (chain: string) => spki(new X509Certificate(chain).publicKey);

describe("the shipped key pool", () => {
  it("holds exactly one key for every key spec and role the catalogue uses, each of that spec", async () => {
    const file = await poolFile();
    const needs = catalogueKeyNeeds();
    expect(file.format).toBe(SHIPPED_KEY_POOL_FORMAT);
    expect(Object.keys(file.keys).sort()).toEqual(needs.map((need) => need.id).sort());
    for (const { id, spec } of needs) {
      const details = createPrivateKey(file.keys[id]!).asymmetricKeyDetails;
      expect({ id, bits: details?.modulusLength }).toEqual({
        id,
        bits: spec.type === "rsa" ? spec.bits : undefined,
      });
    }
  });

  it("is in the published package: package.json's files name its folder", async () => {
    const root = join(__dirname, "..", "..");
    const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as { files: string[] };
    expect(pkg.files).toContain(relative(root, dirname(SHIPPED_KEY_POOL_FILE)));
  });

  it("says in the file itself that its keys are public and protect nothing", async () => {
    expect((await poolFile()).notice).toMatch(/protect nothing/);
  });

  it("builds every catalogue set without generating a key", async () => {
    for (const name of CERTIFICATE_SET_NAMES) await getCertificateSet(name, { cacheDir: false });
    expect(getKeyPoolStats()).toMatchObject({ generated: 0, shipped: catalogueKeyNeeds().length });
  });

  it("serves the shipped key in the default set's server certificate and in its RSA pair", async () => {
    const auto = await getCertificateSet("mysql-auto", { cacheDir: false });
    expect(leafPublicKey(auto.server.cert)).toBe(await shippedPublicKey("mysql-auto-server/rsa-2048"));
    const setup = await getCertificateSet("mysql-ssl-rsa-setup", { cacheDir: false });
    expect(setup.files["public_key.pem"]).toBe(await shippedPublicKey("mysql-ssl-rsa-setup-rsa/rsa-2048"));
  });

  it("signs the certificates at build time: two clocks, one key, two certificates", async () => {
    const at = (iso: string) => getCertificateSet("good", { cacheDir: false, now: new Date(iso) });
    const [a, b] = [await at("2030-01-01T00:00:00Z"), await at("2031-01-01T00:00:00Z")];
    expect(a.server.cert).not.toBe(b.server.cert);
    expect(leafPublicKey(a.server.cert)).toBe(leafPublicKey(b.server.cert));
  });
});

describe("freshKeys", () => {
  it("generates every key of the set instead of using the shipped ones", async () => {
    const set = await getCertificateSet("mysql-ssl-rsa-setup", { cacheDir: false, freshKeys: true });
    expect(getKeyPoolStats()).toMatchObject({ generated: 4, shipped: 0 });
    expect(leafPublicKey(set.server.cert)).not.toBe(
      await shippedPublicKey("mysql-ssl-rsa-setup-server/rsa-2048"),
    );
    expect(leafPublicKey(set.ca)).not.toBe(await shippedPublicKey("mysql-ssl-rsa-setup-ca/rsa-2048"));
    expect(set.files["public_key.pem"]).not.toBe(await shippedPublicKey("mysql-ssl-rsa-setup-rsa/rsa-2048"));
  });

  it("is cached apart from the shipped-key set, on disk and in the process", async () => {
    const cacheDir = await dirs.make();
    const shipped = await getCertificateSet("mysql-auto", { cacheDir });
    const fresh = await getCertificateSet("mysql-auto", { cacheDir, freshKeys: true });
    expect(leafPublicKey(fresh.server.cert)).not.toBe(leafPublicKey(shipped.server.cert));
    expect((await readdir(cacheDir)).sort()).toEqual([
      expect.stringMatching(/^mysql-auto--5\.7\.41--[0-9a-f]{16}--fresh--live\.json$/),
      expect.stringMatching(/^mysql-auto--5\.7\.41--[0-9a-f]{16}--shipped-[0-9a-f]{16}--live\.json$/),
    ]);

    resetCertificateFactory(); // a new process, with both entries on disk
    const shippedAgain = await getCertificateSet("mysql-auto", { cacheDir });
    expect(leafPublicKey(shippedAgain.server.cert)).toBe(
      await shippedPublicKey("mysql-auto-server/rsa-2048"),
    );
    expect(await getCertificateSet("mysql-auto", { cacheDir, freshKeys: true })).toEqual(fresh);
  });
});

describe("the disk cache and the shipped pool", () => {
  it("does not serve a set signed with keys from another shipped pool", async () => {
    const cacheDir = await dirs.make();
    const before = await getCertificateSet("mysql-auto", { cacheDir });

    // The package's keys regenerated: the same ids, other keys.
    const file = await poolFile();
    const other = { ...file, keys: { ...file.keys } };
    other.keys["mysql-auto-server/rsa-2048"] = file.keys["mysql-auto-client/rsa-2048"]!;
    const otherFile = join(await dirs.make(), "pool.json");
    await writeFile(otherFile, JSON.stringify(other));
    useShippedKeyPoolFile(otherFile);
    resetCertificateFactory();

    const after = await getCertificateSet("mysql-auto", { cacheDir });
    expect(leafPublicKey(after.server.cert)).not.toBe(leafPublicKey(before.server.cert));
    expect(leafPublicKey(after.server.cert)).toBe(await shippedPublicKey("mysql-auto-client/rsa-2048"));
  });
});
