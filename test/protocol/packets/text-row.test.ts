import { decodeTextRow, encodeTextRow } from "../../../src/protocol/packets/text-row";
import { Bytes, hex } from "../../helpers/bytes";
import { expectTruncations } from "../malformed";

describe("text resultset row", () => {
  it("encodes values as length-encoded strings and NULL as 0xfb", () => {
    expect(encodeTextRow(["1", null, Buffer.from([0xfb, 0x00]), ""])).toEqual(hex("01 31 fb 02 fb 00 00"));
  });

  it("decodes values as bytes and NULL as null", () => {
    expect(decodeTextRow(hex("01 31 fb 02 fb 00 00"), 4)).toEqual([
      Buffer.from("1"),
      null,
      hex("fb 00"),
      Buffer.alloc(0),
    ]);
  });

  it("uses the 3-byte length form for a 300-byte value and keeps UTF-8", () => {
    const long = "é".repeat(150);
    const bytes = new Bytes().bytes("fc 2c 01").string(long).lenencString("TLSv1.2").build();
    expect(encodeTextRow([long, "TLSv1.2"])).toEqual(bytes);
    expect(decodeTextRow(bytes, 2).map((v) => v?.toString("utf8"))).toEqual([long, "TLSv1.2"]);
  });

  it("rejects a row with fewer values than columns, naming the column", () => {
    expect(() => decodeTextRow(hex("01 31"), 2)).toThrow(
      "malformed TextResultsetRow at byte 2: expected 1 byte for column 2 of 2, 0 left",
    );
  });

  it("rejects bytes after the last column", () => {
    expect(() => decodeTextRow(hex("01 31 01 32"), 1)).toThrow("2 bytes after the last of 1 columns");
  });

  it("rejects every truncation with MalformedPacketError, never a RangeError", () => {
    expectTruncations(
      (p) => decodeTextRow(p, 3),
      encodeTextRow(["abc", null, "x".repeat(260)]),
      "TextResultsetRow",
      [],
    );
  });
});
