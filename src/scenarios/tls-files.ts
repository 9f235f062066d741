import type { KeyObject, X509Certificate } from "node:crypto";
import { ServerConfigurationError } from "../options/configuration-error";
import { checkKeyMatchesCertificate, parseCertificates, parsePrivateKey } from "../options/key-material";
import { InputFileError, readInputFile } from "../record/input-file";

/**
 * A scenario's own certificate files (`server.tls.files: { cert, key, ca }`): read once when the
 * scenario is loaded, checked there, and kept with the scenario, so serving it again (a
 * `setScenario`, the CLI's flags applied once more) reads nothing and a file changed or removed
 * after start changes nothing.
 */

/** The keys of `server.tls.files`, in the order problems are reported. */
export const TLS_FILE_KEYS = ["cert", "key", "ca"] as const;
export type TlsFileKey = (typeof TLS_FILE_KEYS)[number];

/**
 * The largest file `server.tls.files` reads, in bytes, as for the CLI's --cert, --key and --ca: a
 * system CA bundle is about 200 KiB; the cap keeps a wrong path (a log, a disk image) from being
 * read whole.
 */
export const MAX_TLS_FILE_BYTES = 1024 * 1024;

/** The paths of `server.tls.files`: `ca` absent means no CA is known (see {@link noCaNote}). */
export interface TlsFilePaths {
  cert: string;
  key: string;
  ca?: string;
}

/** The PEM text of the files, as the server's `tls.cert`, `tls.key` and `tls.ca` take it. */
export interface TlsFilePem {
  cert: string;
  key: string;
  ca?: string;
}

/**
 * `server.tls.files` of a loaded scenario: the absolute paths (what `scenarios show` and JSON
 * print), and the PEM text read at load, kept out of every enumerable field so printing a
 * scenario never prints its private key.
 */
export class LoadedTlsFiles implements TlsFilePaths {
  readonly cert: string;
  readonly key: string;
  readonly ca?: string;
  readonly #pem: TlsFilePem;

  constructor(paths: TlsFilePaths, pem: TlsFilePem) {
    this.cert = paths.cert;
    this.key = paths.key;
    if (paths.ca !== undefined) this.ca = paths.ca;
    this.#pem = pem;
  }

  /** The files' PEM text, as read when the scenario was loaded. */
  pem(): TlsFilePem {
    return { ...this.#pem };
  }
}

/** One file that could not be used: which key named it and why. */
export interface TlsFileProblem {
  key: TlsFileKey;
  problem: string;
}

/** `written`, with where it resolved to when that is not what was written. */
function named(written: string, resolved: string): string {
  return written === resolved ? resolved : `${written} (${resolved})`;
}

/** `check(text)`'s result, or the problem it threw (our messages, without the option's name). */
function checked<T>(check: () => T): T | string {
  try {
    return check();
  } catch (error) {
    if (error instanceof ServerConfigurationError) return error.problem;
    throw error;
  }
}

/**
 * Reads and checks the files `written` names, each resolved by `resolvePath`: every one readable,
 * under {@link MAX_TLS_FILE_BYTES}, PEM of its kind (certificates in `cert` and `ca`, an unencrypted
 * private key in `key`), and the key the certificate's. Every problem is returned, not just the
 * first, so a file naming three wrong paths is fixed in one round.
 */
export function readTlsFiles(
  written: TlsFilePaths,
  resolvePath: (path: string) => string,
): LoadedTlsFiles | TlsFileProblem[] {
  const problems: TlsFileProblem[] = [];
  const paths: Partial<Record<TlsFileKey, string>> = {};
  const pem: Partial<Record<TlsFileKey, string>> = {};
  let leaf: X509Certificate | undefined;
  let privateKey: KeyObject | undefined;
  for (const key of TLS_FILE_KEYS) {
    const path = written[key];
    if (path === undefined) continue;
    const resolved = resolvePath(path);
    paths[key] = resolved;
    let text: string;
    try {
      text = readInputFile(resolved, MAX_TLS_FILE_BYTES);
    } catch (error) {
      if (!(error instanceof InputFileError)) throw error;
      problems.push({ key, problem: `${named(path, resolved)}: ${error.problem}` });
      continue;
    }
    const option = `server.tls.files.${key}`;
    const parsed = checked(() =>
      key === "key" ? parsePrivateKey(option, text) : parseCertificates(option, text)[0]!,
    );
    if (typeof parsed === "string") {
      problems.push({ key, problem: `${named(path, resolved)}: ${parsed}` });
      continue;
    }
    if (key === "cert") leaf = parsed as X509Certificate;
    if (key === "key") privateKey = parsed as KeyObject;
    pem[key] = text;
  }
  if (leaf && privateKey) {
    const mismatch = checked(() =>
      checkKeyMatchesCertificate("server.tls.files.key", privateKey, "server.tls.files.cert", leaf),
    );
    if (typeof mismatch === "string") problems.push({ key: "key", problem: mismatch });
  }
  if (problems.length > 0) return problems;
  return new LoadedTlsFiles(paths as TlsFilePaths, pem as TlsFilePem);
}

/**
 * Without `ca` no CA is known that a correctly configured client trusts: the server's `ca` and
 * `caFile` stay unset (`serve --json` says `"caFile": null`, the control API's CA answers 404),
 * client certificates are checked against no CA of the scenario's, and an audit's `{ca}` is the
 * catalogue's good CA, which did not sign these files — so the note says so once, at load.
 */
export function noCaNote(scenarioName: string, declaredIn: string): string {
  return (
    `${scenarioName}: server.tls.files (in ${declaredIn}) names no ca, so no CA is known that a correctly ` +
    `configured client trusts: the server has no ca/caFile to hand out, and a client told to verify ` +
    `the certificate (VERIFY_CA, VERIFY_IDENTITY) needs the CA that signed it from elsewhere`
  );
}
