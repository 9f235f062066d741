import { randomBytes } from "node:crypto";
import { constants, type Stats } from "node:fs";
import { lstat, mkdir, mkdtemp, open, rename, rm, rmdir } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import type { CertificateSet } from "./types";

const PRIVATE_KEY_PEM = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

/** Prefix of the staging folders, so one left behind by a killed process is recognisable. */
const STAGING_PREFIX = ".mysql-tls-mock-staging-";

/** A certificate set that was not written, with the path at fault; nothing of the set was written. */
export class CertificateWriteError extends Error {
  constructor(
    /** The path at fault: the output folder or a file in it. */
    readonly path: string,
    /** What is wrong, e.g. "is a symbolic link". */
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
    this.name = "CertificateWriteError";
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

async function lstatOrNull(path: string): Promise<Stats | null> {
  try {
    return await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

function reasonOf(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  // Node's message names the staging path ("EFBIG: file too large, write"), which no longer exists.
  const reason = message.replace(/^[A-Z]+: /, "").replace(/, \w+( '.*')?$/, "");
  return `${reason}${code ? ` (${code})` : ""}`;
}

function kindOf(stats: Stats): string {
  if (stats.isSymbolicLink()) return "a symbolic link";
  if (stats.isDirectory()) return "a directory";
  return "not a regular file";
}

/** Creates `path` (never through a link, never over an existing file) with exactly `mode`. */
async function writeNewFile(path: string, content: string, mode: number): Promise<void> {
  const handle = await open(
    path,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    mode,
  );
  try {
    // The mode given to open is subject to the umask; make it exact.
    await handle.chmod(mode);
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
}

/**
 * Writes `set.files` into `dir` under MySQL's file names: private keys mode 0600, certificates and
 * public keys 0644, as `auto_generate_certs` leaves them. Existing files of the set are replaced;
 * other files in `dir` are left alone.
 *
 * Nothing is written through a symbolic link: `dir` itself, or an entry of the set's names in it,
 * being a link (or anything but a regular file) is refused before anything is written — a link
 * planted in a shared folder cannot send the CA or a private key elsewhere. The files are first
 * written into a staging folder on the same filesystem and then renamed into place, so a failure
 * while writing (a full disk, a file-size limit) leaves `dir` as it was: a new `dir` appears whole
 * or not at all (the staging folder, made next to it, is renamed to it), and an existing `dir` gets
 * its files by rename from a staging folder inside it, each replacing the old entry, never writing
 * into it.
 *
 * @returns the paths written (as `join(dir, name)`), in `set.files` order.
 * @throws CertificateWriteError naming the path at fault and what is wrong with it.
 */
export async function writeCertificateSet(set: CertificateSet, dir: string): Promise<string[]> {
  const names = Object.keys(set.files);
  for (const name of names) {
    if (name !== basename(name) || name === "." || name === ".." || name === "") {
      throw new CertificateWriteError(join(dir, name), "not a plain file name");
    }
  }
  const found = await lstatOrNull(dir).catch((error: unknown) => {
    throw new CertificateWriteError(dir, `cannot inspect it: ${reasonOf(error)}`);
  });
  if (found && !found.isDirectory()) {
    throw new CertificateWriteError(dir, `is ${kindOf(found)}, not a directory; refusing to write there`);
  }
  if (found) {
    for (const name of names) {
      const entry = await lstatOrNull(join(dir, name)).catch((error: unknown) => {
        throw new CertificateWriteError(join(dir, name), `cannot inspect it: ${reasonOf(error)}`);
      });
      if (entry && !entry.isFile()) {
        throw new CertificateWriteError(
          join(dir, name),
          `is ${kindOf(entry)}, not a regular file; refusing to replace it`,
        );
      }
    }
  }

  let staging: string;
  try {
    if (found) {
      // Inside dir: the same filesystem as the files it replaces, even when dir is a mount point.
      staging = await mkdtemp(join(dir, STAGING_PREFIX));
    } else {
      const parent = dirname(resolve(dir));
      await mkdir(parent, { recursive: true });
      // Created with mkdir's usual mode, since this folder becomes dir.
      staging = join(parent, `${STAGING_PREFIX}${randomBytes(6).toString("hex")}`);
      await mkdir(staging);
    }
  } catch (error) {
    throw new CertificateWriteError(dir, `cannot create a staging folder: ${reasonOf(error)}`);
  }

  const replaced: string[] = [];
  try {
    for (const [name, content] of Object.entries(set.files)) {
      const mode = PRIVATE_KEY_PEM.test(content) ? 0o600 : 0o644;
      await writeNewFile(join(staging, name), content, mode);
    }
    if (found) {
      // rename replaces a directory entry and never follows one: a link planted after the checks
      // above is replaced, not written through.
      for (const name of names) {
        await rename(join(staging, name), join(dir, name));
        replaced.push(name);
      }
    } else {
      // Fails, rather than merging, when a file or a non-empty folder appeared at dir meanwhile.
      await rename(staging, dir);
    }
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    // Only something changing dir between the checks and the renames gets here with renames done.
    const outcome =
      replaced.length === 0 ? "nothing written" : `only ${replaced.join(", ")} replaced before the failure`;
    throw new CertificateWriteError(dir, `${outcome}: ${reasonOf(error)}`);
  }
  // Empty now; a failure to remove it is no failure of the set, which is in place.
  if (found) await rmdir(staging).catch(() => undefined);
  return names.map((name) => join(dir, name));
}
