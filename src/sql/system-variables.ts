import type { QueryContext, ResultColumn, ResultValue } from "./query-answer";

/**
 * How a system variable reads back:
 * - `string`: a string (or NULL when unset, like `ssl_cipher`)
 * - `unsigned`: an unsigned integer, as most of MySQL's `ulong` variables
 * - `signed`: a signed integer
 * - `boolean`: `SELECT @@x` gives 0/1, `SHOW VARIABLES` gives OFF/ON
 */
export type VariableKind = "string" | "unsigned" | "signed" | "boolean";

/** Whether a variable exists globally, per session, or both (`SELECT @@session.x` needs session or both). */
export type VariableScope = "global" | "session" | "both";

/** A system variable with its value resolved for one session. */
export interface SystemVariable {
  /** Lower-case name, as `SHOW VARIABLES` lists it. */
  name: string;
  kind: VariableKind;
  scope: VariableScope;
  /** 0 or 1 for booleans. */
  value: ResultValue;
}

type Definition = [
  scope: VariableScope,
  kind: VariableKind,
  value: ResultValue | ((context: QueryContext) => ResultValue),
];

/** `18446744073709551615`: what 5.7 shows for "no limit" in `ulonglong` variables. */
const HA_POS_ERROR = 18446744073709551615n;

const haveSsl = (context: QueryContext) => (context.tlsOffered ? "YES" : "DISABLED");
// Autodiscovery stores the bare datadir file names (5.7 sql/mysqld.cc, auto_detect_ssl); with TLS off the options stay unset (NULL).
const tlsFile = (file: string) => (context: QueryContext) => (context.tlsOffered ? file : null);

/**
 * Defaults of a MySQL 5.7.41 Community server on Linux x86_64 with an empty my.cnf (manual,
 * "Server System Variables"). The character sets are what 5.7 reports to a client that connected
 * with utf8: server and database keep the latin1 server default, while client/connection/results
 * follow the handshake collation — utf8 here, matching the utf8_general_ci the server module puts in
 * every text column's metadata. A scenario emulating a utf8mb4 client overrides them.
 */
