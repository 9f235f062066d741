// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response_text_resultset.html
import { CapabilityFlags, PacketMarker } from "../constants";
import { MalformedPacketError } from "../errors";
import { PacketReader } from "../packet-reader";
import { PacketWriter } from "../packet-writer";
import {
  type ColumnDefinition41,
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

/**
 * The payloads of a text resultset, in order (frame each with the next sequence id): column
 * count, the column definitions, an EOF unless the client set CLIENT_DEPRECATE_EOF, the rows,
 * then an EOF — or, with CLIENT_DEPRECATE_EOF, an OK with header 0xfe.
 */
export function encodeTextResultset(
  resultset: TextResultset,
  clientCapabilities: number,
  statusFlags: number,
): Buffer[] {
  const { columns, rows } = resultset;
  if (columns.length === 0) throw new RangeError("a resultset needs at least one column; send an OK instead");
  rows.forEach((row, i) => {
    if (row.length !== columns.length) {
      throw new RangeError(`row ${i} has ${row.length} values for ${columns.length} columns`);
    }
  });
  const payloads = [
    new PacketWriter(9).lenencInt(columns.length).toBuffer(),
    ...columns.map(encodeColumnDefinition41),
  ];
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
): DecodedTextResultset {
  const fail = (index: number, detail: string) => new MalformedPacketError("TextResultset", index, detail);
  const first = payloads[0];
  if (first === undefined) throw fail(0, "no column count packet");
  const r = new PacketReader(first, "TextResultset column count");
  const columnCount = r.lenencInt("column count");
  if (columnCount === null || columnCount === 0) throw r.error("column count must be at least 1", 0);
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
    columns.push(decodeColumnDefinition41(next(`column definition ${i + 1}`)));
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
