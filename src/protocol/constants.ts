// https://dev.mysql.com/doc/dev/mysql-server/latest/group__group__cs__capabilities__flags.html

/** Reverse maps, built once per constant map: names are looked up for every packet recorded. */
const reverseMaps = new WeakMap<object, Map<number, string>>();

/** Reverse lookup over an `as const` map; the first key listed wins when two share a value. */
function nameOf(map: Readonly<Record<string, number>>, value: number): string | undefined {
  let reverse = reverseMaps.get(map);
  if (!reverse) {
    reverse = new Map();
    for (const [name, v] of Object.entries(map)) if (!reverse.has(v)) reverse.set(v, name);
    reverseMaps.set(map, reverse);
  }
  return reverse.get(value);
}

/**
 * MariaDB 10.2+ extended capabilities (`include/mysql_com.h` in MariaDB's tree; the KB's
 * "Connection" page): the greeting's last 4 reserved bytes and the last 4 filler bytes of a
 * HandshakeResponse41, used when CLIENT_MYSQL (bit 0) is clear. A feature is on when both set it.
 */
export const MariadbCapabilityFlags = {
  MARIADB_CLIENT_PROGRESS: 0x1,
  MARIADB_CLIENT_COM_MULTI: 0x2,
  MARIADB_CLIENT_STMT_BULK_OPERATIONS: 0x4,
  /** Column definitions carry extended type information (a length-encoded block after org_name). */
  MARIADB_CLIENT_EXTENDED_METADATA: 0x8,
  /** The column count is followed by a "metadata follows" byte. */
  MARIADB_CLIENT_CACHE_METADATA: 0x10,
  MARIADB_CLIENT_BULK_UNIT_RESULTS: 0x20,
} as const;

/**
 * Capability flags of the greeting, SSLRequest and HandshakeResponse, as named in MySQL's
 * `include/mysql_com.h`. Bit 0 is `CLIENT_MYSQL` on MariaDB 10.2+, which clears it in its
 * greeting to say "not MySQL" (the flag keeps its MySQL name here).
 */
export const CapabilityFlags = {
  CLIENT_LONG_PASSWORD: 0x1,
  CLIENT_FOUND_ROWS: 0x2,
  CLIENT_LONG_FLAG: 0x4,
  CLIENT_CONNECT_WITH_DB: 0x8,
  CLIENT_NO_SCHEMA: 0x10,
  CLIENT_COMPRESS: 0x20,
  CLIENT_ODBC: 0x40,
  CLIENT_LOCAL_FILES: 0x80,
  CLIENT_IGNORE_SPACE: 0x100,
  CLIENT_PROTOCOL_41: 0x200,
  CLIENT_INTERACTIVE: 0x400,
  CLIENT_SSL: 0x800,
  CLIENT_IGNORE_SIGPIPE: 0x1000,
  CLIENT_TRANSACTIONS: 0x2000,
  CLIENT_RESERVED: 0x4000,
  /** 5.7 spells it CLIENT_RESERVED2; it selects the 1-byte-length auth response. */
  CLIENT_SECURE_CONNECTION: 0x8000,
  CLIENT_RESERVED2: 0x8000,
  CLIENT_MULTI_STATEMENTS: 0x10000,
  CLIENT_MULTI_RESULTS: 0x20000,
  CLIENT_PS_MULTI_RESULTS: 0x40000,
  CLIENT_PLUGIN_AUTH: 0x80000,
  CLIENT_CONNECT_ATTRS: 0x100000,
  CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA: 0x200000,
  CLIENT_CAN_HANDLE_EXPIRED_PASSWORDS: 0x400000,
  CLIENT_SESSION_TRACK: 0x800000,
  CLIENT_DEPRECATE_EOF: 0x1000000,
  /** Bits 25–29 exist only in 8.0; mysql2 sets CLIENT_QUERY_ATTRIBUTES even towards 5.7. */
  CLIENT_OPTIONAL_RESULTSET_METADATA: 0x2000000,
  CLIENT_ZSTD_COMPRESSION_ALGORITHM: 0x4000000,
  CLIENT_QUERY_ATTRIBUTES: 0x8000000,
  MULTI_FACTOR_AUTHENTICATION: 0x10000000,
  CLIENT_CAPABILITY_EXTENSION: 0x20000000,
  /** Client-only in meaning, yet a TLS-enabled 5.7 server advertises it next to CLIENT_SSL. */
  CLIENT_SSL_VERIFY_SERVER_CERT: 0x40000000,
  CLIENT_REMEMBER_OPTIONS: 0x80000000,
} as const;

