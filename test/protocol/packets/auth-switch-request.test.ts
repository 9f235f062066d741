import {
  type AuthSwitchRequest,
  decodeAuthSwitchRequest,
  encodeAuthSwitchRequest,
} from "../../../src/protocol/packets/auth-switch-request";
import { Bytes, hex } from "../../helpers/bytes";
import { CAPTURE_NONCE } from "../fixtures/client-captures";
import { expectTruncations, lengths } from "../malformed";

describe("AuthSwitchRequest", () => {
  it("encodes 5.7's switch to mysql_native_password: name, NUL, 20-byte nonce, 0x00", () => {
    const request: AuthSwitchRequest = {
      pluginName: "mysql_native_password",
      pluginData: Buffer.concat([CAPTURE_NONCE, hex("00")]),
    };
    const bytes = new Bytes()
      .int1(0xfe)
      .nulString("mysql_native_password")
      .bytes(CAPTURE_NONCE)
      .int1(0)
      .build();
    expect(bytes.length).toBe(44);
    expect(encodeAuthSwitchRequest(request)).toEqual(bytes);
    expect(decodeAuthSwitchRequest(bytes)).toEqual(request);
  });

  it("encodes a rogue switch to mysql_clear_password with no data", () => {
    const request: AuthSwitchRequest = { pluginName: "mysql_clear_password", pluginData: Buffer.alloc(0) };
    expect(encodeAuthSwitchRequest(request)).toEqual(
      new Bytes().int1(0xfe).nulString("mysql_clear_password").build(),
    );
    expect(decodeAuthSwitchRequest(encodeAuthSwitchRequest(request))).toEqual(request);
  });

  it("reads a lone 0xfe as libmysqlclient does: a switch to mysql_old_password", () => {
    expect(decodeAuthSwitchRequest(hex("fe"))).toEqual({
      pluginName: "mysql_old_password",
      pluginData: Buffer.alloc(0),
    });
  });

  it("rejects other headers and a name without its NUL", () => {
    expect(() => decodeAuthSwitchRequest(hex("00 61"))).toThrow("header 0x00 is not 0xfe");
    expect(() => decodeAuthSwitchRequest(hex("fe 61 62"))).toThrow(
      "malformed AuthSwitchRequest at byte 1: plugin name is not NUL-terminated",
    );
  });

  it("rejects every truncation except the lone 0xfe and those that end the plugin data sooner", () => {
    // fe, "sha256_password" and its NUL (bytes 1-16), then the 20-byte nonce and its NUL to the
    // end of the packet: string<EOF>, so any shorter data is a whole packet.
    const payload = encodeAuthSwitchRequest({ pluginName: "sha256_password", pluginData: CAPTURE_NONCE });
    expect(payload).toHaveLength(37);
    expectTruncations(decodeAuthSwitchRequest, payload, "AuthSwitchRequest", [1, ...lengths(17, 36)]);
  });
});
