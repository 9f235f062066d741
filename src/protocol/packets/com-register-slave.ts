// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_replication.html (COM_REGISTER_SLAVE)
// MariaDB sql/slave.cc, register_slave_on_master (what a replica sends);
// MySQL sql/rpl_master.cc and MariaDB sql/repl_failsafe.cc, register_slave (how a source reads it).
import { Command } from "../constants";
import { PacketReader } from "../packet-reader";
import { PacketWriter } from "../packet-writer";

/**
 * COM_REGISTER_SLAVE: a replica announces itself to its source (what `SHOW SLAVE HOSTS` lists)
 * before it asks for the binary log. The three strings are the replica's `report_host`,
 * `report_user` and `report_password` settings, not its login; they are empty unless configured.
 */
export interface ComRegisterSlave {
  /** The replica's own `server_id`. */
  serverId: number;
  reportHost: string;
  reportUser: string;
  /**
   * The replica's `report_password`. A secret where it is set: the packet is recorded without
   * its payload, and nothing that describes the packet repeats this field.
   */
  reportPassword: string;
  /** The replica's `report_port` (0 when it reports none). */
  reportPort: number;
  /** `rpl_recovery_rank`, removed in MySQL Bug#13963; replicas still send 0 for old sources (Bug#49259). */
  recoveryRank: number;
  /** The source's id as the replica knows it; 0 means "fill in your own". */
  masterId: number;
}

/** The length prefix of each string is one byte: the source reads `len= *p++` (`get_object`). */
const MAX_STRING_BYTES = 0xff;

function shortString(writer: PacketWriter, value: string, field: string): void {
  const bytes = Buffer.from(value, "utf8");
  if (bytes.length > MAX_STRING_BYTES) {
    throw new RangeError(
      `COM_REGISTER_SLAVE ${field} holds at most ${MAX_STRING_BYTES} bytes, got ${bytes.length}`,
    );
  }
  writer.int1(bytes.length).bytes(bytes);
}

function readShortString(r: PacketReader, field: string): string {
  const length = r.int1(`${field} length`);
  return r.bytes(length, field).toString("utf8");
}

/** Encodes COM_REGISTER_SLAVE, command byte included. */
export function encodeComRegisterSlave(packet: ComRegisterSlave): Buffer {
  const writer = new PacketWriter(32).int1(Command.COM_REGISTER_SLAVE).int4(packet.serverId);
  shortString(writer, packet.reportHost, "report host");
  shortString(writer, packet.reportUser, "report user");
  shortString(writer, packet.reportPassword, "report password");
  return writer.int2(packet.reportPort).int4(packet.recoveryRank).int4(packet.masterId).toBuffer();
}

/**
 * Decodes COM_REGISTER_SLAVE (command byte included) as a source does: every field must be there
 * (`if (p+10 > p_end) goto err`), and bytes after the last are ignored.
 * @throws {@link MalformedPacketError} where a source answers "Wrong parameters to function register_slave".
 */
export function decodeComRegisterSlave(payload: Buffer): ComRegisterSlave {
  const r = new PacketReader(payload, "COM_REGISTER_SLAVE");
  r.marker(Command.COM_REGISTER_SLAVE, "command byte");
  return {
    serverId: r.int4("server id"),
    reportHost: readShortString(r, "report host"),
    reportUser: readShortString(r, "report user"),
    reportPassword: readShortString(r, "report password"),
    reportPort: r.int2("report port"),
    recoveryRank: r.int4("recovery rank"),
    masterId: r.int4("master id"),
  };
}