/**
 * Names of the set bits of a capability word, lowest bit first; bits without a name appear as
 * `BIT_<n>`. Negative inputs (a JavaScript `|` result with bit 31 set) are read as unsigned.
 */
export function capabilityNames(flags: number): string[] {
  const word = flags >>> 0;
  const names: string[] = [];
  for (let bit = 0; bit < 32; bit++) {
    const value = (1 << bit) >>> 0;
    if ((word & value) === 0) continue;
    names.push(nameOf(CapabilityFlags, value) ?? `BIT_${bit}`);
  }
  return names;
}

/**
 * The capability word of a stock TLS-enabled 5.7 greeting: the basic set plus CLIENT_SSL and
 * CLIENT_SSL_VERIFY_SERVER_CERT (low word 0xFFFF, high word 0xC1FF).
 */
export const SERVER_CAPABILITIES_TLS = 0xc1ffffff;
/** The capability word of a stock 5.7 greeting without TLS (CLIENT_SSL and bit 30 clear). */
export const SERVER_CAPABILITIES_NO_TLS = 0x81fff7ff;
/** The first byte of every greeting MySQL has sent since 3.21. */
export const PROTOCOL_VERSION = 10;
/** Largest payload one frame carries; a payload this long or longer continues in the next frame. */
export const MAX_PACKET_LENGTH = 0xffffff;
/** 3-byte payload length plus 1-byte sequence id. */
export const PACKET_HEADER_LENGTH = 4;
/** Bytes of the nonce in the greeting and in auth switches. */
export const SCRAMBLE_LENGTH = 20;

/**
 * Server status flags of OK and EOF packets. MySQL's header spells two of them
 * `SERVER_QUERY_NO_GOOD_INDEX_USED` / `SERVER_QUERY_NO_INDEX_USED`.
 */
export const ServerStatus = {
  SERVER_STATUS_IN_TRANS: 0x1,
  SERVER_STATUS_AUTOCOMMIT: 0x2,
  SERVER_MORE_RESULTS_EXISTS: 0x8,
  SERVER_STATUS_NO_GOOD_INDEX_USED: 0x10,
  SERVER_STATUS_NO_INDEX_USED: 0x20,
  SERVER_STATUS_CURSOR_EXISTS: 0x40,
  SERVER_STATUS_LAST_ROW_SENT: 0x80,
  SERVER_STATUS_DB_DROPPED: 0x100,
  SERVER_STATUS_NO_BACKSLASH_ESCAPES: 0x200,
  SERVER_STATUS_METADATA_CHANGED: 0x400,
  SERVER_QUERY_WAS_SLOW: 0x800,
  SERVER_PS_OUT_PARAMS: 0x1000,
  SERVER_STATUS_IN_TRANS_READONLY: 0x2000,
  SERVER_SESSION_STATE_CHANGED: 0x4000,
} as const;

/** Names of the set bits of a status word, lowest bit first; unnamed bits appear as `BIT_<n>`. */
export function serverStatusNames(flags: number): string[] {
  const names: string[] = [];
  for (let bit = 0; bit < 16; bit++) {
    const value = 1 << bit;
    if ((flags & value) === 0) continue;
    names.push(nameOf(ServerStatus, value) ?? `BIT_${bit}`);
  }
  return names;
}

