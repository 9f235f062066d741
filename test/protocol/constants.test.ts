import {
  CapabilityFlags,
  CharacterSet,
  Command,
  capabilityNames,
  columnTypeName,
  commandName,
  ErrorCode,
  errorCodeName,
  MAX_PACKET_LENGTH,
  PACKET_HEADER_LENGTH,
  PacketMarker,
  PROTOCOL_VERSION,
  SCRAMBLE_LENGTH,
  SERVER_CAPABILITIES_NO_TLS,
  SERVER_CAPABILITIES_TLS,
  ServerStatus,
  serverStatusNames,
} from "../../src/protocol/constants";

describe("CapabilityFlags", () => {
  it("keeps every flag unsigned, bit 31 included", () => {
    for (const value of Object.values(CapabilityFlags)) expect(value).toBeGreaterThan(0);
    expect(CapabilityFlags.CLIENT_REMEMBER_OPTIONS).toBe(2147483648);
    expect(CapabilityFlags.CLIENT_SSL_VERIFY_SERVER_CERT).toBe(0x40000000);
    expect(CapabilityFlags.CLIENT_SECURE_CONNECTION).toBe(0x8000);
    expect(CapabilityFlags.CLIENT_DEPRECATE_EOF).toBe(0x1000000);
  });

  it("derives the stock 5.7 greeting words from the server's flag logic (send_server_handshake_packet)", () => {
    const basic =
      0xffffffff &
      ~CapabilityFlags.CLIENT_SSL &
      ~CapabilityFlags.CLIENT_COMPRESS &
      ~CapabilityFlags.CLIENT_SSL_VERIFY_SERVER_CERT &
      // bits 25-29 are 8.0 additions, absent from 5.7's CLIENT_BASIC_FLAGS
      ~0x3e000000;
    const withZlib = (basic | CapabilityFlags.CLIENT_TRANSACTIONS | CapabilityFlags.CLIENT_COMPRESS) >>> 0;
    expect(withZlib).toBe(SERVER_CAPABILITIES_NO_TLS);
    const withTls =
      (withZlib | CapabilityFlags.CLIENT_SSL | CapabilityFlags.CLIENT_SSL_VERIFY_SERVER_CERT) >>> 0;
    expect(withTls).toBe(SERVER_CAPABILITIES_TLS);
    expect(SERVER_CAPABILITIES_TLS & 0xffff).toBe(65535);
  });
});

describe("capabilityNames", () => {
  it("names set bits in bit order, bit 31 included", () => {
    expect(capabilityNames(0x80000a01)).toEqual([
      "CLIENT_LONG_PASSWORD",
      "CLIENT_PROTOCOL_41",
      "CLIENT_SSL",
      "CLIENT_REMEMBER_OPTIONS",
    ]);
  });

  it("reads a negative word (a JavaScript | result) as unsigned", () => {
    expect(capabilityNames(0x80000000 | 0x800)).toEqual(["CLIENT_SSL", "CLIENT_REMEMBER_OPTIONS"]);
  });

  it("calls bit 15 CLIENT_SECURE_CONNECTION rather than its CLIENT_RESERVED2 alias", () => {
    expect(capabilityNames(0x8000)).toEqual(["CLIENT_SECURE_CONNECTION"]);
  });

  it("names the 27 set bits of the stock TLS greeting", () => {
    const names = capabilityNames(SERVER_CAPABILITIES_TLS);
    expect(names).toHaveLength(27);
    expect(names).not.toContain("CLIENT_QUERY_ATTRIBUTES");
    expect(names).toContain("CLIENT_SSL_VERIFY_SERVER_CERT");
  });

  it("falls back to BIT_<n> for bits without a name", () => {
    // every bit has a name today; a hypothetical unnamed value proves the fallback path exists
    expect(capabilityNames(0)).toEqual([]);
    expect(serverStatusNames(0x8000)).toEqual(["BIT_15"]);
  });
});

describe("constants", () => {
  it("matches the protocol's fixed sizes", () => {
    expect(PROTOCOL_VERSION).toBe(10);
    expect(MAX_PACKET_LENGTH).toBe(16777215);
    expect(PACKET_HEADER_LENGTH).toBe(4);
    expect(SCRAMBLE_LENGTH).toBe(20);
  });

  it("names status bits", () => {
    expect(
      serverStatusNames(ServerStatus.SERVER_STATUS_AUTOCOMMIT | ServerStatus.SERVER_SESSION_STATE_CHANGED),
    ).toEqual(["SERVER_STATUS_AUTOCOMMIT", "SERVER_SESSION_STATE_CHANGED"]);
  });

  it("names command bytes and flags unknown ones in hex", () => {
    expect(commandName(Command.COM_QUERY)).toBe("COM_QUERY");
    expect(commandName(0x0e)).toBe("COM_PING");
    expect(commandName(0x1f)).toBe("COM_RESET_CONNECTION");
    expect(commandName(0x20)).toBe("COM_UNKNOWN_0x20");
    expect(commandName(0xff)).toBe("COM_UNKNOWN_0xff");
    expect(Object.values(Command)).toEqual([...Array(0x20).keys()]);
  });

  it("names error codes", () => {
    expect(errorCodeName(1045)).toBe("ER_ACCESS_DENIED_ERROR");
    expect(errorCodeName(ErrorCode.ER_SECURE_TRANSPORT_REQUIRED)).toBe("ER_SECURE_TRANSPORT_REQUIRED");
    expect(ErrorCode.ER_HANDSHAKE_ERROR).toBe(1043);
    expect(errorCodeName(4242)).toBe("ERROR_4242");
  });

  it("names column types", () => {
    expect(columnTypeName(0x08)).toBe("MYSQL_TYPE_LONGLONG");
    expect(columnTypeName(0xfd)).toBe("MYSQL_TYPE_VAR_STRING");
    expect(columnTypeName(0x20)).toBe("MYSQL_TYPE_UNKNOWN_0x20");
  });

  it("gives the collations and markers their wire values", () => {
    expect(CharacterSet).toMatchObject({
      latin1_swedish_ci: 8,
      utf8_general_ci: 33,
      binary: 63,
      utf8mb4_0900_ai_ci: 255,
    });
    expect(PacketMarker).toEqual({
      OK: 0,
      AUTH_MORE_DATA: 1,
      LOCAL_INFILE: 0xfb,
      EOF: 0xfe,
      AUTH_SWITCH: 0xfe,
      ERR: 0xff,
    });
  });
});
