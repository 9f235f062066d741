import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash, X509Certificate } from "node:crypto";
import { RequireClauseError } from "../auth/account-requirements";
import { type Account, type ResolvedAccount, resolveAccount } from "../auth/accounts";
import type { RsaKeys } from "../auth/auth-plugin";
import { NATIVE_PASSWORD_PLUGIN } from "../auth/native-password";
import { AUTH_PLUGINS } from "../auth/plugins";
import {
  type CertificateSet,
  type CertificateSetName,
  getCertificateSet,
  UnknownCertificateSetError,
} from "../certs";
import {
  CapabilityFlags,
  CharacterSet,
  SERVER_CAPABILITIES_NO_TLS,
  SERVER_CAPABILITIES_TLS,
} from "../protocol/constants";
import { mysql57CipherString } from "../tls/mysql-ciphers";
import type { ClientCertificateMode } from "../tls/tls-session";
import { compareTlsVersions, isTlsVersion, type TlsVersion } from "../tls/tls-versions";
import { assessServerCertificate, type CertificateAssessment } from "../certs/assess-certificate";
import {
  booleanOption,
  checkCiphers,
  checkKeyMatchesCertificate,
  checkKnownKeys,
  checkObject,
  checkRsaKeys,
  checkSecureContext,
  describeValue,
  integerIn,
  isPlainObject,
  oneOf,
  type OptionCheck,
  parseCertificates,
  parsePrivateKey,
  pemOption,
  stringOption,
} from "./check-options";
import { ServerConfigurationError } from "./errors";
import { DEFAULT_NET_READ_TIMEOUT_MS, DEFAULT_NET_WRITE_TIMEOUT_MS } from "./session-limits";
import { type FaultPlan, type Faults, resolveFaults } from "./faults";
import type { QueryAnswer, QueryContext } from "./query";

/** TLS settings of the mock server. */
export interface TlsOptions {
  /**
   * A certificate set from the catalogue to serve (`good`, `expired`, `mysql-auto`, …; see
   * `mysql-tls-mock certs list`). Default `mysql-auto`, what a stock 5.7 server makes itself.
   * Not together with `key`/`cert`.
   */
  certificates?: CertificateSetName;
  /** Server private key (PEM). With `cert`; default: a MySQL-style auto-generated set made on start. */
  key?: string | Buffer;
  /** Server certificate chain (PEM), leaf first. */
  cert?: string | Buffer;
  /** CA certificates (PEM) used to verify client certificates. */
  ca?: string | Buffer;
  /** Lowest TLS version served. Default `TLSv1` (a 5.7.10+ OpenSSL build's `tls_version`). */
  minVersion?: TlsVersion;
  /** Highest TLS version served. Default `TLSv1.2`: no MySQL 5.7 release negotiates TLSv1.3. */
  maxVersion?: TlsVersion;
  /** Full OpenSSL cipher string. Default: MySQL 5.7's list with its block-list prefix. */
  ciphers?: string;
  /** Client certificates: 5.7 always requests one and never requires one. Default `request`. */
  clientCertificates?: ClientCertificateMode;
}

