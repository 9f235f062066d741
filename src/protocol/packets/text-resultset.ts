// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response_text_resultset.html
import { CapabilityFlags, MariadbCapabilityFlags, PacketMarker } from "../constants";
import { MalformedPacketError } from "../errors";
import { PacketReader } from "../packet-reader";
import { PacketWriter } from "../packet-writer";
import {
  type ColumnDefinition41,
  type ColumnDefinitionFormat,
  decodeColumnDefinition41,
  encodeColumnDefinition41,
} from "./column-definition-41";
import { decodeEof, encodeEof } from "./eof-packet";
import { decodeOk, encodeOk } from "./ok-packet";
import { decodeTextRow, encodeTextRow, type TextRowValue } from "./text-row";

/** A COM_QUERY answer with columns: metadata and rows of text values. */
export interface TextResultset {
  columns: ColumnDefinition41[];
  rows: TextRowValue[][];
}

/** A resultset read back from its payloads, with the status of its closing EOF or OK. */
export interface DecodedTextResultset {
  columns: ColumnDefinition41[];
  rows: Array<Array<Buffer | null>>;
  statusFlags: number;
  warnings: number;
}

function deprecatesEof(caps: number): boolean {
  return (caps & CapabilityFlags.CLIENT_DEPRECATE_EOF) !== 0;
}

/** MariaDB's "metadata follows" byte after the column count: the column definitions come next. */
const METADATA_FOLLOWS = 1;

function cachesMetadata(mariadbCapabilities: number): boolean {
  return (mariadbCapabilities & MariadbCapabilityFlags.MARIADB_CLIENT_CACHE_METADATA) !== 0;
}

function columnFormat(mariadbCapabilities: number): ColumnDefinitionFormat {
  return {
    extendedMetadata: (mariadbCapabilities & MariadbCapabilityFlags.MARIADB_CLIENT_EXTENDED_METADATA) !== 0,
  };
}

/**
 * The payloads of a text resultset, in order (frame each with the next sequence id): column
 * count, the column definitions, an EOF unless the client set CLIENT_DEPRECATE_EOF, the rows,
 * then an EOF — or, with CLIENT_DEPRECATE_EOF, an OK with header 0xfe.
 *
 * `mariadbCapabilities` are the MariaDB extended capabilities both sides set (MariaDB KB, "Result
 * Set Packets"): with MARIADB_CLIENT_CACHE_METADATA the column count is followed by a "metadata
 * follows" byte (always 1 here: the mock sends every resultset's metadata), with
 * MARIADB_CLIENT_EXTENDED_METADATA each column definition carries an (empty) extended type block.
 */
export function encodeTextResultset(
  resultset: TextResultset,
  clientCapabilities: number,
  statusFlags: number,
  mariadbCapabilities = 0,
): Buffer[] {
  const { columns, rows } = resultset;
  if (columns.length === 0) throw new RangeError("a resultset needs at least one column; send an OK instead");
  rows.forEach((row, i) => {
    if (row.length !== columns.length) {
      throw new RangeError(`row ${i} has ${row.length} values for ${columns.length} columns`);
    }
  });
  const count = new PacketWriter(10).lenencInt(columns.length);
  if (cachesMetadata(mariadbCapabilities)) count.int1(METADATA_FOLLOWS);
  const format = columnFormat(mariadbCapabilities);
  const payloads = [count.toBuffer(), ...columns.map((column) => encodeColumnDefinition41(column, format))];
  const eof = encodeEof({ warnings: 0, statusFlags }, clientCapabilities);
  if (!deprecatesEof(clientCapabilities)) payloads.push(eof);
  payloads.push(...rows.map(encodeTextRow));
  payloads.push(
    deprecatesEof(clientCapabilities)
      ? encodeOk(
          { header: PacketMarker.EOF, affectedRows: 0, lastInsertId: 0, statusFlags, warnings: 0 },
          clientCapabilities,
        )
      : eof,
  );
  return payloads;
}

/** Reads back the payloads {@link encodeTextResultset} produces (or a server sent). */
export function decodeTextResultset(
  payloads: readonly Buffer[],
  clientCapabilities: number,
  mariadbCapabilities = 0,
): DecodedTextResultset {
  const fail = (index: number, detail: string) => new MalformedPacketError("TextResultset", index, detail);
  const first = payloads[0];
  if (first === undefined) throw fail(0, "no column count packet");
  const r = new PacketReader(first, "TextResultset column count");
  const columnCount = r.lenencInt("column count");
  if (columnCount === null || columnCount === 0) throw r.error("column count must be at least 1", 0);
  if (cachesMetadata(mariadbCapabilities)) {
    const follows = r.int1("metadata follows");
    if (follows !== METADATA_FOLLOWS)
      throw r.error(`metadata follows is ${follows}: the column definitions were skipped`);
  }
  if (r.remaining > 0) throw r.error(`${r.remaining} bytes after the column count`);

  let index = 1;
  const next = (what: string): Buffer => {
    const payload = payloads[index];
    if (payload === undefined) throw fail(index, `packet ${index} (${what}) is missing`);
    index++;
    return payload;
  };
  const columns: ColumnDefinition41[] = [];
  for (let i = 0; i < columnCount; i++) {
    columns.push(
      decodeColumnDefinition41(next(`column definition ${i + 1}`), columnFormat(mariadbCapabilities)),
    );
  }
  if (!deprecatesEof(clientCapabilities)) {
    decodeEof(next("EOF after the column definitions"), clientCapabilities);
  }

  const rows: Array<Array<Buffer | null>> = [];
  for (;;) {
    const payload = next("row or end of rows");
    const isEnd = deprecatesEof(clientCapabilities)
      ? payload[0] === PacketMarker.EOF && payload.length < 0xffffff
      : payload[0] === PacketMarker.EOF && payload.length < 9;
    if (!isEnd) {
      rows.push(decodeTextRow(payload, columnCount));
      continue;
    }
    const end = deprecatesEof(clientCapabilities)
      ? decodeOk(payload, clientCapabilities)
      : decodeEof(payload, clientCapabilities);
    if (index !== payloads.length) {
      throw fail(index, `${payloads.length - index} packets after the end of the rows`);
    }
    return { columns, rows, statusFlags: end.statusFlags, warnings: end.warnings };
  }
}
