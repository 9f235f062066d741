// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_packets.html
import { MAX_PACKET_LENGTH, PACKET_HEADER_LENGTH } from "./constants";
import { PacketSequenceError, PacketTooLargeError } from "./errors";

/** One logical packet, reassembled from one or more frames. */
export interface Packet {
  /** Sequence id of the first frame. */
  sequenceId: number;
  /** The payload, continuation frames joined, headers removed. */
  payload: Buffer;
  /** Frames the packet arrived in: 1 unless the payload reached 0xFFFFFF bytes. */
  frameCount: number;
  /** Sequence id of the last frame; the reply takes the next one. */
  lastSequenceId: number;
}

/** Default largest payload {@link PacketFramer} accepts: 16 MiB. */
export const DEFAULT_MAX_PAYLOAD_LENGTH = 16 * 1024 * 1024;

/**
 * How many frames, and so sequence ids, a payload of this length takes: one per full 0xFFFFFF
 * bytes plus a final shorter frame, which is empty when the length is an exact multiple.
 */
export function framesSequenceSpan(payloadLength: number): number {
  if (!Number.isInteger(payloadLength) || payloadLength < 0) {
    throw new RangeError(`payload length must be a non-negative integer, got ${payloadLength}`);
  }
  return Math.floor(payloadLength / MAX_PACKET_LENGTH) + 1;
}

/**
 * Frames a payload: 4-byte header(s) and the payload, split as `my_net_write` splits it. Each
 * frame takes the next sequence id, wrapping from 255 to 0.
 */
export function encodePacket(payload: Buffer, sequenceId: number): Buffer {
  if (!Number.isInteger(sequenceId) || sequenceId < 0 || sequenceId > 0xff) {
    throw new RangeError(`sequence id must be an integer from 0 to 255, got ${sequenceId}`);
  }
  const frames = framesSequenceSpan(payload.length);
  const out = Buffer.allocUnsafe(payload.length + frames * PACKET_HEADER_LENGTH);
  let read = 0;
  let write = 0;
  for (let i = 0; i < frames; i++) {
    const length = Math.min(MAX_PACKET_LENGTH, payload.length - read);
    out.writeUIntLE(length, write, 3);
    out[write + 3] = (sequenceId + i) & 0xff;
    payload.copy(out, write + PACKET_HEADER_LENGTH, read, read + length);
    read += length;
    write += PACKET_HEADER_LENGTH + length;
  }
  return out;
}

/** Options of {@link PacketFramer.push}. */
export interface PushOptions {
  /**
   * Return at most this many packets and leave the rest buffered unparsed: after an SSLRequest
   * the bytes that follow are TLS records, which must not be read as frames.
   */
  limit?: number;
}

interface FrameHeader {
  length: number;
  sequenceId: number;
}

function checkedMaximum(max: number): number {
  if (!Number.isInteger(max) || max < 0) {
    throw new RangeError(`maxPayloadLength must be a non-negative integer, got ${max}`);
  }
  return max;
}

/** Options of {@link PacketFramer}. */
export interface PacketFramerOptions {
  /** Largest payload accepted, continuation frames included. Default 16 MiB. */
  maxPayloadLength?: number;
}

/**
 * Cuts a byte stream into packets, however the stream was split into chunks. Chunks are kept
 * as received and joined once per packet, so a stream fed one byte at a time is still linear.
 * Payloads may share memory with the pushed chunks.
 */
export class PacketFramer {
  #maxPayloadLength: number;

  /** Unconsumed input, as pushed; `#chunks[#first]` starts at `#head`. */
  #chunks: Buffer[] = [];
  #first = 0;
  #head = 0;
  #unconsumed = 0;

  /** Full 0xFFFFFF frames of a packet whose last frame has not arrived yet. */
  #parts: Buffer[] = [];
  #partsLength = 0;
  #firstSequenceId = 0;
  #lastSequenceId = 0;

  /** Payload length claimed by a header already checked but still waiting for its payload. */
  #checkedHeader: FrameHeader | null = null;

  constructor(options: PacketFramerOptions = {}) {
    this.#maxPayloadLength = checkedMaximum(options.maxPayloadLength ?? DEFAULT_MAX_PAYLOAD_LENGTH);
  }

  /**
   * Largest payload accepted, continuation frames included. A server raises it once the login
   * has completed (a tighter limit applies before); it applies to headers not yet checked, so a
   * packet whose header passed under the old limit keeps arriving.
   */
  get maxPayloadLength(): number {
    return this.#maxPayloadLength;
  }

  set maxPayloadLength(max: number) {
    this.#maxPayloadLength = checkedMaximum(max);
  }

  /** Bytes held that are not yet part of a returned packet. */
  get bufferedLength(): number {
    return this.#unconsumed + this.#partsLength + this.#parts.length * PACKET_HEADER_LENGTH;
  }

