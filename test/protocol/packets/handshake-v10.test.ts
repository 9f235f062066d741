import { MalformedPacketError } from "../../../src/protocol/errors";
import { encodePacket } from "../../../src/protocol/framing";
import {
  decodeHandshakeV10,
  encodeHandshakeV10,
  type HandshakeV10,
} from "../../../src/protocol/packets/handshake-v10";
import { Bytes, hex } from "../../helpers/bytes";
import { CAPTURE_NONCE, GREETING_5_7_41, payloadOf } from "../fixtures/client-captures";
import { expectTruncations, lengths } from "../malformed";
import { Mysql2Handshake, mysql2Packet } from "../mysql2-internals";

const stock: HandshakeV10 = {
  protocolVersion: 10,
  serverVersion: "5.7.41",
  connectionId: 7,
  authPluginData: CAPTURE_NONCE,
  capabilityFlags: 0xc1ffffff,
  characterSet: 8,
  statusFlags: 0x0002,
  authPluginName: "mysql_native_password",
};

/** A stock 5.7.41 TLS greeting, connection id 7, as send_server_handshake_packet writes it, field by field. */
const stockBytes = new Bytes()
  .int1(0x0a)
  .nulString("5.7.41")
  .int4(7)
  .bytes(CAPTURE_NONCE.subarray(0, 8))
  .int1(0x00)
  .bytes("ff ff") // capability flags, low word
  .int1(8) // latin1_swedish_ci
  .bytes("02 00") // SERVER_STATUS_AUTOCOMMIT
  .bytes("ff c1") // capability flags, high word
  .int1(21) // auth-plugin-data length: 20 nonce bytes + NUL
  .zeros(10)
  .bytes(CAPTURE_NONCE.subarray(8))
  .int1(0x00)
  .nulString("mysql_native_password")
  .build();

