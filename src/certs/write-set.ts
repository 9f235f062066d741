import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { CertificateSet } from "./types";

const PRIVATE_KEY_PEM = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

/**
 * Writes `set.files` into `dir` (created if missing) under MySQL's file names: private keys mode 0600,
 * certificates and public keys 0644, as `auto_generate_certs` leaves them. Existing files are overwritten.
 *
 * @returns the absolute or relative paths written (as `join(dir, name)`), in `set.files` order.
 */
export async function writeCertificateSet(set: CertificateSet, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [fileName, content] of Object.entries(set.files)) {
    const path = join(dir, fileName);
    const mode = PRIVATE_KEY_PEM.test(content) ? 0o600 : 0o644;
    await writeFile(path, content, { mode });
    // `mode` applies only to new files and is subject to the umask; make it exact.
    await chmod(path, mode);
    written.push(path);
  }
  return written;
}
