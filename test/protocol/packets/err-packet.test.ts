import { CapabilityFlags, ErrorCode } from "../../../src/protocol/constants";
import { encodePacket } from "../../../src/protocol/framing";
import { decodeErr, type ErrPacket, encodeErr } from "../../../src/protocol/packets/err-packet";
import { Bytes, hex } from "../../helpers/bytes";
import { expectTruncations, lengths } from "../malformed";

const PROTOCOL_41 = CapabilityFlags.CLIENT_PROTOCOL_41;

describe("ERR packet", () => {
  it("encodes access denied with #28000 for a 4.1 client", () => {
    const err: ErrPacket = {
      code: ErrorCode.ER_ACCESS_DENIED_ERROR,
      sqlState: "28000",
      message: "Access denied for user 'root'@'localhost' (using password: YES)",
    };
    const bytes = new Bytes().int1(0xff).bytes("15 04").string("#28000").string(err.message).build();
    expect(encodeErr(err, PROTOCOL_41)).toEqual(bytes);
    expect(decodeErr(bytes, PROTOCOL_41)).toEqual(err);
    expect(encodePacket(bytes, 2).subarray(0, 4)).toEqual(hex("48 00 00 02"));
  });

  it("encodes Bad handshake with #08S01 once PROTOCOL_41 caps are known", () => {
    const err: ErrPacket = {
      code: ErrorCode.ER_HANDSHAKE_ERROR,
      sqlState: "08S01",
      message: "Bad handshake",
    };
    const bytes = hex("ff 13 04 23 30 38 53 30 31 42 61 64 20 68 61 6e 64 73 68 61 6b 65");
    expect(encodeErr(err, PROTOCOL_41)).toEqual(bytes);
    expect(decodeErr(bytes, PROTOCOL_41)).toEqual(err);
  });

  it("encodes Bad handshake without SQLSTATE before any caps are known", () => {
    const err: ErrPacket = {
      code: ErrorCode.ER_HANDSHAKE_ERROR,
      sqlState: "08S01",
      message: "Bad handshake",
    };
    const bytes = hex("ff 13 04 42 61 64 20 68 61 6e 64 73 68 61 6b 65");
    expect(encodeErr(err, 0)).toEqual(bytes);
    expect(decodeErr(bytes, 0)).toEqual({ code: 1043, message: "Bad handshake" });
  });

  it("encodes the require_secure_transport refusal (3159, HY000)", () => {
    const err: ErrPacket = {
      code: ErrorCode.ER_SECURE_TRANSPORT_REQUIRED,
      sqlState: "HY000",
      message: "Connections using insecure transport are prohibited while --require_secure_transport=ON.",
    };
    const bytes = new Bytes().int1(0xff).int2(3159).string("#HY000").string(err.message).build();
    expect(bytes.subarray(1, 3)).toEqual(hex("57 0c"));
    expect(encodeErr(err, PROTOCOL_41)).toEqual(bytes);
    expect(decodeErr(bytes, PROTOCOL_41)).toEqual(err);
  });

  it("defaults the SQLSTATE to HY000", () => {
    expect(encodeErr({ code: 1047, message: "Unknown command" }, PROTOCOL_41).subarray(3, 9)).toEqual(
      Buffer.from("#HY000"),
    );
  });

  it("truncates the message to 511 bytes without splitting a UTF-8 character", () => {
    const ascii = encodeErr({ code: 1064, sqlState: "42000", message: "x".repeat(600) }, PROTOCOL_41);
    expect(ascii.length).toBe(9 + 511);
    const utf8 = encodeErr({ code: 1064, sqlState: "42000", message: `${"x".repeat(510)}é` }, PROTOCOL_41);
    expect(utf8.length).toBe(9 + 510);
    expect(decodeErr(utf8, PROTOCOL_41).message).toBe("x".repeat(510));
  });

  it("reads a message without SQLSTATE from a 4.1 server that left it out", () => {
    expect(decodeErr(hex("ff 10 04 54 6f 6f"), PROTOCOL_41)).toEqual({ code: 1040, message: "Too" });
  });

  it("refuses an SQLSTATE that is not five printable characters", () => {
    expect(() => encodeErr({ code: 1, sqlState: "123", message: "" }, PROTOCOL_41)).toThrow(RangeError);
  });

  it("rejects every truncation that cuts the code or the SQLSTATE; a shorter message is a whole packet", () => {
    const full = encodeErr({ code: 1045, sqlState: "28000", message: "Access denied" }, PROTOCOL_41);
    // ff, the code (1-2), "#28000" (3-8), the message to the end (string<EOF>). Ending after the
    // code is an ERR without SQLSTATE, as a 4.1 server may send one.
    expectTruncations((p) => decodeErr(p, PROTOCOL_41), full, "ERR", [3, ...lengths(9, 21)]);
    expect(() => decodeErr(hex("00 01 02"), PROTOCOL_41)).toThrow("header 0x00 is not 0xff");
  });
});
