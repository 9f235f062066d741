// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_ok_packet.html
import { CapabilityFlags, PacketMarker, ServerStatus } from "../constants";
import { PacketReader } from "../packet-reader";
import { PacketWriter } from "../packet-writer";

/** The success reply, and with CLIENT_DEPRECATE_EOF (header 0xfe) the end of a resultset. */
export interface OkPacket {
  /** 0x00, or 0xfe when the OK replaces the EOF that ends a resultset. Default 0x00. */
  header?: 0x00 | 0xfe;
  affectedRows: number;
  lastInsertId: number;
  statusFlags: number;
  warnings: number;
  /** Human-readable info, e.g. "Rows matched: 1  Changed: 1  Warnings: 0". Omitted when empty. */
  info?: string;
  /**
   * Content of the session-state block (the entries, without the block's own length prefix).
   * Sent only to CLIENT_SESSION_TRACK clients, and only with SERVER_SESSION_STATE_CHANGED set.
   */
  sessionStateChanges?: Buffer;
}

function has(caps: number, flag: number): boolean {
  return (caps & flag) !== 0;
}

/**
 * Encodes an OK packet as 5.7's `net_send_ok` does. The info string is length-encoded in both
 * branches: the documentation says string<EOF> without CLIENT_SESSION_TRACK, but the server
 * writes it with `net_store_data` (lenenc) and libmysqlclient reads it that way.
 */
export function encodeOk(ok: OkPacket, clientCapabilities: number): Buffer {
  const writer = new PacketWriter()
    .int1(ok.header ?? PacketMarker.OK)
    .lenencInt(ok.affectedRows)
    .lenencInt(ok.lastInsertId);
  if (has(clientCapabilities, CapabilityFlags.CLIENT_PROTOCOL_41)) {
    writer.int2(ok.statusFlags).int2(Math.min(ok.warnings, 0xffff));
  } else if (has(clientCapabilities, CapabilityFlags.CLIENT_TRANSACTIONS)) {
    writer.int2(ok.statusFlags);
  }
  const info = ok.info ?? "";
  if (has(clientCapabilities, CapabilityFlags.CLIENT_SESSION_TRACK)) {
    const stateChanged = has(ok.statusFlags, ServerStatus.SERVER_SESSION_STATE_CHANGED);
    if (stateChanged || info !== "") writer.lenencString(info);
    if (stateChanged) writer.lenencBytes(ok.sessionStateChanges ?? Buffer.alloc(0));
  } else if (info !== "") {
    writer.lenencString(info);
  }
  return writer.toBuffer();
}

/** Decodes an OK packet (header 0x00 or 0xfe), reading the fields the client's caps put there. */
export function decodeOk(payload: Buffer, clientCapabilities: number): OkPacket {
  const r = new PacketReader(payload, "OK");
  const header = r.int1("header");
  if (header !== PacketMarker.OK && header !== PacketMarker.EOF) {
    throw r.error(`header 0x${header.toString(16).padStart(2, "0")} is neither 0x00 nor 0xfe`, 0);
  }
  const ok: OkPacket = {
    header,
    affectedRows: nonNull(r, "affected rows"),
    lastInsertId: nonNull(r, "last insert id"),
    statusFlags: 0,
    warnings: 0,
  };
  if (has(clientCapabilities, CapabilityFlags.CLIENT_PROTOCOL_41)) {
    ok.statusFlags = r.int2("status flags");
    ok.warnings = r.int2("warnings");
  } else if (has(clientCapabilities, CapabilityFlags.CLIENT_TRANSACTIONS)) {
    ok.statusFlags = r.int2("status flags");
  }
  if (r.remaining > 0) {
    const info = r.lenencString("info");
    if (info !== "") ok.info = info;
  }
  if (
    has(clientCapabilities, CapabilityFlags.CLIENT_SESSION_TRACK) &&
    has(ok.statusFlags, ServerStatus.SERVER_SESSION_STATE_CHANGED)
  ) {
    ok.sessionStateChanges = Buffer.from(r.lenencBytes("session state info"));
  }
  return ok;
}

function nonNull(r: PacketReader, field: string): number {
  const start = r.offset;
  const value = r.lenencInt(field);
  if (value === null) throw r.error(`unexpected NULL (0xfb) as ${field}`, start);
  return value;
}
