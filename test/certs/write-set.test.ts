import { stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { getCertificateSet, writeCertificateSet } from "../../src/certs";
import { TempDirs } from "./openssl-cli";

const dirs = new TempDirs();
afterAll(() => dirs.cleanup());

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

describe("writeCertificateSet", () => {
  it("writes private keys 0600 and certificates and public keys 0644, returning the paths", async () => {
    const set = await getCertificateSet("mysql-ssl-rsa-setup", { cacheDir: false });
    const dir = join(await dirs.make(), "datadir");
    const paths = await writeCertificateSet(set, dir);
    expect(paths).toEqual(Object.keys(set.files).map((name) => join(dir, name)));
    for (const key of ["ca-key.pem", "server-key.pem", "client-key.pem", "private_key.pem"]) {
      expect(await modeOf(join(dir, key))).toBe(0o600);
    }
    for (const file of ["ca.pem", "server-cert.pem", "client-cert.pem", "public_key.pem"]) {
      expect(await modeOf(join(dir, file))).toBe(0o644);
    }
  });

  it("tightens the mode of a key file that already existed with a loose one", async () => {
    const set = await getCertificateSet("good", { cacheDir: false });
    const dir = await dirs.make();
    await writeFile(join(dir, "server-key.pem"), "old", { mode: 0o666 });
    await writeCertificateSet(set, dir);
    expect(await modeOf(join(dir, "server-key.pem"))).toBe(0o600);
  });
});
