// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_data_types.html
import { MalformedPacketError } from "./errors";

function hex(byte: number): string {
  return `0x${byte.toString(16).padStart(2, "0")}`;
}

/**
 * A cursor over one packet payload (header excluded). Every read is bounds-checked and fails
 * with a {@link MalformedPacketError} naming the packet, the offset and the field, so a short or
 * hostile packet never surfaces as a `RangeError`.
 *
 * The optional `field` argument of each read names the field in that error message.
 */
export class PacketReader {
  #offset = 0;

  constructor(
    private readonly payload: Buffer,
    /** Packet type being decoded, used in error messages (e.g. `HandshakeV10`). */
    readonly packetName: string,
  ) {}

  /** Bytes read so far. */
  get offset(): number {
    return this.#offset;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.payload.length - this.#offset;
  }

  /** Total payload length. */
  get length(): number {
    return this.payload.length;
  }

  /** A {@link MalformedPacketError} at the current offset (or `offset`), for checks done by callers. */
  error(detail: string, offset = this.#offset): MalformedPacketError {
    return new MalformedPacketError(this.packetName, offset, detail);
  }

  #need(n: number, field: string): void {
    if (n > this.remaining) {
      throw this.error(`expected ${n} byte${n === 1 ? "" : "s"} for ${field}, ${this.remaining} left`);
    }
  }

  /** Reads the first byte of a response packet and checks it is the packet's marker. */
  marker(expected: number, field = "header"): number {
    const start = this.#offset;
    const value = this.int1(field);
    if (value !== expected) throw this.error(`${field} ${hex(value)} is not ${hex(expected)}`, start);
    return value;
  }

  /** The next byte without consuming it. */
  peekInt1(field = "int<1>"): number {
    this.#need(1, field);
    return this.payload[this.#offset]!;
  }

  /** Unsigned 8-bit integer. */
  int1(field = "int<1>"): number {
    this.#need(1, field);
    return this.payload[this.#offset++]!;
  }

  /** Unsigned 16-bit little-endian integer. */
  int2(field = "int<2>"): number {
    this.#need(2, field);
    const value = this.payload.readUInt16LE(this.#offset);
    this.#offset += 2;
    return value;
  }

  /** Unsigned 24-bit little-endian integer. */
  int3(field = "int<3>"): number {
    this.#need(3, field);
    const value = this.payload.readUIntLE(this.#offset, 3);
    this.#offset += 3;
    return value;
  }

  /** Unsigned 32-bit integer (a capability word with bit 31 set stays positive). */
  int4(field = "int<4>"): number {
    this.#need(4, field);
    const value = this.payload.readUInt32LE(this.#offset);
    this.#offset += 4;
    return value;
  }

  /** Unsigned 64-bit little-endian integer. */
  int8(field = "int<8>"): bigint {
    this.#need(8, field);
    const value = this.payload.readBigUInt64LE(this.#offset);
    this.#offset += 8;
    return value;
  }

  /** An int<8> as a number; values above 2^53-1 cannot be represented and count as malformed. */
  int8Number(field = "int<8>"): number {
    const start = this.#offset;
    const value = this.int8(field);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw this.error(`${field} ${value} exceeds 2^53-1`, start);
    }
    return Number(value);
  }

  /**
   * A length-encoded integer: one byte below 0xfb, or 0xfc/0xfd/0xfe followed by 2/3/8 bytes.
   * Returns `null` for 0xfb (SQL NULL in rows). 0xff is the ERR marker, never a length.
   */
  lenencInt(field = "length-encoded integer"): number | null {
    const start = this.#offset;
    const first = this.int1(field);
    if (first < 0xfb) return first;
    switch (first) {
      case 0xfb:
        return null;
      case 0xfc:
        return this.int2(field);
      case 0xfd:
        return this.int3(field);
      case 0xfe:
        return this.int8Number(field);
      default:
        throw this.error(`0xff is not a valid prefix for ${field}`, start);
    }
  }

  /** A length-encoded integer that may not be NULL. */
  #length(field: string): number {
    const start = this.#offset;
    const length = this.lenencInt(`length of ${field}`);
    if (length === null) throw this.error(`unexpected NULL (0xfb) as length of ${field}`, start);
    return length;
  }

  /** A length-encoded string as raw bytes. */
  lenencBytes(field = "length-encoded string"): Buffer {
    const length = this.#length(field);
    return this.bytes(length, field);
  }

  /** A length-encoded string decoded as UTF-8. */
  lenencString(field = "length-encoded string"): string {
    return this.lenencBytes(field).toString("utf8");
  }

  /** Bytes up to the next NUL, which is consumed but not returned. */
  nulBytes(field = "NUL-terminated string"): Buffer {
    const end = this.payload.indexOf(0, this.#offset);
    if (end === -1) throw this.error(`${field} is not NUL-terminated`);
    const value = this.payload.subarray(this.#offset, end);
    this.#offset = end + 1;
    return value;
  }

  /** A NUL-terminated string decoded as UTF-8. */
  nulString(field = "NUL-terminated string"): string {
    return this.nulBytes(field).toString("utf8");
  }

  /** Exactly `n` bytes (shares memory with the payload). */
  bytes(n: number, field = `string[${n}]`): Buffer {
    this.#need(n, field);
    const value = this.payload.subarray(this.#offset, this.#offset + n);
    this.#offset += n;
    return value;
  }

  /** Everything left (string<EOF>), possibly empty. */
  rest(): Buffer {
    const value = this.payload.subarray(this.#offset);
    this.#offset = this.payload.length;
    return value;
  }

  /** Everything left, decoded as UTF-8. */
  restString(): string {
    return this.rest().toString("utf8");
  }

  /** Skips `n` bytes (filler, reserved). */
  skip(n: number, field = `${n} filler bytes`): this {
    this.#need(n, field);
    this.#offset += n;
    return this;
  }
}
