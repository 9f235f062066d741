import { randomBytes, createHash, X509Certificate } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ResolvedAccount, resolveAccount } from "../auth/accounts";
import type { RsaKeys } from "../auth/auth-plugin";
import { type CertificateSet, getCertificateSet } from "../certs";
import {
  assessServerCertificate,
  type CertificateAssessment,
  memoizedAssessment,
} from "../certs/assess-certificate";
import { CapabilityFlags, SERVER_CAPABILITIES_NO_TLS, SERVER_CAPABILITIES_TLS } from "../protocol/constants";
import type { QueryAnswer, QueryContext } from "../sql";
import { mysql57CipherString } from "../tls/mysql-ciphers";
import type { ClientCertificateMode } from "../tls/tls-session";
import type { TlsVersion } from "../tls/tls-versions";
import type { ClientSslWithoutTls } from "../options/client-ssl-without-tls";
import {
  checkCiphers,
  checkKeyMatchesCertificate,
  checkSecureContext,
  parseCertificates,
  parsePrivateKey,
} from "../options/key-material";
import { parseOptions } from "../options/parse-options";
import {
  type MockServerOptions,
  type ParsedServerOptions,
  serverOptionsSchema,
} from "../options/server-options";
import { FaultPlan } from "./faults";
import { isMariadb } from "../protocol/server-version";

/*
 * Options become what a server runs with: the schema (src/options) checks them and applies their
 * defaults; here the defaults that depend on other options are worked out and the certificate is
 * put in hand. Nothing is written: the Unix socket's folder is made when the server listens.
 */

export { DEFAULT_ACCOUNT } from "../options/account-options";
export {
  DEFAULT_KEEP_COMMANDS,
  DEFAULT_KEEP_CONNECTIONS,
  DEFAULT_KEEP_PACKETS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_RECORD_PAYLOAD_BYTES,
  DEFAULT_SERVER_VERSION,
  MAX_RECORD_PAYLOAD_BYTES,
  type MockServerOptions,
} from "../options/server-options";
export type { TlsOptions } from "../options/tls-options";

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
  /**
   * The private folder `socketPath: true` puts the socket in: made by the server when it listens
   * (it must not exist before), removed when the server stops.
   */
  socketDir: string | null;
  serverVersion: string;
  versionComment: string;
  tls: ResolvedTls | null;
  /** Catalogue sets (the served one, the RSA pair) use generated keys, not the shipped test keys. */
  freshKeys: boolean;
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
  /** Whether a loopback TCP client is known by its address rather than as `localhost`. */
  skipNameResolve: boolean;
  /** Auth plugins not loaded: accounts on them are refused with ERR 1524 after their response. */
  disabledAuthPlugins: readonly string[];
  /** The LOAD DATA LOCAL request a rogue server answers the first query with; null for none. */
  localInfileRequest: { path: string; on: "first-query" } | null;
}

/** 5.7 autosizes back_log to 50 + max_connections / 5, at most 900. */
const BACK_LOG_BASE = 50;
const BACK_LOG_PER_CONNECTIONS = 5;
const BACK_LOG_AUTOSIZE_CAP = 900;
/**
 * Node's default listen queue. Measured on loopback: 300 clients connecting at once to a queue of
 * 80 left 57 of them connected by the kernel but never accepted; with 511, 1,000 were all greeted.
 */
const MIN_DEFAULT_BACK_LOG = 511;

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
  option: ParsedServerOptions["rsaKeys"],
  plugins: string[],
  freshKeys: boolean,
): Promise<RsaKeys | null> {
  if (option === false) return null;
  if (option) {
    return { privateKeyPem: option.privateKeyPem.toString(), publicKeyPem: option.publicKeyPem.toString() };
  }
  if (!plugins.some((p) => RSA_PLUGINS.includes(p))) return null;
  const files = (await getCertificateSet("mysql-ssl-rsa-setup", { freshKeys })).files;
  return { privateKeyPem: files["private_key.pem"]!, publicKeyPem: files["public_key.pem"]! };
}

/** A listener bound to one of these accepts connections to any of the host's addresses. */
export function isWildcardAddress(address: string): boolean {
  return address === "0.0.0.0" || address === "::";
}

/**
 * The names a client may connect by: `localhost`, and the bound address unless it is a wildcard
 * (then the loopback a local client uses).
 */
function connectHosts(host: string): string[] {
  const bound = isWildcardAddress(host) ? "127.0.0.1" : host;
  return bound === "localhost" ? ["localhost"] : ["localhost", bound];
}

/**
 * The served key and certificate in hand, and the whole TLS context checked. The certificate
 * comes from the catalogue (which may generate and cache a set, as `mysql-auto` does on first use)
 * unless `key` and `cert` are given.
 */
