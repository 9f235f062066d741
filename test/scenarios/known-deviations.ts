import type { ClientOutcome, SslMode } from "../../src/scenarios/scenario-schema";
import type { ClientName } from "../helpers/ssl-modes";

/**
 * Where a real client is known to do something other than what the scenario says a correct
 * client does. The scenario stays as it is; the suite asserts the observed outcome instead, so it
 * fails the day the client's behaviour changes (fixed, or broken differently).
 */
export interface KnownDeviation {
  client: ClientName;
  mode: SslMode;
  /** A built-in scenario name, or `*` for every scenario that has an expectation for the mode. */
  scenario: string;
  /** What the client was observed to do. */
  observed: ClientOutcome;
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
    reason: `${ADVISORY_SSL} ${what}`,
  }));
}

const CLEARTEXT =
  "mariadb 10.11 CLI answers an AuthSwitchRequest to mysql_clear_password over plaintext with the password itself (no opt-in, unlike libmysqlclient's 2059)";

const MYSQLJS_NATIVE_ONLY =
  "mysql 2.18.1 speaks only mysql_native_password and sends no CLIENT_PLUGIN_AUTH, so the server cannot switch it: its native reply fails the sha256_password check (1045)";

const MYSQLJS_AUTH_MORE_DATA =
  "mysql 2.18.1 speaks only mysql_native_password; caching_sha2_password's AuthMoreData (01 04) makes it throw 'Could not determine packet' from its socket handler";

const NODE_SECLEVEL_1 = (client: string) =>
  `${client} verifies with Node 20's bundled OpenSSL 3.0 at security level 1, which accepts a 1024-bit RSA server key (Debian's level 2 refuses it: "EE certificate key too weak")`;

const MARIADB_NPM_NO_KEY_RETRIEVAL =
  "mariadb 3.5.4 will not fetch the server's RSA key over plaintext without allowPublicKeyRetrieval (ER_CANNOT_RETRIEVE_RSA_KEY), after its response was sent";

const KEY_FETCHED_WITHOUT_OPT_IN = (client: string) =>
  `${client} fetches the server's RSA public key (0x02) over plaintext without opt-in and logs in with the encrypted password, where libmysqlclient stops with 2061`;

export const KNOWN_DEVIATIONS: readonly KnownDeviation[] = [
  // mariadb CLI: --ssl / --ssl-ca fall back to plaintext when the greeting lacks CLIENT_SSL.
  ...mariadbCliAdvisorySsl(
    "mysql-5.7.41-notls",
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
    reason: CLEARTEXT,
  })),

  // RSA key retrieval over plaintext for caching_sha2_password.
  {
    client: "mariadb-cli",
    mode: "DISABLED",
    scenario: "caching-sha2-8.0",
    observed: "plaintext",
    reason: KEY_FETCHED_WITHOUT_OPT_IN("mariadb 10.11 CLI"),
  },
  {
    client: "mysql2",
    mode: "DISABLED",
    scenario: "caching-sha2-8.0",
    observed: "plaintext",
    reason: KEY_FETCHED_WITHOUT_OPT_IN("mysql2 3.24.6"),
  },

  // mysql (mysqljs): no sha256_password, no caching_sha2_password.
  ...(["DISABLED", "REQUIRED", "VERIFY_CA"] as const).map((mode): KnownDeviation => ({
    client: "mysql",
    mode,
    scenario: "sha256-over-tls",
    observed: "refused-after-credentials",
    reason: MYSQLJS_NATIVE_ONLY,
  })),
  {
    client: "mysql",
    mode: "DISABLED",
    scenario: "sha256-rsa-plaintext",
    observed: "refused-after-credentials",
    reason: MYSQLJS_NATIVE_ONLY,
  },
  ...(["REQUIRED", "VERIFY_CA"] as const).map((mode): KnownDeviation => ({
    client: "mysql",
    mode,
    scenario: "caching-sha2-8.0",
    observed: "refused-after-credentials",
    reason: MYSQLJS_AUTH_MORE_DATA,
  })),

  // mariadb (npm): sha256_password over plaintext needs allowPublicKeyRetrieval.
  ...["sha256-over-tls", "sha256-rsa-plaintext"].map((scenario): KnownDeviation => ({
    client: "mariadb",
    mode: "DISABLED",
    scenario,
    observed: "refused-after-credentials",
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
    reason: NODE_SECLEVEL_1(`${client} (npm)`),
  })),
  {
    client: "mariadb-cli",
    mode: "PREFERRED",
    scenario: "unix-socket-preferred",
    observed: "tls",
    reason:
      "mariadb 10.11 CLI asks for TLS over a Unix socket too (its --ssl is on by default), where libmysqlclient 5.7 PREFERRED never does",
  },
  {
    client: "mysql2",
    mode: "VERIFY_IDENTITY",
    scenario: "cert-cn-only",
    observed: "tls",
    reason:
      "mysql2 3.24.6 passes no servername for an IP host, so node checks the certificate against 'localhost', which the CN names",
  },
  {
    client: "mariadb",
    mode: "VERIFY_IDENTITY",
    scenario: "cert-cn-only",
    observed: "refused-after-credentials",
    reason:
      "mariadb npm checks 'localhost' during the handshake and the real host (127.0.0.1) only after the OK packet, so the credentials have gone to an unverified server",
  },
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