/** Options of {@link startMockServer}. Every field is optional. */
export interface MockServerOptions {
  /** Address to bind. Default `127.0.0.1`. */
  host?: string;
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number;
  /**
   * Listen on this Unix socket instead of TCP (`true`: a fresh path in the temp folder). Clients on a
   * socket count as secure transport, as in 5.7, and are known as `localhost`.
   */
  socketPath?: string | true;
  /** Version string of the greeting. Default `5.7.41`. */
  serverVersion?: string;
  /** `@@version_comment`. Default `MySQL Community Server (GPL)`. */
  versionComment?: string;
  /** TLS settings, or `false` for a greeting without CLIENT_SSL. Default: TLS on. */
  tls?: TlsOptions | false;
  /** Accounts that may log in. Default: `root` with password `root`. */
  accounts?: Account[];
  /** The auth plugin the greeting names. Default `mysql_native_password`. */
  defaultAuthPlugin?: string;
  /**
   * Capability word of the greeting. Default: the stock 5.7 word, `0xC1FFFFFF` with TLS and
   * `0x81FFF7FF` without. Set it to reproduce a TLS-stripping proxy (`0xC1FFF7FF`).
   */
  capabilityFlags?: number;
  /**
   * MySQL's require_secure_transport: plaintext TCP logins get ERR 3159 — after the password was
   * checked, so the credentials have already crossed the wire, as in 5.7. Default false.
   */
  requireSecureTransport?: boolean;
  /**
   * MariaDB 10.2+ extended capabilities, written into the last 4 reserved bytes of the greeting
   * (MariaDB Knowledge Base, "Connection": the greeting's extended capabilities). Set with a `5.5.5-10.x-MariaDB` version and bit 0 cleared in
   * `capabilityFlags` to look like a MariaDB server. Default: none (MySQL's zeros).
   */
  mariadbCapabilities?: number;
  /**
   * The greeting's auth-plugin-data length byte. 21 is right (`send_server_handshake_packet` in sql/auth/sql_authentication.cc: 20 scramble bytes and a NUL); 20 reproduces broken
   * servers whose plugin name libmysqlclient then reads one byte off. Default 21.
   */
  authPluginDataLengthByte?: number;
  /**
   * MariaDB 11.4+ "zero-configuration SSL": after a mysql_native_password login over TLS, the OK
   * packet's info carries `0x01` + hex(SHA256(SHA1(SHA1(pw)) ‖ nonce ‖ SHA256(certificate))), by which
   * a client that trusted a self-signed certificate checks it afterwards. `wrong` sends a hash that
   * does not match, as a man in the middle without the password would. Default: none.
   */
  zeroConfigFingerprint?: "correct" | "wrong";
  /** Collation id of the greeting. Default 8 (latin1_swedish_ci, the 5.7 default). */
  characterSet?: number;
  /** Connection id of the first connection; later ones count up. Default 1. */
  firstConnectionId?: number;
  /** Largest packet accepted from a client (max_allowed_packet). Default 4 MiB. */
  maxPacketSize?: number;
  /**
   * Milliseconds a client has to finish logging in (MySQL's connect_timeout), in any phase before
   * the OK: greeting read, SSLRequest, TLS handshake, auth exchange. Default 10 000.
   */
  connectTimeoutMs?: number;
  /**
   * Milliseconds a logged-in connection may sit idle between commands before the server closes it
   * (MySQL's wait_timeout; 5.7 closes without a packet). Default 28 800 000 (8 hours).
   */
  waitTimeoutMs?: number;
  /**
   * Milliseconds a reply may stay unread by a client before the server gives up on it (MySQL's
   * net_write_timeout); meanwhile the server reads none of its commands. Default 60 000.
   */
  netWriteTimeoutMs?: number;
  /**
   * Milliseconds the server waits for the rest of a packet a logged-in client has started to send
   * (MySQL's net_read_timeout). Default 30 000.
   */
  netReadTimeoutMs?: number;
  /** Answer to queries the server does not know: an ERR naming the query (default), an OK, or your own. */
  unknownQuery?: "error" | "ok" | ((sql: string, context: QueryContext) => QueryAnswer);
  /** Extra or overriding system variables for `SELECT @@x` and `SHOW VARIABLES`. */
  systemVariables?: Record<string, string | number | null>;
  /**
   * How many payload bytes each recorded packet keeps as hex (0 to {@link MAX_RECORD_PAYLOAD_BYTES}).
   * Default 128: a greeting, an OK or an ERR whole, the head of anything bigger.
   */
  recordPayloadBytes?: number;
  /**
   * Keep every packet in the record (`packets`) and emit `packet` events. `false` keeps the rest of
   * the record (TLS, credentials, outcome, verdict) and drops the per-packet trail, for load runs.
   * Default true.
   */
  recordPackets?: boolean;
  /**
   * RSA keys for sha256_password / caching_sha2_password over plaintext (`private_key.pem`,
   * `public_key.pem`). Default: the mysql-ssl-rsa-setup set's pair, loaded when an account needs it;
   * `false` = none, as on yaSSL builds (plaintext sha256 logins then fail).
   */
  rsaKeys?: RsaKeys | false;
  /**
   * caching_sha2_password: start with every such account's hash cached, so the first login takes the
   * fast path. Default false: a freshly started server, where the first login needs full authentication.
   */
  cachingSha2CacheWarm?: boolean;
  /** Deliberate misbehaviour at protocol points (close, reset, stall, yaSSL's Bad handshake, delays). */
  faults?: Faults;
  /**
   * MySQL's max_connections: connections open at once (logging in or logged in). Past it, a new
   * connection gets `ERR 1040 Too many connections` as its first packet — no greeting, and no
   * `#SQLSTATE` since no client capabilities are known yet — and is closed, and recorded as refused
   * (5.7: `Connection_handler_manager::process_new_connection` in
   * sql/conn_handler/connection_handler_manager.cc; `net_send_error` with no capabilities in
   * sql/protocol_classic.cc). 5.7 admits one connection more for a SUPER account; the mock has no
   * privileges and does not. 1 to 100 000; default 151, as in 5.7.
   */
  maxConnections?: number;
  /**
   * MySQL's back_log: the listen queue of connections the kernel holds before the server accepts
   * them (the kernel caps it at net.core.somaxconn). 1 to 65 535. Default: 5.7's autosized value,
   * 50 + maxConnections / 5 capped at 900 ("back_log" in the 5.7 manual, Server System Variables),
   * but at least 511, Node's own default: a queue of 80 overflows when a test suite opens a few
   * hundred connections at once, and on Linux with SYN cookies a client whose handshake the full
   * queue dropped believes it is connected and waits forever for a greeting that never comes (the
   * server speaks first). Set it to 80 to reproduce 5.7 exactly. See docs/BENCHMARKS.md.
   */
  backlog?: number;
  /**
   * How many connection records {@link MockServer.connections} keeps: past it the oldest is dropped
   * and counted in `droppedConnections`, so a long-running server's memory levels off. 0 keeps none
   * (events still flow). Default 1000.
   */
  keepConnections?: number;
  /**
   * How many packets each record's `packets` trail keeps: past it the oldest is dropped and counted
   * in the record's `packetsDropped`. Default 256 (a login is about 10).
   */
  keepPackets?: number;
  /**
   * How many commands each record's `commands` keeps: past it the oldest is dropped and counted in
   * the record's `commandsDropped`. Default 256.
   */
  keepCommands?: number;
  /**
   * What the server does with CLIENT_SSL from a client whose greeting did not offer it (see
   * {@link ClientSslWithoutTls}). Default: `strip` when TLS is configured but the greeting hides
   * it, `mask` for a MariaDB version (`…-MariaDB`) or MySQL 5.6 and older, `bad-handshake` otherwise.
   */
  clientSslWithoutTls?: ClientSslWithoutTls;
}