describe("HandshakeV10", () => {
  it("encodes the stock 5.7.41 TLS greeting byte for byte", () => {
    const payload = encodeHandshakeV10(stock);
    expect(payload).toEqual(stockBytes);
    expect(payload.length).toBe(74);
    expect(payload).toEqual(payloadOf(GREETING_5_7_41));
    expect(encodePacket(payload, 0)).toEqual(GREETING_5_7_41);
    expect(encodePacket(payload, 0).subarray(0, 4)).toEqual(hex("4a 00 00 00"));
  });

  it("decodes the stock greeting, reporting the length byte and reserved bytes", () => {
    expect(decodeHandshakeV10(stockBytes)).toEqual({
      ...stock,
      authPluginDataLengthByte: 21,
      reserved: Buffer.alloc(10),
    });
  });

  it("round-trips a greeting that states its length byte and reserved bytes", () => {
    const full: HandshakeV10 = { ...stock, authPluginDataLengthByte: 21, reserved: Buffer.alloc(10) };
    expect(decodeHandshakeV10(encodeHandshakeV10(full))).toEqual(full);
  });

  it("encodes the no-TLS greeting with CLIENT_SSL and bit 30 clear", () => {
    const payload = encodeHandshakeV10({ ...stock, capabilityFlags: 0x81fff7ff });
    expect(payload.subarray(21, 23)).toEqual(hex("ff f7"));
    expect(payload.subarray(26, 28)).toEqual(hex("ff 81"));
    expect(decodeHandshakeV10(payload).capabilityFlags).toBe(0x81fff7ff);
  });

  it("writes a length byte of 20 without moving any byte, as broken servers do", () => {
    const payload = encodeHandshakeV10({ ...stock, authPluginDataLengthByte: 20 });
    const expected = Buffer.from(stockBytes);
    expected[28] = 20;
    expect(payload).toEqual(expected);
    expect(decodeHandshakeV10(payload)).toMatchObject({
      authPluginData: CAPTURE_NONCE,
      authPluginName: "mysql_native_password",
      authPluginDataLengthByte: 20,
    });
  });

  it("round-trips an 8.0 greeting with caching_sha2_password and utf8mb4_0900_ai_ci", () => {
    const greeting: HandshakeV10 = {
      ...stock,
      serverVersion: "8.0.36",
      capabilityFlags: 0xdfffffff,
      characterSet: 255,
      authPluginName: "caching_sha2_password",
      authPluginDataLengthByte: 21,
      reserved: Buffer.alloc(10),
    };
    expect(decodeHandshakeV10(encodeHandshakeV10(greeting))).toEqual(greeting);
  });

  it("round-trips a MariaDB greeting: 5.5.5- prefix, CLIENT_MYSQL clear, extended caps in the reserved bytes", () => {
    const greeting: HandshakeV10 = {
      ...stock,
      serverVersion: "5.5.5-10.11.19-MariaDB-0+deb12u1",
      capabilityFlags: 0xc1fffffe,
      characterSet: 45,
      reserved: hex("00 00 00 00 00 00 1d 00 00 00"),
      authPluginDataLengthByte: 21,
    };
    const payload = encodeHandshakeV10(greeting);
    expect(payload.subarray(-45, -35)).toEqual(greeting.reserved);
    expect(decodeHandshakeV10(payload)).toEqual(greeting);
  });

  it("is read by mysql2's own greeting parser", () => {
    const parsed = Mysql2Handshake.fromPacket(mysql2Packet(GREETING_5_7_41));
    expect(parsed).toMatchObject({
      protocolVersion: 10,
      serverVersion: "5.7.41",
      connectionId: 7,
      capabilityFlags: 0xc1ffffff,
      characterSet: 8,
      statusFlags: 2,
      authPluginName: "mysql_native_password",
      authPluginData1: CAPTURE_NONCE.subarray(0, 8),
    });
    expect((parsed.authPluginData2 as Buffer).subarray(0, 12)).toEqual(CAPTURE_NONCE.subarray(8));
  });

  it("tolerates a pre-4.1 greeting that ends after the low capability word", () => {
    const payload = new Bytes()
      .int1(10)
      .nulString("3.23.58")
      .int4(1)
      .string("abcdefgh")
      .int1(0)
      .int2(0x002c)
      .build();
    expect(decodeHandshakeV10(payload)).toEqual({
      protocolVersion: 10,
      serverVersion: "3.23.58",
      connectionId: 1,
      authPluginData: Buffer.from("abcdefgh"),
      capabilityFlags: 0x002c,
      characterSet: 0,
      statusFlags: 0,
      authPluginName: "",
    });
  });

  it("tolerates a length byte of 0 without CLIENT_PLUGIN_AUTH (5.1-era greeting)", () => {
    const payload = new Bytes()
      .int1(10)
      .nulString("5.1.73")
      .int4(3)
      .bytes(CAPTURE_NONCE.subarray(0, 8))
      .int1(0)
      .int2(0xf7ff)
      .int1(8)
      .int2(2)
      .int2(0x0000)
      .int1(0)
      .zeros(10)
      .bytes(CAPTURE_NONCE.subarray(8))
      .int1(0)
      .build();
    expect(decodeHandshakeV10(payload)).toMatchObject({
      capabilityFlags: 0xf7ff,
      authPluginData: CAPTURE_NONCE,
      authPluginName: "",
      authPluginDataLengthByte: 0,
    });
  });

  it("reads a plugin name that runs to the end of the packet without its NUL", () => {
    const payload = stockBytes.subarray(0, stockBytes.length - 1);
    expect(decodeHandshakeV10(payload).authPluginName).toBe("mysql_native_password");
  });

  it("omits the plugin name when CLIENT_PLUGIN_AUTH is clear", () => {
    const payload = encodeHandshakeV10({ ...stock, capabilityFlags: 0xc1f7ffff });
    expect(payload.length).toBe(74 - 22);
    expect(decodeHandshakeV10(payload).authPluginName).toBe("");
  });

  it("refuses an ERR packet in place of a greeting", () => {
    const err = hex("ff 10 04 54 6f 6f 20 6d 61 6e 79 20 63 6f 6e 6e 65 63 74 69 6f 6e 73");
    expect(() => decodeHandshakeV10(err)).toThrow("malformed HandshakeV10 at byte 0: an ERR packet (0xff)");
    expect(() => decodeHandshakeV10(hex("09 00"))).toThrow(MalformedPacketError);
  });

  it("rejects every truncation except after the low capability word or inside the plugin name", () => {
    // 0a, "5.7.41" and its NUL (1-7), connection id (8-11), nonce part 1 (12-19), filler (20), low
    // caps (21-22): a greeting may end there ("if more data in the packet"). Then charset, status,
    // high caps, length byte, reserved (23-38), nonce part 2 and its NUL (39-51), the plugin name
    // (52-73): missing, or without its NUL, as servers before 5.5.10 sent it (Bug #59453).
    expectTruncations(decodeHandshakeV10, stockBytes, "HandshakeV10", [23, ...lengths(52, 73)]);
  });
});
