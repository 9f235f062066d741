import { MAX_PACKET_LENGTH } from "../../src/protocol/constants";
import { PacketTooLargeError } from "../../src/protocol/errors";
import { encodePacket, framesSequenceSpan, type Packet, PacketFramer } from "../../src/protocol/framing";
import { decodeSslRequest } from "../../src/protocol/packets/ssl-request";
import { Bytes, hex } from "../helpers/bytes";
import {
  GREETING_5_7_41,
  OPENSSL_SSL_REQUEST,
  OPENSSL_SSL_REQUEST_AND_CLIENT_HELLO_CHUNK,
  payloadOf,
} from "./fixtures/client-captures";

/** Three packets as a client might pipeline them: a long one, an empty one, a COM_QUERY. */
const payloads = [
  Buffer.from(Array.from({ length: 300 }, (_, i) => i & 0xff)),
  Buffer.alloc(0),
  new Bytes().int1(0x03).string("select @@version_comment limit 1").build(),
];
const stream = Buffer.concat(payloads.map((p, i) => encodePacket(p, i)));
const expected: Packet[] = payloads.map((payload, i) => ({
  sequenceId: i,
  payload,
  frameCount: 1,
  lastSequenceId: i,
}));

function pushAll(framer: PacketFramer, chunks: Buffer[]): Packet[] {
  return chunks.flatMap((chunk) => framer.push(chunk));
}

describe("encodePacket", () => {
  it("puts a 3-byte little-endian length and the sequence id before the payload", () => {
    expect(encodePacket(hex("00 00 00 02 00 00 00"), 2)).toEqual(hex("07 00 00 02 00 00 00 02 00 00 00"));
  });

  it("frames the stock greeting as the capture listener sent it", () => {
    expect(encodePacket(payloadOf(GREETING_5_7_41), 0)).toEqual(GREETING_5_7_41);
  });

  it("frames an empty payload as a bare header", () => {
    expect(encodePacket(Buffer.alloc(0), 5)).toEqual(hex("00 00 00 05"));
  });

  it("splits a payload of exactly 0xFFFFFF bytes into a full frame and an empty one", () => {
    const payload = Buffer.alloc(MAX_PACKET_LENGTH, 0x61);
    const framed = encodePacket(payload, 0);
    expect(framed.length).toBe(MAX_PACKET_LENGTH + 8);
    expect(framed.subarray(0, 4)).toEqual(hex("ff ff ff 00"));
    expect(framed.subarray(4 + MAX_PACKET_LENGTH)).toEqual(hex("00 00 00 01"));
  });

  it("gives each frame the next sequence id, wrapping from 255 to 0", () => {
    const payload = Buffer.alloc(MAX_PACKET_LENGTH + 10, 0x62);
    const framed = encodePacket(payload, 255);
    expect(framed.subarray(0, 4)).toEqual(hex("ff ff ff ff"));
    expect(framed.subarray(4 + MAX_PACKET_LENGTH, 8 + MAX_PACKET_LENGTH)).toEqual(hex("0a 00 00 00"));
    expect(framed.length).toBe(payload.length + 8);
  });

  it("refuses a sequence id outside 0..255", () => {
    expect(() => encodePacket(Buffer.alloc(1), 256)).toThrow(RangeError);
    expect(() => encodePacket(Buffer.alloc(1), -1)).toThrow(RangeError);
  });
});

describe("framesSequenceSpan", () => {
  it.each([
    [0, 1],
    [1, 1],
    [MAX_PACKET_LENGTH - 1, 1],
    [MAX_PACKET_LENGTH, 2],
    [MAX_PACKET_LENGTH + 10, 2],
    [2 * MAX_PACKET_LENGTH, 3],
  ])("counts %d payload bytes as %d sequence ids", (length, span) => {
    expect(framesSequenceSpan(length)).toBe(span);
  });
});

