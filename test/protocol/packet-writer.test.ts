import { PacketWriter } from "../../src/protocol/packet-writer";
import { Bytes, hex } from "../helpers/bytes";

describe("PacketWriter", () => {
  it("writes little-endian integers in a chain", () => {
    const bytes = new PacketWriter()
      .int1(0x0a)
      .int2(0x1234)
      .int3(0xabcdef)
      .int4(0xc1ffffff)
      .int8(1n)
      .toBuffer();
    expect(bytes).toEqual(hex("0a 34 12 ef cd ab ff ff ff c1 01 00 00 00 00 00 00 00"));
  });

  it("writes a negative 32-bit word (bit 31 set by |) as unsigned", () => {
    expect(new PacketWriter().int4(0x80000000 | 0x800).toBuffer()).toEqual(hex("00 08 00 80"));
  });

  it.each([
    [0, "00"],
    [250, "fa"],
    [251, "fc fb 00"],
    [0xffff, "fc ff ff"],
    [0x10000, "fd 00 00 01"],
    [0xffffff, "fd ff ff ff"],
    [0x1000000, "fe 00 00 00 01 00 00 00 00"],
  ])("writes %d in the shortest length-encoded form (%s)", (value, expected) => {
    expect(new PacketWriter().lenencInt(value).toBuffer()).toEqual(hex(expected));
  });

  it("writes length-encoded, NUL-terminated and bare strings", () => {
    const bytes = new PacketWriter().lenencString("def").nulString("root").string("x").zeros(2).toBuffer();
    expect(bytes).toEqual(new Bytes().lenencString("def").nulString("root").string("x").zeros(2).build());
  });

  it("refuses values that do not fit", () => {
    expect(() => new PacketWriter().int1(256)).toThrow(RangeError);
    expect(() => new PacketWriter().int2(-1)).toThrow(RangeError);
    expect(() => new PacketWriter().int3(0x1000000)).toThrow(RangeError);
    expect(() => new PacketWriter().int4(2 ** 32)).toThrow(RangeError);
    expect(() => new PacketWriter().lenencInt(1.5)).toThrow(RangeError);
    expect(() => new PacketWriter().nulString("a\0b")).toThrow(RangeError);
  });

  it("grows past its initial capacity without changing buffers already returned", () => {
    const writer = new PacketWriter(16).string("abc");
    const early = writer.toBuffer();
    writer.zeros(1000);
    expect(early).toEqual(Buffer.from("abc"));
    expect(writer.length).toBe(1003);
    expect(writer.toBuffer().subarray(0, 3)).toEqual(Buffer.from("abc"));
  });

  it("keeps every kind of write intact across buffer growth", () => {
    const writer = new PacketWriter(16);
    const expected = new Bytes();
    for (let i = 0; i < 200; i++) {
      writer
        .int1(i & 0xff)
        .int2(i * 7)
        .int3(i * 1001)
        .int4(0xc0000000 + i)
        .int8(BigInt(i) << 40n);
      writer
        .lenencInt(i * 300)
        .lenencString(`value ${i}`)
        .nulString("n")
        .bytes(Buffer.from([i & 0xff, 1]))
        .string("s");
      expected
        .int1(i & 0xff)
        .int2(i * 7)
        .int3(i * 1001)
        .int4(0xc0000000 + i)
        .int8(BigInt(i) << 40n);
      expected
        .lenencInt(i * 300)
        .lenencString(`value ${i}`)
        .nulString("n")
        .bytes(Buffer.from([i & 0xff, 1]))
        .string("s");
    }
    expect(writer.toBuffer()).toEqual(expected.build());
  });
});