/** Command bytes, the first byte of every packet a client sends after logging in (`my_command.h`). */
export const Command = {
  COM_SLEEP: 0x00,
  COM_QUIT: 0x01,
  COM_INIT_DB: 0x02,
  COM_QUERY: 0x03,
  COM_FIELD_LIST: 0x04,
  COM_CREATE_DB: 0x05,
  COM_DROP_DB: 0x06,
  COM_REFRESH: 0x07,
  COM_SHUTDOWN: 0x08,
  COM_STATISTICS: 0x09,
  COM_PROCESS_INFO: 0x0a,
  COM_CONNECT: 0x0b,
  COM_PROCESS_KILL: 0x0c,
  COM_DEBUG: 0x0d,
  COM_PING: 0x0e,
  COM_TIME: 0x0f,
  COM_DELAYED_INSERT: 0x10,
  COM_CHANGE_USER: 0x11,
  COM_BINLOG_DUMP: 0x12,
  COM_TABLE_DUMP: 0x13,
  COM_CONNECT_OUT: 0x14,
  COM_REGISTER_SLAVE: 0x15,
  COM_STMT_PREPARE: 0x16,
  COM_STMT_EXECUTE: 0x17,
  COM_STMT_SEND_LONG_DATA: 0x18,
  COM_STMT_CLOSE: 0x19,
  COM_STMT_RESET: 0x1a,
  COM_SET_OPTION: 0x1b,
  COM_STMT_FETCH: 0x1c,
  COM_DAEMON: 0x1d,
  COM_BINLOG_DUMP_GTID: 0x1e,
  COM_RESET_CONNECTION: 0x1f,
} as const;

function hexByte(byte: number): string {
  return `0x${byte.toString(16).padStart(2, "0")}`;
}

/** The `COM_*` name of a command byte, or `COM_UNKNOWN_0x..` for bytes MySQL does not define. */
export function commandName(byte: number): string {
  return nameOf(Command, byte) ?? `COM_UNKNOWN_${hexByte(byte)}`;
}

/** Server error numbers the mock sends or a client tester meets (`mysqld_error.h`). */
export const ErrorCode = {
  ER_CON_COUNT_ERROR: 1040,
  ER_OUT_OF_RESOURCES: 1041,
  ER_BAD_HOST_ERROR: 1042,
  ER_HANDSHAKE_ERROR: 1043,
  ER_DBACCESS_DENIED_ERROR: 1044,
  ER_ACCESS_DENIED_ERROR: 1045,
  ER_NO_DB_ERROR: 1046,
  ER_UNKNOWN_COM_ERROR: 1047,
  ER_BAD_DB_ERROR: 1049,
  ER_SERVER_SHUTDOWN: 1053,
  ER_PARSE_ERROR: 1064,
  ER_EMPTY_QUERY: 1065,
  ER_HOST_IS_BLOCKED: 1129,
  ER_HOST_NOT_PRIVILEGED: 1130,
  ER_NO_SUCH_TABLE: 1146,
  ER_NET_PACKET_TOO_LARGE: 1153,
  ER_NET_PACKETS_OUT_OF_ORDER: 1156,
  ER_NET_READ_ERROR: 1158,
  ER_UNKNOWN_SYSTEM_VARIABLE: 1193,
  ER_NOT_SUPPORTED_YET: 1235,
  ER_NOT_SUPPORTED_AUTH_MODE: 1251,
  ER_PLUGIN_IS_NOT_LOADED: 1524,
  ER_ACCESS_DENIED_NO_PASSWORD_ERROR: 1698,
  ER_MUST_CHANGE_PASSWORD_LOGIN: 1862,
  ER_ACCOUNT_HAS_BEEN_LOCKED: 3118,
  ER_SECURE_TRANSPORT_REQUIRED: 3159,
} as const;

/** The `ER_*` name of a server error number, or `ERROR_<code>` for numbers not listed. */
export function errorCodeName(code: number): string {
  return nameOf(ErrorCode, code) ?? `ERROR_${code}`;
}

