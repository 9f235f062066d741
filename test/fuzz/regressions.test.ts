import { CapabilityFlags } from "../../src/protocol/constants";
import {
  decodeHandshakeV10,
  encodeHandshakeV10,
  type HandshakeV10,
} from "../../src/protocol/packets/handshake-v10";

/** Counterexamples the fuzz properties found, kept as plain tests once fixed. */
describe("fuzz regressions", () => {
  // Property "HandshakeV10: decode(encode(x)) = x for any capability word …", seed 7: a greeting
  // whose capability word lacks CLIENT_SECURE_CONNECTION lost part 2 of its nonce, and with
  // CLIENT_PLUGIN_AUTH read part 2 as the plugin name. libmysqlclient reads part 2 whenever the
  // packet holds it, and the encoder (like 5.7's server) always writes it.
  const counterexample: HandshakeV10 = {
    protocolVersion: 10,
    serverVersion: "",
    connectionId: 0,
    authPluginData: Buffer.alloc(20),
    capabilityFlags: 0,
    characterSet: 0,
    statusFlags: 0,
    authPluginName: "",
    reserved: Buffer.alloc(10),
    authPluginDataLengthByte: 21,
  };

  it("keeps the whole nonce of a greeting without CLIENT_SECURE_CONNECTION (fuzz counterexample)", () => {
    expect(decodeHandshakeV10(encodeHandshakeV10(counterexample))).toEqual(counterexample);
  });

  it("reads the plugin name after the nonce with CLIENT_PLUGIN_AUTH but without CLIENT_SECURE_CONNECTION", () => {
    const greeting: HandshakeV10 = {
      ...counterexample,
      serverVersion: "5.7.41",
      authPluginData: Buffer.from("0123456789abcdefghij"),
      capabilityFlags: (0xc1ffffff & ~CapabilityFlags.CLIENT_SECURE_CONNECTION) >>> 0,
      authPluginName: "mysql_native_password",
    };
    expect(decodeHandshakeV10(encodeHandshakeV10(greeting))).toEqual(greeting);
  });
});
