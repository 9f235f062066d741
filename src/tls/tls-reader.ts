/** Builds the parse error a reader throws: the byte offset (counted as the caller counts) and what was expected. */
export type TlsParseErrorFactory = (offset: number, detail: string) => Error;

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

  take(length: number, what: string): Buffer {
    if (this.at + length > this.end) {
      throw this.fail(this.offset, `${what}: needs ${length} bytes, ${this.end - this.at} left`);
    }
    const slice = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    return slice;
  }

  uint(length: 1 | 2 | 3, what: string): number {
    return this.take(length, what).readUIntBE(0, length);
  }

  /** A vector with a `prefix`-byte length, as a reader over its contents. */
  vector(prefix: 1 | 2, what: string): TlsReader {
    const length = this.uint(prefix, `${what} length`);
    const start = this.at;
    this.take(length, what);
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
  uint16s(what: string): number[] {
    const values: number[] = [];
    while (!this.done) values.push(this.uint(2, what));
    return values;
  }
}
