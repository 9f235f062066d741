import { CharacterSet, ColumnFlags, ColumnType } from "../../../src/protocol/constants";
import {
  type ColumnDefinition41,
  decodeColumnDefinition41,
  encodeColumnDefinition41,
} from "../../../src/protocol/packets/column-definition-41";
import { Bytes } from "../../helpers/bytes";
import { selectOneColumn, selectOneColumnBytes } from "../fixtures/select-one";
import { expectTruncations } from "../malformed";

describe("ColumnDefinition41", () => {
  it("encodes the column of SELECT 1 byte for byte", () => {
    expect(encodeColumnDefinition41(selectOneColumn)).toEqual(selectOneColumnBytes);
    expect(selectOneColumnBytes.length).toBe(23);
  });

  it("decodes the column of SELECT 1", () => {
    expect(decodeColumnDefinition41(selectOneColumnBytes)).toEqual(selectOneColumn);
  });

  it("round-trips a table column with every name filled", () => {
    const column: ColumnDefinition41 = {
      catalog: "def",
      schema: "mysql",
      table: "u",
      orgTable: "user",
      name: "name",
      orgName: "User",
      characterSet: CharacterSet.utf8_general_ci,
      columnLength: 96,
      columnType: ColumnType.MYSQL_TYPE_STRING,
      flags: ColumnFlags.NOT_NULL_FLAG | ColumnFlags.PRI_KEY_FLAG | ColumnFlags.BINARY_FLAG,
      decimals: 0,
    };
    expect(decodeColumnDefinition41(encodeColumnDefinition41(column))).toEqual(column);
  });

  it("round-trips @@version as VAR_STRING with decimals 0x1f and a 32-bit length", () => {
    const column: ColumnDefinition41 = {
      ...selectOneColumn,
      name: "@@version",
      characterSet: CharacterSet.utf8_general_ci,
      columnLength: 0xfffffffc,
      columnType: ColumnType.MYSQL_TYPE_VAR_STRING,
      flags: 0,
      decimals: 0x1f,
    };
    const bytes = encodeColumnDefinition41(column);
    expect(bytes.subarray(-12)).toEqual(
      new Bytes().int2(33).int4(0xfffffffc).int1(0xfd).int2(0).int1(0x1f).zeros(2).build(),
    );
    expect(decodeColumnDefinition41(bytes)).toEqual(column);
  });

  it("skips COM_FIELD_LIST default values after the filler", () => {
    const withDefault = Buffer.concat([selectOneColumnBytes, new Bytes().lenencString("0").build()]);
    expect(decodeColumnDefinition41(withDefault)).toEqual(selectOneColumn);
  });

  it("rejects a fixed-fields length too short for the fields", () => {
    const bad = Buffer.from(selectOneColumnBytes);
    bad[10] = 0x05;
    expect(() => decodeColumnDefinition41(bad)).toThrow(
      "malformed ColumnDefinition41 at byte 10: length of fixed-length fields is 5, expected 0x0c",
    );
  });

  it("rejects every truncation, naming the field it cuts: decimals and the filler included", () => {
    // libmysqlclient reads the whole 12-byte block the 0x0c announces (unpack_fields,
    // sql-common/client.cc): no prefix of a column definition is one.
    const rejected = expectTruncations(
      decodeColumnDefinition41,
      selectOneColumnBytes,
      "ColumnDefinition41",
      [],
    );
    const fieldCut = [...rejected.values()].map(
      (error) => /^expected \d+ bytes? for (.+), \d+ left$/.exec(error.detail)?.[1] ?? error.detail,
    );
    expect(fieldCut).toEqual([
      "length of catalog",
      ...Array(3).fill("catalog"),
      "length of schema",
      "length of table",
      "length of org_table",
      "length of name",
      "name",
      "length of org_name",
      "length of fixed-length fields",
      ...Array(2).fill("character set"),
      ...Array(4).fill("column length"),
      "column type",
      ...Array(2).fill("flags"),
      "decimals",
      ...Array(2).fill("filler"),
    ]);
  });

  it("rejects a definition whose fixed fields stop short of the length they announce", () => {
    const withoutFiller = selectOneColumnBytes.subarray(0, selectOneColumnBytes.length - 2);
    expect(() => decodeColumnDefinition41(withoutFiller)).toThrow(
      "malformed ColumnDefinition41 at byte 21: expected 2 bytes for filler, 0 left",
    );
  });
});