/**
 * How a server answers a client that sets CLIENT_SSL although the greeting did not offer it —
 * PyMySQL does so in a full HandshakeResponse41 whenever it is given `ssl=`. Real servers differ:
 * - `bad-handshake`: MySQL 5.7 and 8.0 test the client's bits unmasked and, having no TLS
 *   acceptor, answer ERR 1043 "Bad handshake" — after the response, credentials included, crossed
 *   (`parse_client_handshake_packet` in sql/auth/sql_authentication.cc).
 * - `mask`: MariaDB and MySQL 5.6 and older first mask the client's bits with the server's
 *   ("precautionary measure, if the client lies", Bug#27944), so a full response is a plaintext
 *   login that succeeds; a bare 32-byte SSLRequest, which has no user name, still gets 1043.
 * - `strip`: a TLS-stripping man in the middle in front of a TLS server (CVE-2015-3152) clears
 *   the bit on its way: a full response is a plaintext login that succeeds, and a bare SSLRequest
 *   reaches the real server, which completes TLS.
 */
export const CLIENT_SSL_WITHOUT_TLS = ["bad-handshake", "mask", "strip"] as const;
export type ClientSslWithoutTls = (typeof CLIENT_SSL_WITHOUT_TLS)[number];

/** The TLS part of the options with every default applied and the certificate in hand. */
export interface ResolvedTls {
  key: string | Buffer;
  cert: string | Buffer;
  ca: string | Buffer | undefined;
  minVersion: TlsVersion;
  maxVersion: TlsVersion;
  ciphers: string;
  clientCertificates: ClientCertificateMode;
  /** The catalogue set served, when the certificate came from the catalogue. */
  certificateSet: CertificateSet | null;
  /** Validity of the served leaf certificate (MySQL's Ssl_server_not_before/after). */
  certificateValidity: { notBefore: Date; notAfter: Date };
  /** What a verifying client should object to in the served chain, judged against `ca` for every name a client may connect by. */
  serverCertificate: CertificateAssessment;
  /**
   * The same, for a client that verified one name: the SNI it sent, or the address it connected
   * to (clients send no SNI for an IP literal and check the IP). Memoized per name.
   */
  assessFor(host: string): CertificateAssessment;
  /** SHA-256 of the served leaf (DER), which MariaDB 11.4's zero-configuration check hashes in. */
  certificateSha256: Buffer;
}

