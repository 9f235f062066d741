import { CapabilityFlags } from "../../../src/protocol/constants";
import {
  decodeHandshakeResponse320,
  encodeHandshakeResponse320,
  type HandshakeResponse320,
} from "../../../src/protocol/packets/handshake-response-320";
import { Bytes } from "../../helpers/bytes";
import { expectTruncations, lengths } from "../malformed";

describe("HandshakeResponse320", () => {
  const withDb: HandshakeResponse320 = {
    capabilityFlags: CapabilityFlags.CLIENT_LONG_PASSWORD | CapabilityFlags.CLIENT_CONNECT_WITH_DB,
    maxPacketSize: 0xffffff,
    username: "root",
    authResponse: Buffer.from("PYJ[PKTF"),
    database: "test",
  };
  const withDbBytes = new Bytes()
    .int2(0x0009)
    .int3(0xffffff)
    .nulString("root")
    .nulString("PYJ[PKTF") // 8-character pre-4.1 scramble
    .nulString("test")
    .build();

  it("encodes a pre-4.1 login with a database", () => {
    expect(encodeHandshakeResponse320(withDb)).toEqual(withDbBytes);
  });

  it("decodes a pre-4.1 login with a database", () => {
    expect(decodeHandshakeResponse320(withDbBytes)).toEqual(withDb);
  });

  it("reads the auth response to the end without CLIENT_CONNECT_WITH_DB, dropping the trailing NUL", () => {
    const response: HandshakeResponse320 = {
      capabilityFlags: CapabilityFlags.CLIENT_LONG_PASSWORD | CapabilityFlags.CLIENT_LONG_FLAG,
      maxPacketSize: 0x010000,
      username: "old",
      authResponse: Buffer.from("ABCDEFGH"),
    };
    const bytes = new Bytes().int2(0x0005).int3(0x010000).nulString("old").nulString("ABCDEFGH").build();
    expect(encodeHandshakeResponse320(response)).toEqual(bytes);
    expect(decodeHandshakeResponse320(bytes)).toEqual(response);
  });

  it("reads an empty password", () => {
    const bytes = new Bytes().int2(0x0001).int3(0).nulString("anon").build();
    expect(decodeHandshakeResponse320(bytes)).toEqual({
      capabilityFlags: 1,
      maxPacketSize: 0,
      username: "anon",
      authResponse: Buffer.alloc(0),
    });
  });

  it("rejects every truncation except those that leave the database out or end it without its NUL", () => {
    // Caps (0-1), max packet (2-4), "root" and its NUL (5-9), the scramble and its NUL (10-18), then
    // the database: 5.7 reads a 4.0 string at the end of the packet without its NUL, and an absent
    // one as empty (get_40_protocol_string in sql/auth/sql_authentication.cc).
    expectTruncations(decodeHandshakeResponse320, withDbBytes, "HandshakeResponse320", lengths(19, 23));
  });
});
