// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_binlog_dump.html
// MariaDB sql/slave.cc, request_dump (what a replica sends); sql/sql_parse.cc, case COM_BINLOG_DUMP (how a source reads it).
import { Command } from "../constants";
import { PacketReader } from "../packet-reader";
import { PacketWriter } from "../packet-writer";

/**
 * Flags of COM_BINLOG_DUMP. A replica sends 0; `mysqlbinlog --stop-never` leaves
 * BINLOG_DUMP_NON_BLOCK clear to wait for new events, and sets it to stop at the end of the log.
 */
export const BinlogDumpFlags = {
  BINLOG_DUMP_NON_BLOCK: 0x01,
  /** MariaDB: send annotate-rows events (`BINLOG_SEND_ANNOTATE_ROWS_EVENT`). */
  BINLOG_SEND_ANNOTATE_ROWS_EVENT: 0x02,
} as const;

/**
 * COM_BINLOG_DUMP: the replica asks its source to stream the binary log from a file and
 * position. A MariaDB replica using GTIDs sends an empty file name and position 4 (the start of
 * any binlog file): the position it wants is in the `@slave_connect_state` it set before.
 */
export interface ComBinlogDump {
  /** Byte offset in `fileName`; 4 is the first event after the magic bytes. */
  position: number;
  flags: number;
  /** The replica's `server_id`. */
  serverId: number;
  /** The binlog file to start in; empty for "the first one the source has". */
  fileName: string;
}

/** Encodes COM_BINLOG_DUMP, command byte included. */
export function encodeComBinlogDump(packet: ComBinlogDump): Buffer {
  return new PacketWriter(16 + packet.fileName.length)
    .int1(Command.COM_BINLOG_DUMP)
    .int4(packet.position)
    .int2(packet.flags)
    .int4(packet.serverId)
    .string(packet.fileName)
    .toBuffer();
}

/**
 * Decodes COM_BINLOG_DUMP (command byte included). The file name runs to the end of the packet,
 * without a terminator.
 * @throws {@link MalformedPacketError} when the fixed fields are cut short.
 */
export function decodeComBinlogDump(payload: Buffer): ComBinlogDump {
  const r = new PacketReader(payload, "COM_BINLOG_DUMP");
  r.marker(Command.COM_BINLOG_DUMP, "command byte");
  return {
    position: r.int4("binlog position"),
    flags: r.int2("flags"),
    serverId: r.int4("server id"),
    fileName: r.restString(),
  };
}
