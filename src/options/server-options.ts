import { z } from "zod";
import { NATIVE_PASSWORD_PLUGIN } from "../auth/native-password";
import { CharacterSet } from "../protocol/constants";
import type { QueryAnswer, QueryContext } from "../sql";
import { accountSchema, authPlugin, DEFAULT_ACCOUNT } from "./account-options";
import { CLIENT_SSL_WITHOUT_TLS } from "./client-ssl-without-tls";
import { describeValue } from "./describe-value";
import { faultsSchema } from "./faults";
import {
  callback,
  falseOr,
  flag,
  integerIn,
  oneOf,
  optionObject,
  pemText,
  text,
  timeoutMs,
} from "./option-types";
import { rsaKeyPairProblem } from "./key-material";
import { servedVersionProblem, tlsOptionsSchema } from "./tls-options";

/**
 * The server's options: each one's type, range, default and documentation, defined once. The
 * library's `MockServerOptions` is this schema's input type; scenario files map onto its fields
 * (src/scenarios/scenario-schema.ts) and the CLI's flags read their ranges and defaults from it.
 */

export const DEFAULT_SERVER_VERSION = "5.7.41";
/** MySQL 5.7's max_connections default (manual, Server System Variables). */
export const DEFAULT_MAX_CONNECTIONS = 151;
/** MySQL's `net_write_timeout` default (manual, Server System Variables). */
export const DEFAULT_NET_WRITE_TIMEOUT_MS = 60_000;
/** MySQL's `net_read_timeout` default (manual, Server System Variables). */
export const DEFAULT_NET_READ_TIMEOUT_MS = 30_000;
export const DEFAULT_KEEP_CONNECTIONS = 1000;
export const DEFAULT_KEEP_PACKETS = 256;
export const DEFAULT_KEEP_COMMANDS = 256;
export const DEFAULT_RECORD_PAYLOAD_BYTES = 128;
/** The most payload a recorded packet may keep: records are for reading, not for replaying traffic. */
export const MAX_RECORD_PAYLOAD_BYTES = 65_536;

/**
 * The greeting sends the version NUL-terminated. Real servers send under 60 bytes
 * (SERVER_VERSION_LENGTH); the rest of the room is for testing clients with odd versions.
 */
const MAX_SERVER_VERSION_BYTES = 255;
/** sun_path holds 108 bytes on Linux, the terminating NUL included. */
const MAX_SOCKET_PATH_BYTES = 107;
/** max_allowed_packet's range in 5.7: 1 KiB to 1 GiB; default 4 MiB. */
const MIN_MAX_ALLOWED_PACKET = 1024;
const MAX_MAX_ALLOWED_PACKET = 1024 * 1024 * 1024;
const DEFAULT_MAX_ALLOWED_PACKET = 4 * 1024 * 1024;
/** 5.7's max_connections ceiling and back_log's range (manual, Server System Variables). */
const MAX_MAX_CONNECTIONS = 100_000;
const MAX_BACK_LOG = 65_535;
/** Linux's PATH_MAX: a longer name is no file a client could open. */
const MAX_LOCAL_INFILE_PATH_BYTES = 4096;
/** When the server asks for the file; a name list, so later triggers can join it. */
export const LOCAL_INFILE_TRIGGERS = ["first-query"] as const;

/** A 32-bit word as written in a file: unsigned. */
export const unsignedWord = () => integerIn(0, 0xffffffff);
/** A 32-bit word, written as an unsigned number or as what JavaScript's bitwise operators give (signed). */
const word = () => integerIn(-0x80000000, 0xffffffff);
/** A count a record keeps. */
const keepCount = () => integerIn(0, Number.MAX_SAFE_INTEGER);

/** An RSA key pair; the two must parse and belong together. */
const rsaKeyPair = optionObject({
  /** `private_key.pem`. */
  privateKeyPem: pemText(),
  /** `public_key.pem`. */
  publicKeyPem: pemText(),
}).superRefine((keys, context) => {
  const problem = rsaKeyPairProblem(keys, "rsaKeys");
  if (problem) context.addIssue({ code: "custom", path: [problem.key], message: problem.problem });
});

