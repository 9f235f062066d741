import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CertificateSet, writeCertificateSet } from "../../src/certs";

/** Test helpers: run the real `openssl` CLI against certificate sets written to temporary folders. */

export interface OpensslResult {
  ok: boolean;
  /** stdout and stderr together: `openssl verify` reports on both. */
  output: string;
}

export function openssl(args: readonly string[], cwd: string): OpensslResult {
  const result = spawnSync("openssl", args, { cwd, encoding: "utf8" });
  if (result.error) throw result.error;
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

/** `openssl verify` of the server certificate against `ca.pem`, with the served chain as untrusted intermediates. */
export function verifyServer(dir: string, ...options: string[]): OpensslResult {
  return openssl(
    ["verify", "-CAfile", "ca.pem", "-untrusted", "server-cert.pem", ...options, "server-cert.pem"],
    dir,
  );
}

export function verifyClient(dir: string, ...options: string[]): OpensslResult {
  return openssl(["verify", "-CAfile", "ca.pem", ...options, "client-cert.pem"], dir);
}

/** `openssl x509 -text -noout` of the first certificate in a file. */
export function certificateText(dir: string, file: string): string {
  const result = openssl(["x509", "-in", file, "-noout", "-text"], dir);
  if (!result.ok) throw new Error(result.output);
  return result.output;
}

/** The extension section of `-text` output (empty for a certificate without extensions). */
export function extensionsText(text: string): string {
  const start = text.indexOf("X509v3 extensions:");
  if (start < 0) return "";
  return text.slice(start, text.indexOf("Signature Algorithm:", start));
}

/** Seconds since the epoch, as `openssl verify -attime` wants it. */
export function epochSeconds(date: Date): string {
  return String(Math.floor(date.getTime() / 1000));
}

/** Temporary folders that one test file writes sets into; `cleanup()` removes them all. */
export class TempDirs {
  private readonly dirs: string[] = [];

  async make(prefix = "mysql-tls-mock-certs-"): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  async writeSet(set: CertificateSet): Promise<string> {
    const dir = await this.make(`mysql-tls-mock-${set.name}-`);
    await writeCertificateSet(set, dir);
    return dir;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  }
}

/** Splits a PEM bundle into its certificates. */
export function pemBlocks(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
}
