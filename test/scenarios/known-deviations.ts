import type { Severity } from "../../src/record/findings";
import type { ClientOutcome, SslMode } from "../../src/scenarios/scenario-schema";
import type { ClientName } from "../helpers/ssl-modes";
import type { BatchPreset } from "../clients/preset-batch";

/**
 * Where a real client is known to do something other than what the scenario says a correct
 * client does. The scenario stays as it is; the suite asserts the observed outcome instead, so it
 * fails the day the client's behaviour changes (fixed, or broken differently).
 */
export interface KnownDeviation<Client extends string = ClientName> {
  client: Client;
  mode: SslMode;
  /** A built-in scenario name, or `*` for every scenario that has an expectation for the mode. */
  scenario: string;
  /** What the client was observed to do. */
  observed: ClientOutcome;
  /** How bad the audit judges it in that mode (the run's worst finding); what a security reviewer sees. */
  severity: Severity;
  /** One line: why, grounded in what was observed. */
  reason: string;
}

/**
 * Debian's mariadb 10.11 CLI has no --ssl-mode and `--ssl` is on by default: it sends an
 * SSLRequest when the greeting offers CLIENT_SSL and otherwise logs in in plaintext, with `--ssl`
 * alone or with `--ssl-ca`. Only `--ssl-verify-server-cert` makes TLS mandatory (2026 "SSL is
 * required, but the server does not support it"). Its REQUIRED and VERIFY_CA spellings therefore
 * behave as PREFERRED against every greeting without CLIENT_SSL: a BACKRONYM-style downgrade.
 */
const ADVISORY_SSL =
  "mariadb 10.11 CLI: --ssl (and --ssl-ca) is advisory when the greeting lacks CLIENT_SSL;";

function mariadbCliAdvisorySsl(scenario: string, observed: ClientOutcome, what: string): KnownDeviation[] {
  return (["REQUIRED", "VERIFY_CA"] as const).map((mode) => ({
    client: "mariadb-cli",
    mode,
    scenario,
    observed,
    // Credentials in plaintext where the mode requires TLS.
    severity: "critical",
    reason: `${ADVISORY_SSL} ${what}`,
  }));
}

const CLEARTEXT =
  "mariadb 10.11 CLI answers an AuthSwitchRequest to mysql_clear_password over plaintext with the password itself (no opt-in, unlike libmysqlclient's 2059)";

const MYSQLJS_NATIVE_ONLY =
  "mysql 2.18.1 speaks only mysql_native_password and sends no CLIENT_PLUGIN_AUTH, so the server cannot switch it: an account on sha256_password refuses it with 1251 after its native reply crossed (find_mpvio_user)";

const MYSQLJS_AUTH_MORE_DATA =
  "mysql 2.18.1 speaks only mysql_native_password and sends no CLIENT_PLUGIN_AUTH: an account on caching_sha2_password refuses it with 1251 'Client does not support authentication protocol' after its native reply crossed (find_mpvio_user)";

const MYSQLJS_LOCAL_INFILE =
  "mysql 2.18.1 sets CLIENT_LOCAL_FILES and its localInfile option defaults to true: it answers a LOCAL INFILE request to its SELECT 1 with /etc/hostname (local-infile-sent), and its query reports success";

const NODE_SECLEVEL_1 = (client: string) =>
  `${client} verifies with Node 20's bundled OpenSSL 3.0 at security level 1, which accepts a 1024-bit RSA server key (Debian's level 2 refuses it: "EE certificate key too weak")`;

const MARIADB_NPM_NO_KEY_RETRIEVAL =
  "mariadb 3.5.4 will not fetch the server's RSA key over plaintext without allowPublicKeyRetrieval (ER_CANNOT_RETRIEVE_RSA_KEY), after its response was sent";

const KEY_FETCHED_WITHOUT_OPT_IN = (client: string) =>
  `${client} fetches the server's RSA public key (0x02) over plaintext without opt-in and logs in with the encrypted password, where libmysqlclient stops with 2061`;

