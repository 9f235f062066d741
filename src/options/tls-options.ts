import { z } from "zod";
import { CERTIFICATE_SET_NAMES } from "../certs/catalogue";
import { compareTlsVersions, TLS_VERSIONS, type TlsVersion } from "../tls/tls-versions";
import { describeValue } from "./describe-value";
import { oneOf, optionObject, pemText, text } from "./option-types";

/** A TLS version as MySQL's tls_version names it. */
export function tlsVersion() {
  const names = `${TLS_VERSIONS.slice(0, -1).join(", ")} or ${TLS_VERSIONS[TLS_VERSIONS.length - 1]}`;
  return z.enum(TLS_VERSIONS, { error: (issue) => `expected ${names}, got ${describeValue(issue.input)}` });
}

/** A certificate set of the catalogue, refused as the catalogue refuses an unknown name. */
export function certificateSetName() {
  return z.enum(CERTIFICATE_SET_NAMES, {
    error: (issue) => {
      if (typeof issue.input !== "string") return `expected a string, got ${describeValue(issue.input)}`;
      if (issue.input === "") return "must not be empty";
      return `Unknown certificate set ${JSON.stringify(issue.input)}. Valid names: ${CERTIFICATE_SET_NAMES.join(", ")}`;
    },
  });
}

/** The TLS versions a server serves when none are set: what a 5.7.10+ OpenSSL build's tls_version allows. */
export const DEFAULT_TLS_VERSIONS = { minVersion: "TLSv1", maxVersion: "TLSv1.2" } as const satisfies Record<
  string,
  TlsVersion
>;

/** The shape of the `tls` option, without the rules that join its fields. */
export const tlsOptionFields = {
  /**
   * A certificate set from the catalogue to serve (`good`, `expired`, `mysql-auto`, …; see
   * `mysql-tls-mock certs list`). Default `mysql-auto`, what a stock 5.7 server makes itself.
   * Not together with `key`/`cert`.
   */
  certificates: certificateSetName().optional(),
  /** Server private key (PEM). With `cert`; default: a MySQL-style auto-generated set made on start. */
  key: pemText().optional(),
  /** Server certificate chain (PEM), leaf first. */
  cert: pemText().optional(),
  /** CA certificates (PEM) used to verify client certificates. */
  ca: pemText().optional(),
  /** Lowest TLS version served. Default `TLSv1` (a 5.7.10+ OpenSSL build's `tls_version`). */
  minVersion: tlsVersion().default(DEFAULT_TLS_VERSIONS.minVersion),
  /** Highest TLS version served. Default `TLSv1.2`: no MySQL 5.7 release negotiates TLSv1.3. */
  maxVersion: tlsVersion().default(DEFAULT_TLS_VERSIONS.maxVersion),
  /** Full OpenSSL cipher string. Default: MySQL 5.7's list with its block-list prefix. */
  ciphers: text({ nonEmpty: true, noNul: true }).optional(),
  /** Client certificates: 5.7 always requests one and never requires one. Default `request`. */
  clientCertificates: oneOf(["none", "request", "require"]).default("request"),
};

/** TLS settings of the mock server, with the rules between its fields. */
export const tlsOptionsSchema = optionObject(tlsOptionFields).superRefine((tls, context) => {
  if (compareTlsVersions(tls.minVersion, tls.maxVersion) > 0) {
    context.addIssue({
      code: "custom",
      path: ["minVersion"],
      message: `${tls.minVersion} is above tls.maxVersion ${tls.maxVersion}`,
    });
  }
  if ((tls.key === undefined) !== (tls.cert === undefined)) {
    context.addIssue({
      code: "custom",
      path: [tls.key === undefined ? "key" : "cert"],
      message: "key and cert go together",
    });
  }
  if (tls.certificates !== undefined && (tls.key !== undefined || tls.cert !== undefined)) {
    context.addIssue({
      code: "custom",
      path: ["certificates"],
      message: "choose a catalogue set or key/cert, not both",
    });
  }
});

/** TLS settings of the mock server. */
export type TlsOptions = z.input<typeof tlsOptionsSchema>;

/**
 * Whether `versions` (in any order, without repeats) leave no gap between the lowest and highest:
 * MySQL's tls_version lists versions, node:tls serves a range.
 */
export function formsRange(versions: readonly TlsVersion[]): boolean {
  const indexes = versions.map((v) => TLS_VERSIONS.indexOf(v)).sort((a, b) => a - b);
  return indexes.every((index, i) => index === indexes[0]! + i);
}

/** A server version of the 5.7 family (`5.7.41`, `5.7.41-log`). */
const MYSQL_57 = /^5\.7\./;

/**
 * Why `serverVersion` cannot serve up to `maxVersion`, or null when it can: no MySQL 5.7 release
 * negotiates TLSv1.3 (vio/viosslfactories.c sets SSL_OP_NO_TLSv1_3 in every one of them).
 */
export function servedVersionProblem(serverVersion: string, maxVersion: TlsVersion): string | null {
  return MYSQL_57.test(serverVersion) && maxVersion === "TLSv1.3"
    ? "no MySQL 5.7 release negotiates TLSv1.3; use an 8.0 version"
    : null;
}
