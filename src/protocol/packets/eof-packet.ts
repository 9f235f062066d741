// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_eof_packet.html
import { CapabilityFlags, PacketMarker } from "../constants";
import { PacketReader } from "../packet-reader";
import { PacketWriter } from "../packet-writer";

/** End of column definitions or rows, for clients without CLIENT_DEPRECATE_EOF. */
export interface EofPacket {
  warnings: number;
  statusFlags: number;
}

/**
 * Encodes an EOF packet: 0xfe, then warnings **before** status (the opposite of OK). Pre-4.1
 * clients get the bare 0xfe. Caps default to CLIENT_PROTOCOL_41.
 */
export function encodeEof(
  eof: EofPacket,
  clientCapabilities: number = CapabilityFlags.CLIENT_PROTOCOL_41,
): Buffer {
  const writer = new PacketWriter(8).int1(PacketMarker.EOF);
  if ((clientCapabilities & CapabilityFlags.CLIENT_PROTOCOL_41) !== 0) {
    writer.int2(Math.min(eof.warnings, 0xffff)).int2(eof.statusFlags);
  }
  return writer.toBuffer();
}

/** Decodes an EOF packet. Caps default to CLIENT_PROTOCOL_41. */
export function decodeEof(
  payload: Buffer,
  clientCapabilities: number = CapabilityFlags.CLIENT_PROTOCOL_41,
): EofPacket {
  const r = new PacketReader(payload, "EOF");
  r.marker(PacketMarker.EOF);
  if ((clientCapabilities & CapabilityFlags.CLIENT_PROTOCOL_41) === 0) return { warnings: 0, statusFlags: 0 };
  const warnings = r.int2("warnings");
  const statusFlags = r.int2("status flags");
  return { warnings, statusFlags };
}