async function resolveTls(
  tls: Exclude<ParsedServerOptions["tls"], false>,
  serverVersion: string,
  host: string,
  freshKeys: boolean,
): Promise<ResolvedTls> {
  const { minVersion, maxVersion, clientCertificates } = tls;
  // A CA that does not parse would be accepted by node and then blame every client certificate.
  if (tls.ca !== undefined) parseCertificates("tls.ca", tls.ca);
  let { key, cert, ca } = tls;
  let certificateSet: CertificateSet | null = null;
  let leaf: X509Certificate;
  if (key === undefined || cert === undefined) {
    // A stock 5.7 server with no certificate configured makes its own set (auto_generate_certs).
    certificateSet = await getCertificateSet(tls.certificates ?? "mysql-auto", {
      serverVersion: serverVersion.replace(/-.*$/, ""),
      freshKeys,
    });
    key = certificateSet.server.key;
    cert = certificateSet.server.cert;
    ca ??= certificateSet.ca;
    leaf = new X509Certificate(cert);
  } else {
    const privateKey = parsePrivateKey("tls.key", key);
    leaf = parseCertificates("tls.cert", cert)[0]!;
    checkKeyMatchesCertificate("tls.key", privateKey, "tls.cert", leaf);
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

/**
 * Where `socketPath: true` puts the socket: a folder in the temp folder with an unguessable name,
 * which the server makes when it listens (failing if anything is already there), so resolving
 * options writes nothing.
 */
function unixSocket(option: string | true | undefined): {
  socketPath: string | null;
  socketDir: string | null;
} {
  if (option !== true) return { socketPath: option ?? null, socketDir: null };
  const socketDir = join(tmpdir(), `mysql-tls-mock-${randomBytes(6).toString("hex")}`);
  return { socketPath: join(socketDir, "mysqld.sock"), socketDir };
}

/** The bits a server started without TLS leaves out of its greeting (MySQL 5.7 and MariaDB 10.11 alike). */
const TLS_CAPABILITIES = CapabilityFlags.CLIENT_SSL | CapabilityFlags.CLIENT_SSL_VERIFY_SERVER_CERT;

/**
 * The greeting's capability word. CLIENT_SSL follows whether TLS is served: a pinned word is the
 * profile's word with TLS, and without TLS it loses what the real server drops when started
 * without certificates (Debian 12's mariadbd 10.11.19 greets `0x81FFFFFE` with TLS and
 * `0x81FFF7FE` without). With TLS on the pinned word is sent as given: one without CLIENT_SSL is
 * a stripping proxy in front of a TLS server.
 */
function greetingCapabilities(pinned: number | undefined, tlsServed: boolean): number {
  if (pinned === undefined) return tlsServed ? SERVER_CAPABILITIES_TLS : SERVER_CAPABILITIES_NO_TLS;
  return (tlsServed ? pinned : pinned & ~TLS_CAPABILITIES) >>> 0;
}

/** MySQL before 5.7 (a bare `5.6.51`, not MariaDB's `5.5.5-` prefix). */
const MYSQL_BEFORE_57 = /^5\.[0-6]\.(?!5-)/;

/** The family default of {@link MockServerOptions.clientSslWithoutTls}. */
function defaultClientSslWithoutTls(serverVersion: string, tlsConfigured: boolean, capabilityFlags: number) {
  if (tlsConfigured && !(capabilityFlags & CapabilityFlags.CLIENT_SSL)) return "strip";
  if (isMariadb(serverVersion) || MYSQL_BEFORE_57.test(serverVersion)) return "mask";
  return "bad-handshake";
}

/**
 * Checks every option against the schema (names, values, the rules between them) and the TLS and
 * RSA key material, and applies the defaults; misconfiguration fails here, before anything
 * listens, with a `ServerConfigurationError` naming the option. Writes no file of its own: a
 * catalogue certificate set may be generated into the certificate cache.
 */
export async function resolveOptions(options: MockServerOptions = {}): Promise<ResolvedOptions> {
  const parsed = parseOptions(serverOptionsSchema, options);
  const { serverVersion, host, defaultAuthPlugin, maxConnections } = parsed;
  const tls =
    parsed.tls === false ? null : await resolveTls(parsed.tls, serverVersion, host, parsed.freshKeys);
  // The schema has read every REQUIRE clause, so resolving an account cannot fail.
  const accounts = parsed.accounts.map((a) =>
    resolveAccount({ ...a, plugin: a.plugin ?? defaultAuthPlugin }),
  );
  const capabilityFlags = greetingCapabilities(parsed.capabilityFlags, tls !== null);
  const backlog = parsed.backlog ?? defaultBacklog(maxConnections);
  const rsaKeys = await resolveRsaKeys(
    parsed.rsaKeys,
    [defaultAuthPlugin, ...accounts.map((a) => a.plugin)],
    parsed.freshKeys,
  );
  return {
    ...parsed,
    ...unixSocket(parsed.socketPath),
    tls,
    accounts,
    capabilityFlags,
    zeroConfigFingerprint: parsed.zeroConfigFingerprint ?? null,
    mariadbCapabilities: parsed.mariadbCapabilities === undefined ? null : parsed.mariadbCapabilities >>> 0,
    systemVariables: {
      require_secure_transport: parsed.requireSecureTransport ? "ON" : "OFF",
      // MySQL shows these in whole seconds.
      connect_timeout: Math.ceil(parsed.connectTimeoutMs / 1000),
      wait_timeout: Math.ceil(parsed.waitTimeoutMs / 1000),
      net_write_timeout: Math.ceil(parsed.netWriteTimeoutMs / 1000),
      net_read_timeout: Math.ceil(parsed.netReadTimeoutMs / 1000),
      max_connections: maxConnections,
      back_log: backlog,
      max_allowed_packet: parsed.maxPacketSize,
      skip_name_resolve: parsed.skipNameResolve ? "ON" : "OFF",
      ...parsed.systemVariables,
    },
    faults: parsed.faults ? new FaultPlan(parsed.faults) : FaultPlan.NONE,
    rsaKeys,
    clientSslWithoutTls:
      parsed.clientSslWithoutTls ?? defaultClientSslWithoutTls(serverVersion, tls !== null, capabilityFlags),
    backlog,
    localInfileRequest: parsed.localInfileRequest ?? null,
  };
}
