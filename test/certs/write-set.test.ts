import {
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { getCertificateSet, writeCertificateSet } from "../../src/certs";
import { CertificateWriteError } from "../../src/certs/write-set";
import { BIN } from "../helpers/cli-process";
import { runProcess } from "../helpers/processes";
import { TempDirs } from "./openssl-cli";

const dirs = new TempDirs();
afterAll(() => dirs.cleanup());

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

/**
 * `certs write --out DIR` under a file-size limit (`ulimit -f`, in 512-byte blocks) that lets the
 * first file of the set through and stops a later one: a real write failure half-way, as a full
 * disk gives. Node ignores SIGXFSZ, so the write fails with EFBIG.
 */
function certsWriteWithFileSizeLimit(dir: string, blocks: number) {
  return runProcess("sh", [
    "-c",
    `ulimit -f ${blocks}; exec "$0" "$@"`,
    process.execPath,
    BIN,
    "certs",
    "write",
    "good",
    "--out",
    dir,
  ]);
}

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
    // The staging folder became dir; nothing is left next to it.
    expect(readdirSync(join(dir, ".."))).toEqual(["datadir"]);
  });

  it("tightens the mode of a key file that already existed with a loose one, leaving other files alone", async () => {
    const set = await getCertificateSet("good", { cacheDir: false });
    const dir = await dirs.make();
    await writeFile(join(dir, "server-key.pem"), "old", { mode: 0o666 });
    await writeFile(join(dir, "my.cnf"), "[mysqld]\n");
    await writeCertificateSet(set, dir);
    expect(await modeOf(join(dir, "server-key.pem"))).toBe(0o600);
    expect(readFileSync(join(dir, "server-key.pem"), "utf8")).toBe(set.files["server-key.pem"]);
    expect(readFileSync(join(dir, "my.cnf"), "utf8")).toBe("[mysqld]\n");
    expect(readdirSync(dir).sort()).toEqual([...Object.keys(set.files), "my.cnf"].sort());
  });

  it("refuses a symbolic link planted in the folder, writing nothing and leaving its target untouched", async () => {
    const set = await getCertificateSet("good", { cacheDir: false });
    const outside = await dirs.make();
    const target = join(outside, "authorized_keys");
    writeFileSync(target, "ssh-ed25519 AAAA victim\n", { mode: 0o644 });
    const dir = await dirs.make();
    const link = join(dir, "ca-key.pem");
    symlinkSync(target, link);
    const writing = writeCertificateSet(set, dir);
    await expect(writing).rejects.toThrow(CertificateWriteError);
    await expect(writeCertificateSet(set, dir)).rejects.toThrow(
      `${link}: is a symbolic link, not a regular file; refusing to replace it`,
    );
    expect(readFileSync(target, "utf8")).toBe("ssh-ed25519 AAAA victim\n");
    expect(await modeOf(target)).toBe(0o644);
    // Nothing of the set, not even the files before the link in the set's order (ca.pem).
    expect(readdirSync(dir)).toEqual(["ca-key.pem"]);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it("refuses an output folder that is a symbolic link", async () => {
    const set = await getCertificateSet("good", { cacheDir: false });
    const real = await dirs.make();
    const link = join(await dirs.make(), "certs");
    symlinkSync(real, link);
    await expect(writeCertificateSet(set, link)).rejects.toThrow(
      `${link}: is a symbolic link, not a directory; refusing to write there`,
    );
    expect(readdirSync(real)).toEqual([]);
  });

  it("replaces a hard-linked file in the folder instead of writing into the file it shares", async () => {
    const set = await getCertificateSet("good", { cacheDir: false });
    const outside = join(await dirs.make(), "elsewhere.txt");
    writeFileSync(outside, "someone else's data\n");
    const dir = await dirs.make();
    linkSync(outside, join(dir, "server-cert.pem"));
    await writeCertificateSet(set, dir);
    expect(readFileSync(outside, "utf8")).toBe("someone else's data\n");
    expect(readFileSync(join(dir, "server-cert.pem"), "utf8")).toBe(set.files["server-cert.pem"]);
  });

  it("refuses a folder where a file of the set would go, before writing any", async () => {
    const set = await getCertificateSet("good", { cacheDir: false });
    const dir = await dirs.make();
    mkdirSync(join(dir, "server-key.pem"));
    await expect(writeCertificateSet(set, dir)).rejects.toThrow(
      `${join(dir, "server-key.pem")}: is a directory, not a regular file; refusing to replace it`,
    );
    expect(readdirSync(dir)).toEqual(["server-key.pem"]);
  });
});

describe("certs write when a write fails half-way", () => {
  // 3 blocks (1536 bytes): ca.pem (about 1.1 KiB) fits, ca-key.pem (about 1.7 KiB) does not.
  const BLOCKS = 3;

  it("leaves no folder and no staging folder behind for a new --out folder", async () => {
    const parent = await dirs.make();
    const dir = join(parent, "certs");
    const result = await certsWriteWithFileSizeLimit(dir, BLOCKS);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`mysql-tls-mock: ${dir}: nothing written: file too large (EFBIG)\n`);
    expect(readdirSync(parent)).toEqual([]);
  });

  it("leaves an existing folder's files as they were", async () => {
    const dir = await dirs.make();
    writeFileSync(join(dir, "ca.pem"), "old ca\n");
    writeFileSync(join(dir, "server-key.pem"), "old key\n", { mode: 0o600 });
    const result = await certsWriteWithFileSizeLimit(dir, BLOCKS);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("nothing written: file too large (EFBIG)");
    expect(readdirSync(dir).sort()).toEqual(["ca.pem", "server-key.pem"]);
    expect(readFileSync(join(dir, "ca.pem"), "utf8")).toBe("old ca\n");
    expect(readFileSync(join(dir, "server-key.pem"), "utf8")).toBe("old key\n");
  });
});
