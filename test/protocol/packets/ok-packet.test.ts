import { CapabilityFlags, ServerStatus } from "../../../src/protocol/constants";
import { decodeOk, encodeOk, type OkPacket } from "../../../src/protocol/packets/ok-packet";
import { Bytes, hex } from "../../helpers/bytes";
import { expectTruncations } from "../malformed";

const { CLIENT_PROTOCOL_41, CLIENT_SESSION_TRACK, CLIENT_TRANSACTIONS, CLIENT_DEPRECATE_EOF } =
  CapabilityFlags;
/** What libmysqlclient 5.7 asks for (CLIENT_CAPABILITIES, libmysql/client_settings.h): PROTOCOL_41, SESSION_TRACK, DEPRECATE_EOF among them. */
const LIBMYSQL_CAPS = 0x01bea205;
const MYSQLJS_CAPS = 0x0006f3cf;

const postAuth: OkPacket = {
  header: 0x00,
  affectedRows: 0,
  lastInsertId: 0,
  statusFlags: 0x0002,
  warnings: 0,
};

describe("OK packet", () => {
  it("encodes the minimal post-auth OK as 00 00 00 02 00 00 00", () => {
    expect(encodeOk(postAuth, LIBMYSQL_CAPS)).toEqual(hex("00 00 00 02 00 00 00"));
    expect(encodeOk(postAuth, MYSQLJS_CAPS)).toEqual(hex("00 00 00 02 00 00 00"));
  });

  it("decodes the minimal post-auth OK", () => {
    expect(decodeOk(hex("00 00 00 02 00 00 00"), LIBMYSQL_CAPS)).toEqual(postAuth);
  });

  it("defaults the header to 0x00", () => {
    const { header: _header, ...withoutHeader } = postAuth;
    expect(encodeOk(withoutHeader, CLIENT_PROTOCOL_41)).toEqual(hex("00 00 00 02 00 00 00"));
  });

  it("writes affected rows and insert id as length-encoded integers", () => {
    const ok: OkPacket = {
      header: 0x00,
      affectedRows: 300,
      lastInsertId: 70000,
      statusFlags: 0x0003,
      warnings: 2,
    };
    const bytes = new Bytes().int1(0).bytes("fc 2c 01").bytes("fd 70 11 01").int2(3).int2(2).build();
    expect(encodeOk(ok, CLIENT_PROTOCOL_41)).toEqual(bytes);
    expect(decodeOk(bytes, CLIENT_PROTOCOL_41)).toEqual(ok);
  });

  it("sends the info string length-encoded to a SESSION_TRACK client", () => {
    const ok: OkPacket = { ...postAuth, affectedRows: 1, info: "Rows matched: 1  Changed: 1  Warnings: 0" };
    const bytes = new Bytes().int1(0).int1(1).int1(0).int2(2).int2(0).lenencString(ok.info!).build();
    expect(encodeOk(ok, LIBMYSQL_CAPS)).toEqual(bytes);
    expect(decodeOk(bytes, LIBMYSQL_CAPS)).toEqual(ok);
  });

  it("sends the info string length-encoded without SESSION_TRACK too, as 5.7's net_send_ok does", () => {
    // The documentation says string<EOF>; the server calls net_store_data (lenenc) in both
    // branches, which is why mysqljs shows messages as "(Rows matched: …" — 0x28 is the length.
    const info = "(Rows matched: 1  Changed: 1  Warnings: 0".slice(1);
    const ok: OkPacket = { ...postAuth, affectedRows: 1, info };
    const bytes = new Bytes().int1(0).int1(1).int1(0).int2(2).int2(0).int1(40).string(info).build();
    expect(encodeOk(ok, MYSQLJS_CAPS)).toEqual(bytes);
    expect(bytes.subarray(7).toString("latin1")).toBe("(Rows matched: 1  Changed: 1  Warnings: 0");
    expect(decodeOk(bytes, MYSQLJS_CAPS)).toEqual(ok);
  });

  it("adds the session-state block when SERVER_SESSION_STATE_CHANGED is set", () => {
    // SESSION_TRACK_SYSTEM_VARIABLES: autocommit=OFF
    const state = new Bytes().int1(0).int1(13).lenencString("autocommit").lenencString("OFF").build();
    const ok: OkPacket = {
      ...postAuth,
      statusFlags: ServerStatus.SERVER_SESSION_STATE_CHANGED,
      sessionStateChanges: state,
    };
    const bytes = new Bytes()
      .int1(0)
      .int1(0)
      .int1(0)
      .int2(0x4000)
      .int2(0)
      .int1(0)
      .lenencInt(state.length)
      .bytes(state)
      .build();
    expect(encodeOk(ok, LIBMYSQL_CAPS)).toEqual(bytes);
    expect(decodeOk(bytes, LIBMYSQL_CAPS)).toEqual(ok);
  });

  it("leaves the session-state block out for a client without SESSION_TRACK", () => {
    const ok: OkPacket = { ...postAuth, statusFlags: 0x4002, sessionStateChanges: hex("00 01 00") };
    expect(encodeOk(ok, MYSQLJS_CAPS)).toEqual(hex("00 00 00 02 40 00 00"));
  });

  it("ends a resultset with header 0xfe for a DEPRECATE_EOF client", () => {
    const ok: OkPacket = { ...postAuth, header: 0xfe };
    expect(encodeOk(ok, LIBMYSQL_CAPS | CLIENT_DEPRECATE_EOF)).toEqual(hex("fe 00 00 02 00 00 00"));
    expect(decodeOk(hex("fe 00 00 02 00 00 00"), LIBMYSQL_CAPS)).toEqual(ok);
  });

  it("sends only the status to a pre-4.1 client with CLIENT_TRANSACTIONS, nothing more without it", () => {
    expect(encodeOk({ ...postAuth, warnings: 3 }, CLIENT_TRANSACTIONS)).toEqual(hex("00 00 00 02 00"));
    expect(decodeOk(hex("00 00 00 02 00"), CLIENT_TRANSACTIONS)).toEqual(postAuth);
    expect(encodeOk(postAuth, 0)).toEqual(hex("00 00 00"));
    expect(decodeOk(hex("00 00 00"), 0)).toEqual({ ...postAuth, statusFlags: 0 });
  });

  it("caps the warning count at 65535", () => {
    expect(encodeOk({ ...postAuth, warnings: 70000 }, CLIENT_PROTOCOL_41)).toEqual(
      hex("00 00 00 02 00 ff ff"),
    );
  });

  it("rejects other headers and NULL counts", () => {
    expect(() => decodeOk(hex("ff 00 00"), CLIENT_PROTOCOL_41)).toThrow(
      "malformed OK at byte 0: header 0xff",
    );
    expect(() => decodeOk(hex("00 fb 00 02 00 00 00"), CLIENT_PROTOCOL_41)).toThrow(
      "malformed OK at byte 1: unexpected NULL (0xfb) as affected rows",
    );
  });

  it("rejects every truncation of an OK that carries session state, which must follow its info", () => {
    const full = encodeOk(
      { ...postAuth, statusFlags: 0x4002, info: "info", sessionStateChanges: hex("00 01 00") },
      CLIENT_PROTOCOL_41 | CLIENT_SESSION_TRACK,
    );
    expectTruncations((p) => decodeOk(p, CLIENT_PROTOCOL_41 | CLIENT_SESSION_TRACK), full, "OK", []);
  });
});