describe("PacketFramer", () => {
  it("returns coalesced packets from one chunk in order", () => {
    expect(new PacketFramer().push(stream)).toEqual(expected);
  });

  it("reassembles the stream at every split point", () => {
    for (let i = 0; i <= stream.length; i++) {
      const framer = new PacketFramer();
      const packets = pushAll(framer, [stream.subarray(0, i), stream.subarray(i)]);
      expect({ split: i, packets }).toEqual({ split: i, packets: expected });
      expect(framer.bufferedLength).toBe(0);
    }
  });

  it("reassembles the stream fed one byte at a time", () => {
    const framer = new PacketFramer();
    const packets: Packet[] = [];
    for (let i = 0; i < stream.length; i++) {
      packets.push(...framer.push(stream.subarray(i, i + 1)));
      const returned = packets.reduce((n, p) => n + p.payload.length + 4, 0);
      expect(framer.bufferedLength).toBe(i + 1 - returned);
    }
    expect(packets).toEqual(expected);
  });

  it("reassembles a 256 KiB packet fed one byte at a time (chunks are joined once)", () => {
    const payload = Buffer.alloc(256 * 1024, 0x5a);
    const framed = encodePacket(payload, 3);
    const framer = new PacketFramer();
    const packets: Packet[] = [];
    for (let i = 0; i < framed.length; i++) packets.push(...framer.push(framed.subarray(i, i + 1)));
    expect(packets).toHaveLength(1);
    expect(packets[0]?.payload.equals(payload)).toBe(true);
  });

  it("returns no packet for an empty chunk and keeps a partial header", () => {
    const framer = new PacketFramer();
    expect(framer.push(Buffer.alloc(0))).toEqual([]);
    expect(framer.push(hex("07 00"))).toEqual([]);
    expect(framer.bufferedLength).toBe(2);
    expect(framer.push(hex("00 02 00 00 00 02 00 00 00"))).toEqual([
      { sequenceId: 2, payload: hex("00 00 00 02 00 00 00"), frameCount: 1, lastSequenceId: 2 },
    ]);
  });

  it("honours a packet limit and leaves the rest for a later push", () => {
    const framer = new PacketFramer();
    expect(framer.push(stream, { limit: 1 })).toEqual(expected.slice(0, 1));
    expect(framer.push(Buffer.alloc(0), { limit: 1 })).toEqual(expected.slice(1, 2));
    expect(framer.push(Buffer.alloc(0))).toEqual(expected.slice(2));
  });

  it("joins a payload of exactly 0xFFFFFF bytes from a full frame and an empty one", () => {
    const payload = Buffer.alloc(MAX_PACKET_LENGTH, 0x61);
    payload[0] = 0x03;
    const framed = encodePacket(payload, 0);
    const framer = new PacketFramer();
    expect(framer.push(framed.subarray(0, 4 + MAX_PACKET_LENGTH))).toEqual([]);
    expect(framer.bufferedLength).toBe(4 + MAX_PACKET_LENGTH);
    const [packet] = framer.push(framed.subarray(4 + MAX_PACKET_LENGTH));
    expect(packet?.payload.equals(payload)).toBe(true);
    expect(packet).toMatchObject({ sequenceId: 0, frameCount: 2, lastSequenceId: 1 });
    expect(framer.bufferedLength).toBe(0);
  });

  it("joins a 0xFFFFFF+10-byte payload fed in 64 KiB chunks, sequence ids wrapping", () => {
    const payload = Buffer.alloc(MAX_PACKET_LENGTH + 10);
    for (let i = 0; i < payload.length; i += 4099) payload[i] = i & 0xff;
    const framed = encodePacket(payload, 255);
    const framer = new PacketFramer({ maxPayloadLength: 32 * 1024 * 1024 });
    const packets: Packet[] = [];
    for (let i = 0; i < framed.length; i += 65536) {
      packets.push(...framer.push(framed.subarray(i, i + 65536)));
    }
    expect(packets).toHaveLength(1);
    expect(packets[0]?.payload.equals(payload)).toBe(true);
    expect(packets[0]).toMatchObject({ sequenceId: 255, frameCount: 2, lastSequenceId: 0 });
  });

  it("rejects a length claim beyond the maximum without buffering it", () => {
    const framer = new PacketFramer({ maxPayloadLength: 4 * 1024 * 1024 });
    expect(() => framer.push(hex("01 00 40 00"))).toThrow(PacketTooLargeError);
    expect(() => new PacketFramer({ maxPayloadLength: 1024 }).push(hex("01 04 00 01"))).toThrow(
      expect.objectContaining({ name: "PacketTooLargeError", claimedLength: 1025, maxLength: 1024 }),
    );
    expect(() =>
      new PacketFramer({ maxPayloadLength: 4 * 1024 * 1024 }).push(hex("00 00 40 00")),
    ).not.toThrow();
  });

  it("rejects a continuation that would take the total beyond the maximum, on its header alone", () => {
    const framer = new PacketFramer();
    framer.push(Buffer.concat([hex("ff ff ff 00"), Buffer.alloc(MAX_PACKET_LENGTH)]));
    expect(() => framer.push(hex("02 00 00 01"))).toThrow(
      expect.objectContaining({ name: "PacketTooLargeError", claimedLength: MAX_PACKET_LENGTH + 2 }),
    );
  });

  it("rejects a continuation frame whose sequence id is not the previous plus one", () => {
    const framer = new PacketFramer();
    framer.push(Buffer.concat([hex("ff ff ff 03"), Buffer.alloc(MAX_PACKET_LENGTH)]));
    expect(() => framer.push(hex("05 00 00 07 01 02 03 04 05"))).toThrow(
      expect.objectContaining({ name: "PacketSequenceError", expected: 4, received: 7 }),
    );
  });

  it("does not check sequence ids between separate packets (the session does)", () => {
    expect(
      new PacketFramer().push(Buffer.concat([encodePacket(hex("0e"), 0), encodePacket(hex("0e"), 9)])),
    ).toHaveLength(2);
  });

  it("returns the ClientHello that arrived in the same chunk as the SSLRequest", () => {
    const framer = new PacketFramer();
    const packets = framer.push(OPENSSL_SSL_REQUEST_AND_CLIENT_HELLO_CHUNK, { limit: 1 });
    expect(packets).toHaveLength(1);
    expect(packets[0]).toMatchObject({ sequenceId: 1, frameCount: 1 });
    expect(decodeSslRequest(packets[0]!.payload).form).toBe("41");
    const remainder = framer.takeRemainder();
    expect(remainder).toEqual(
      OPENSSL_SSL_REQUEST_AND_CLIENT_HELLO_CHUNK.subarray(OPENSSL_SSL_REQUEST.length),
    );
    expect(remainder[0]).toBe(0x16); // TLS handshake record
    expect(framer.bufferedLength).toBe(0);
    expect(framer.takeRemainder()).toEqual(Buffer.alloc(0));
  });

  it("returns the SSLRequest even when the ClientHello behind it reads as an oversize header", () => {
    // 16 03 01 01 reads as a 66 326-byte claim: more than a 1 KiB max_allowed_packet
    const framer = new PacketFramer({ maxPayloadLength: 1024 });
    const packets = framer.push(OPENSSL_SSL_REQUEST_AND_CLIENT_HELLO_CHUNK);
    expect(packets.map((p) => p.payload)).toEqual([payloadOf(OPENSSL_SSL_REQUEST)]);
    expect(framer.takeRemainder()).toEqual(OPENSSL_SSL_REQUEST_AND_CLIENT_HELLO_CHUNK.subarray(36));
  });

  it("throws for a bad header behind complete packets on the next push", () => {
    const framer = new PacketFramer({ maxPayloadLength: 1024 });
    const packets = framer.push(Buffer.concat([encodePacket(hex("0e"), 0), hex("00 10 00 01")]));
    expect(packets).toHaveLength(1);
    expect(() => framer.push(Buffer.alloc(0))).toThrow(PacketTooLargeError);
  });

  it("gives back a partial frame, header included, as the remainder", () => {
    const framer = new PacketFramer();
    expect(framer.push(hex("05 00 00 00 03 61"))).toEqual([]);
    expect(framer.takeRemainder()).toEqual(hex("05 00 00 00 03 61"));
    expect(framer.push(encodePacket(hex("0e"), 0))).toHaveLength(1);
  });

  it("gives back the frames of an unfinished multi-frame packet as received", () => {
    const framer = new PacketFramer({ maxPayloadLength: 32 * 1024 * 1024 });
    const head = Buffer.concat([
      hex("ff ff ff 02"),
      Buffer.alloc(MAX_PACKET_LENGTH, 1),
      hex("03 00 00 03 01"),
    ]);
    expect(framer.push(head)).toEqual([]);
    expect(framer.bufferedLength).toBe(head.length);
    expect(framer.takeRemainder().equals(head)).toBe(true);
  });
});