/** The answer to a query the server does not know, made by the host program. */
type QueryCallback = (sql: string, context: QueryContext) => QueryAnswer;

/** Every server option, each with its type, range, default and documentation. */
export const serverOptionFields = {
  /** Address to bind. Default `127.0.0.1`. */
  host: text({ nonEmpty: true, noNul: true }).default("127.0.0.1"),
  /** TCP port; 0 picks a free one. Default 0. */
  port: integerIn(0, 65_535).default(0),
  /**
   * Listen on this Unix socket instead of TCP (`true`: a fresh path in the temp folder, made when
   * the server listens). Clients on a socket count as secure transport, as in 5.7, and are known
   * as `localhost`.
   */
  socketPath: z
    .union([z.literal(true), text({ nonEmpty: true, noNul: true, maxBytes: MAX_SOCKET_PATH_BYTES })], {
      error: (issue) => `expected a string, got ${describeValue(issue.input)}`,
    })
    .optional(),
  /** Version string of the greeting. Default `5.7.41`. */
  serverVersion: text({ nonEmpty: true, noNul: true, maxBytes: MAX_SERVER_VERSION_BYTES }).default(
    DEFAULT_SERVER_VERSION,
  ),
  /** `@@version_comment`. Default `MySQL Community Server (GPL)`. */
  versionComment: text().default("MySQL Community Server (GPL)"),
  /** TLS settings, or `false` for a greeting without CLIENT_SSL. Default: TLS on. */
  tls: falseOr(tlsOptionsSchema, "expected an object").prefault({}),
  /** Accounts that may log in. Default: `root` with password `root`. */
  accounts: z
    .array(accountSchema, {
      error: (issue) => `expected an array of accounts, got ${describeValue(issue.input)}`,
    })
    .default(() => [DEFAULT_ACCOUNT]),
  /** The auth plugin the greeting names. Default `mysql_native_password`. */
  defaultAuthPlugin: authPlugin().default(NATIVE_PASSWORD_PLUGIN),
  /**
   * Capability word of the greeting. Default: the stock 5.7 word, `0xC1FFFFFF` with TLS and
   * `0x81FFF7FF` without. With TLS off, CLIENT_SSL (0x800) and CLIENT_SSL_VERIFY_SERVER_CERT
   * (bit 30) are cleared from the word given, as a real server started without TLS clears them
   * (MariaDB 10.11: `0x81FFFFFE` with TLS, `0x81FFF7FE` without), so one pinned word serves both.
   * With TLS on, a word without CLIENT_SSL reproduces a TLS-stripping proxy (`0xC1FFF7FF`).
   */
  capabilityFlags: word().optional(),
  /**
   * require_secure_transport: plaintext TCP logins are refused, after the credentials have crossed
   * the wire, as the server family of `serverVersion` refuses them: MySQL with ERR 3159 once the
   * password was checked; MariaDB before 11.3 with ERR 1045 "Access denied", the right password
   * included; MariaDB 11.3+ (MDEV-30178) with ERR 3159, SQLSTATE 08004, whatever the password.
   * Default false.
   */
  requireSecureTransport: flag().default(false),
  /**
   * MariaDB 10.2+ extended capabilities, written into the last 4 reserved bytes of the greeting
   * (MariaDB Knowledge Base, "Connection": the greeting's extended capabilities). Set with a
   * `5.5.5-10.x-MariaDB` version and bit 0 cleared in `capabilityFlags` to look like a MariaDB
   * server. Default: none (MySQL's zeros).
   */
  mariadbCapabilities: word().optional(),
  /**
   * The greeting's auth-plugin-data length byte. 21 is right (`send_server_handshake_packet` in
   * sql/auth/sql_authentication.cc: 20 scramble bytes and a NUL); 20 reproduces broken servers
   * whose plugin name libmysqlclient then reads one byte off. Default 21.
   */
  authPluginDataLengthByte: integerIn(0, 255).default(21),
  /**
   * MariaDB 11.4+ "zero-configuration SSL": after a mysql_native_password login over TLS, the OK
   * packet's info carries `0x01` + hex(SHA256(SHA1(SHA1(pw)) ‖ nonce ‖ SHA256(certificate))), by which
   * a client that trusted a self-signed certificate checks it afterwards. `wrong` sends a hash that
   * does not match, as a man in the middle without the password would. Default: none.
   */
  zeroConfigFingerprint: oneOf(["correct", "wrong"]).optional(),
  /** Collation id of the greeting. Default 8 (latin1_swedish_ci, the 5.7 default). */
  characterSet: integerIn(0, 255).default(CharacterSet.latin1_swedish_ci),
  /** Connection id of the first connection; later ones count up. Default 1. */
  firstConnectionId: integerIn(0, 0xffffffff).default(1),
  /** Largest packet accepted from a client (max_allowed_packet), 1 KiB to 1 GiB. Default 4 MiB. */
  maxPacketSize: integerIn(MIN_MAX_ALLOWED_PACKET, MAX_MAX_ALLOWED_PACKET).default(
    DEFAULT_MAX_ALLOWED_PACKET,
  ),
  /**
   * Milliseconds a client has to finish logging in (MySQL's connect_timeout), in any phase before
   * the OK: greeting read, SSLRequest, TLS handshake, auth exchange. Default 10 000.
   */
  connectTimeoutMs: timeoutMs().default(10_000),
  /**
   * Milliseconds a logged-in connection may sit idle between commands before the server closes it
   * (MySQL's wait_timeout; 5.7 closes without a packet). Default 28 800 000 (8 hours).
   */
  waitTimeoutMs: timeoutMs().default(28_800_000),
  /**
   * Milliseconds a reply may stay unread by a client before the server gives up on it (MySQL's
   * net_write_timeout); meanwhile the server reads none of its commands. Default 60 000.
   */
  netWriteTimeoutMs: timeoutMs().default(DEFAULT_NET_WRITE_TIMEOUT_MS),
  /**
   * Milliseconds the server waits for the rest of a packet a logged-in client has started to send
   * (MySQL's net_read_timeout). Default 30 000.
   */
  netReadTimeoutMs: timeoutMs().default(DEFAULT_NET_READ_TIMEOUT_MS),
  /** Answer to queries the server does not know: an ERR naming the query (default), an OK, or your own. */
  unknownQuery: z
    .union([oneOf(["error", "ok"]), callback<QueryCallback>()], {
      error: (issue) => `expected "error", "ok", got ${describeValue(issue.input)}`,
    })
    .default("error"),
  /** Extra or overriding system variables for `SELECT @@x` and `SHOW VARIABLES`. */
  systemVariables: z
    .record(
      z.string(),
      z.union([z.string(), z.number(), z.null()], {
        error: (issue) => `expected a string, a finite number or null, got ${describeValue(issue.input)}`,
      }),
      { error: (issue) => `expected an object, got ${describeValue(issue.input)}` },
    )
    .refine((variables) => !Object.hasOwn(variables, ""), { error: "a variable name is empty" })
    .optional(),
  /**
   * How many payload bytes each recorded packet keeps as hex (0 to {@link MAX_RECORD_PAYLOAD_BYTES}).
   * Default 128: a greeting, an OK or an ERR whole, the head of anything bigger.
   */
  recordPayloadBytes: integerIn(0, MAX_RECORD_PAYLOAD_BYTES).default(DEFAULT_RECORD_PAYLOAD_BYTES),
  /**
   * Keep every packet in the record (`packets`) and emit `packet` events. `false` keeps the rest of
   * the record (TLS, credentials, outcome, verdict) and drops the per-packet trail, for load runs.
   * Default true.
   */
  recordPackets: flag().default(true),
  /**
   * RSA keys for sha256_password / caching_sha2_password over plaintext (`private_key.pem`,
   * `public_key.pem`). Default: the mysql-ssl-rsa-setup set's pair, loaded when an account needs it;
   * `false` = none, as on yaSSL builds (plaintext sha256 logins then fail).
   */
  rsaKeys: falseOr(rsaKeyPair, "expected an object").optional(),
  /**
   * Generate the keys of catalogue certificate sets (the served set, and the `rsaKeys` pair taken
   * from `mysql-ssl-rsa-setup`) instead of using the public test keys shipped with the package.
   * The shipped keys protect nothing (anyone with the package has them) and spare a first start the
   * RSA key generation; fresh keys are generated once for this user and cached with the set.
   * Default false.
   */
  freshKeys: flag().default(false),
  /**
   * caching_sha2_password: start with every such account's hash cached, so the first login takes the
   * fast path. Default false: a freshly started server, where the first login needs full authentication.
   */
  cachingSha2CacheWarm: flag().default(false),
  /** Deliberate misbehaviour at protocol points (close, reset, stall, yaSSL's Bad handshake, delays). */
  faults: faultsSchema.optional(),
  /**
   * MySQL's max_connections: connections open at once (logging in or logged in). Past it, a new
   * connection gets `ERR 1040 Too many connections` as its first packet — no greeting, and no
   * `#SQLSTATE` since no client capabilities are known yet — and is closed, and recorded as refused
   * (5.7: `Connection_handler_manager::process_new_connection` in
   * sql/conn_handler/connection_handler_manager.cc; `net_send_error` with no capabilities in
   * sql/protocol_classic.cc). 5.7 admits one connection more for a SUPER account; the mock has no
   * privileges and does not. 1 to 100 000; default 151, as in 5.7.
   */
  maxConnections: integerIn(1, MAX_MAX_CONNECTIONS).default(DEFAULT_MAX_CONNECTIONS),
  /**
   * MySQL's back_log: the listen queue of connections the kernel holds before the server accepts
   * them (the kernel caps it at net.core.somaxconn). 1 to 65 535. Default: 5.7's autosized value,
   * 50 + maxConnections / 5 capped at 900 ("back_log" in the 5.7 manual, Server System Variables),
   * but at least 511, Node's own default: a queue of 80 overflows when a test suite opens a few
   * hundred connections at once, and on Linux with SYN cookies a client whose handshake the full
   * queue dropped believes it is connected and waits forever for a greeting that never comes (the
   * server speaks first). Set it to 80 to reproduce 5.7 exactly. See docs/BENCHMARKS.md.
   */
  backlog: integerIn(1, MAX_BACK_LOG).optional(),
  /**
   * How many connection records the server's `connections` keeps: past it the oldest is dropped
   * and counted in `droppedConnections`, so a long-running server's memory levels off. 0 keeps none
   * (events still flow). Default 1000.
   */
  keepConnections: keepCount().default(DEFAULT_KEEP_CONNECTIONS),
  /**
   * How many packets each record's `packets` trail keeps: past it the oldest is dropped and counted
   * in the record's `packetsDropped`. Default 256 (a login is about 10).
   */
  keepPackets: keepCount().default(DEFAULT_KEEP_PACKETS),
  /**
   * How many commands each record's `commands` keeps: past it the oldest is dropped and counted in
   * the record's `commandsDropped`. Default 256.
   */
  keepCommands: keepCount().default(DEFAULT_KEEP_COMMANDS),
  /**
   * What the server does with CLIENT_SSL from a client whose greeting did not offer it (see
   * `ClientSslWithoutTls`). Default: `strip` when TLS is configured but the greeting hides
   * it, `mask` for a MariaDB version (`…-MariaDB`) or MySQL 5.6 and older, `bad-handshake` otherwise.
   */
  clientSslWithoutTls: oneOf(CLIENT_SSL_WITHOUT_TLS).optional(),
  /**
   * The server's skip_name_resolve. Off (the default, as MySQL and MariaDB ship, Debian's
   * mariadb-server package included: its 50-server.cnf has `#skip-name-resolve` commented out), a
   * TCP client from 127.0.0.1 or ::1 is known as `localhost` (`ip_to_hostname` in
   * sql/hostname.cc): "Access denied for user 'u'@'localhost'", `USER()` = `u@localhost`, and
   * `'u'@'localhost'` accounts match it. On, it is known by its address only: `'u'@'127.0.0.1'`,
   * and a `localhost` account matches Unix-socket clients alone. Other addresses are named by
   * their address either way: the mock resolves no names.
   */
  skipNameResolve: flag().default(false),
  /**
   * Auth plugins the server has not loaded: an account that names one cannot log in. Its client's
   * response is read first (the default plugin reads it, finds the account, and restarts with the
   * account's plugin), then the login is refused with ERR 1524 "Plugin '…' is not loaded"
   * (`do_auth_once` in sql/auth/sql_authentication.cc), so the client's credentials have crossed.
   * `[mysql_native_password]` is MySQL 8.4 as shipped (the plugin is disabled by default and
   * `--mysql-native-password=ON` loads it) and 9.x (the plugin is removed). Default: none.
   */
  disabledAuthPlugins: z
    .array(authPlugin(), {
      error: (issue) => `expected an array of auth plugin names, got ${describeValue(issue.input)}`,
    })
    .default(() => []),
  /**
   * A rogue server's LOAD DATA LOCAL request: the client's first COM_QUERY after login, whatever it
   * says, is answered with a LOCAL INFILE request (0xFB and `path`) instead of its result. Nothing
   * in the protocol ties that request to a `LOAD DATA LOCAL INFILE` the client sent, so a client
   * that honours it sends the server one of its files (MySQL manual, "Security Considerations for
   * LOAD DATA LOCAL"; aiomysql GHSA-r397-ff8c-wv2g, MariaDB CONJ-1329, MySqlConnector #334). The
   * server reads what the client sends up to its empty packet, answers OK as a LOAD DATA that loaded
   * no rows, and answers later queries normally. The record keeps the length and SHA-256 digest of
   * what the client sent, never the contents. Default: none.
   */
  localInfileRequest: optionObject({
    /** The file name sent, as the client will resolve it, e.g. `/etc/hostname`. */
    path: text({ nonEmpty: true, noNul: true, maxBytes: MAX_LOCAL_INFILE_PATH_BYTES }),
    /** Which query is answered with the request: `first-query` (the only one). Default `first-query`. */
    on: oneOf(LOCAL_INFILE_TRIGGERS).default("first-query"),
  }).optional(),
};

