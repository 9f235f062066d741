import { CapabilityFlags, ColumnType, MariadbCapabilityFlags } from "../../../src/protocol/constants";
import { MalformedPacketError } from "../../../src/protocol/errors";
import { decodeTextResultset, encodeTextResultset } from "../../../src/protocol/packets/text-resultset";
import { hex } from "../../helpers/bytes";
import { selectOneColumn, selectOneColumnBytes } from "../fixtures/select-one";

const { CLIENT_PROTOCOL_41, CLIENT_DEPRECATE_EOF, CLIENT_SESSION_TRACK } = CapabilityFlags;
const MYSQL2_CAPS = 0x08baf3cf; // no DEPRECATE_EOF
const LIBMYSQL_CAPS = 0x01bea205; // DEPRECATE_EOF and SESSION_TRACK

describe("text resultset", () => {
  it("answers SELECT 1 with count, column, EOF, row, EOF for a client without DEPRECATE_EOF", () => {
    expect(encodeTextResultset({ columns: [selectOneColumn], rows: [["1"]] }, MYSQL2_CAPS, 0x0002)).toEqual([
      hex("01"),
      selectOneColumnBytes,
      hex("fe 00 00 02 00"),
      hex("01 31"),
      hex("fe 00 00 02 00"),
    ]);
  });

  it("ends with an OK whose header is 0xfe, and no EOF after the columns, for a DEPRECATE_EOF client", () => {
    expect(encodeTextResultset({ columns: [selectOneColumn], rows: [["1"]] }, LIBMYSQL_CAPS, 0x0002)).toEqual(
      [hex("01"), selectOneColumnBytes, hex("01 31"), hex("fe 00 00 02 00 00 00")],
    );
  });

  it("sends no rows as metadata followed directly by the end", () => {
    expect(encodeTextResultset({ columns: [selectOneColumn], rows: [] }, CLIENT_PROTOCOL_41, 0x0022)).toEqual(
      [hex("01"), selectOneColumnBytes, hex("fe 00 00 22 00"), hex("fe 00 00 22 00")],
    );
  });

  it.each([
    ["without DEPRECATE_EOF", MYSQL2_CAPS],
    ["with DEPRECATE_EOF", LIBMYSQL_CAPS],
    ["with DEPRECATE_EOF but no SESSION_TRACK", CLIENT_PROTOCOL_41 | CLIENT_DEPRECATE_EOF],
  ])("reads back what it encodes %s", (_label, caps) => {
    const column = { ...selectOneColumn, name: "Value", columnType: 0xfd };
    const payloads = encodeTextResultset(
      {
        columns: [selectOneColumn, column],
        rows: [
          ["1", null],
          ["2", "TLSv1.2"],
        ],
      },
      caps,
      0x0002,
    );
    expect(decodeTextResultset(payloads, caps)).toEqual({
      columns: [selectOneColumn, column],
      rows: [
        [Buffer.from("1"), null],
        [Buffer.from("2"), Buffer.from("TLSv1.2")],
      ],
      statusFlags: 2,
      warnings: 0,
    });
  });

  it("refuses a resultset without columns or with a short row", () => {
    expect(() => encodeTextResultset({ columns: [], rows: [] }, CLIENT_PROTOCOL_41, 2)).toThrow(RangeError);
    expect(() =>
      encodeTextResultset({ columns: [selectOneColumn], rows: [[]] }, CLIENT_PROTOCOL_41, 2),
    ).toThrow("row 0 has 0 values for 1 columns");
  });

  it("reports a missing end packet as malformed", () => {
    const payloads = encodeTextResultset(
      { columns: [selectOneColumn], rows: [["1"]] },
      CLIENT_SESSION_TRACK,
      2,
    );
    expect(() => decodeTextResultset(payloads.slice(0, -1), CLIENT_SESSION_TRACK)).toThrow(
      MalformedPacketError,
    );
    expect(() => decodeTextResultset([], 0)).toThrow(MalformedPacketError);
  });
});

describe("text resultset with MariaDB's extended capabilities", () => {
  const { MARIADB_CLIENT_EXTENDED_METADATA, MARIADB_CLIENT_CACHE_METADATA } = MariadbCapabilityFlags;
  /** `SELECT 1` as mariadbd 10.11.19 describes it: MYSQL_TYPE_LONG, NOT_NULL | BINARY. */
  const mariadbSelectOne = { ...selectOneColumn, columnType: ColumnType.MYSQL_TYPE_LONG };
  /**
   * Debian 12's mariadbd 10.11.19 answering the mariadb CLI's `SELECT 1` (Connector/C 3.3, extended
   * capabilities 0x1d on both sides, no CLIENT_DEPRECATE_EOF), read off a loopback relay: payloads
   * without their 4-byte headers.
   */
  const REAL_MARIADB_SELECT_ONE = [
    hex("01 01"),
    hex("03 64 65 66 00 00 00 01 31 00 00 0c 3f 00 01 00 00 00 03 81 00 00 00 00"),
    hex("fe 00 00 02 00"),
    hex("01 31"),
    hex("fe 00 00 02 00"),
  ];
  const CONNECTOR_C_CAPS = 0x00bfa284;

  it("writes mariadbd's bytes: a 'metadata follows' byte after the count, an empty extended-type block after org_name", () => {
    expect(
      encodeTextResultset(
        { columns: [mariadbSelectOne], rows: [["1"]] },
        CONNECTOR_C_CAPS,
        0x0002,
        MARIADB_CLIENT_EXTENDED_METADATA | MARIADB_CLIENT_CACHE_METADATA,
      ),
    ).toEqual(REAL_MARIADB_SELECT_ONE);
  });

  it("adds each only when that capability was negotiated", () => {
    const [countOnly, columnOnly] = [MARIADB_CLIENT_CACHE_METADATA, MARIADB_CLIENT_EXTENDED_METADATA].map(
      (caps) => encodeTextResultset({ columns: [selectOneColumn], rows: [["1"]] }, MYSQL2_CAPS, 0x0002, caps),
    );
    expect(countOnly!.slice(0, 2)).toEqual([hex("01 01"), selectOneColumnBytes]);
    expect(columnOnly![0]).toEqual(hex("01"));
    expect(columnOnly![1]).toEqual(
      Buffer.concat([selectOneColumnBytes.subarray(0, 9), hex("00"), selectOneColumnBytes.subarray(9)]),
    );
  });

  it("reads mariadbd's bytes back with the same capabilities", () => {
    expect(
      decodeTextResultset(
        REAL_MARIADB_SELECT_ONE,
        CONNECTOR_C_CAPS,
        MARIADB_CLIENT_EXTENDED_METADATA | MARIADB_CLIENT_CACHE_METADATA,
      ),
    ).toEqual({ columns: [mariadbSelectOne], rows: [[Buffer.from("1")]], statusFlags: 2, warnings: 0 });
  });

  it("refuses a resultset whose metadata was skipped, which the mock never asks for", () => {
    expect(() =>
      decodeTextResultset(
        [hex("01 00"), hex("01 31"), hex("fe 00 00 02 00")],
        CONNECTOR_C_CAPS,
        MARIADB_CLIENT_CACHE_METADATA,
      ),
    ).toThrow(/metadata follows is 0/);
  });
});