/** Options with every default applied: the only place the session reads its behaviour from. */
export interface ResolvedOptions {
  host: string;
  port: number;
  socketPath: string | null;
  /** A temporary folder made for `socketPath: true`, removed when the server stops. */
  socketDir: string | null;
  serverVersion: string;
  versionComment: string;
  tls: ResolvedTls | null;
  accounts: ResolvedAccount[];
  defaultAuthPlugin: string;
  capabilityFlags: number;
  requireSecureTransport: boolean;
  mariadbCapabilities: number | null;
  zeroConfigFingerprint: "correct" | "wrong" | null;
  authPluginDataLengthByte: number;
  characterSet: number;
  firstConnectionId: number;
  maxPacketSize: number;
  connectTimeoutMs: number;
  waitTimeoutMs: number;
  netWriteTimeoutMs: number;
  netReadTimeoutMs: number;
  unknownQuery: "error" | "ok" | ((sql: string, context: QueryContext) => QueryAnswer);
  systemVariables: Record<string, string | number | null>;
  recordPayloadBytes: number;
  recordPackets: boolean;
  faults: FaultPlan;
  maxConnections: number;
  backlog: number;
  keepConnections: number;
  keepPackets: number;
  keepCommands: number;
  rsaKeys: RsaKeys | null;
  cachingSha2CacheWarm: boolean;
  clientSslWithoutTls: ClientSslWithoutTls;
}

export const DEFAULT_ACCOUNT: Account = { user: "root", password: "root" };
export const DEFAULT_SERVER_VERSION = "5.7.41";

/** MySQL 5.7's max_connections default and ceiling (manual, Server System Variables). */
export const DEFAULT_MAX_CONNECTIONS = 151;
const MAX_MAX_CONNECTIONS = 100_000;
/** 5.7 autosizes back_log to 50 + max_connections / 5, at most 900; it may be set from 1 to 65 535. */
const BACK_LOG_BASE = 50;
const BACK_LOG_PER_CONNECTIONS = 5;
const BACK_LOG_AUTOSIZE_CAP = 900;
const MAX_BACK_LOG = 65_535;
/**
 * Node's default listen queue. Measured on loopback: 300 clients connecting at once to a queue of
 * 80 left 57 of them connected by the kernel but never accepted; with 511, 1,000 were all greeted.
 */
const MIN_DEFAULT_BACK_LOG = 511;
/** max_allowed_packet's range in 5.7: 1 KiB to 1 GiB; default 4 MiB. */
const MIN_MAX_ALLOWED_PACKET = 1024;
const MAX_MAX_ALLOWED_PACKET = 1024 * 1024 * 1024;
const DEFAULT_MAX_ALLOWED_PACKET = 4 * 1024 * 1024;

export const DEFAULT_KEEP_CONNECTIONS = 1000;
export const DEFAULT_KEEP_PACKETS = 256;
export const DEFAULT_KEEP_COMMANDS = 256;
export const DEFAULT_RECORD_PAYLOAD_BYTES = 128;
/** The most payload a recorded packet may keep: records are for reading, not for replaying traffic. */
export const MAX_RECORD_PAYLOAD_BYTES = 65_536;
/** A recorded query longer than this is kept cut to it (the `command` event carries it whole). */
export const RECORDED_QUERY_CHARS = 1024;

/**
 * The greeting sends the version NUL-terminated. Real servers send under 60 bytes
 * (SERVER_VERSION_LENGTH); the rest of the room is for testing clients with odd versions.
 */
const MAX_SERVER_VERSION_BYTES = 255;
/** sun_path holds 108 bytes on Linux, the terminating NUL included. */
const MAX_SOCKET_PATH_BYTES = 107;

const SUPPORTED_PLUGINS = Object.keys(AUTH_PLUGINS);
/** Plugins that use RSA keys on plaintext connections. */
const RSA_PLUGINS = ["sha256_password", "caching_sha2_password"];

/**
 * The listen queue when not set: 5.7's autosized back_log (50 + max_connections / 5, integer
 * division, at most 900), raised to {@link MIN_DEFAULT_BACK_LOG} so bursts are not lost.
 */
export function defaultBacklog(maxConnections: number): number {
  const autosized = Math.min(
    BACK_LOG_AUTOSIZE_CAP,
    BACK_LOG_BASE + Math.floor(maxConnections / BACK_LOG_PER_CONNECTIONS),
  );
  return Math.max(MIN_DEFAULT_BACK_LOG, autosized);
}