/** The options as an object, before the rules between them. */
const serverOptionsObject = optionObject(serverOptionFields);

/** The rules between options, which no single option's range can say. */
function checkCombination(options: z.output<typeof serverOptionsObject>, context: z.RefinementCtx): void {
  // A server cannot greet with a plugin it has not loaded (8.4 refuses to start with
  // --authentication-policy naming a disabled plugin).
  if (options.disabledAuthPlugins.includes(options.defaultAuthPlugin)) {
    context.addIssue({
      code: "custom",
      path: ["disabledAuthPlugins"],
      message: `the default auth plugin ${options.defaultAuthPlugin} cannot be disabled`,
    });
  }
  // The same rule as for scenarios: a server that calls itself 5.7 negotiates what 5.7 could.
  if (options.tls !== false) {
    const problem = servedVersionProblem(options.serverVersion, options.tls.maxVersion);
    if (problem) context.addIssue({ code: "custom", path: ["tls", "maxVersion"], message: problem });
  }
}

/** The server's options, every rule included: what `resolveOptions` checks and applies defaults with. */
export const serverOptionsSchema = serverOptionsObject.superRefine(checkCombination);

/**
 * Options of `startMockServer` that say how the server behaves. Every field is optional; each is
 * documented, ranged and defaulted in {@link serverOptionFields}.
 */
export type MockServerOptions = z.input<typeof serverOptionsSchema>;

/** The options with the schema's defaults applied (those that depend on others are left to resolve). */
export type ParsedServerOptions = z.output<typeof serverOptionsSchema>;
