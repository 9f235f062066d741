import { decodeAuthMoreData, encodeAuthMoreData } from "../../../src/protocol/packets/auth-more-data";
import { hex } from "../../helpers/bytes";

describe("AuthMoreData", () => {
  it("encodes caching_sha2_password's fast-auth success as 01 03", () => {
    expect(encodeAuthMoreData({ data: hex("03") })).toEqual(hex("01 03"));
    expect(decodeAuthMoreData(hex("01 03"))).toEqual({ data: hex("03") });
  });

  it("carries a PEM public key after the 0x01", () => {
    const pem = Buffer.from("-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n");
    const bytes = Buffer.concat([hex("01"), pem]);
    expect(encodeAuthMoreData({ data: pem })).toEqual(bytes);
    expect(decodeAuthMoreData(bytes)).toEqual({ data: pem });
  });

  it("rejects an empty packet and other headers with MalformedPacketError", () => {
    expect(() => decodeAuthMoreData(Buffer.alloc(0))).toThrow(
      "malformed AuthMoreData at byte 0: expected 1 byte",
    );
    expect(() => decodeAuthMoreData(hex("fe 03"))).toThrow("header 0xfe is not 0x01");
  });
});
