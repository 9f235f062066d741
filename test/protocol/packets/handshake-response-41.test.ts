import { CapabilityFlags } from "../../../src/protocol/constants";
import { MalformedPacketError } from "../../../src/protocol/errors";
import { encodePacket } from "../../../src/protocol/framing";
import {
  decodeHandshakeResponse41,
  encodeHandshakeResponse41,
  type HandshakeResponse41,
} from "../../../src/protocol/packets/handshake-response-41";
import { Bytes, hex } from "../../helpers/bytes";
import {
  CAPTURE_NATIVE_REPLY,
  MARIADB_CLI_HANDSHAKE_RESPONSE,
  MYSQL2_HANDSHAKE_RESPONSE,
  MYSQL2_SSL_REQUEST,
  MYSQLJS_HANDSHAKE_RESPONSE,
  payloadOf,
} from "../fixtures/client-captures";
import { expectTruncations, lengths } from "../malformed";
import { Mysql2HandshakeResponse, mysql2Packet } from "../mysql2-internals";

const {
  CLIENT_CONNECT_ATTRS,
  CLIENT_PLUGIN_AUTH,
  CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA,
  CLIENT_PROTOCOL_41,
  CLIENT_SECURE_CONNECTION,
} = CapabilityFlags;

const mysql2Response: HandshakeResponse41 = {
  capabilityFlags: 0x08baf3cf,
  maxPacketSize: 0,
  characterSet: 224,
  reserved: Buffer.alloc(23),
  username: "root",
  authResponse: CAPTURE_NATIVE_REPLY,
  database: "test",
  authPluginName: "mysql_native_password",
  connectAttributes: [
    ["_client_name", "Node-MySQL-2"],
    ["_client_version", "3.24.6"],
  ],
};