/**
 * PyMySQL 1.0.2 (Debian python3-pymysql) has no mandatory TLS: `ssl`/`ssl_ca` set CLIENT_SSL in
 * its client flags (connections.py:284) but it starts TLS only `if self.ssl and
 * self.server_capabilities & CLIENT.SSL` (connections.py:846), and otherwise sends its full
 * HandshakeResponse41 in plaintext with CLIENT_SSL still set (connections.py:842-843). What that
 * stray bit earns depends on the server: MySQL 5.7 answers 1043 Bad handshake (the credentials
 * crossed already), MariaDB masks it and logs the client in, a stripping proxy clears it.
 */
const PYMYSQL_ADVISORY_SSL =
  "PyMySQL 1.0.2: ssl/ssl_ca are advisory, TLS only when the greeting offers CLIENT_SSL (connections.py:846);";

function pymysqlAdvisorySsl(scenario: string, observed: ClientOutcome, what: string): KnownDeviation[] {
  return (["REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY"] as const).map((mode) => ({
    client: "pymysql",
    mode,
    scenario,
    observed,
    // Credentials in plaintext where the mode requires TLS.
    severity: "critical",
    reason: `${PYMYSQL_ADVISORY_SSL} ${what}`,
  }));
}

const PYMYSQL_BAD_HANDSHAKE =
  "it sends its full response in plaintext with CLIENT_SSL still set (connections.py:284, 842-843), credentials included, and MySQL 5.7 answers 1043 Bad handshake";

/** MySQL 5.7 servers without TLS: PyMySQL's stray CLIENT_SSL gets 1043 (`clientSslWithoutTls: bad-handshake`). */
export const MYSQL_57_WITHOUT_TLS = [
  "mysql-5.7.41-notls",
  "mysql-5.7.20-yassl-nocerts",
  "mysql-5.7.20-yassl-tls12-config",
  "require-secure-transport-notls",
  "rogue-cleartext-switch",
  "sha256-rsa-plaintext",
  "sha256-yassl-plaintext",
];

const CLEARTEXT_WITHOUT_OPT_IN = (client: string) =>
  `${client} answers an AuthSwitchRequest to mysql_clear_password over plaintext with the password itself, no opt-in (libmysqlclient stops with 2059)`;

const OVER_SOCKET_TOO = (client: string) =>
  `${client} asks for TLS whenever the greeting offers CLIENT_SSL, over a Unix socket too, where libmysqlclient 5.7 PREFERRED never does`;

/**
 * The MySQL 8.x profiles whose accounts are on caching_sha2_password with a cold cache, as
 * caching-sha2-8.0's: each client meets them as it meets that scenario.
 */
const MYSQL_8_CACHING_SHA2_PROFILES = ["mysql-8.0.40", "mysql-8.4.3-lts", "mysql-9.1.0"];

/** The clients that fetch caching_sha2_password's RSA key over plaintext without opt-in. */
const CACHING_SHA2_KEY_FETCHERS = [
  ["mariadb-cli", "mariadb 10.11 CLI"],
  ["mysql2", "mysql2 3.24.6"],
  ["pymysql", "PyMySQL 1.0.2 (_auth.py:254-256)"],
  [
    "php-mysqli",
    "mysqlnd 8.2 without mysqlnd.sha256_server_public_key (mysqlnd_auth.c, mysqlnd_caching_sha2_get_key)",
  ],
  ["go-sql-driver", "go-sql-driver 1.5.0 without serverPubKey (auth.go:360-367)"],
] as const;