async function resolveRsaKeys(
  option: RsaKeys | false | undefined,
  plugins: string[],
): Promise<RsaKeys | null> {
  if (option === false) return null;
  if (option) return option;
  if (!plugins.some((p) => RSA_PLUGINS.includes(p))) return null;
  const files = (await getCertificateSet("mysql-ssl-rsa-setup")).files;
  return { privateKeyPem: files["private_key.pem"]!, publicKeyPem: files["public_key.pem"]! };
}

function checkTlsVersion(option: string, value: string | undefined, fallback: TlsVersion): TlsVersion {
  if (value === undefined) return fallback;
  if (!isTlsVersion(value)) {
    throw new ServerConfigurationError(
      option,
      `expected TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3, got ${describeValue(value)}`,
    );
  }
  return value;
}

/** setTimeout's ceiling: longer delays fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

const timeoutOption: OptionCheck = (value, option) => {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > MAX_TIMER_MS) {
    throw new ServerConfigurationError(
      option,
      `expected milliseconds from 1 to ${MAX_TIMER_MS}, got ${describeValue(value)}`,
    );
  }
};

function checkPlugin(option: string, plugin: string): void {
  if (!SUPPORTED_PLUGINS.includes(plugin)) {
    throw new ServerConfigurationError(
      option,
      `auth plugin ${plugin} is not supported (supported: ${SUPPORTED_PLUGINS.join(", ")})`,
    );
  }
}

const pluginOption: OptionCheck = (value, option) => {
  stringOption()(value, option);
  checkPlugin(option, value as string);
};

/** A 32-bit word, written as an unsigned number or as what JavaScript's bitwise operators give (signed). */
const wordOption = integerIn(-0x80000000, 0xffffffff);

const TLS_KEYS = [
  "certificates",
  "key",
  "cert",
  "ca",
  "minVersion",
  "maxVersion",
  "ciphers",
  "clientCertificates",
] as const satisfies readonly (keyof TlsOptions)[];
const CLIENT_CERTIFICATE_MODES = ["none", "request", "require"] as const;

/** The shape of `tls`; the key material itself is checked when it is resolved. */
const tlsOption: OptionCheck = (value, option) => {
  if (value === false) return;
  const tls = checkObject(value, option, TLS_KEYS);
  if (tls.certificates !== undefined)
    stringOption({ nonEmpty: true })(tls.certificates, `${option}.certificates`);
  for (const name of ["key", "cert", "ca"] as const) {
    if (tls[name] !== undefined) pemOption(tls[name], `${option}.${name}`);
  }
  if (tls.ciphers !== undefined)
    stringOption({ nonEmpty: true, noNul: true })(tls.ciphers, `${option}.ciphers`);
  if (tls.clientCertificates !== undefined) {
    oneOf(CLIENT_CERTIFICATE_MODES)(tls.clientCertificates, `${option}.clientCertificates`);
  }
};

const ACCOUNT_KEYS = [
  "user",
  "password",
  "host",
  "plugin",
  "require",
] as const satisfies readonly (keyof Account)[];
const REQUIRE_KEYS = ["issuer", "subject", "cipher"] as const;

const accountsOption: OptionCheck = (value, option) => {
  if (!Array.isArray(value)) {
    throw new ServerConfigurationError(option, `expected an array of accounts, got ${describeValue(value)}`);
  }
  value.forEach((entry: unknown, i) => {
    const at = `${option}[${i}]`;
    const account = checkObject(entry, at, ACCOUNT_KEYS);
    stringOption()(account.user, `${at}.user`);
    stringOption({ secret: true })(account.password, `${at}.password`);
    if (account.host !== undefined) stringOption({ nonEmpty: true })(account.host, `${at}.host`);
    if (account.plugin !== undefined) pluginOption(account.plugin, `${at}.plugin`);
    const require = account.require;
    if (require !== undefined && typeof require !== "string") {
      const clauses = checkObject(require, `${at}.require`, REQUIRE_KEYS);
      for (const key of REQUIRE_KEYS) {
        if (clauses[key] !== undefined) stringOption()(clauses[key], `${at}.require.${key}`);
      }
    }
  });
};

const systemVariablesOption: OptionCheck = (value, option) => {
  if (!isPlainObject(value)) {
    throw new ServerConfigurationError(option, `expected an object, got ${describeValue(value)}`);
  }
  for (const [name, variable] of Object.entries(value)) {
    if (name.length === 0) throw new ServerConfigurationError(option, "a variable name is empty");
    const ok =
      variable === null ||
      typeof variable === "string" ||
      (typeof variable === "number" && Number.isFinite(variable));
    if (!ok) {
      throw new ServerConfigurationError(
        `${option}.${name}`,
        `expected a string, a finite number or null, got ${describeValue(variable)}`,
      );
    }
  }
};

