import { ErrorCode } from "../protocol/constants";
import type { ErrPacket } from "../protocol/packets/err-packet";

/**
 * An error the server sends: the protocol's ERR packet with its SQL state always stated, as every
 * MySQL error has one (sql/share/errmsg-utf8.txt). Login errors are in session/login-errors.ts.
 */
export type ErrSpec = Required<ErrPacket>;

/**
 * MySQL's ER_UNKNOWN_ERROR (1105), which the server sends when it fails for a reason of its own:
 * here, a callback of the host program that threw or gave no answer.
 */
const ER_UNKNOWN_ERROR = 1105;

/**
 * What a client is told when the server could not answer its command (the host program's callback
 * threw or gave no answer): `what` says why, after the mock's name.
 */
export function answerFailed(what: string): ErrSpec {
  return { code: ER_UNKNOWN_ERROR, sqlState: "HY000", message: `mysql-tls-mock: ${what}` };
}

/**
 * COM_CHANGE_USER that cannot be parsed: 5.7's `parse_com_change_user_packet` answers 1047
 * "Unknown command" (sql/auth/sql_authentication.cc) and the connection is closed.
 */
export const MALFORMED_CHANGE_USER: ErrSpec = {
  code: ErrorCode.ER_UNKNOWN_COM_ERROR,
  sqlState: "08S01",
  message: "Unknown command",
};
