/**
 * Readable golden bytes for protocol tests, in the style of pg-protocol's BufferList:
 * `new Bytes().int1(0x0a).nulString("5.7.41").int4(7).build()`.
 *
 * Written independently of src/protocol's PacketWriter so that tests do not check the codec
 * against itself.
 */
export class Bytes {
  private readonly parts: number[] = [];

  int1(value: number): this {
    this.parts.push(value & 0xff);
    return this;
  }

  int2(value: number): this {
    return this.int1(value).int1(value >>> 8);
  }

  int3(value: number): this {
    return this.int2(value & 0xffff).int1(value >>> 16);
  }

  int4(value: number): this {
    const word = value >>> 0;
    return this.int2(word & 0xffff).int2(word >>> 16);
  }

  int8(value: bigint | number): this {
    const big = BigInt(value);
    for (let i = 0n; i < 8n; i++) this.int1(Number((big >> (8n * i)) & 0xffn));
    return this;
  }

  lenencInt(value: number): this {
    if (value < 0xfb) return this.int1(value);
    if (value <= 0xffff) return this.int1(0xfc).int2(value);
    if (value <= 0xffffff) return this.int1(0xfd).int3(value);
    return this.int1(0xfe).int8(value);
  }

  /** Raw bytes: a Buffer, or a hex string such as `"0a 35 2e"`. */
  bytes(value: Buffer | string): this {
    const buffer = typeof value === "string" ? hex(value) : value;
    for (const byte of buffer) this.parts.push(byte);
    return this;
  }

  /** UTF-8 text without terminator. */
  string(value: string): this {
    return this.bytes(Buffer.from(value, "utf8"));
  }

  nulString(value: string): this {
    return this.string(value).int1(0);
  }

  lenencString(value: string): this {
    const bytes = Buffer.from(value, "utf8");
    return this.lenencInt(bytes.length).bytes(bytes);
  }

  zeros(n: number): this {
    for (let i = 0; i < n; i++) this.parts.push(0);
    return this;
  }

  get length(): number {
    return this.parts.length;
  }

  /** The payload. */
  build(): Buffer {
    return Buffer.from(this.parts);
  }

  /** The payload behind a 4-byte header: 3-byte length, then the sequence id. */
  framed(sequenceId: number): Buffer {
    const payload = this.build();
    return Buffer.concat([new Bytes().int3(payload.length).int1(sequenceId).build(), payload]);
  }
}

/** Bytes from hex text; whitespace, newlines and `:` separators are ignored. */
export function hex(text: string): Buffer {
  const digits = text.replace(/[\s:]/g, "");
  if (!/^([0-9a-fA-F]{2})*$/.test(digits)) throw new Error(`not an even run of hex digits: ${text}`);
  return Buffer.from(digits, "hex");
}

/** Hex text of a buffer, bytes separated by spaces: readable in a failing `expect`. */
export function toHex(buffer: Buffer): string {
  return [...buffer].map((b) => b.toString(16).padStart(2, "0")).join(" ");
}
