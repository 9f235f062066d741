// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_command_phase.html
import { ColumnType, commandName } from "../constants";
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
   * Both sides have CLIENT_QUERY_ATTRIBUTES (an 8.0.23+ greeting with bit 27): the SQL is preceded
   * by parameter_count, parameter_set_count and, when there are attributes, their null bitmap,
   * types, names and values, which are read past.
   */
  queryAttributes?: boolean;
}

/**
 * Bytes of a fixed-size value in the binary protocol, by column type; the date and time types
 * carry a length byte, the rest a length-encoded string (the MySQL protocol documentation,
 * "Binary Protocol Value").
 */
const FIXED_VALUE_BYTES: Readonly<Partial<Record<number, number>>> = {
  [ColumnType.MYSQL_TYPE_NULL]: 0,
  [ColumnType.MYSQL_TYPE_TINY]: 1,
  [ColumnType.MYSQL_TYPE_SHORT]: 2,
  [ColumnType.MYSQL_TYPE_YEAR]: 2,
  [ColumnType.MYSQL_TYPE_LONG]: 4,
  [ColumnType.MYSQL_TYPE_INT24]: 4,
  [ColumnType.MYSQL_TYPE_FLOAT]: 4,
  [ColumnType.MYSQL_TYPE_LONGLONG]: 8,
  [ColumnType.MYSQL_TYPE_DOUBLE]: 8,
};
const LENGTH_BYTE_TYPES: ReadonlySet<number> = new Set([
  ColumnType.MYSQL_TYPE_DATE,
  ColumnType.MYSQL_TYPE_DATETIME,
  ColumnType.MYSQL_TYPE_TIMESTAMP,
  ColumnType.MYSQL_TYPE_TIME,
]);

/** Reads past one attribute value of `type` (the low byte of its type word). */
function skipBinaryValue(r: PacketReader, type: number, index: number): void {
  const fixed = FIXED_VALUE_BYTES[type];
  if (fixed !== undefined) r.skip(fixed, `query attribute ${index} value`);
  else if (LENGTH_BYTE_TYPES.has(type))
    r.skip(r.int1(`query attribute ${index} length`), `query attribute ${index} value`);
  else r.lenencBytes(`query attribute ${index} value`);
}

/**
 * Reads past the query attributes that precede the SQL of a COM_QUERY when CLIENT_QUERY_ATTRIBUTES
 * is on (MySQL 8.0.23+; the COM_QUERY page of the protocol documentation): parameter_count,
 * parameter_set_count, then, when there are any, the null bitmap, new_params_bind_flag, each
 * attribute's type and name, and each non-null value in the binary protocol's encoding.
 */
function skipQueryAttributes(r: PacketReader): void {
  const start = r.offset;
  const count = r.lenencInt("parameter_count") ?? 0;
  r.lenencInt("parameter_set_count");
  if (count === 0) return;
  if (count > r.remaining) throw r.error(`parameter_count ${count} exceeds the packet`, start);
  const nullBitmap = r.bytes(Math.ceil(count / 8), "null_bitmap");
  const bindFlag = r.int1("new_params_bind_flag");
  // Without types (flag 0) the values cannot be read: COM_QUERY always sends them.
  if (bindFlag !== 1) throw r.error(`new_params_bind_flag ${bindFlag} in COM_QUERY`, start);
  const types: number[] = [];
  for (let i = 0; i < count; i++) {
    types.push(r.int2(`query attribute ${i} type`) & 0xff);
    r.lenencBytes(`query attribute ${i} name`);
  }
  types.forEach((type, i) => {
    if (!(nullBitmap[i >> 3]! & (1 << (i & 7)))) skipBinaryValue(r, type, i);
  });
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
  if (options.queryAttributes) skipQueryAttributes(r);
  return r.restString();
}

/** The schema name of a COM_INIT_DB body (UTF-8, to the end of the packet). */
export function decodeComInitDb(body: Buffer): string {
  return body.toString("utf8");
}