  /**
   * Adds bytes and returns the packets they complete, in order.
   * @throws {@link PacketTooLargeError} as soon as a header claims more than the maximum,
   *   before its payload is buffered.
   * @throws {@link PacketSequenceError} when a continuation frame's id is not the previous + 1.
   *
   * A chunk that completes packets and then carries a bad header returns those packets and
   * keeps the bad header buffered: the next `push()` throws, unless {@link takeRemainder}
   * takes the bytes first (the TLS switch).
   */
  push(chunk: Buffer, options: PushOptions = {}): Packet[] {
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#unconsumed += chunk.length;
    }
    const packets: Packet[] = [];
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    while (packets.length < limit) {
      let header: FrameHeader | null;
      try {
        header = this.#checkedHeader ?? this.#readHeader();
      } catch (error) {
        // Hand out what is complete first: the bytes behind an SSLRequest are a TLS ClientHello,
        // whose record header reads as a 66 KiB claim. The next push() re-reads it and throws.
        if (packets.length > 0) break;
        this.#compact();
        throw error;
      }
      if (header === null) break;
      this.#checkedHeader = header;
      if (this.#unconsumed < PACKET_HEADER_LENGTH + header.length) break;
      this.#checkedHeader = null;
      this.#take(PACKET_HEADER_LENGTH);
      const payload = this.#take(header.length);
      if (this.#parts.length === 0) this.#firstSequenceId = header.sequenceId;
      this.#lastSequenceId = header.sequenceId;
      if (header.length === MAX_PACKET_LENGTH) {
        this.#parts.push(payload);
        this.#partsLength += payload.length;
        continue;
      }
      const frameCount = this.#parts.length + 1;
      const joined =
        frameCount === 1
          ? payload
          : Buffer.concat([...this.#parts, payload], this.#partsLength + payload.length);
      this.#parts = [];
      this.#partsLength = 0;
      packets.push({
        sequenceId: this.#firstSequenceId,
        payload: joined,
        frameCount,
        lastSequenceId: this.#lastSequenceId,
      });
    }
    this.#compact();
    return packets;
  }

  /**
   * Returns and forgets every byte not yet returned as part of a packet, exactly as received
   * (partial frames included). Used when the connection switches to TLS: the ClientHello may
   * arrive in the same TCP segment as the SSLRequest.
   */
  takeRemainder(): Buffer {
    const pieces: Buffer[] = [];
    this.#parts.forEach((part, i) => {
      const header = Buffer.allocUnsafe(PACKET_HEADER_LENGTH);
      header.writeUIntLE(MAX_PACKET_LENGTH, 0, 3);
      header[3] = (this.#firstSequenceId + i) & 0xff;
      pieces.push(header, part);
    });
    const length = this.bufferedLength;
    pieces.push(this.#take(this.#unconsumed));
    this.#parts = [];
    this.#partsLength = 0;
    this.#checkedHeader = null;
    this.#chunks = [];
    this.#first = 0;
    this.#head = 0;
    return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, length);
  }

  /** Parses and checks the next header without consuming it; null until 4 bytes are buffered. */
  #readHeader(): FrameHeader | null {
    if (this.#unconsumed < PACKET_HEADER_LENGTH) return null;
    const bytes = this.#peek(PACKET_HEADER_LENGTH);
    const length = bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16);
    const sequenceId = bytes[3]!;
    if (this.#parts.length > 0) {
      const expected = (this.#lastSequenceId + 1) & 0xff;
      if (sequenceId !== expected) throw new PacketSequenceError(expected, sequenceId);
    }
    const claimed = this.#partsLength + length;
    if (claimed > this.#maxPayloadLength) throw new PacketTooLargeError(claimed, this.#maxPayloadLength);
    return { length, sequenceId };
  }

  #peek(n: number): number[] {
    const out: number[] = [];
    let index = this.#first;
    let offset = this.#head;
    while (out.length < n) {
      const chunk = this.#chunks[index]!;
      if (offset >= chunk.length) {
        index++;
        offset = 0;
        continue;
      }
      out.push(chunk[offset++]!);
    }
    return out;
  }

  /** Removes `n` buffered bytes; zero-copy when they lie in one chunk. */
  #take(n: number): Buffer {
    this.#unconsumed -= n;
    const pieces: Buffer[] = [];
    let needed = n;
    while (needed > 0) {
      const chunk = this.#chunks[this.#first]!;
      const available = chunk.length - this.#head;
      const used = Math.min(available, needed);
      pieces.push(chunk.subarray(this.#head, this.#head + used));
      needed -= used;
      this.#head += used;
      if (this.#head === chunk.length) {
        this.#first++;
        this.#head = 0;
      }
    }
    if (pieces.length === 0) return Buffer.alloc(0);
    return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, n);
  }

  /**
   * Lets go of chunks already handed out at once: a connection idling on an unfinished packet
   * must not keep every earlier read alive.
   */
  #compact(): void {
    if (this.#first > 0) {
      this.#chunks = this.#first === this.#chunks.length ? [] : this.#chunks.slice(this.#first);
      this.#first = 0;
    }
  }
}