const BUILT_IN = new Map<string, Definition>([
  ["auto_generate_certs", ["global", "boolean", 1]],
  ["auto_increment_increment", ["both", "unsigned", 1]],
  ["auto_increment_offset", ["both", "unsigned", 1]],
  ["autocommit", ["both", "boolean", 1]],
  ["basedir", ["global", "string", "/usr/"]],
  ["big_tables", ["both", "boolean", 0]],
  ["bind_address", ["global", "string", "*"]],
  ["character_set_client", ["both", "string", "utf8"]],
  ["character_set_connection", ["both", "string", "utf8"]],
  ["character_set_database", ["both", "string", "latin1"]],
  ["character_set_filesystem", ["both", "string", "binary"]],
  ["character_set_results", ["both", "string", "utf8"]],
  ["character_set_server", ["both", "string", "latin1"]],
  ["character_set_system", ["global", "string", "utf8"]],
  ["character_sets_dir", ["global", "string", "/usr/share/mysql/charsets/"]],
  ["collation_connection", ["both", "string", "utf8_general_ci"]],
  ["collation_database", ["both", "string", "latin1_swedish_ci"]],
  ["collation_server", ["both", "string", "latin1_swedish_ci"]],
  ["completion_type", ["both", "string", "NO_CHAIN"]],
  ["connect_timeout", ["global", "unsigned", 10]],
  ["datadir", ["global", "string", "/var/lib/mysql/"]],
  ["default_authentication_plugin", ["global", "string", "mysql_native_password"]],
  ["default_password_lifetime", ["global", "unsigned", 0]],
  ["default_storage_engine", ["both", "string", "InnoDB"]],
  ["default_tmp_storage_engine", ["both", "string", "InnoDB"]],
  ["default_week_format", ["both", "unsigned", 0]],
  ["disconnect_on_expired_password", ["global", "boolean", 1]],
  ["div_precision_increment", ["both", "unsigned", 4]],
  ["error_count", ["session", "unsigned", 0]],
  ["event_scheduler", ["global", "string", "OFF"]],
  ["explicit_defaults_for_timestamp", ["both", "boolean", 0]],
  ["foreign_key_checks", ["both", "boolean", 1]],
  ["group_concat_max_len", ["both", "unsigned", 1024]],
  ["have_openssl", ["global", "string", haveSsl]],
  ["have_query_cache", ["global", "string", "YES"]],
  ["have_ssl", ["global", "string", haveSsl]],
  // The mock has no real host name; scenarios that care set their own.
  ["hostname", ["global", "string", "mysql-tls-mock"]],
  ["identity", ["session", "unsigned", 0]],
  ["init_connect", ["global", "string", ""]],
  [
    "innodb_version",
    ["global", "string", (c) => /^\d+\.\d+\.\d+/.exec(c.serverVersion)?.[0] ?? c.serverVersion],
  ],
  ["insert_id", ["session", "unsigned", 0]],
  ["interactive_timeout", ["both", "unsigned", 28800]],
  ["last_insert_id", ["session", "unsigned", 0]],
  ["lc_messages", ["both", "string", "en_US"]],
  ["lc_time_names", ["both", "string", "en_US"]],
  ["license", ["global", "string", "GPL"]],
  ["log_bin", ["global", "boolean", 0]],
  ["log_error_verbosity", ["global", "unsigned", 3]],
  ["lower_case_table_names", ["global", "unsigned", 0]],
  ["max_allowed_packet", ["both", "unsigned", 4194304]],
  ["max_connect_errors", ["global", "unsigned", 100]],
  ["max_connections", ["global", "unsigned", 151]],
  ["max_execution_time", ["both", "unsigned", 0]],
  ["max_join_size", ["both", "unsigned", HA_POS_ERROR]],
  ["mysql_native_password_proxy_users", ["global", "boolean", 0]],
  ["net_buffer_length", ["both", "unsigned", 16384]],
  ["net_read_timeout", ["both", "unsigned", 30]],
  ["net_retry_count", ["both", "unsigned", 10]],
  ["net_write_timeout", ["both", "unsigned", 60]],
  ["offline_mode", ["global", "boolean", 0]],
  ["old_passwords", ["both", "unsigned", 0]],
  ["performance_schema", ["global", "boolean", 1]],
  ["pid_file", ["global", "string", "/var/run/mysqld/mysqld.pid"]],
  ["port", ["global", "unsigned", 3306]],
  ["protocol_version", ["global", "unsigned", 10]],
  ["pseudo_thread_id", ["session", "unsigned", (c) => c.connectionId]],
  ["query_cache_limit", ["global", "unsigned", 1048576]],
  ["query_cache_size", ["global", "unsigned", 1048576]],
  ["query_cache_type", ["both", "string", "OFF"]],
  ["read_only", ["global", "boolean", 0]],
  ["require_secure_transport", ["global", "boolean", 0]],
  ["secure_auth", ["global", "boolean", 1]],
  ["server_id", ["global", "unsigned", 0]],
  ["session_track_schema", ["both", "boolean", 1]],
  ["session_track_state_change", ["both", "boolean", 0]],
  [
    "session_track_system_variables",
    [
      "both",
      "string",
      "time_zone,autocommit,character_set_client,character_set_results,character_set_connection",
    ],
  ],
  ["session_track_transaction_info", ["both", "string", "OFF"]],
  ["sha256_password_auto_generate_rsa_keys", ["global", "boolean", 1]],
  ["sha256_password_private_key_path", ["global", "string", "private_key.pem"]],
  ["sha256_password_public_key_path", ["global", "string", "public_key.pem"]],
  ["skip_name_resolve", ["global", "boolean", 0]],
  ["skip_networking", ["global", "boolean", 0]],
  ["socket", ["global", "string", "/var/run/mysqld/mysqld.sock"]],
  ["sql_auto_is_null", ["both", "boolean", 0]],
  ["sql_log_bin", ["both", "boolean", 1]],
  [
    "sql_mode",
    [
      "both",
      "string",
      "ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION",
    ],
  ],
  ["sql_notes", ["both", "boolean", 1]],
  ["sql_safe_updates", ["both", "boolean", 0]],
  ["sql_select_limit", ["both", "unsigned", HA_POS_ERROR]],
  ["sql_warnings", ["both", "boolean", 0]],
  ["ssl_ca", ["global", "string", tlsFile("ca.pem")]],
  ["ssl_capath", ["global", "string", null]],
  ["ssl_cert", ["global", "string", tlsFile("server-cert.pem")]],
  ["ssl_cipher", ["global", "string", null]],
  ["ssl_crl", ["global", "string", null]],
  ["ssl_crlpath", ["global", "string", null]],
  ["ssl_key", ["global", "string", tlsFile("server-key.pem")]],
  ["super_read_only", ["global", "boolean", 0]],
  ["system_time_zone", ["global", "string", "UTC"]],
  ["thread_stack", ["global", "unsigned", 262144]],
  ["time_zone", ["both", "string", "SYSTEM"]],
  // OpenSSL builds; yaSSL builds (Community before 5.7.28) had "TLSv1,TLSv1.1" (5.7 manual, 6.3.2 Encrypted Connection TLS Protocols and Ciphers).
  ["tls_version", ["global", "string", "TLSv1,TLSv1.1,TLSv1.2"]],
  ["transaction_isolation", ["both", "string", "REPEATABLE-READ"]],
  ["transaction_read_only", ["both", "boolean", 0]],
  ["tx_isolation", ["both", "string", "REPEATABLE-READ"]],
  ["tx_read_only", ["both", "boolean", 0]],
  ["unique_checks", ["both", "boolean", 1]],
  ["version", ["global", "string", (c) => c.serverVersion]],
  ["version_comment", ["global", "string", (c) => c.versionComment]],
  ["version_compile_machine", ["global", "string", "x86_64"]],
  ["version_compile_os", ["global", "string", "Linux"]],
  ["wait_timeout", ["both", "unsigned", 28800]],
  ["warning_count", ["session", "unsigned", 0]],
]);

