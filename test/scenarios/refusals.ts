import type { ConnectionRecord } from "../../src/record/connection-record";
import type { ClientName } from "../helpers/ssl-modes";
import { MYSQL_57_WITHOUT_TLS } from "./known-deviations";

/**
 * How a login refused after its credentials crossed ends, on both sides: what the server recorded
 * (the ERR code it refused with, or the client hanging up while it authenticated) and what the
 * client reported (`reportedError`: the code it passed on, or its own error).
 */
export interface Refusal {
  server: { kind: "refused"; code: number } | { kind: "client-went-away"; phase: "authentication" };
  client: string;
}

/** The server refused with `code`, and the client passed the code on. */
const refused = (code: number): Refusal => ({ server: { kind: "refused", code }, client: String(code) });

/** The client gave up during authentication, after its credentials had left, saying `client`. */
const hungUp = (client: string): Refusal => ({
  server: { kind: "client-went-away", phase: "authentication" },
  client,
});

/** What refuses a correct client that sent its credentials to each scenario. */
const BY_SCENARIO: Readonly<Record<string, Refusal>> = {
  // The REQUIRE check runs after the password and fails with the same 1045 as a wrong password
  // (acl_authenticate, sql/auth/sql_authentication.cc).
  "account-require-ssl": refused(1045),
  "account-require-x509": refused(1045),
  "account-require-subject-issuer-cipher": refused(1045),
  // ER_SECURE_TRANSPORT_REQUIRED, after authentication.
  "require-secure-transport": refused(3159),
  "require-secure-transport-notls": refused(3159),
  // sha256_password without RSA keys or TLS: "Authentication requires either RSA keys or SSL encryption".
  "sha256-yassl-plaintext": refused(1045),
  // The stripping proxy's own ERR.
  "strip-riddle": refused(1045),
  // ER_SECURE_TRANSPORT_REQUIRED, after authentication, as in 5.7.
  "mysql-8.0.40-require-secure-transport": refused(3159),
  // ER_PLUGIN_IS_NOT_LOADED: the account's plugin is disabled (do_auth_once).
  "mysql-8.4.3-native-password-account": refused(1524),
};

/** Where a client is refused otherwise than {@link BY_SCENARIO} says, or where only it is refused. */
const BY_CLIENT: Readonly<Partial<Record<ClientName, Readonly<Record<string, Refusal>>>>> = {
  mysql2: {
    // It declines the rogue switch to mysql_clear_password without sending the password.
    "rogue-cleartext-switch": hungUp("MYSQL_CLEAR_PASSWORD_NOT_ENABLED"),
  },
  mysql: {
    // No CLIENT_PLUGIN_AUTH: the server cannot switch it, so an account on another plugin than
    // mysql_native_password refuses it with ER_NOT_SUPPORTED_AUTH_MODE (find_mpvio_user in
    // sql/auth/sql_authentication.cc), after its native reply crossed.
    "rogue-cleartext-switch": refused(1251),
    "sha256-over-tls": refused(1251),
    "sha256-rsa-plaintext": refused(1251),
    "sha256-yassl-plaintext": refused(1251),
    "caching-sha2-8.0": refused(1251),
    "mysql-8.0.40": refused(1251),
    "mysql-8.0.40-require-secure-transport": refused(1251),
    "mysql-8.4.3-lts": refused(1251),
    "mysql-9.1.0": refused(1251),
  },
  mariadb: {
    // ER_CLEAR_PASSWORD_WITHOUT_SSL: it declines the rogue switch.
    "rogue-cleartext-switch": hungUp("45064"),
    // ER_CANNOT_RETRIEVE_RSA_KEY: no RSA key fetched over plaintext without allowPublicKeyRetrieval.
    "caching-sha2-8.0": hungUp("45044"),
    "sha256-over-tls": hungUp("45044"),
    "sha256-rsa-plaintext": hungUp("45044"),
    "sha256-yassl-plaintext": hungUp("45044"),
    "mysql-8.0.40": hungUp("45044"),
    "mysql-8.0.40-require-secure-transport": hungUp("45044"),
    "mysql-8.4.3-lts": hungUp("45044"),
    "mysql-9.1.0": hungUp("45044"),
  },
  "go-sql-driver": {
    // It declines the rogue switch without allowCleartextPasswords.
    "rogue-cleartext-switch": hungUp("ErrCleartextPassword"),
  },
  "php-mysqli": {
    // mysqlnd 8.2 reports 2006 "MySQL server has gone away" where the server sent its 1045.
    "sha256-yassl-plaintext": { server: { kind: "refused", code: 1045 }, client: "2006" },
    // It sends mysql_native_password with no auth data: "using password: NO".
    "greeting-authlen-20": refused(1045),
  },
};

/** Every scenario named above, for a check that none is stale. */
export const SCENARIOS_WITH_REFUSALS = [
  ...new Set([...Object.keys(BY_SCENARIO), ...Object.values(BY_CLIENT).flatMap((r) => Object.keys(r))]),
];

/**
 * The refusal a client in `mode` meets when the scenario refuses it after its credentials; undefined
 * where nothing says (a case that should not end that way).
 */
export function expectedRefusal(client: ClientName, mode: string, scenario: string): Refusal | undefined {
  // PyMySQL sets CLIENT_SSL whenever it is given ssl options (every mode but DISABLED) and sends
  // its whole response anyway: a MySQL 5.7 server without TLS answers 1043 Bad handshake first.
  if (client === "pymysql" && mode !== "DISABLED" && MYSQL_57_WITHOUT_TLS.includes(scenario)) {
    return refused(1043);
  }
  return BY_CLIENT[client]?.[scenario] ?? BY_SCENARIO[scenario];
}

/** The server's side of a record, in the terms of {@link Refusal}. */
export function serverSideOf(record: ConnectionRecord): Record<string, unknown> {
  const outcome = record.outcome;
  switch (outcome.kind) {
    case "refused":
      return { kind: outcome.kind, code: outcome.code };
    case "client-went-away":
      return { kind: outcome.kind, phase: outcome.phase };
    default:
      return { kind: outcome.kind };
  }
}
