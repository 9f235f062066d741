import { ErrorCode } from "../../protocol/constants";
import type { ErrSpec } from "../errors";

/*
 * The ERRs MySQL sends while a connection logs in (or is framed badly), with the codes, SQL states
 * and texts of sql/share/errmsg-utf8.txt. Command-phase errors are in ../errors.ts.
 */

/** A first packet, handshake response or frame the server cannot accept. */
export const BAD_HANDSHAKE: ErrSpec = {
  code: ErrorCode.ER_HANDSHAKE_ERROR,
  sqlState: "08S01",
  message: "Bad handshake",
};

/** A pre-4.1 client, or one without CLIENT_PLUGIN_AUTH asked for a plugin other than mysql_native_password. */
export const OLD_CLIENT: ErrSpec = {
  code: ErrorCode.ER_NOT_SUPPORTED_AUTH_MODE,
  sqlState: "08004",
  message:
    "Client does not support authentication protocol requested by server; consider upgrading MySQL client",
};

/** A command packet whose sequence id is not 0. */
export const PACKETS_OUT_OF_ORDER: ErrSpec = {
  code: ErrorCode.ER_NET_PACKETS_OUT_OF_ORDER,
  sqlState: "08S01",
  message: "Got packets out of order",
};

/** A packet longer than max_allowed_packet (or, before login, than the pre-login cap). */
export const PACKET_TOO_LARGE: ErrSpec = {
  code: ErrorCode.ER_NET_PACKET_TOO_LARGE,
  sqlState: "08S01",
  message: "Got a packet bigger than 'max_allowed_packet' bytes",
};

/**
 * An account whose auth plugin the server has not loaded (MySQL 8.4's disabled
 * mysql_native_password, 9.x's removed one): `do_auth_once` in sql/auth/sql_authentication.cc.
 */
export function pluginNotLoaded(plugin: string): ErrSpec {
  return {
    code: ErrorCode.ER_PLUGIN_IS_NOT_LOADED,
    sqlState: "HY000",
    message: `Plugin '${plugin}' is not loaded`,
  };
}

/** A login over plaintext TCP while require_secure_transport is ON. */
export const INSECURE_TRANSPORT: ErrSpec = {
  code: ErrorCode.ER_SECURE_TRANSPORT_REQUIRED,
  sqlState: "HY000",
  message: "Connections using insecure transport are prohibited while --require_secure_transport=ON.",
};

/**
 * A wrong password, an unknown user or an unmet REQUIRE: the client cannot tell them apart.
 * `usedPassword` says whether the client sent any auth data, MySQL's "(using password: YES)".
 */
export function accessDenied(user: string, host: string, usedPassword: boolean): ErrSpec {
  return {
    code: ErrorCode.ER_ACCESS_DENIED_ERROR,
    sqlState: "28000",
    message: `Access denied for user '${user}'@'${host}' (using password: ${usedPassword ? "YES" : "NO"})`,
  };
}