export const KNOWN_DEVIATIONS: readonly KnownDeviation[] = [
  // mariadb CLI: --ssl / --ssl-ca fall back to plaintext when the greeting lacks CLIENT_SSL.
  ...mariadbCliAdvisorySsl(
    "mysql-5.7.41-notls",
    "plaintext",
    "it logs in without TLS instead of stopping with 2026",
  ),
  ...mariadbCliAdvisorySsl(
    "mariadb-10.11-notls",
    "plaintext",
    "it logs in without TLS instead of stopping with 2026",
  ),
  ...mariadbCliAdvisorySsl(
    "strip-backronym",
    "plaintext",
    "it logs in without TLS through a TLS-stripping proxy (CVE-2015-3152)",
  ),
  ...mariadbCliAdvisorySsl(
    "strip-riddle",
    "refused-after-credentials",
    "it sends its credentials in plaintext and shows the attacker's 1045 (CVE-2017-3305)",
  ),
  ...mariadbCliAdvisorySsl(
    "require-secure-transport-notls",
    "refused-after-credentials",
    "it sends its credentials in plaintext and gets the server's 3159",
  ),
  ...mariadbCliAdvisorySsl(
    "sha256-rsa-plaintext",
    "plaintext",
    "it logs in without TLS with the RSA-encrypted password",
  ),
  ...mariadbCliAdvisorySsl(
    "sha256-yassl-plaintext",
    "refused-after-credentials",
    "it sends its credentials in plaintext and gets the server's 1045",
  ),
  ...["mysql-5.7.20-yassl-nocerts", "mysql-5.7.20-yassl-tls12-config"].flatMap((scenario) =>
    mariadbCliAdvisorySsl(scenario, "plaintext", "it logs in without TLS instead of stopping with 2026"),
  ),
  ...mariadbCliAdvisorySsl(
    "rogue-cleartext-switch",
    "plaintext",
    "it goes on in plaintext, and then hands the rogue server its password in cleartext",
  ),

  // mariadb CLI: a rogue switch to mysql_clear_password gets the password.
  ...(["DISABLED", "PREFERRED"] as const).map((mode): KnownDeviation => ({
    client: "mariadb-cli",
    mode,
    scenario: "rogue-cleartext-switch",
    observed: "plaintext",
    severity: "critical",
    reason: CLEARTEXT,
  })),

  // RSA key retrieval over plaintext for caching_sha2_password.
  {
    client: "mariadb-cli",
    mode: "DISABLED",
    scenario: "caching-sha2-8.0",
    observed: "plaintext",
    severity: "info",
    reason: KEY_FETCHED_WITHOUT_OPT_IN("mariadb 10.11 CLI"),
  },
  {
    client: "mysql2",
    mode: "DISABLED",
    scenario: "caching-sha2-8.0",
    observed: "plaintext",
    severity: "info",
    reason: KEY_FETCHED_WITHOUT_OPT_IN("mysql2 3.24.6"),
  },

  // mysql (mysqljs): no sha256_password, no caching_sha2_password.
  ...(["DISABLED", "REQUIRED", "VERIFY_CA"] as const).map((mode): KnownDeviation => ({
    client: "mysql",
    mode,
    scenario: "sha256-over-tls",
    observed: "refused-after-credentials",
    severity: "info",
    reason: MYSQLJS_NATIVE_ONLY,
  })),
  {
    client: "mysql",
    mode: "DISABLED",
    scenario: "sha256-rsa-plaintext",
    observed: "refused-after-credentials",
    severity: "info",
    reason: MYSQLJS_NATIVE_ONLY,
  },
  ...(["REQUIRED", "VERIFY_CA"] as const).map((mode): KnownDeviation => ({
    client: "mysql",
    mode,
    scenario: "caching-sha2-8.0",
    observed: "refused-after-credentials",
    severity: "info",
    reason: MYSQLJS_AUTH_MORE_DATA,
  })),

  // mariadb (npm): sha256_password over plaintext needs allowPublicKeyRetrieval.
  ...["sha256-over-tls", "sha256-rsa-plaintext"].map((scenario): KnownDeviation => ({
    client: "mariadb",
    mode: "DISABLED",
    scenario,
    observed: "refused-after-credentials",
    severity: "info",
    reason: MARIADB_NPM_NO_KEY_RETRIEVAL,
  })),

  // The Node drivers' TLS stack accepts a 1024-bit RSA key.
  ...(
    [
      ["mysql2", "VERIFY_CA"],
      ["mysql2", "VERIFY_IDENTITY"],
      ["mysql", "VERIFY_CA"],
      ["mariadb", "VERIFY_CA"],
      ["mariadb", "VERIFY_IDENTITY"],
    ] as const
  ).map(([client, mode]): KnownDeviation => ({
    client,
    mode,
    scenario: "cert-rsa-1024",
    observed: "tls",
    severity: "medium",
    reason: NODE_SECLEVEL_1(`${client} (npm)`),
  })),
  {
    client: "mariadb-cli",
    mode: "PREFERRED",
    scenario: "unix-socket-preferred",
    observed: "tls",
    severity: "info",
    reason:
      "mariadb 10.11 CLI asks for TLS over a Unix socket too (its --ssl is on by default), where libmysqlclient 5.7 PREFERRED never does",
  },
  // PyMySQL: TLS is advisory in every mode, and its stray CLIENT_SSL meets each server family's answer.
  ...MYSQL_57_WITHOUT_TLS.flatMap((scenario) =>
    pymysqlAdvisorySsl(scenario, "refused-after-credentials", PYMYSQL_BAD_HANDSHAKE),
  ),
  // Those of them where a correct PREFERRED client logs in without TLS.
  ...[
    "mysql-5.7.41-notls",
    "mysql-5.7.20-yassl-nocerts",
    "mysql-5.7.20-yassl-tls12-config",
    "sha256-rsa-plaintext",
  ].map((scenario): KnownDeviation => ({
    client: "pymysql",
    mode: "PREFERRED",
    scenario,
    observed: "refused-after-credentials",
    severity: "info",
    reason: `PyMySQL 1.0.2 goes on without TLS, but ${PYMYSQL_BAD_HANDSHAKE}`,
  })),
  ...pymysqlAdvisorySsl(
    "mariadb-10.11-notls",
    "plaintext",
    "it logs in without TLS: MariaDB masks the stray CLIENT_SSL with its own capabilities (Bug#27944)",
  ),
  ...pymysqlAdvisorySsl(
    "strip-backronym",
    "plaintext",
    "it logs in without TLS through a TLS-stripping proxy, which clears the stray CLIENT_SSL (CVE-2015-3152)",
  ),
  ...pymysqlAdvisorySsl(
    "strip-riddle",
    "refused-after-credentials",
    "it sends its credentials in plaintext and shows the attacker's 1045 (CVE-2017-3305)",
  ),
  {
    client: "pymysql",
    mode: "DISABLED",
    scenario: "rogue-cleartext-switch",
    observed: "plaintext",
    severity: "critical",
    reason: CLEARTEXT_WITHOUT_OPT_IN("PyMySQL 1.0.2 (connections.py:969-971)"),
  },
  {
    client: "pymysql",
    mode: "DISABLED",
    scenario: "caching-sha2-8.0",
    observed: "plaintext",
    severity: "info",
    reason: KEY_FETCHED_WITHOUT_OPT_IN("PyMySQL 1.0.2 (_auth.py:254-256)"),
  },
  {
    client: "pymysql",
    mode: "PREFERRED",
    scenario: "unix-socket-preferred",
    observed: "tls",
    severity: "info",
    reason: OVER_SOCKET_TOO("PyMySQL 1.0.2 with ssl= (connections.py:846)"),
  },

  // PHP mysqli (mysqlnd, PHP 8.2).
  {
    client: "php-mysqli",
    mode: "DISABLED",
    scenario: "rogue-cleartext-switch",
    observed: "plaintext",
    severity: "critical",
    reason: CLEARTEXT_WITHOUT_OPT_IN("mysqlnd 8.2 (mysqlnd_auth.c, mysqlnd_pam_auth_get_auth_data)"),
  },
  {
    client: "php-mysqli",
    mode: "DISABLED",
    scenario: "caching-sha2-8.0",
    observed: "plaintext",
    severity: "info",
    reason: KEY_FETCHED_WITHOUT_OPT_IN(
      "mysqlnd 8.2 without mysqlnd.sha256_server_public_key (mysqlnd_auth.c, mysqlnd_caching_sha2_get_key)",
    ),
  },
  ...(["DISABLED", "REQUIRED"] as const).map((mode): KnownDeviation => ({
    client: "php-mysqli",
    mode,
    scenario: "greeting-authlen-20",
    observed: "refused-after-credentials",
    severity: "info",
    reason:
      "mysqlnd 8.2 reads the plugin name at the scramble's NUL when the length byte is 20 (mysqlnd_wireprotocol.c, php_mysqlnd_greet_read), finds no plugin '' and sends mysql_native_password with no auth data (mysqlnd_run_authentication): 1045, using password: NO",
  })),
  {
    client: "php-mysqli",
    mode: "REQUIRED",
    scenario: "unix-socket-preferred",
    observed: "refuse-before-credentials",
    severity: "info",
    reason:
      "PHP's unix:// stream has no crypto ('This stream does not support SSL/crypto'): mysqlnd sends its SSLRequest and gives up with 2002 before its response, where libmysqlclient does TLS over a socket",
  },

  // go-sql-driver/mysql 1.5.0 on Go 1.19.
  {
    client: "go-sql-driver",
    mode: "DISABLED",
    scenario: "caching-sha2-8.0",
    observed: "plaintext",
    severity: "info",
    reason: KEY_FETCHED_WITHOUT_OPT_IN("go-sql-driver 1.5.0 without serverPubKey (auth.go:360-367)"),
  },
  ...(["VERIFY_CA", "VERIFY_IDENTITY"] as const).map((mode): KnownDeviation => ({
    client: "go-sql-driver",
    mode,
    scenario: "cert-rsa-1024",
    observed: "tls",
    severity: "medium",
    reason:
      "Go 1.19's crypto/tls and crypto/x509 set no minimum RSA key size, so go-sql-driver accepts the 1024-bit server key Debian's OpenSSL (security level 2) refuses",
  })),
  {
    client: "go-sql-driver",
    mode: "PREFERRED",
    scenario: "unix-socket-preferred",
    observed: "tls",
    severity: "info",
    reason: OVER_SOCKET_TOO("go-sql-driver 1.5.0 tls=preferred (packets.go:225-227, 353)"),
  },

  {
    client: "mysql2",
    mode: "VERIFY_IDENTITY",
    scenario: "cert-cn-only",
    observed: "tls",
    // Judged for the address it connected to, 127.0.0.1, which the certificate does not name: its
    // credentials went to a server it did not verify.
    severity: "critical",
    reason:
      "mysql2 3.24.6 passes no servername for an IP host, so node checks the certificate against 'localhost', which the CN names",
  },
  {
    client: "mariadb",
    mode: "VERIFY_IDENTITY",
    scenario: "cert-cn-only",
    observed: "tls",
    severity: "critical",
    reason:
      "mariadb npm checks 'localhost' during the handshake and the real host (127.0.0.1) only after the OK packet: the server logged it in, its credentials went to an unverified server, and only then does it hang up",
  },
  // The MySQL 8.x profiles: RSA key retrieval over plaintext, as against caching-sha2-8.0.
  ...MYSQL_8_CACHING_SHA2_PROFILES.flatMap((scenario) =>
    CACHING_SHA2_KEY_FETCHERS.map(([client, named]): KnownDeviation => ({
      client,
      mode: "DISABLED",
      scenario,
      observed: "plaintext",
      severity: "info",
      reason: KEY_FETCHED_WITHOUT_OPT_IN(named),
    })),
  ),
  // mysql (mysqljs) against the MySQL 8.x profiles: 1251 over TLS too, as against caching-sha2-8.0.
  ...[...MYSQL_8_CACHING_SHA2_PROFILES, "mysql-8.0.40-require-secure-transport"].flatMap((scenario) =>
    (["REQUIRED", "VERIFY_CA"] as const).map((mode): KnownDeviation => ({
      client: "mysql",
      mode,
      scenario,
      observed: "refused-after-credentials",
      severity: "info",
      reason: MYSQLJS_AUTH_MORE_DATA,
    })),
  ),

  // mysql (mysqljs): LOAD DATA LOCAL is on by default.
  ...(["DISABLED", "REQUIRED", "VERIFY_CA"] as const).map((mode): KnownDeviation => ({
    client: "mysql",
    mode,
    scenario: "rogue-local-infile",
    // The login is as expected; the run is a deviation by its finding alone.
    observed: mode === "DISABLED" ? "plaintext" : "tls",
    severity: "critical",
    reason: MYSQLJS_LOCAL_INFILE,
  })),
];

