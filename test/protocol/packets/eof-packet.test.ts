import { CapabilityFlags } from "../../../src/protocol/constants";
import { decodeEof, encodeEof } from "../../../src/protocol/packets/eof-packet";
import { hex } from "../../helpers/bytes";
import { expectTruncations } from "../malformed";

describe("EOF packet", () => {
  it("encodes warnings before status: fe 00 00 02 00", () => {
    expect(encodeEof({ warnings: 0, statusFlags: 0x0002 }, CapabilityFlags.CLIENT_PROTOCOL_41)).toEqual(
      hex("fe 00 00 02 00"),
    );
    expect(encodeEof({ warnings: 1, statusFlags: 0x0022 })).toEqual(hex("fe 01 00 22 00"));
  });

  it("decodes warnings before status", () => {
    expect(decodeEof(hex("fe 00 00 02 00"), CapabilityFlags.CLIENT_PROTOCOL_41)).toEqual({
      warnings: 0,
      statusFlags: 2,
    });
    expect(decodeEof(hex("fe 03 00 22 00"))).toEqual({ warnings: 3, statusFlags: 0x22 });
  });

  it("sends a bare 0xfe to a pre-4.1 client", () => {
    expect(encodeEof({ warnings: 5, statusFlags: 2 }, 0)).toEqual(hex("fe"));
    expect(decodeEof(hex("fe"), 0)).toEqual({ warnings: 0, statusFlags: 0 });
  });

  it("rejects other headers and truncations with MalformedPacketError", () => {
    expect(() => decodeEof(hex("00 00 00 02 00"))).toThrow(
      "malformed EOF at byte 0: header 0x00 is not 0xfe",
    );
    // 4.1: warnings and status are both required.
    expectTruncations((p) => decodeEof(p), hex("fe 00 00 02 00"), "EOF", []);
  });
});
