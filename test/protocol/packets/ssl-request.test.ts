import { CapabilityFlags, capabilityNames } from "../../../src/protocol/constants";
import { encodePacket } from "../../../src/protocol/framing";
import {
  decodeSslRequest,
  encodeSslRequest,
  isSslRequest,
  type SslRequest,
} from "../../../src/protocol/packets/ssl-request";
import { Bytes, hex } from "../../helpers/bytes";
import {
  MARIADB_CLI_SSL_REQUEST,
  MARIADB_NPM_SSL_REQUEST,
  MYSQL2_HANDSHAKE_RESPONSE,
  MYSQL2_SSL_REQUEST,
  MYSQLJS_SSL_REQUEST,
  OPENSSL_SSL_REQUEST,
  payloadOf,
  TESTSSL_SSL_REQUEST,
} from "../fixtures/client-captures";
import { expectTruncations } from "../malformed";
import { Mysql2ConnectionConfig, Mysql2SslRequest } from "../mysql2-internals";

function form41(capabilityFlags: number, maxPacketSize: number, characterSet: number): SslRequest {
  return {
    form: "41",
    capabilityFlags,
    maxPacketSize,
    characterSet,
    reserved: Buffer.alloc(23),
    trailing: Buffer.alloc(0),
  };
}

const realRequests: Array<[string, Buffer, SslRequest]> = [
  ["openssl s_client -starttls mysql / sslscan", OPENSSL_SSL_REQUEST, form41(0x007fae85, 0x01000000, 33)],
  ["testssl.sh", TESTSSL_SSL_REQUEST, form41(0x00ffae85, 0x01000000, 33)],
  ["mysql2 3.24.6", MYSQL2_SSL_REQUEST, form41(0x08bafbcf, 0, 224)],
  ["mysql (mysqljs) 2.18.1", MYSQLJS_SSL_REQUEST, form41(0x0006fbcf, 0, 33)],
  ["mariadb (npm) 3.5.4", MARIADB_NPM_SSL_REQUEST, form41(0x01beab02, 0x40000000, 224)],
  ["MariaDB 10.11 mysql CLI", MARIADB_CLI_SSL_REQUEST, form41(0x00bfaa85, 0x00100000, 33)],
];

describe("SSLRequest", () => {
  it.each(realRequests)("decodes the SSLRequest %s really sends", (_client, framed, expected) => {
    expect(framed.length).toBe(36);
    expect(framed.subarray(0, 4)).toEqual(hex("20 00 00 01"));
    expect(decodeSslRequest(payloadOf(framed))).toEqual(expected);
    expect(isSslRequest(payloadOf(framed))).toBe(true);
  });

  it.each(realRequests)("encodes the SSLRequest %s sends byte for byte", (_client, framed, request) => {
    expect(encodeSslRequest(request)).toEqual(payloadOf(framed));
    expect(encodePacket(encodeSslRequest(request), 1)).toEqual(framed);
  });

  it("builds the openssl request field by field", () => {
    const expected = new Bytes()
      .bytes("85 ae 7f 00") // LONG_PASSWORD LONG_FLAG LOCAL_FILES … SSL … PLUGIN_AUTH_LENENC_CLIENT_DATA
      .int4(16 * 1024 * 1024)
      .int1(33) // utf8_general_ci
      .zeros(23)
      .framed(1);
    expect(expected).toEqual(OPENSSL_SSL_REQUEST);
    expect(capabilityNames(0x007fae85)).toContain("CLIENT_SSL");
  });

  it("matches what mysql2's SSLRequest class builds for a default connection with ssl", () => {
    const config = new Mysql2ConnectionConfig({ host: "127.0.0.1", user: "root", ssl: {} });
    expect(config.clientFlags >>> 0).toBe(0x08baf3cf);
    expect(config.charsetNumber).toBe(224);
    const packet = new Mysql2SslRequest(config.clientFlags, config.charsetNumber).toPacket();
    // mysql2 leaves the header zero until it writes the packet
    expect(packet.buffer.subarray(0, 4)).toEqual(hex("00 00 00 00"));
    expect(packet.buffer.subarray(4)).toEqual(payloadOf(MYSQL2_SSL_REQUEST));
    expect(capabilityNames(0x08bafbcf)).toContain("CLIENT_QUERY_ATTRIBUTES");
  });

  it("round-trips the 5-byte pre-4.1 form", () => {
    const request: SslRequest = {
      form: "320",
      capabilityFlags: 0x0885,
      maxPacketSize: 0xffffff,
      characterSet: 0,
      reserved: Buffer.alloc(0),
      trailing: Buffer.alloc(0),
    };
    const payload = hex("85 08 ff ff ff");
    expect(encodeSslRequest(request)).toEqual(payload);
    expect(decodeSslRequest(payload)).toEqual(request);
    expect(isSslRequest(payload)).toBe(true);
  });

  it("round-trips the 4-byte caps-only form of old Connector/J", () => {
    const request: SslRequest = {
      form: "caps-only",
      capabilityFlags: 0x0000aa8f,
      maxPacketSize: 0,
      characterSet: 0,
      reserved: Buffer.alloc(0),
      trailing: Buffer.alloc(0),
    };
    expect(encodeSslRequest(request)).toEqual(hex("8f aa 00 00"));
    expect(decodeSslRequest(hex("8f aa 00 00"))).toEqual(request);
  });

  it("keeps the bytes of a client that sent a whole HandshakeResponse41 with CLIENT_SSL", () => {
    const response = new Bytes().bytes(payloadOf(MYSQL2_SSL_REQUEST)).nulString("root").int1(0).build();
    expect(decodeSslRequest(response)).toMatchObject({ form: "41", trailing: hex("72 6f 6f 74 00 00") });
    expect(encodeSslRequest(decodeSslRequest(response))).toEqual(response);
  });

  it("keeps MariaDB extended capabilities in the reserved bytes", () => {
    const payload = new Bytes().int4(0x0082a20c).int4(0).int1(224).zeros(19).int4(0x1c).build();
    const request = decodeSslRequest(payload);
    expect(request.reserved.subarray(19)).toEqual(hex("1c 00 00 00"));
    expect(encodeSslRequest(request)).toEqual(payload);
  });

  it("tells a HandshakeResponse without CLIENT_SSL from an SSLRequest", () => {
    expect(isSslRequest(payloadOf(MYSQL2_HANDSHAKE_RESPONSE))).toBe(false);
    expect(isSslRequest(Buffer.alloc(0))).toBe(false);
    expect(isSslRequest(hex("00"))).toBe(false);
    expect(isSslRequest(hex("00 08"))).toBe(true);
    expect(CapabilityFlags.CLIENT_SSL).toBe(0x800);
  });

  it("rejects a CLIENT_PROTOCOL_41 request shorter than 32 bytes", () => {
    expect(() => decodeSslRequest(payloadOf(OPENSSL_SSL_REQUEST).subarray(0, 31))).toThrow(
      "malformed SSLRequest at byte 0: a CLIENT_PROTOCOL_41 SSLRequest has 32 bytes, got 31",
    );
  });

  it("rejects every truncation except the first 4 bytes, which are the caps-only form", () => {
    expectTruncations(decodeSslRequest, payloadOf(OPENSSL_SSL_REQUEST), "SSLRequest", [4]);
  });
});