/** Column types of ColumnDefinition41 (`enum_field_types`). */
export const ColumnType = {
  MYSQL_TYPE_DECIMAL: 0x00,
  MYSQL_TYPE_TINY: 0x01,
  MYSQL_TYPE_SHORT: 0x02,
  MYSQL_TYPE_LONG: 0x03,
  MYSQL_TYPE_FLOAT: 0x04,
  MYSQL_TYPE_DOUBLE: 0x05,
  MYSQL_TYPE_NULL: 0x06,
  MYSQL_TYPE_TIMESTAMP: 0x07,
  MYSQL_TYPE_LONGLONG: 0x08,
  MYSQL_TYPE_INT24: 0x09,
  MYSQL_TYPE_DATE: 0x0a,
  MYSQL_TYPE_TIME: 0x0b,
  MYSQL_TYPE_DATETIME: 0x0c,
  MYSQL_TYPE_YEAR: 0x0d,
  MYSQL_TYPE_NEWDATE: 0x0e,
  MYSQL_TYPE_VARCHAR: 0x0f,
  MYSQL_TYPE_BIT: 0x10,
  MYSQL_TYPE_TIMESTAMP2: 0x11,
  MYSQL_TYPE_DATETIME2: 0x12,
  MYSQL_TYPE_TIME2: 0x13,
  MYSQL_TYPE_JSON: 0xf5,
  MYSQL_TYPE_NEWDECIMAL: 0xf6,
  MYSQL_TYPE_ENUM: 0xf7,
  MYSQL_TYPE_SET: 0xf8,
  MYSQL_TYPE_TINY_BLOB: 0xf9,
  MYSQL_TYPE_MEDIUM_BLOB: 0xfa,
  MYSQL_TYPE_LONG_BLOB: 0xfb,
  MYSQL_TYPE_BLOB: 0xfc,
  MYSQL_TYPE_VAR_STRING: 0xfd,
  MYSQL_TYPE_STRING: 0xfe,
  MYSQL_TYPE_GEOMETRY: 0xff,
} as const;

/** The `MYSQL_TYPE_*` name of a column type byte, or `MYSQL_TYPE_UNKNOWN_0x..`. */
export function columnTypeName(type: number): string {
  return nameOf(ColumnType, type) ?? `MYSQL_TYPE_UNKNOWN_${hexByte(type)}`;
}

/** Column definition flags (`mysql_com.h`). */
export const ColumnFlags = {
  NOT_NULL_FLAG: 1,
  PRI_KEY_FLAG: 2,
  UNIQUE_KEY_FLAG: 4,
  MULTIPLE_KEY_FLAG: 8,
  BLOB_FLAG: 16,
  UNSIGNED_FLAG: 32,
  ZEROFILL_FLAG: 64,
  BINARY_FLAG: 128,
  ENUM_FLAG: 256,
  AUTO_INCREMENT_FLAG: 512,
  TIMESTAMP_FLAG: 1024,
  SET_FLAG: 2048,
  NUM_FLAG: 32768,
} as const;

/** Collation ids as they appear in the greeting, HandshakeResponse and column definitions. */
export const CharacterSet = {
  latin1_swedish_ci: 8,
  utf8_general_ci: 33,
  utf8mb4_general_ci: 45,
  binary: 63,
  /** mysql2's and mariadb's default connection collation. */
  utf8mb4_unicode_ci: 224,
  utf8mb4_0900_ai_ci: 255,
} as const;

/**
 * First payload byte of a response packet. EOF and AUTH_SWITCH share 0xfe: which one it is
 * depends on the phase of the connection (and, for EOF, a payload shorter than 9 bytes).
 */
export const PacketMarker = {
  OK: 0x00,
  AUTH_MORE_DATA: 0x01,
  LOCAL_INFILE: 0xfb,
  EOF: 0xfe,
  AUTH_SWITCH: 0xfe,
  ERR: 0xff,
} as const;
