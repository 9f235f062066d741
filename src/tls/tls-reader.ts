/** Builds the parse error a reader throws: the byte offset (counted as the caller counts) and what was expected. */
export type TlsParseErrorFactory = (offset: number, detail: string) => Error;

/**
 * What a field is called in a parse error: a string, or a function that makes one. A handshake
 * carries dozens of fields and a name like `extension 0x000a` is needed only when one fails, so a
 * computed name is formatted then, never for a field that reads fine.
 */
export type FieldName = string | (() => string);

function nameOf(what: FieldName): string {
  return typeof what === "string" ? what : what();
}

/**
 * Reads the fields of a TLS handshake message (RFC 8446 §3: big-endian integers, length-prefixed
 * vectors) within `[at, end)` of `bytes`, and throws the caller's parse error, with the offset
 * moved by `origin`, where a field runs past the end.
 */
export class TlsReader {
  constructor(
    private readonly bytes: Buffer,
    private at: number,
    private readonly end: number,
    private readonly fail: TlsParseErrorFactory,
    /** Added to offsets in errors, so they count from where the caller counts (the record's start). */
    private readonly origin = 0,
  ) {}

  get offset(): number {
    return this.at + this.origin;
  }

  get done(): boolean {
    return this.at >= this.end;
  }

  take(length: number, what: FieldName): Buffer {
    this.need(length, what);
    const slice = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    return slice;
  }

  uint(length: 1 | 2 | 3, what: FieldName): number {
    this.need(length, what);
    // Read in place: a slice per integer is an allocation per field of every handshake.
    const value = this.bytes.readUIntBE(this.at, length);
    this.at += length;
    return value;
  }

  /** A vector with a `prefix`-byte length, as a reader over its contents. */
  vector(prefix: 1 | 2, what: FieldName): TlsReader {
    this.need(prefix, what, " length");
    const length = this.bytes.readUIntBE(this.at, prefix);
    this.at += prefix;
    const start = this.at;
    this.need(length, what);
    this.at += length;
    return new TlsReader(this.bytes, start, start + length, this.fail, this.origin);
  }

  /** Fails unless every byte was read: trailing bytes mean a length field lies. */
  finish(what: string): void {
    if (!this.done) throw this.fail(this.offset, `${this.end - this.at} bytes after ${what}`);
  }

  rest(): Buffer {
    return this.take(this.end - this.at, "rest");
  }

  /** The rest as 16-bit code points (cipher suites, groups, signature schemes, versions). */
  uint16s(what: FieldName): number[] {
    const values: number[] = [];
    while (!this.done) values.push(this.uint(2, what));
    return values;
  }

  /** Throws the parse error for `what` (and `suffix`) unless `length` more bytes are there. */
  private need(length: number, what: FieldName, suffix = ""): void {
    if (this.at + length > this.end) {
      throw this.fail(
        this.offset,
        `${nameOf(what)}${suffix}: needs ${length} bytes, ${this.end - this.at} left`,
      );
    }
  }
}
