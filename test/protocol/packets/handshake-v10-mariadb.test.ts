import { CapabilityFlags } from "../../../src/protocol/constants";
import { decodeHandshakeV10, encodeHandshakeV10 } from "../../../src/protocol/packets/handshake-v10";
import { hex } from "../../helpers/bytes";

/**
 * Greetings of Debian 12's mariadbd 10.11.19 (started with --no-defaults in a fresh data
 * directory, as test/helpers/mariadb-server.ts does), read off a loopback port, payload only.
 * The codec must read every field of them and write them back byte for byte: whatever the real
 * server puts in a greeting, a profile can say. test/scenarios/mariadb-10.11-greeting-bytes.test.ts
 * compares the profiles with a live server; these fixed bytes keep the codec honest without one.
 */

/** With --ssl-ca/--ssl-cert/--ssl-key: connection id 4, CLIENT_SSL set. */
const WITH_TLS = hex(
  "0a 352e352e352d31302e31312e31392d4d6172696144422d302b646562313275310004000000394a4b76343e7866" +
    "00 feff 08 0200 ff81 15 0000000000001d000000 73323e7e222947685962644d00" +
    "6d7973716c5f6e61746976655f70617373776f726400",
);
/** Without TLS: connection id 4, CLIENT_SSL clear; nothing else differs but the scramble. */
const WITHOUT_TLS = hex(
  "0a 352e352e352d31302e31312e31392d4d6172696144422d302b646562313275310004000000384a4c7d52627547" +
    "00 fef7 08 0200 ff81 15 0000000000001d000000 435975605f4061477d63586c00" +
    "6d7973716c5f6e61746976655f70617373776f726400",
);

describe("MariaDB 10.11.19's own greetings", () => {
  it.each([
    ["with TLS", WITH_TLS, 0x81fffffe],
    ["without TLS", WITHOUT_TLS, 0x81fff7fe],
  ])("decode field by field %s", (_case, payload, capabilityFlags) => {
    const greeting = decodeHandshakeV10(payload);
    expect(greeting).toMatchObject({
      protocolVersion: 10,
      serverVersion: "5.5.5-10.11.19-MariaDB-0+deb12u1",
      connectionId: 4,
      capabilityFlags,
      // latin1_swedish_ci: the compiled-in default (Debian's 50-server.cnf would make it 45, utf8mb4_general_ci).
      characterSet: 8,
      statusFlags: 0x0002,
      authPluginDataLengthByte: 21,
      authPluginName: "mysql_native_password",
    });
    expect(greeting.authPluginData).toHaveLength(20);
    // Extended capabilities 0x1D in the last 4 reserved bytes: progress, bulk, extended metadata, metadata cache.
    expect(greeting.reserved?.readUInt32LE(6)).toBe(0x1d);
    expect(greeting.capabilityFlags & CapabilityFlags.CLIENT_SSL_VERIFY_SERVER_CERT).toBe(0);
  });

  it.each([
    ["with TLS", WITH_TLS],
    ["without TLS", WITHOUT_TLS],
  ])("encode back to the same bytes %s", (_case, payload) => {
    expect(encodeHandshakeV10(decodeHandshakeV10(payload)).toString("hex")).toBe(payload.toString("hex"));
  });

  it("differ in CLIENT_SSL alone, once the scramble is set aside", () => {
    const withTls = decodeHandshakeV10(WITH_TLS);
    const withoutTls = decodeHandshakeV10(WITHOUT_TLS);
    expect((withTls.capabilityFlags ^ withoutTls.capabilityFlags) >>> 0).toBe(CapabilityFlags.CLIENT_SSL);
    expect({ ...withTls, authPluginData: null, capabilityFlags: 0 }).toEqual({
      ...withoutTls,
      authPluginData: null,
      capabilityFlags: 0,
    });
  });
});