/** The deviation that applies to one case, if any (a named scenario wins over `*`). */
export function knownDeviation(
  client: ClientName,
  mode: SslMode,
  scenario: string,
): KnownDeviation | undefined {
  const matching = KNOWN_DEVIATIONS.filter(
    (d) => d.client === client && d.mode === mode && (d.scenario === scenario || d.scenario === "*"),
  );
  return matching.find((d) => d.scenario === scenario) ?? matching[0];
}

/**
 * The audit presets' deviations (builtin-scenarios-presets.test.ts), in PREFERRED and
 * VERIFY_IDENTITY. The Node presets run the same drivers with the same options as the in-process
 * clients above, so theirs are the same, said again under the preset's name.
 */
/**
 * ruby-mysql2 0.5.3 on Connector/C 3.3 (Debian ruby-mysql2): `sslverify: true`, the gem's
 * documented VERIFY_IDENTITY, only sets CLIENT_SSL_VERIFY_SERVER_CERT in the client flags
 * (lib/mysql2/client.rb), and Connector/C takes verification from MYSQL_OPT_SSL_VERIFY_SERVER_CERT
 * instead: the chain is checked against `sslca`, the host name is not, and TLS stays advisory.
 */
const RUBY_SSLVERIFY_IGNORED =
  "ruby-mysql2 0.5.3 on Connector/C 3.3: sslverify: true sets only the CLIENT_SSL_VERIFY_SERVER_CERT client flag, which Connector/C ignores (it reads MYSQL_OPT_SSL_VERIFY_SERVER_CERT):";

