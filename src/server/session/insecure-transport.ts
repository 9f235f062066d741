import { ErrorCode } from "../../protocol/constants";
import type { ErrSpec } from "../errors";
import { INSECURE_TRANSPORT } from "./login-errors";
import { isMariadb, versionAtLeast } from "../../protocol/server-version";

/*
 * How a server refuses a login over plaintext TCP while require_secure_transport is ON. The
 * families differ in the error and in whether the password is checked first, which a client can
 * tell apart: from the code it gets, and from whether a wrong password gets the same answer.
 */

/** How the server the options imitate answers a login over an insecure transport. */
export type InsecureTransportAnswer =
  /**
   * MySQL 5.7.8+ (WL#7709): ERR 3159 HY000 once the password and the account's REQUIRE rule were
   * checked (`acl_authenticate` in sql/auth/sql_authentication.cc), so a wrong password gets 1045.
   */
  | { kind: "after-password"; err: ErrSpec }
  /**
   * MariaDB before 11.3: no error of its own. The login is denied as a wrong password is, ERR 1045
   * "Access denied for user …", with the right password too (Debian 12's mariadbd 10.11.19 read
   * with the mariadb CLI; MariaDB's mysql-test/main/require_secure_transport.result before MDEV-30178).
   */
  | { kind: "access-denied" }
  /**
   * MariaDB 11.3+: MDEV-30178 (commit 742f960eeb, "Explicit errors on required secured transport")
   * added ER_SECURE_TRANSPORT_REQUIRED as 3159 with SQLSTATE 08004 and moves the check ahead of
   * authentication (MDEV-32123 then placed it in `parse_client_handshake_packet`, sql/sql_acl.cc),
   * so a wrong password gets 3159 as well.
   */
  | { kind: "before-password"; err: ErrSpec };

/** MariaDB's 3159: MySQL's text, SQLSTATE 08004 (sql/share/errmsg-utf8.txt after MDEV-30178). */
const MARIADB_INSECURE_TRANSPORT: ErrSpec = {
  code: ErrorCode.ER_SECURE_TRANSPORT_REQUIRED,
  sqlState: "08004",
  message: INSECURE_TRANSPORT.message,
};

/** The first MariaDB release series with ER_SECURE_TRANSPORT_REQUIRED (MDEV-30178). */
const MARIADB_SECURE_TRANSPORT_ERROR_SINCE = [11, 3, 0] as const;

/** How a server calling itself `serverVersion` refuses a login over an insecure transport. */
export function insecureTransportAnswer(serverVersion: string): InsecureTransportAnswer {
  if (!isMariadb(serverVersion)) return { kind: "after-password", err: INSECURE_TRANSPORT };
  return versionAtLeast(serverVersion, "mariadb", MARIADB_SECURE_TRANSPORT_ERROR_SINCE)
    ? { kind: "before-password", err: MARIADB_INSECURE_TRANSPORT }
    : { kind: "access-denied" };
}