const unknownQueryOption: OptionCheck = (value, option) => {
  if (typeof value !== "function") oneOf(["error", "ok"])(value, option);
};

const keepOption = integerIn(0, Number.MAX_SAFE_INTEGER);

/**
 * One check per option, so that every option is checked at start (the type makes a new option
 * without a check a compile error), and the list of known option names.
 */
const OPTION_CHECKS: { readonly [K in keyof Required<MockServerOptions>]: OptionCheck } = {
  host: stringOption({ nonEmpty: true, noNul: true }),
  port: integerIn(0, 65_535),
  socketPath: (value, option) => {
    if (value !== true)
      stringOption({ nonEmpty: true, noNul: true, maxBytes: MAX_SOCKET_PATH_BYTES })(value, option);
  },
  serverVersion: stringOption({ nonEmpty: true, noNul: true, maxBytes: MAX_SERVER_VERSION_BYTES }),
  versionComment: stringOption(),
  tls: tlsOption,
  accounts: accountsOption,
  defaultAuthPlugin: pluginOption,
  capabilityFlags: wordOption,
  requireSecureTransport: booleanOption,
  mariadbCapabilities: wordOption,
  authPluginDataLengthByte: integerIn(0, 255),
  zeroConfigFingerprint: oneOf(["correct", "wrong"]),
  characterSet: integerIn(0, 255),
  firstConnectionId: integerIn(0, 0xffffffff),
  maxPacketSize: integerIn(MIN_MAX_ALLOWED_PACKET, MAX_MAX_ALLOWED_PACKET),
  connectTimeoutMs: timeoutOption,
  waitTimeoutMs: timeoutOption,
  netWriteTimeoutMs: timeoutOption,
  netReadTimeoutMs: timeoutOption,
  unknownQuery: unknownQueryOption,
  systemVariables: systemVariablesOption,
  recordPayloadBytes: integerIn(0, MAX_RECORD_PAYLOAD_BYTES),
  recordPackets: booleanOption,
  rsaKeys: checkRsaKeys,
  cachingSha2CacheWarm: booleanOption,
  faults: (value) => void resolveFaults(value),
  clientSslWithoutTls: oneOf(CLIENT_SSL_WITHOUT_TLS),
  maxConnections: integerIn(1, MAX_MAX_CONNECTIONS),
  backlog: integerIn(1, MAX_BACK_LOG),
  keepConnections: keepOption,
  keepPackets: keepOption,
  keepCommands: keepOption,
};

/** Every option {@link MockServerOptions} has; any other key is refused. */
export const OPTION_NAMES = Object.keys(OPTION_CHECKS) as readonly (keyof MockServerOptions)[];

/**
 * Checks every option given: its name is known, and its value can work. Throws a
 * {@link ServerConfigurationError} naming the first that cannot.
 */
export function checkOptions(options: unknown, extraNames: readonly string[] = []): void {
  if (!isPlainObject(options)) {
    throw new ServerConfigurationError("options", `expected an object, got ${describeValue(options)}`);
  }
  checkKnownKeys(options, [...OPTION_NAMES, ...extraNames]);
  for (const name of OPTION_NAMES) {
    const value = options[name];
    if (value !== undefined) OPTION_CHECKS[name](value, name);
  }
}

/**
 * The names a client may connect by: `localhost`, and the bound address unless it is a wildcard
 * (then the loopback a local client uses).
 */
function connectHosts(host: string): string[] {
  const bound = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return bound === "localhost" ? ["localhost"] : ["localhost", bound];
}

/** Names a long-running server keeps assessments for; past it, each is judged afresh. */
const MAX_ASSESSED_NAMES = 64;

function memoizedAssessment(
  cert: string | Buffer,
  ca: string | Buffer | undefined,
): (host: string) => CertificateAssessment {
  const byHost = new Map<string, CertificateAssessment>();
  return (host) => {
    let assessment = byHost.get(host);
    if (assessment === undefined) {
      assessment = assessServerCertificate({ chain: cert, trusted: ca, hosts: [host] });
      if (byHost.size < MAX_ASSESSED_NAMES) byHost.set(host, assessment);
    }
    return assessment;
  };
}

