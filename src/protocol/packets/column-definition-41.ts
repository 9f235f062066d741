// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response_text_resultset_column_definition.html
import { PacketReader } from "../packet-reader";
import { PacketWriter } from "../packet-writer";

/** One column's metadata in a resultset. */
export interface ColumnDefinition41 {
  /** Always "def". */
  catalog: string;
  schema: string;
  /** Table alias. */
  table: string;
  orgTable: string;
  /** Column alias. */
  name: string;
  orgName: string;
  /** Collation id (63 = binary for numbers). */
  characterSet: number;
  /** Maximum display length in bytes. */
  columnLength: number;
  /** A {@link ColumnType} value. */
  columnType: number;
  /** {@link ColumnFlags} bits. */
  flags: number;
  /** 0x00 for integers, 0x1f for strings and dynamic values. */
  decimals: number;
}

/** Length of the fixed-size fields after the names: charset … decimals plus 2 filler bytes. */
const FIXED_FIELDS_LENGTH = 0x0c;
const FIXED_FIELDS_WITHOUT_FILLER = 10;

/** What a connection negotiated that changes a column definition's layout. */
export interface ColumnDefinitionFormat {
  /**
   * MariaDB's MARIADB_CLIENT_EXTENDED_METADATA: a length-encoded block of extended type
   * information (type/format name pairs, e.g. `json`) follows org_name (MariaDB KB, "Result Set
   * Packets"). The columns the mock serves have none, so the block is empty: one 0x00, as
   * mariadbd 10.11 sends for a plain `SELECT 1`.
   */
  extendedMetadata: boolean;
}

const PLAIN: ColumnDefinitionFormat = { extendedMetadata: false };

/** Encodes a column definition: six length-encoded names, then the 0x0c-long fixed fields. */
export function encodeColumnDefinition41(
  column: ColumnDefinition41,
  format: ColumnDefinitionFormat = PLAIN,
): Buffer {
  const writer = new PacketWriter(64)
    .lenencString(column.catalog)
    .lenencString(column.schema)
    .lenencString(column.table)
    .lenencString(column.orgTable)
    .lenencString(column.name)
    .lenencString(column.orgName);
  if (format.extendedMetadata) writer.lenencInt(0);
  return writer
    .lenencInt(FIXED_FIELDS_LENGTH)
    .int2(column.characterSet)
    .int4(column.columnLength)
    .int1(column.columnType)
    .int2(column.flags)
    .int1(column.decimals)
    .zeros(2)
    .toBuffer();
}

/**
 * Decodes a column definition. A fixed-fields length other than 0x0c is accepted if it covers
 * the 10 bytes of fields; the bytes it declares beyond them (the filler) must be there, as
 * libmysqlclient's `unpack_fields` (sql-common/client.cc) reads the whole block, and anything
 * after them (COM_FIELD_LIST defaults) is skipped.
 */
export function decodeColumnDefinition41(
  payload: Buffer,
  format: ColumnDefinitionFormat = PLAIN,
): ColumnDefinition41 {
  const r = new PacketReader(payload, "ColumnDefinition41");
  const catalog = r.lenencString("catalog");
  const schema = r.lenencString("schema");
  const table = r.lenencString("table");
  const orgTable = r.lenencString("org_table");
  const name = r.lenencString("name");
  const orgName = r.lenencString("org_name");
  if (format.extendedMetadata) r.lenencString("extended type information");
  const start = r.offset;
  const fixedLength = r.lenencInt("length of fixed-length fields");
  if (fixedLength === null || fixedLength < FIXED_FIELDS_WITHOUT_FILLER) {
    throw r.error(`length of fixed-length fields is ${fixedLength}, expected 0x0c`, start);
  }
  const column: ColumnDefinition41 = {
    catalog,
    schema,
    table,
    orgTable,
    name,
    orgName,
    characterSet: r.int2("character set"),
    columnLength: r.int4("column length"),
    columnType: r.int1("column type"),
    flags: r.int2("flags"),
    decimals: r.int1("decimals"),
  };
  r.skip(fixedLength - FIXED_FIELDS_WITHOUT_FILLER, "filler");
  return column;
}
