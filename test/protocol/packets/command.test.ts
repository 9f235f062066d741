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
    expect(() => decodeComQuery(hex("01 01 00"), { queryAttributes: true })).toThrow(
      "malformed COM_QUERY at byte 0: query attributes (parameter_count 1) are not supported",
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
