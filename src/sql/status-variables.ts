import type { QueryContext } from "./query-answer";

/**
 * Where a status variable shows: `global` and `both` appear in `SHOW GLOBAL STATUS`; `SHOW SESSION
 * STATUS` lists everything (global counters with their global value). `Compression` is the one
 * session-only variable here: it is missing from a captured 5.7 `SHOW GLOBAL STATUS`.
 */
export type StatusScope = "global" | "session" | "both";

/** A status variable with its value for one session. */
export interface StatusVariable {
  name: string;
  scope: StatusScope;
  /** As `SHOW STATUS` prints it. */
  value: string;
}

type Definition = [
  name: string,
  scope: StatusScope,
  value: (context: QueryContext) => string | number | bigint,
];

/** `(unsigned long) -1`: what 5.7 prints for OpenSSL's default verify depth of -1. */
const DEPTH_UNLIMITED = 18446744073709551615n;

const constant = (value: string | number) => () => value;
const whenTls = (value: string | number | bigint) => (c: QueryContext) => (c.tls ? value : 0);
const whenTlsOffered = (value: string | number | bigint, otherwise: string | number) => (c: QueryContext) =>
  c.tlsOffered ? value : otherwise;

/**
 * A 5.7 server's status variables that matter to a TLS client, plus the counters tools glance at.
 * Listed in MySQL's order: `SHOW STATUS` sorts top-level names bytewise (strcmp), so
 * `Ssl_accept_renegotiates` precedes `Ssl_accepts`. The module is stateless, so counters are the
 * values of a server that has just served this one connection, matching COM_STATISTICS's
 * `Uptime: 1  Threads: 1  Questions: 1`. The Ssl_* values for a TLS-enabled server follow a
 * captured 5.7 `SHOW GLOBAL STATUS` (verify mode 5 = SSL_VERIFY_PEER|SSL_VERIFY_CLIENT_ONCE, depth
 * -1, session cache SERVER/128); a TLS session inherits mode and depth from the context and gets
 * OpenSSL's default session timeout of 7200 s. Plaintext sessions show 0 and empty strings.
 */
const BUILT_IN: Definition[] = [
  ["Aborted_clients", "global", constant(0)],
  ["Aborted_connects", "global", constant(0)],
  ["Compression", "session", constant("OFF")],
  // Connection ids count every connection the server has accepted.
  ["Connections", "global", (c) => c.connectionId],
  ["Flush_commands", "global", constant(1)],
  ["Max_used_connections", "global", constant(1)],
  ["Open_tables", "global", constant(0)],
  ["Opened_tables", "both", constant(0)],
  ["Queries", "both", constant(1)],
  ["Questions", "both", constant(1)],
  ["Slow_queries", "both", constant(0)],
  ["Ssl_accept_renegotiates", "global", constant(0)],
  ["Ssl_accepts", "global", whenTls(1)],
  ["Ssl_callback_cache_hits", "global", constant(0)],
  ["Ssl_cipher", "both", (c) => c.tls?.cipher ?? ""],
  ["Ssl_cipher_list", "both", (c) => c.tls?.cipherList.join(":") ?? ""],
  ["Ssl_client_connects", "global", constant(0)],
  ["Ssl_connect_renegotiates", "global", constant(0)],
  ["Ssl_ctx_verify_depth", "global", whenTlsOffered(DEPTH_UNLIMITED, 0)],
  ["Ssl_ctx_verify_mode", "global", whenTlsOffered(5, 0)],
  ["Ssl_default_timeout", "both", whenTls(7200)],
  ["Ssl_finished_accepts", "global", whenTls(1)],
  ["Ssl_finished_connects", "global", constant(0)],
  // From the configured certificate, so present on plaintext sessions too (sql/mysqld.cc, show_ssl_get_server_not_after).
  ["Ssl_server_not_after", "both", (c) => asn1TimePrint(c.serverCertificate?.notAfter)],
  ["Ssl_server_not_before", "both", (c) => asn1TimePrint(c.serverCertificate?.notBefore)],
  ["Ssl_session_cache_hits", "global", constant(0)],
  ["Ssl_session_cache_misses", "global", constant(0)],
  ["Ssl_session_cache_mode", "global", whenTlsOffered("SERVER", "NONE")],
  ["Ssl_session_cache_overflows", "global", constant(0)],
  ["Ssl_session_cache_size", "global", whenTlsOffered(128, 0)],
  ["Ssl_session_cache_timeouts", "global", constant(0)],
  ["Ssl_sessions_reused", "both", constant(0)],
  ["Ssl_used_session_cache_entries", "global", constant(0)],
  ["Ssl_verify_depth", "both", whenTls(DEPTH_UNLIMITED)],
  ["Ssl_verify_mode", "both", whenTls(5)],
  ["Ssl_version", "both", (c) => c.tls?.version ?? ""],
  ["Threads_cached", "global", constant(0)],
  ["Threads_connected", "global", constant(1)],
  ["Threads_created", "global", constant(1)],
  ["Threads_running", "global", constant(1)],
  ["Uptime", "global", constant(1)],
  ["Uptime_since_flush_status", "global", constant(1)],
];

/** strcmp order, which MySQL uses for its status array (not the locale-aware `localeCompare`). */
export function compareBytewise(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Every status variable of the session in `SHOW STATUS` order, built-ins overlaid with
 * `context.statusVariables` (matched case-insensitively; new names are sorted in, NULL prints empty).
 */
export function listStatusVariables(context: QueryContext): StatusVariable[] {
  const variables = new Map<string, StatusVariable>();
  for (const [name, scope, value] of BUILT_IN) {
    variables.set(name.toLowerCase(), { name, scope, value: String(value(context)) });
  }
  for (const [name, value] of Object.entries(context.statusVariables ?? {})) {
    const existing = variables.get(name.toLowerCase());
    variables.set(name.toLowerCase(), {
      name: existing?.name ?? name,
      scope: existing?.scope ?? "both",
      value: value === null ? "" : String(value),
    });
  }
  return [...variables.values()].sort((a, b) => compareBytewise(a.name, b.name));
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * Formats a time as OpenSSL's `ASN1_TIME_print` does (`%s %2d %02d:%02d:%02d %d GMT`), e.g.
 * `Feb  9 23:12:30 2031 GMT` with the day padded by a space. Missing or invalid dates print empty,
 * as MySQL does when no certificate is loaded.
 */
export function asn1TimePrint(date: Date | undefined): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) return "";
  const two = (n: number) => String(n).padStart(2, "0");
  const day = String(date.getUTCDate()).padStart(2, " ");
  const time = `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
  return `${MONTHS[date.getUTCMonth()]} ${day} ${time} ${date.getUTCFullYear()} GMT`;
}