const RUBY_VERIFY_IDENTITY: readonly (readonly [string, ClientOutcome, string])[] = [
  // Certificates the chain check passes and a host name check would refuse.
  ...[
    "account-require-ssl",
    "caching-sha2-8.0",
    "cert-cn-injection",
    "cert-cn-only",
    "cert-v1-autogen-ca",
    "cert-wrong-host",
    "greeting-authlen-20",
    "mysql-5.7.28-openssl",
    "mysql-5.7.35-deprecated-tls",
    "mysql-5.7.41-autocert",
    "mysql-5.7.41-tls12-only",
    "require-secure-transport",
    "sha256-over-tls",
    "unix-socket-preferred",
    "mysql-8.0.40",
    "mysql-8.0.40-require-secure-transport",
    "mysql-8.4.3-lts",
    "mysql-9.1.0",
  ].map(
    (scenario) =>
      [scenario, "tls", "it logs in over TLS to a certificate that does not name the host"] as const,
  ),
  // Servers (or a stripping proxy) offering no TLS: the login goes in plaintext.
  ...[
    "mariadb-10.11-notls",
    "mysql-5.7.20-yassl-nocerts",
    "mysql-5.7.20-yassl-tls12-config",
    "mysql-5.7.41-notls",
    "rogue-cleartext-switch",
    "sha256-rsa-plaintext",
    "strip-backronym",
  ].map(
    (scenario) => [scenario, "plaintext", "it logs in without TLS instead of stopping with 2026"] as const,
  ),
  [
    "require-secure-transport-notls",
    "refused-after-credentials",
    "it sends its credentials in plaintext and gets the server's 3159",
  ],
  [
    "sha256-yassl-plaintext",
    "refused-after-credentials",
    "it sends its credentials in plaintext and gets 1045",
  ],
  [
    "strip-riddle",
    "refused-after-credentials",
    "it sends its credentials in plaintext and shows the attacker's 1045 (CVE-2017-3305)",
  ],
  [
    "mysql-8.4.3-native-password-account",
    "refused-after-credentials",
    "it sends its credentials over TLS to a certificate that does not name the host, and gets 1524",
  ],
];