async function resolveTls(tls: TlsOptions, serverVersion: string, host: string): Promise<ResolvedTls> {
  const minVersion = checkTlsVersion("tls.minVersion", tls.minVersion, "TLSv1");
  const maxVersion = checkTlsVersion("tls.maxVersion", tls.maxVersion, "TLSv1.2");
  if (compareTlsVersions(minVersion, maxVersion) > 0) {
    throw new ServerConfigurationError(
      "tls.minVersion",
      `${minVersion} is above tls.maxVersion ${maxVersion}`,
    );
  }
  if ((tls.key === undefined) !== (tls.cert === undefined)) {
    throw new ServerConfigurationError(
      tls.key === undefined ? "tls.key" : "tls.cert",
      "key and cert go together",
    );
  }
  if (tls.certificates !== undefined && (tls.key !== undefined || tls.cert !== undefined)) {
    throw new ServerConfigurationError("tls.certificates", "choose a catalogue set or key/cert, not both");
  }
  // A CA that does not parse would be accepted by node and then blame every client certificate.
  if (tls.ca !== undefined) parseCertificates("tls.ca", tls.ca);
  let { key, cert, ca } = tls;
  let certificateSet: CertificateSet | null = null;
  let leaf: X509Certificate;
  if (key === undefined || cert === undefined) {
    // A stock 5.7 server with no certificate configured makes its own set (auto_generate_certs).
    const name = tls.certificates ?? "mysql-auto";
    try {
      certificateSet = await getCertificateSet(name, { serverVersion: serverVersion.replace(/-.*$/, "") });
    } catch (error) {
      if (error instanceof UnknownCertificateSetError)
        throw new ServerConfigurationError("tls.certificates", error.message);
      throw error;
    }
    key = certificateSet.server.key;
    cert = certificateSet.server.cert;
    ca ??= certificateSet.ca;
    leaf = new X509Certificate(cert);
  } else {
    const privateKey = parsePrivateKey("tls.key", key);
    leaf = parseCertificates("tls.cert", cert)[0]!;
    checkKeyMatchesCertificate("tls.key", privateKey, "tls.cert", leaf);
  }
  const clientCertificates = tls.clientCertificates ?? "request";
  if (!CLIENT_CERTIFICATE_MODES.includes(clientCertificates)) {
    throw new ServerConfigurationError(
      "tls.clientCertificates",
      `expected none, request or require, got ${describeValue(clientCertificates)}`,
    );
  }
  if (tls.ciphers !== undefined) checkCiphers("tls.ciphers", tls.ciphers, minVersion, maxVersion);
  const ciphers = tls.ciphers ?? mysql57CipherString();
  checkSecureContext({ key, cert, ca, ciphers, minVersion, maxVersion });
  return {
    key,
    cert,
    ca,
    certificateSet,
    certificateValidity: { notBefore: new Date(leaf.validFrom), notAfter: new Date(leaf.validTo) },
    serverCertificate: assessServerCertificate({ chain: cert, trusted: ca, hosts: connectHosts(host) }),
    assessFor: memoizedAssessment(cert, ca),
    certificateSha256: createHash("sha256").update(leaf.raw).digest(),
    minVersion,
    maxVersion,
    ciphers,
    clientCertificates,
  };
}

/** A fresh folder for `socketPath: true`; made last, once every check has passed, so a refused start leaves none. */
function unixSocket(option: string | true | undefined): {
  socketPath: string | null;
  socketDir: string | null;
} {
  if (option !== true) return { socketPath: option ?? null, socketDir: null };
  const socketDir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-"));
  return { socketPath: join(socketDir, "mysqld.sock"), socketDir };
}

/** MySQL before 5.7 (a bare `5.6.51`, not MariaDB's `5.5.5-` prefix). */
const MYSQL_BEFORE_57 = /^5\.[0-6]\.(?!5-)/;

/** The family default of {@link MockServerOptions.clientSslWithoutTls}. */
function defaultClientSslWithoutTls(serverVersion: string, tlsConfigured: boolean, capabilityFlags: number) {
  if (tlsConfigured && !(capabilityFlags & CapabilityFlags.CLIENT_SSL)) return "strip";
  if (/MariaDB/i.test(serverVersion) || MYSQL_BEFORE_57.test(serverVersion)) return "mask";
  return "bad-handshake";
}

/**
 * Applies defaults and checks every option (names and values, TLS and RSA key material);
 * misconfiguration fails here, before anything listens, with a {@link ServerConfigurationError}
 * naming the option.
 */
