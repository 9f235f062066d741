// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_err_packet.html
import { CapabilityFlags, PacketMarker } from "../constants";
import { PacketReader } from "../packet-reader";
import { PacketWriter } from "../packet-writer";

/** The error reply. */
export interface ErrPacket {
  code: number;
  /** Five-character SQLSTATE. Sent only to CLIENT_PROTOCOL_41 clients; default `HY000`. */
  sqlState?: string;
  message: string;
}

/** MYSQL_ERRMSG_SIZE (512) less the C terminator. */
export const MAX_ERROR_MESSAGE_BYTES = 511;
const DEFAULT_SQL_STATE = "HY000";
const SQL_STATE_MARKER = 0x23; // '#'

/** Cuts UTF-8 to at most `max` bytes without splitting a character. */
function truncateUtf8(text: string, max: number): Buffer {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= max) return bytes;
  let end = max;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}

/**
 * Encodes an ERR packet. `#` + SQLSTATE goes out only if the client's caps include
 * CLIENT_PROTOCOL_41: pass 0 for errors sent before any caps are known (in place of the
 * greeting, or in answer to an unreadable first packet).
 */
export function encodeErr(err: ErrPacket, clientCapabilities: number): Buffer {
  const writer = new PacketWriter().int1(PacketMarker.ERR).int2(err.code);
  if ((clientCapabilities & CapabilityFlags.CLIENT_PROTOCOL_41) !== 0) {
    const sqlState = err.sqlState ?? DEFAULT_SQL_STATE;
    if (!/^[\x20-\x7e]{5}$/.test(sqlState)) {
      throw new RangeError(`SQLSTATE must be 5 printable ASCII characters, got ${JSON.stringify(sqlState)}`);
    }
    writer.int1(SQL_STATE_MARKER).string(sqlState);
  }
  return writer.bytes(truncateUtf8(err.message, MAX_ERROR_MESSAGE_BYTES)).toBuffer();
}

/** Decodes an ERR packet; the SQLSTATE is read when the caps include PROTOCOL_41 and `#` is there. */
export function decodeErr(payload: Buffer, clientCapabilities: number): ErrPacket {
  const r = new PacketReader(payload, "ERR");
  r.marker(PacketMarker.ERR);
  const code = r.int2("error code");
  if (
    (clientCapabilities & CapabilityFlags.CLIENT_PROTOCOL_41) !== 0 &&
    r.remaining > 0 &&
    r.peekInt1() === SQL_STATE_MARKER
  ) {
    r.skip(1, "SQLSTATE marker");
    const sqlState = r.bytes(5, "SQLSTATE").toString("latin1");
    return { code, sqlState, message: r.restString() };
  }
  return { code, message: r.restString() };
}
