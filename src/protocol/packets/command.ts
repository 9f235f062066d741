// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_command_phase.html
import { commandName } from "../constants";
import { PacketReader } from "../packet-reader";
import { PacketWriter } from "../packet-writer";

/** A packet of the command phase: the command byte and whatever follows it. */
export interface CommandPacket {
  /** A {@link Command} byte. */
  command: number;
  /** Its `COM_*` name, or `COM_UNKNOWN_0x..`. */
  name: string;
  body: Buffer;
}

/** Options of {@link decodeComQuery}. */
export interface DecodeComQueryOptions {
  /**
   * Both sides have CLIENT_QUERY_ATTRIBUTES (an 8.0 greeting with bit 27): the SQL is preceded by
   * parameter_count and parameter_set_count. Only queries without attributes are decoded.
   */
  queryAttributes?: boolean;
}

/** Splits a command packet into its command byte and body. An empty packet is malformed. */
export function decodeCommand(payload: Buffer): CommandPacket {
  const r = new PacketReader(payload, "command");
  const command = r.int1("command byte");
  return { command, name: commandName(command), body: Buffer.from(r.rest()) };
}

/** Encodes a command packet (for tests and for clients the mock plays). */
export function encodeCommand(command: number, body: Buffer = Buffer.alloc(0)): Buffer {
  return new PacketWriter(body.length + 1).int1(command).bytes(body).toBuffer();
}

/** The SQL text of a COM_QUERY body (UTF-8). */
export function decodeComQuery(body: Buffer, options: DecodeComQueryOptions = {}): string {
  const r = new PacketReader(body, "COM_QUERY");
  if (options.queryAttributes) {
    const start = r.offset;
    const parameterCount = r.lenencInt("parameter_count");
    r.lenencInt("parameter_set_count");
    if (parameterCount !== 0) {
      throw r.error(`query attributes (parameter_count ${parameterCount}) are not supported`, start);
    }
  }
  return r.restString();
}

/** The schema name of a COM_INIT_DB body (UTF-8, to the end of the packet). */
export function decodeComInitDb(body: Buffer): string {
  return body.toString("utf8");
}