export async function resolveOptions(options: MockServerOptions = {}): Promise<ResolvedOptions> {
  checkOptions(options);
  const serverVersion = options.serverVersion ?? DEFAULT_SERVER_VERSION;
  const host = options.host ?? "127.0.0.1";
  const tls = options.tls === false ? null : await resolveTls(options.tls ?? {}, serverVersion, host);
  const defaultAuthPlugin = options.defaultAuthPlugin ?? NATIVE_PASSWORD_PLUGIN;
  const accounts = (options.accounts ?? [DEFAULT_ACCOUNT]).map((a, i) => {
    try {
      return resolveAccount({ ...a, plugin: a.plugin ?? defaultAuthPlugin });
    } catch (error) {
      if (error instanceof RequireClauseError)
        throw new ServerConfigurationError(`accounts[${i}].require`, error.message);
      throw error;
    }
  });
  const capabilityFlags =
    (options.capabilityFlags ?? (tls ? SERVER_CAPABILITIES_TLS : SERVER_CAPABILITIES_NO_TLS)) >>> 0;
  if (!tls && capabilityFlags & CapabilityFlags.CLIENT_SSL) {
    throw new ServerConfigurationError("capabilityFlags", "CLIENT_SSL is set but tls is false");
  }
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const waitTimeoutMs = options.waitTimeoutMs ?? 28_800_000;
  const netWriteTimeoutMs = options.netWriteTimeoutMs ?? DEFAULT_NET_WRITE_TIMEOUT_MS;
  const netReadTimeoutMs = options.netReadTimeoutMs ?? DEFAULT_NET_READ_TIMEOUT_MS;
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const backlog = options.backlog ?? defaultBacklog(maxConnections);
  const maxPacketSize = options.maxPacketSize ?? DEFAULT_MAX_ALLOWED_PACKET;
  const rsaKeys = await resolveRsaKeys(options.rsaKeys, [
    defaultAuthPlugin,
    ...accounts.map((a) => a.plugin),
  ]);
  return {
    host,
    port: options.port ?? 0,
    ...unixSocket(options.socketPath),
    serverVersion,
    versionComment: options.versionComment ?? "MySQL Community Server (GPL)",
    tls,
    accounts,
    defaultAuthPlugin,
    capabilityFlags,
    requireSecureTransport: options.requireSecureTransport ?? false,
    authPluginDataLengthByte: options.authPluginDataLengthByte ?? 21,
    zeroConfigFingerprint: options.zeroConfigFingerprint ?? null,
    mariadbCapabilities: options.mariadbCapabilities === undefined ? null : options.mariadbCapabilities >>> 0,
    characterSet: options.characterSet ?? CharacterSet.latin1_swedish_ci,
    firstConnectionId: options.firstConnectionId ?? 1,
    maxPacketSize,
    connectTimeoutMs,
    waitTimeoutMs,
    netWriteTimeoutMs,
    netReadTimeoutMs,
    unknownQuery: options.unknownQuery ?? "error",
    systemVariables: {
      require_secure_transport: options.requireSecureTransport ? "ON" : "OFF",
      // MySQL shows both in whole seconds.
      connect_timeout: Math.ceil(connectTimeoutMs / 1000),
      wait_timeout: Math.ceil(waitTimeoutMs / 1000),
      net_write_timeout: Math.ceil(netWriteTimeoutMs / 1000),
      net_read_timeout: Math.ceil(netReadTimeoutMs / 1000),
      max_connections: maxConnections,
      back_log: backlog,
      max_allowed_packet: maxPacketSize,
      ...options.systemVariables,
    },
    recordPayloadBytes: options.recordPayloadBytes ?? DEFAULT_RECORD_PAYLOAD_BYTES,
    recordPackets: options.recordPackets ?? true,
    faults: resolveFaults(options.faults),
    rsaKeys,
    cachingSha2CacheWarm: options.cachingSha2CacheWarm ?? false,
    clientSslWithoutTls:
      options.clientSslWithoutTls ?? defaultClientSslWithoutTls(serverVersion, tls !== null, capabilityFlags),
    maxConnections,
    backlog,
    keepConnections: options.keepConnections ?? DEFAULT_KEEP_CONNECTIONS,
    keepPackets: options.keepPackets ?? DEFAULT_KEEP_PACKETS,
    keepCommands: options.keepCommands ?? DEFAULT_KEEP_COMMANDS,
  };
}
