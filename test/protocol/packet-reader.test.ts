import { MalformedPacketError } from "../../src/protocol/errors";
import { PacketReader } from "../../src/protocol/packet-reader";
import { Bytes, hex } from "../helpers/bytes";

function reader(bytes: Buffer): PacketReader {
  return new PacketReader(bytes, "Test");
}

function malformed(read: () => unknown): MalformedPacketError {
  try {
    read();
  } catch (error) {
    if (error instanceof MalformedPacketError) return error;
    throw error;
  }
  throw new Error("expected a MalformedPacketError");
}

describe("PacketReader", () => {
  it("reads little-endian integers and tracks offset and remaining", () => {
    const r = reader(
      new Bytes()
        .int1(0x0a)
        .int2(0x1234)
        .int3(0xabcdef)
        .int4(0xc1ffffff)
        .int8(2n ** 63n)
        .build(),
    );
    expect(r.int1()).toBe(0x0a);
    expect(r.int2()).toBe(0x1234);
    expect(r.int3()).toBe(0xabcdef);
    expect(r.offset).toBe(6);
    expect(r.int4()).toBe(0xc1ffffff);
    expect(r.remaining).toBe(8);
    expect(r.int8()).toBe(2n ** 63n);
    expect(r.remaining).toBe(0);
  });

  it("reads int<8> as a number while it is exact", () => {
    expect(reader(new Bytes().int8(2 ** 53 - 1).build()).int8Number()).toBe(2 ** 53 - 1);
    expect(() => reader(new Bytes().int8(2n ** 53n).build()).int8Number()).toThrow(MalformedPacketError);
  });

  it.each([
    ["00", 0],
    ["fa", 250],
    ["fc fb 00", 251],
    ["fc ff ff", 0xffff],
    ["fd 00 00 01", 0x10000],
    ["fd ff ff ff", 0xffffff],
    ["fe 00 00 00 01 00 00 00 00", 0x1000000],
  ])("reads the length-encoded integer %s as %d", (bytes, value) => {
    const r = reader(hex(bytes));
    expect(r.lenencInt()).toBe(value);
    expect(r.remaining).toBe(0);
  });

  it("reads 0xfb as NULL", () => {
    expect(reader(hex("fb")).lenencInt()).toBeNull();
  });

  it("rejects 0xff as a length-encoded integer prefix", () => {
    const error = malformed(() => reader(hex("00 ff")).skip(1).lenencInt("column count"));
    expect(error.offset).toBe(1);
    expect(error.detail).toBe("0xff is not a valid prefix for column count");
  });

  it("reads length-encoded and NUL-terminated strings", () => {
    const r = reader(new Bytes().lenencString("déf").nulString("root").string("tail").build());
    expect(r.lenencString()).toBe("déf");
    expect(r.nulString()).toBe("root");
    expect(r.restString()).toBe("tail");
    expect(r.rest()).toEqual(Buffer.alloc(0));
  });

  it("reports a string without its NUL at the string's offset, reading nothing out of bounds", () => {
    const payload = Buffer.concat([Buffer.alloc(36), Buffer.from("root")]);
    const error = malformed(() =>
      new PacketReader(payload, "HandshakeResponse41").skip(36).nulString("user name"),
    );
    expect(error.message).toBe("malformed HandshakeResponse41 at byte 36: user name is not NUL-terminated");
  });

  it("does not find a NUL beyond the payload in a shared buffer", () => {
    const backing = hex("61 62 63 00");
    expect(() => reader(backing.subarray(0, 3)).nulString()).toThrow(MalformedPacketError);
  });

  it("names the packet, offset and field of every out-of-bounds read", () => {
    const r = new PacketReader(hex("01 02 03"), "HandshakeV10");
    r.int1();
    const error = malformed(() => r.int4("connection id"));
    expect(error).toMatchObject({ packet: "HandshakeV10", offset: 1 });
    expect(error.detail).toBe("expected 4 bytes for connection id, 2 left");
    expect(r.offset).toBe(1);
  });

  it.each<[string, (r: PacketReader) => unknown]>([
    ["int1", (r) => r.int1()],
    ["int2", (r) => r.int2()],
    ["int3", (r) => r.int3()],
    ["int4", (r) => r.int4()],
    ["int8", (r) => r.int8()],
    ["int8Number", (r) => r.int8Number()],
    ["peekInt1", (r) => r.peekInt1()],
    ["lenencInt", (r) => r.lenencInt()],
    ["lenencBytes", (r) => r.lenencBytes()],
    ["lenencString", (r) => r.lenencString()],
    ["nulBytes", (r) => r.nulBytes()],
    ["nulString", (r) => r.nulString()],
    ["bytes", (r) => r.bytes(1)],
    ["skip", (r) => r.skip(1)],
  ])("%s on an empty payload throws MalformedPacketError, not RangeError", (_name, read) => {
    expect(() => read(reader(Buffer.alloc(0)))).toThrow(MalformedPacketError);
  });

  it.each(["fc 01", "fd 01 02", "fe 01 02 03 04 05 06 07", "05 61 62"])(
    "rejects the truncated length-encoded value %s",
    (bytes) => {
      expect(() => reader(hex(bytes)).lenencBytes()).toThrow(MalformedPacketError);
    },
  );

  it("rejects NULL where a string is expected", () => {
    expect(malformed(() => reader(hex("fb")).lenencString("schema")).detail).toBe(
      "unexpected NULL (0xfb) as length of schema",
    );
  });

  it("peeks without consuming", () => {
    const r = reader(hex("fe 01"));
    expect(r.peekInt1()).toBe(0xfe);
    expect(r.offset).toBe(0);
  });
});