describe("HandshakeResponse41", () => {
  it("decodes the login mysql2 really sends", () => {
    expect(decodeHandshakeResponse41(payloadOf(MYSQL2_HANDSHAKE_RESPONSE))).toEqual(mysql2Response);
  });

  it("encodes mysql2's login byte for byte", () => {
    expect(encodePacket(encodeHandshakeResponse41(mysql2Response), 1)).toEqual(MYSQL2_HANDSHAKE_RESPONSE);
  });

  it("matches what mysql2's HandshakeResponse class builds, and mysql2 reads ours back", () => {
    const built = new Mysql2HandshakeResponse({
      flags: 0x08baf3cf,
      user: "root",
      database: "test",
      authToken: CAPTURE_NATIVE_REPLY,
      authPluginName: "mysql_native_password",
      charsetNumber: 224,
      connectAttributes: { _client_name: "Node-MySQL-2", _client_version: "3.24.6" },
    }).toPacket();
    expect(built.buffer.subarray(4)).toEqual(payloadOf(MYSQL2_HANDSHAKE_RESPONSE));

    const framed = encodePacket(encodeHandshakeResponse41(mysql2Response), 1);
    const parsed = Mysql2HandshakeResponse.fromPacket(mysql2Packet(framed));
    expect(parsed).toMatchObject({
      user: "root",
      database: "test",
      authPluginName: "mysql_native_password",
      authToken: CAPTURE_NATIVE_REPLY,
      connectAttributes: { _client_name: "Node-MySQL-2", _client_version: "3.24.6" },
    });
  });

  it("decodes the login of the MariaDB 10.11 mysql CLI (libmariadb), attributes in wire order", () => {
    const response = decodeHandshakeResponse41(payloadOf(MARIADB_CLI_HANDSHAKE_RESPONSE));
    expect(response).toEqual({
      capabilityFlags: 0x00bfa28d,
      maxPacketSize: 0x00100000,
      characterSet: 33,
      reserved: Buffer.alloc(23),
      username: "root",
      authResponse: CAPTURE_NATIVE_REPLY,
      database: "test",
      authPluginName: "mysql_native_password",
      connectAttributes: [
        ["_os", "Linux"],
        ["_client_name", "libmariadb"],
        ["_pid", "10238"],
        ["_client_version", "3.3.20"],
        ["_platform", "x86_64"],
        ["program_name", "mysql"],
        ["_server_host", "127.0.0.1"],
      ],
    });
    expect(encodePacket(encodeHandshakeResponse41(response), 1)).toEqual(MARIADB_CLI_HANDSHAKE_RESPONSE);
  });

  it("decodes mysqljs's login: 1-byte auth length, no plugin name, no attributes", () => {
    const response = decodeHandshakeResponse41(payloadOf(MYSQLJS_HANDSHAKE_RESPONSE));
    expect(response).toEqual({
      capabilityFlags: 0x0006f3cf,
      maxPacketSize: 0,
      characterSet: 33,
      reserved: Buffer.alloc(23),
      username: "root",
      authResponse: CAPTURE_NATIVE_REPLY,
      database: "test",
    });
    expect(encodePacket(encodeHandshakeResponse41(response), 1)).toEqual(MYSQLJS_HANDSHAKE_RESPONSE);
  });

  it("encodes connect attributes as one length-encoded block of length-encoded pairs", () => {
    const longValue = "x".repeat(300);
    const response: HandshakeResponse41 = {
      capabilityFlags:
        CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH | CLIENT_CONNECT_ATTRS,
      maxPacketSize: 16777216,
      characterSet: 255,
      reserved: Buffer.alloc(23),
      username: "jürgen",
      authResponse: Buffer.alloc(0),
      authPluginName: "caching_sha2_password",
      connectAttributes: [
        ["_client_name", "libmysql"],
        ["program_name", longValue],
        ["empty", ""],
      ],
    };
    const attributes = new Bytes()
      .lenencString("_client_name")
      .lenencString("libmysql")
      .lenencString("program_name")
      .bytes("fc 2c 01") // 300 as a 3-byte length-encoded integer
      .string(longValue)
      .lenencString("empty")
      .lenencString("");
    const expected = new Bytes()
      .int4(0x00188200)
      .int4(16777216)
      .int1(255)
      .zeros(23)
      .nulString("jürgen")
      .int1(0) // empty auth response, 1-byte length
      .nulString("caching_sha2_password")
      .bytes("fc")
      .int2(attributes.length)
      .bytes(attributes.build())
      .build();
    expect(encodeHandshakeResponse41(response)).toEqual(expected);
    expect(decodeHandshakeResponse41(expected)).toEqual(response);
  });

  it("writes an empty attribute block when CONNECT_ATTRS is set without attributes", () => {
    const response: HandshakeResponse41 = {
      ...mysql2Response,
      capabilityFlags: CLIENT_PROTOCOL_41 | CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA | CLIENT_CONNECT_ATTRS,
      database: undefined,
      authPluginName: undefined,
      connectAttributes: [],
    };
    const payload = encodeHandshakeResponse41(response);
    expect(payload.subarray(-22)).toEqual(Buffer.concat([hex("14"), CAPTURE_NATIVE_REPLY, hex("00")]));
    const { database: _d, authPluginName: _p, ...expected } = response;
    expect(decodeHandshakeResponse41(payload)).toEqual(expected);
  });

  it("reads a NUL-terminated auth response without SECURE_CONNECTION or LENENC", () => {
    const payload = new Bytes()
      .int4(CLIENT_PROTOCOL_41)
      .int4(0)
      .int1(8)
      .zeros(23)
      .nulString("u")
      .string("pw")
      .int1(0)
      .build();
    expect(decodeHandshakeResponse41(payload)).toMatchObject({
      username: "u",
      authResponse: Buffer.from("pw"),
    });
    expect(encodeHandshakeResponse41(decodeHandshakeResponse41(payload))).toEqual(payload);
  });

  it("lets the SSLRequest's capabilities decide the fields of the response sent inside TLS", () => {
    const sslCaps = payloadOf(MYSQL2_SSL_REQUEST).readUInt32LE(0);
    // The same login, but the caps word resent inside TLS claims nothing optional.
    const tampered = Buffer.from(payloadOf(MYSQL2_HANDSHAKE_RESPONSE));
    tampered.writeUInt32LE(CLIENT_PROTOCOL_41, 0);
    expect(() => decodeHandshakeResponse41(tampered)).not.toThrow();
    expect(decodeHandshakeResponse41(tampered).database).toBeUndefined();
    const response = decodeHandshakeResponse41(tampered, { capabilityFlags: sslCaps });
    expect(response).toEqual({ ...mysql2Response, capabilityFlags: CLIENT_PROTOCOL_41 });
  });

  it("reads a plugin name that runs to the end of the packet without its NUL", () => {
    const payload = encodeHandshakeResponse41({
      ...mysql2Response,
      capabilityFlags: mysql2Response.capabilityFlags & ~CLIENT_CONNECT_ATTRS,
    });
    const truncated = payload.subarray(0, payload.length - 1);
    expect(decodeHandshakeResponse41(truncated).authPluginName).toBe("mysql_native_password");
  });

  it("reads a missing plugin name as empty, as 5.7 does", () => {
    const payload = new Bytes()
      .int4(CLIENT_PROTOCOL_41 | CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA | CLIENT_PLUGIN_AUTH)
      .int4(0)
      .int1(33)
      .zeros(23)
      .nulString("root")
      .int1(0)
      .build();
    const response = decodeHandshakeResponse41(payload);
    expect(response.authPluginName).toBe("");
    expect(response.connectAttributes).toBeUndefined();
  });

  it("rejects a login that announces CLIENT_CONNECT_ATTRS and carries no attribute block, as 5.7 does", () => {
    const payload = new Bytes()
      .int4(
        CLIENT_PROTOCOL_41 |
          CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA |
          CLIENT_PLUGIN_AUTH |
          CLIENT_CONNECT_ATTRS,
      )
      .int4(0)
      .int1(33)
      .zeros(23)
      .nulString("root")
      .int1(0)
      .nulString("mysql_native_password")
      .build();
    // read_client_connect_attrs (sql/auth/sql_authentication.cc): "not enough bytes to hold the length".
    expect(() => decodeHandshakeResponse41(payload)).toThrow(
      new MalformedPacketError(
        "HandshakeResponse41",
        60,
        "expected 1 byte for connect attributes length, 0 left",
      ),
    );
  });

  it("names the user name that lacks its NUL", () => {
    const payload = new Bytes().int4(0x000fa685).int4(0).int1(33).zeros(23).string("root").build();
    expect(() => decodeHandshakeResponse41(payload)).toThrow(
      new MalformedPacketError("HandshakeResponse41", 32, "user name is not NUL-terminated"),
    );
    expect(() => decodeHandshakeResponse41(payload)).toThrow(
      "malformed HandshakeResponse41 at byte 32: user name is not NUL-terminated",
    );
  });

  it("rejects an attribute block longer than the packet, or a pair that overruns it", () => {
    const base = new Bytes()
      .int4(CLIENT_PROTOCOL_41 | CLIENT_CONNECT_ATTRS)
      .int4(0)
      .int1(33)
      .zeros(23)
      .nulString("u")
      .int1(0);
    const tooLong = new Bytes().bytes(base.build()).int1(10).lenencString("a").lenencString("b").build();
    expect(() => decodeHandshakeResponse41(tooLong)).toThrow("connect attributes claim 10 bytes, 4 left");
    const overrun = new Bytes().bytes(base.build()).int1(3).lenencString("a").lenencString("b").build();
    expect(() => decodeHandshakeResponse41(overrun)).toThrow(
      'connect attribute "a" overruns the attribute block',
    );
  });

  it.each([
    ["mysql2", MYSQL2_HANDSHAKE_RESPONSE, 135],
    ["the MariaDB CLI", MARIADB_CLI_HANDSHAKE_RESPONSE, 213],
    ["mysqljs", MYSQLJS_HANDSHAKE_RESPONSE, 63],
  ])("rejects every truncation of %s's login, whose last field is required", (_client, fixture, length) => {
    // mysql2 and libmariadb end with the attribute block CLIENT_CONNECT_ATTRS requires, mysqljs
    // with the NUL of its database (CLIENT_CONNECT_WITH_DB).
    expect(payloadOf(fixture)).toHaveLength(length);
    expectTruncations(
      (payload) => decodeHandshakeResponse41(payload),
      payloadOf(fixture),
      "HandshakeResponse41",
      [],
    );
  });

  it("decodes a login without CLIENT_CONNECT_ATTRS cut after its database or in its plugin name, and no other truncation", () => {
    const payload = encodeHandshakeResponse41({
      ...mysql2Response,
      capabilityFlags: mysql2Response.capabilityFlags & ~CLIENT_CONNECT_ATTRS,
      connectAttributes: undefined,
    });
    // The header (0-31), "root" (32-36), the 20-byte reply with its length (37-57), "test" (58-62),
    // then "mysql_native_password" and its NUL (63-84): left out, or without its NUL.
    expect(payload).toHaveLength(85);
    expectTruncations((p) => decodeHandshakeResponse41(p), payload, "HandshakeResponse41", lengths(63, 84));
  });

  it("decodes a login whose last field is a NUL-terminated auth response cut anywhere in it, and no other truncation", () => {
    const payload = new Bytes()
      .int4(CLIENT_PROTOCOL_41)
      .int4(0)
      .int1(8)
      .zeros(23)
      .nulString("u")
      .string("pw")
      .int1(0)
      .build();
    expectTruncations((p) => decodeHandshakeResponse41(p), payload, "HandshakeResponse41", lengths(34, 36));
  });
});
