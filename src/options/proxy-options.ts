import { z } from "zod";
import { CERTIFICATE_SET_NAMES, type CertificateSetName } from "../certs/catalogue";
import { TLS_VERSIONS, type TlsVersion } from "../tls/tls-versions";
import { integerIn, oneOf, optionObject, pemText, text, timeoutMs } from "./option-types";
import { serverOptionFields } from "./server-options";

/**
 * What the proxy does to a connection it relays. `passthrough` changes nothing: every byte is
 * copied as it comes, TLS included (the client's TLS session is with the real server). `strip`
 * clears CLIENT_SSL in the greeting the client sees (BACKRONYM, CVE-2015-3152) and speaks TLS to
 * the server itself, so a client that goes on in plaintext logs in and its queries work. `riddle`
 * (CVE-2017-3305) answers the client's SSLRequest with the real server's own ERR in plaintext.
 * `cert:SET` terminates the client's TLS with a certificate set from the catalogue (`cert:wrong-host`)
 * and re-encrypts to the server: a client that accepts it logs in through a man in the middle.
 * `tls-version:V` terminates it offering TLS version V alone (with the `good` set).
 * `local-infile:PATH` answers the client's first query after a plaintext login with a LOAD DATA
 * LOCAL request for PATH. `cleartext-switch` switches a plaintext login to `mysql_clear_password`
 * and logs in to the server with the password the client then sends.
 */
export const PROXY_ATTACKS = ["passthrough", "strip", "riddle", "cleartext-switch"] as const;

/** The attack that terminates the client's TLS with a catalogue set's certificate: `cert:untrusted-root`. */
export type CertificateSwap = `cert:${CertificateSetName}`;

/** The attack that terminates the client's TLS offering one version only: `tls-version:TLSv1.1`. */
export type VersionPin = `tls-version:${TlsVersion}`;

/** How the proxy's own connection to the real server is protected, where it makes one (`strip`). */
export const UPSTREAM_TLS_MODES = ["verify", "no-verify", "off"] as const;
/** The attack that answers the client's first query with a LOAD DATA LOCAL request: `local-infile:/etc/hostname`. */
export type LocalInfileRequest = `local-infile:${string}`;

export type ProxyAttack = (typeof PROXY_ATTACKS)[number] | CertificateSwap | VersionPin | LocalInfileRequest;

const CERT_PREFIX = "cert:";
const VERSION_PREFIX = "tls-version:";
const INFILE_PREFIX = "local-infile:";
/** Linux's PATH_MAX: a longer name is no file a client could open. */
const MAX_INFILE_PATH_BYTES = 4096;

/** The file a `local-infile:PATH` attack asks the client for, or null for another attack. */
export function requestedFile(attack: ProxyAttack): string | null {
  return attack.startsWith(INFILE_PREFIX) ? attack.slice(INFILE_PREFIX.length) : null;
}

/**
 * The TLS a terminating attack serves the client — a catalogue set, and the one version offered —
 * or null for an attack that does not terminate the client's TLS. `tls-version:V` serves the
 * `good` set: a client given that set's CA fails only on the version.
 */
export function terminatedTls(
  attack: ProxyAttack,
): { certificates: CertificateSetName; version: TlsVersion | null } | null {
  if (attack.startsWith(CERT_PREFIX)) {
    return { certificates: attack.slice(CERT_PREFIX.length) as CertificateSetName, version: null };
  }
  if (attack.startsWith(VERSION_PREFIX)) {
    return { certificates: "good", version: attack.slice(VERSION_PREFIX.length) as TlsVersion };
  }
  return null;
}

/** Whether `value` names an attack: `passthrough`, `strip`, `riddle`, or `cert:` and a catalogue set. */
export function isProxyAttack(value: string): value is ProxyAttack {
  return (
    (PROXY_ATTACKS as readonly string[]).includes(value) ||
    (value.startsWith(CERT_PREFIX) &&
      (CERTIFICATE_SET_NAMES as readonly string[]).includes(value.slice(CERT_PREFIX.length))) ||
    (value.startsWith(VERSION_PREFIX) &&
      (TLS_VERSIONS as readonly string[]).includes(value.slice(VERSION_PREFIX.length))) ||
    (value.startsWith(INFILE_PREFIX) &&
      value.length > INFILE_PREFIX.length &&
      !value.includes("\0") &&
      Buffer.byteLength(value) - INFILE_PREFIX.length <= MAX_INFILE_PATH_BYTES)
  );
}

/** What an attack that is not one is told. */
export function attackProblem(value: string): string {
  return (
    `expected ${PROXY_ATTACKS.join(", ")}, local-infile:PATH, tls-version:V with V one of ${TLS_VERSIONS.join(", ")}, ` +
    `or cert:SET with SET one of ${CERTIFICATE_SET_NAMES.join(", ")}, got ${JSON.stringify(value)}`
  );
}

const attackOption = () =>
  z
    .string({ error: "expected a string" })
    .refine(isProxyAttack, { error: (issue) => attackProblem(String(issue.input)) }) as unknown as z.ZodType<
    ProxyAttack,
    string
  >;

/** How long the proxy waits for the real server to accept its connection. */
export const DEFAULT_UPSTREAM_CONNECT_TIMEOUT_MS = 10_000;

/** Every proxy option, each with its type, range, default and documentation. */
export const proxyOptionFields = {
  /** Address to bind. Default `127.0.0.1`. */
  host: serverOptionFields.host,
  /** TCP port; 0 picks a free one. Default 0. */
  port: serverOptionFields.port,
  /** The real server every client is relayed to. */
  upstream: optionObject({
    /** Its host name or address. */
    host: text({ nonEmpty: true, noNul: true }),
    /** Its TCP port. */
    port: integerIn(1, 65_535),
  }),
  /** What the proxy changes on the way ({@link PROXY_ATTACKS}). Default `passthrough`. */
  attack: attackOption().default("passthrough"),
  /**
   * How long to wait for the real server to accept the proxy's connection; the client's connection
   * is then closed and the record says why. Default 10 s.
   */
  upstreamConnectTimeoutMs: timeoutMs().default(DEFAULT_UPSTREAM_CONNECT_TIMEOUT_MS),
  /**
   * Where an attack has the proxy speak TLS to the real server itself (`strip`): `verify` checks
   * its certificate against `upstreamCa` (or the system's roots) and its name, `no-verify` takes
   * any certificate, `off` logs in to it in plaintext. Default `no-verify`.
   */
  upstreamTls: oneOf(UPSTREAM_TLS_MODES).default("no-verify"),
  /** The CA (PEM) that signed the real server's certificate, for `upstreamTls: "verify"`. */
  upstreamCa: pemText().optional(),
  keepConnections: serverOptionFields.keepConnections,
  keepPackets: serverOptionFields.keepPackets,
  keepCommands: serverOptionFields.keepCommands,
  recordPackets: serverOptionFields.recordPackets,
  recordPayloadBytes: serverOptionFields.recordPayloadBytes,
};

/** The proxy's options, every rule included. */
export const proxyOptionsSchema = optionObject(proxyOptionFields);

/** Options of `startMockProxy`: `upstream` is required, every other field optional. */
export type MockProxyOptions = z.input<typeof proxyOptionsSchema>;

/** The options with the schema's defaults applied. */
export type ResolvedProxyOptions = z.output<typeof proxyOptionsSchema>;
