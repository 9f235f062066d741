import { MalformedPacketError } from "../../../src/protocol/errors";
import {
  BinlogDumpFlags,
  decodeComBinlogDump,
  encodeComBinlogDump,
} from "../../../src/protocol/packets/com-binlog-dump";
import { Bytes, hex } from "../../helpers/bytes";
import { expectTruncations, lengths } from "../malformed";

/**
 * COM_BINLOG_DUMP as Debian 12's mariadbd 10.11.19 sent it as a replica with server_id 7 on its
 * first connection: position 4, no flags, an empty file name (with GTIDs the position is in
 * `@slave_connect_state`); captured through a TCP relay in front of the mock, framed, sequence 0.
 */
const MARIADB_10_11_DUMP = hex("0b 00 00 00 12 04 00 00 00 00 00 07 00 00 00");

describe("COM_BINLOG_DUMP", () => {
  it("decodes what a MariaDB 10.11 replica really sends", () => {
    expect(decodeComBinlogDump(MARIADB_10_11_DUMP.subarray(4))).toEqual({
      position: 4,
      flags: 0,
      serverId: 7,
      fileName: "",
    });
  });

  it("encodes it byte for byte", () => {
    expect(encodeComBinlogDump({ position: 4, flags: 0, serverId: 7, fileName: "" })).toEqual(
      MARIADB_10_11_DUMP.subarray(4),
    );
  });

  it("reads the file name to the end of the packet, without a terminator", () => {
    const packet = new Bytes()
      .int1(0x12)
      .int4(1234)
      .int2(BinlogDumpFlags.BINLOG_DUMP_NON_BLOCK)
      .int4(9)
      .string("mysql-bin.000003")
      .build();
    const dump = decodeComBinlogDump(packet);
    expect(dump).toEqual({ position: 1234, flags: 1, serverId: 9, fileName: "mysql-bin.000003" });
    expect(encodeComBinlogDump(dump)).toEqual(packet);
  });

  it("refuses a packet cut short of its fixed fields; any longer one is a shorter file name", () => {
    const payload = new Bytes().bytes(MARIADB_10_11_DUMP.subarray(4)).string("bin.1").build();
    const rejected = expectTruncations(decodeComBinlogDump, payload, "COM_BINLOG_DUMP", lengths(11, 15));
    expect(rejected.get(3)?.message).toContain("binlog position");
    expect(rejected.get(10)?.message).toContain("server id");
  });

  it("is not another command", () => {
    expect(() => decodeComBinlogDump(hex("15 04 00 00 00 00 00 07 00 00 00"))).toThrow(MalformedPacketError);
  });
});