function resolveBuiltIn(name: string, definition: Definition, context: QueryContext): SystemVariable {
  const [scope, kind, value] = definition;
  return { name, kind, scope, value: typeof value === "function" ? value(context) : value };
}

const BOOLEAN_WORDS = new Map<string, number>([
  ["on", 1],
  ["off", 0],
  ["true", 1],
  ["false", 0],
  ["1", 1],
  ["0", 0],
]);

/**
 * Applies a scenario's override. It keeps the built-in variable's type when the value fits it, so
 * that `require_secure_transport: "ON"` still reads back as 1 from `SELECT` and ON from `SHOW`.
 */
function applyOverride(
  name: string,
  value: string | number | null,
  builtIn: SystemVariable | undefined,
): SystemVariable {
  const scope = builtIn?.scope ?? "both";
  const kind = builtIn?.kind ?? "string";
  if (value === null) return { name, kind, scope, value: null };
  if (kind === "boolean") {
    const flag = BOOLEAN_WORDS.get(String(value).toLowerCase());
    if (flag !== undefined) return { name, kind, scope, value: flag };
  }
  if (kind === "unsigned" || kind === "signed") {
    if (typeof value === "number" && Number.isInteger(value)) return { name, kind, scope, value };
    if (typeof value === "string" && /^-?\d{1,20}$/.test(value)) {
      const big = BigInt(value);
      const number = Number(big);
      return { name, kind, scope, value: Number.isSafeInteger(number) ? number : big };
    }
  }
  if (typeof value === "number") {
    if (!Number.isInteger(value)) return { name, kind: "string", scope, value: String(value) };
    return { name, kind: value < 0 ? "signed" : "unsigned", scope, value };
  }
  return { name, kind: "string", scope, value };
}

function overrides(context: QueryContext): Map<string, string | number | null> {
  const map = new Map<string, string | number | null>();
  for (const [name, value] of Object.entries(context.systemVariables ?? {}))
    map.set(name.toLowerCase(), value);
  return map;
}

/** Looks a variable up by name, case-insensitively, built-ins overlaid with `context.systemVariables`. */
export function findSystemVariable(name: string, context: QueryContext): SystemVariable | undefined {
  const key = name.toLowerCase();
  const definition = BUILT_IN.get(key);
  const builtIn = definition ? resolveBuiltIn(key, definition, context) : undefined;
  const custom = overrides(context);
  return custom.has(key) ? applyOverride(key, custom.get(key) ?? null, builtIn) : builtIn;
}

/** Every variable, sorted by name as `SHOW VARIABLES` lists them. */
export function listSystemVariables(context: QueryContext): SystemVariable[] {
  const names = new Set([...BUILT_IN.keys(), ...overrides(context).keys()]);
  return [...names]
    .sort()
    .map((name) => findSystemVariable(name, context))
    .filter((v): v is SystemVariable => v !== undefined);
}

/** The text `SHOW VARIABLES` prints: ON/OFF for booleans, an empty string for NULL. */
export function showVariableValue(variable: SystemVariable): string {
  if (variable.value === null) return "";
  if (variable.kind === "boolean") return variable.value === 0 ? "OFF" : "ON";
  return String(variable.value);
}

/** The column type `SELECT @@x` gives: integers are BIGINT, unsigned for `ulong` variables, not for booleans. */
export function variableColumnType(variable: SystemVariable): Pick<ResultColumn, "type" | "unsigned"> {
  switch (variable.kind) {
    case "unsigned":
      return { type: "integer", unsigned: true };
    case "signed":
    case "boolean":
      return { type: "integer" };
    default:
      return { type: "string" };
  }
}
