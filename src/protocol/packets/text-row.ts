// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response_text_resultset_row.html
import { PacketReader } from "../packet-reader";
import { PacketWriter } from "../packet-writer";

/** A value of a text row: text (UTF-8), raw bytes, or SQL NULL. */
export type TextRowValue = string | Buffer | null;

const NULL_VALUE = 0xfb;

/** Encodes one row: each value a length-encoded string, NULL as the single byte 0xfb. */
export function encodeTextRow(values: readonly TextRowValue[]): Buffer {
  const writer = new PacketWriter();
  for (const value of values) {
    if (value === null) writer.nullValue();
    else if (typeof value === "string") writer.lenencString(value);
    else writer.lenencBytes(value);
  }
  return writer.toBuffer();
}

/**
 * Decodes one row of `columnCount` values as raw bytes (the text protocol does not say which
 * values are text), NULL as `null`. Bytes after the last value make the row malformed.
 */
export function decodeTextRow(payload: Buffer, columnCount: number): Array<Buffer | null> {
  const r = new PacketReader(payload, "TextResultsetRow");
  const values: Array<Buffer | null> = [];
  for (let i = 0; i < columnCount; i++) {
    if (r.peekInt1(`column ${i + 1} of ${columnCount}`) === NULL_VALUE) {
      r.skip(1);
      values.push(null);
    } else {
      values.push(Buffer.from(r.lenencBytes(`column ${i + 1} of ${columnCount}`)));
    }
  }
  if (r.remaining > 0) throw r.error(`${r.remaining} bytes after the last of ${columnCount} columns`);
  return values;
}
