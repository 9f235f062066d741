import { Command } from "../../../src/protocol/constants";
import {
  decodeComInitDb,
  decodeCommand,
  decodeComQuery,
  encodeCommand,
} from "../../../src/protocol/packets/command";
import { Bytes, hex } from "../../helpers/bytes";

describe("command packets", () => {
  it("splits COM_QUERY into its byte, name and SQL", () => {
    const payload = new Bytes().int1(0x03).string("select @@version_comment limit 1").build();
    const command = decodeCommand(payload);
    expect(command).toEqual({
      command: 3,
      name: "COM_QUERY",
      body: Buffer.from("select @@version_comment limit 1"),
    });
    expect(decodeComQuery(command.body)).toBe("select @@version_comment limit 1");
    expect(encodeCommand(Command.COM_QUERY, command.body)).toEqual(payload);
  });

  it("decodes UTF-8 SQL", () => {
    expect(decodeComQuery(Buffer.from("SELECT 'ü'"))).toBe("SELECT 'ü'");
  });

  it("skips the empty query-attribute prefix mysql2 sends when both sides have CLIENT_QUERY_ATTRIBUTES", () => {
    const command = decodeCommand(new Bytes().int1(0x03).bytes("00 01").string("SELECT 1").build());
    expect(decodeComQuery(command.body, { queryAttributes: true })).toBe("SELECT 1");
  });

  it("reads past query attributes as mysql2 3.x encodes them: a string, doubles, a NULL and a DATETIME", () => {
    // mysql2's Query packet for "SELECT 1" with attributes
    // { trace: "abc", n: 42, z: null, big: 2 ** 40, f: 1.5, d: 2026-01-02T03:04:05Z }.
    const payload = hex(
      "03 06 01 04 01" +
        " fd 00 05 74 72 61 63 65  05 00 01 6e  06 00 01 7a  05 00 03 62 69 67  05 00 01 66  0c 00 01 64" +
        " 03 61 62 63  00 00 00 00 00 00 45 40  00 00 00 00 00 00 70 42  00 00 00 00 00 00 f8 3f" +
        " 0b ea 07 01 02 03 04 05 00 00 00 00" +
        " 53 45 4c 45 43 54 20 31",
    );
    expect(decodeComQuery(decodeCommand(payload).body, { queryAttributes: true })).toBe("SELECT 1");
  });

  it("reads every binary value size, and no value for an attribute the null bitmap marks", () => {
    const body = new Bytes()
      .bytes("06 01 20 01") // six attributes, one set, the sixth NULL, types follow
      .bytes("01 00 01 61  02 80 01 62  03 00 01 63  0b 00 01 64  f6 00 01 65  08 00 01 66")
      .bytes("7f  ff ff  01 00 00 00  08 01 00 00 00 00 0c 22 38  04 31 2e 35 30")
      .string("SELECT 2")
      .build();
    expect(decodeComQuery(body, { queryAttributes: true })).toBe("SELECT 2");
  });

  it("refuses query attributes it cannot read: no types, or more attributes than bytes", () => {
    expect(() => decodeComQuery(hex("01 01 00 00"), { queryAttributes: true })).toThrow(
      "new_params_bind_flag 0 in COM_QUERY",
    );
    expect(() => decodeComQuery(hex("fc ff 00 01"), { queryAttributes: true })).toThrow(
      "parameter_count 255 exceeds the packet",
    );
    expect(() => decodeComQuery(hex("01 01 00 01 08 00 01 61 00 00"), { queryAttributes: true })).toThrow(
      /malformed COM_QUERY/,
    );
  });

  it("reads COM_QUIT and COM_PING as bodiless commands", () => {
    expect(decodeCommand(hex("01"))).toEqual({ command: 1, name: "COM_QUIT", body: Buffer.alloc(0) });
    expect(decodeCommand(hex("0e"))).toEqual({ command: 0x0e, name: "COM_PING", body: Buffer.alloc(0) });
  });

  it("reads COM_INIT_DB's schema name", () => {
    const command = decodeCommand(new Bytes().int1(0x02).string("test").build());
    expect(command.name).toBe("COM_INIT_DB");
    expect(decodeComInitDb(command.body)).toBe("test");
  });

  it("names unknown command bytes in hex", () => {
    expect(decodeCommand(hex("20 00")).name).toBe("COM_UNKNOWN_0x20");
  });

  it("rejects an empty command packet with MalformedPacketError", () => {
    expect(() => decodeCommand(Buffer.alloc(0))).toThrow(
      "malformed command at byte 0: expected 1 byte for command byte",
    );
  });
});
