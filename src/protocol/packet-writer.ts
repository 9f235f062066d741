// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_data_types.html

function checkRange(kind: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${kind} must be an integer from 0 to ${max}, got ${value}`);
  }
}

/**
 * Builds one packet payload (header excluded) from little-endian integers and MySQL strings.
 * Every method but {@link PacketWriter.toBuffer} returns the writer, so payloads read as a chain.
 * Out-of-range values throw `RangeError`: they are programming errors, not peer input.
 */
export class PacketWriter {
  #buffer: Buffer;
  #length = 0;

  constructor(initialCapacity = 64) {
    this.#buffer = Buffer.allocUnsafe(Math.max(16, initialCapacity));
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#length;
  }

  /** Grows the buffer if needed; read `#buffer` only after calling this, as it may be replaced. */
  #reserve(n: number): number {
    const start = this.#length;
    const needed = start + n;
    if (needed > this.#buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.#buffer.length * 2));
      this.#buffer.copy(grown, 0, 0, start);
      this.#buffer = grown;
    }
    this.#length = needed;
    return start;
  }

  /** Unsigned 8-bit integer. */
  int1(value: number): this {
    checkRange("int<1>", value, 0xff);
    const at = this.#reserve(1);
    this.#buffer[at] = value;
    return this;
  }

  /** Unsigned 16-bit little-endian integer. */
  int2(value: number): this {
    checkRange("int<2>", value, 0xffff);
    const at = this.#reserve(2);
    this.#buffer.writeUInt16LE(value, at);
    return this;
  }

  /** Unsigned 24-bit little-endian integer. */
  int3(value: number): this {
    checkRange("int<3>", value, 0xffffff);
    const at = this.#reserve(3);
    this.#buffer.writeUIntLE(value, at, 3);
    return this;
  }

  /** Accepts a negative 32-bit result of `|` (bit 31 set) and writes it unsigned. */
  int4(value: number): this {
    const word = value < 0 && value >= -0x80000000 ? value >>> 0 : value;
    checkRange("int<4>", word, 0xffffffff);
    const at = this.#reserve(4);
    this.#buffer.writeUInt32LE(word, at);
    return this;
  }

  /** Unsigned 64-bit little-endian integer. */
  int8(value: bigint | number): this {
    if (typeof value === "number") checkRange("int<8>", value, Number.MAX_SAFE_INTEGER);
    const big = BigInt(value);
    if (big < 0n || big > 0xffffffffffffffffn) throw new RangeError(`int<8> out of range: ${big}`);
    const at = this.#reserve(8);
    this.#buffer.writeBigUInt64LE(big, at);
    return this;
  }

  /** A length-encoded integer in the shortest of its four forms (never 0xfb, which means NULL). */
  lenencInt(value: number | bigint): this {
    if (typeof value === "number") checkRange("length-encoded integer", value, Number.MAX_SAFE_INTEGER);
    const n = BigInt(value);
    if (n < 0xfbn) return this.int1(Number(n));
    if (n <= 0xffffn) return this.int1(0xfc).int2(Number(n));
    if (n <= 0xffffffn) return this.int1(0xfd).int3(Number(n));
    return this.int1(0xfe).int8(n);
  }

  /** The 0xfb byte that stands for SQL NULL in a text row. */
  nullValue(): this {
    return this.int1(0xfb);
  }

  /** Bytes behind their length-encoded length. */
  lenencBytes(value: Buffer): this {
    return this.lenencInt(value.length).bytes(value);
  }

  /** A length-encoded string, UTF-8. */
  lenencString(value: string): this {
    return this.lenencBytes(Buffer.from(value, "utf8"));
  }

  /** Bytes followed by a NUL; bytes containing a NUL would end the string early, so they throw. */
  nulBytes(value: Buffer): this {
    if (value.includes(0)) throw new RangeError("a NUL-terminated string cannot contain NUL");
    return this.bytes(value).int1(0);
  }

  /** A UTF-8 string followed by a NUL. */
  nulString(value: string): this {
    return this.nulBytes(Buffer.from(value, "utf8"));
  }

  /** Raw bytes, no length or terminator. */
  bytes(value: Buffer): this {
    const at = this.#reserve(value.length);
    value.copy(this.#buffer, at);
    return this;
  }

  /** A UTF-8 string without terminator or length (string<EOF> or string[fixed]). */
  string(value: string): this {
    return this.bytes(Buffer.from(value, "utf8"));
  }

  /** `n` zero bytes (filler, reserved). */
  zeros(n: number): this {
    checkRange("zeros count", n, Number.MAX_SAFE_INTEGER);
    const start = this.#reserve(n);
    this.#buffer.fill(0, start, start + n);
    return this;
  }

  /** The payload written so far. Later writes only append, so the result never changes. */
  toBuffer(): Buffer {
    return this.#buffer.subarray(0, this.#length);
  }
}