/** The clients on Connector/C 3.3 whose PREFERRED spelling is Connector/C's advisory use_ssl. */
const CONNECTOR_C_PREFERRED = [
  ["mysqlclient", "mysqlclient 1.4.6"],
  ["ruby-mysql2", "ruby-mysql2 0.5.3"],
  ["perl-dbd-mariadb", "DBD::MariaDB 1.22"],
  ["perl-dbd-mysql", "DBD::mysql 4.050"],
] as const;

export const PRESET_DEVIATIONS: readonly KnownDeviation<BatchPreset>[] = [
  ...RUBY_VERIFY_IDENTITY.map(([scenario, observed, what]): KnownDeviation<BatchPreset> => ({
    client: "ruby-mysql2",
    mode: "VERIFY_IDENTITY",
    scenario,
    observed,
    // Credentials to an unverified peer or in plaintext where the mode requires a verified TLS.
    severity: "critical",
    reason: `${RUBY_SSLVERIFY_IGNORED} ${what}`,
  })),
  ...CONNECTOR_C_PREFERRED.flatMap(([client, named]): KnownDeviation<BatchPreset>[] => [
    {
      client,
      mode: "PREFERRED",
      scenario: "rogue-cleartext-switch",
      observed: "plaintext",
      severity: "critical",
      reason: CLEARTEXT_WITHOUT_OPT_IN(
        `${named} on Connector/C 3.3 (mysql_clear_password is built in and enabled)`,
      ),
    },
    {
      client,
      mode: "PREFERRED",
      scenario: "unix-socket-preferred",
      observed: "tls",
      severity: "info",
      reason: OVER_SOCKET_TOO(`${named} on Connector/C 3.3 (use_ssl)`),
    },
  ]),
  // Java 17's default jdk.certpath.disabledAlgorithms refuses SHA-1 only for chains to its own
  // cacerts ("SHA1 jdkCA & usage TLSServer") and RSA keys only below 1024 bits.
  ...(
    [
      ["cert-rsa-1024", "a 1024-bit RSA server key (jdk.certpath.disabledAlgorithms: RSA keySize < 1024)"],
      [
        "cert-sha1-signature",
        "a SHA-1 signed certificate from a CA given to it (SHA1 is disabled only for jdkCA chains)",
      ],
    ] as const
  ).map(([scenario, what]): KnownDeviation<BatchPreset> => ({
    client: "jdbc-mariadb",
    mode: "VERIFY_IDENTITY",
    scenario,
    observed: "tls",
    severity: "medium",
    reason: `MariaDB Connector/J 2.7.6 on OpenJDK 17 accepts ${what}, which Debian's OpenSSL at security level 2 refuses`,
  })),
  ...KNOWN_DEVIATIONS.flatMap((d): KnownDeviation<BatchPreset>[] =>
    (d.client === "mysql2" || d.client === "mysql" || d.client === "mariadb") &&
    (d.mode === "PREFERRED" || d.mode === "VERIFY_IDENTITY")
      ? [{ ...d, client: `node-${d.client}` }]
      : [],
  ),
];

/** The preset deviation that applies to one case, if any (a named scenario wins over `*`). */
export function knownPresetDeviation(
  client: BatchPreset,
  mode: SslMode,
  scenario: string,
): KnownDeviation<BatchPreset> | undefined {
  const matching = PRESET_DEVIATIONS.filter(
    (d) => d.client === client && d.mode === mode && (d.scenario === scenario || d.scenario === "*"),
  );
  return matching.find((d) => d.scenario === scenario) ?? matching[0];
}
