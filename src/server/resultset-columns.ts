import { CharacterSet, ColumnFlags, ColumnType } from "../protocol/constants";
import type { ColumnDefinition41 } from "../protocol/packets/column-definition-41";
import type { ResultColumn, ResultValue } from "../sql";

/** Bytes per character of utf8 (3), which MySQL multiplies into a string column's length. */
const UTF8_MAX_BYTES_PER_CHAR = 3;
/** `decimals` MySQL sends for string columns ("not a fixed-point number"). */
const NOT_FIXED_DECIMALS = 0x1f;

function displayWidth(values: ResultValue[]): number {
  return Math.max(1, ...values.map((v) => (v === null ? 0 : String(v).length)));
}

/**
 * Column metadata as a 5.7 server describes a computed column: integers as LONGLONG with the
 * binary charset, strings as VAR_STRING in utf8 (MySQL protocol documentation: Protocol::ColumnDefinition41).
 */
export function columnDefinition(column: ResultColumn, values: ResultValue[]): ColumnDefinition41 {
  const base = { catalog: "def", schema: "", table: "", orgTable: "", name: column.name, orgName: "" };
  const notNull = values.every((v) => v !== null) ? ColumnFlags.NOT_NULL_FLAG : 0;
  switch (column.type) {
    case "integer":
      return {
        ...base,
        characterSet: CharacterSet.binary,
        columnLength: displayWidth(values),
        columnType: ColumnType.MYSQL_TYPE_LONGLONG,
        flags: notNull | ColumnFlags.BINARY_FLAG | (column.unsigned ? ColumnFlags.UNSIGNED_FLAG : 0),
        decimals: 0,
      };
    case "decimal":
      return {
        ...base,
        characterSet: CharacterSet.binary,
        columnLength: displayWidth(values),
        columnType: ColumnType.MYSQL_TYPE_NEWDECIMAL,
        flags: notNull | ColumnFlags.BINARY_FLAG,
        decimals: 0,
      };
    case "null":
      return {
        ...base,
        characterSet: CharacterSet.binary,
        columnLength: 0,
        columnType: ColumnType.MYSQL_TYPE_NULL,
        flags: ColumnFlags.BINARY_FLAG,
        decimals: 0,
      };
    default:
      return {
        ...base,
        characterSet: CharacterSet.utf8_general_ci,
        columnLength: displayWidth(values) * UTF8_MAX_BYTES_PER_CHAR,
        columnType: ColumnType.MYSQL_TYPE_VAR_STRING,
        flags: notNull,
        decimals: NOT_FIXED_DECIMALS,
      };
  }
}

export function textValue(value: ResultValue): string | null {
  return value === null ? null : String(value);
}
