// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_handshake_v10.html
import { CapabilityFlags, PacketMarker, PROTOCOL_VERSION } from "../constants";
import { PacketReader } from "../packet-reader";
import { PacketWriter } from "../packet-writer";

/** The server greeting: the first packet of every connection, sequence id 0. */
export interface HandshakeV10 {
  protocolVersion: number;
  serverVersion: string;
  connectionId: number;
  /** The nonce: 20 bytes from a MySQL server, part 1 (8 bytes) and part 2 (12 bytes). */
  authPluginData: Buffer;
  capabilityFlags: number;
  characterSet: number;
  statusFlags: number;
  authPluginName: string;
  /** The 10 bytes after the length byte. MariaDB 10.2+ puts extended capabilities in the last 4. Default zeros. */
  reserved?: Buffer;
  /**
   * The auth-plugin-data length byte. Default `authPluginData.length + 1` (21 for a 20-byte
   * nonce). Setting 20 reproduces broken servers: the bytes stay where they are, and
   * libmysqlclient, which finds the plugin name from this byte, looks one byte too early.
   */
  authPluginDataLengthByte?: number;
}

const PART1_LENGTH = 8;
/** Part 2 is never shorter than 13 bytes: 12 nonce bytes and a NUL for the 20-byte nonce. */
const PART2_MIN_LENGTH = 13;
const RESERVED_LENGTH = 10;

/** Encodes a greeting exactly as 5.7's `send_server_handshake_packet` lays it out. */
export function encodeHandshakeV10(handshake: HandshakeV10): Buffer {
  const data = handshake.authPluginData;
  if (data.length < PART1_LENGTH) {
    throw new RangeError(`authPluginData needs at least ${PART1_LENGTH} bytes, got ${data.length}`);
  }
  const caps = handshake.capabilityFlags >>> 0;
  const reserved = handshake.reserved ?? Buffer.alloc(RESERVED_LENGTH);
  if (reserved.length !== RESERVED_LENGTH) {
    throw new RangeError(`reserved must be ${RESERVED_LENGTH} bytes, got ${reserved.length}`);
  }
  const part2 = Buffer.concat([data.subarray(PART1_LENGTH), Buffer.alloc(1)]);
  const writer = new PacketWriter(128)
    .int1(handshake.protocolVersion)
    .nulString(handshake.serverVersion)
    .int4(handshake.connectionId)
    .bytes(data.subarray(0, PART1_LENGTH))
    .int1(0)
    .int2(caps & 0xffff)
    .int1(handshake.characterSet)
    .int2(handshake.statusFlags)
    .int2(caps >>> 16)
    .int1(handshake.authPluginDataLengthByte ?? data.length + 1)
    .bytes(reserved)
    .bytes(part2)
    .zeros(Math.max(0, PART2_MIN_LENGTH - part2.length));
  if (caps & CapabilityFlags.CLIENT_PLUGIN_AUTH) writer.nulString(handshake.authPluginName);
  return writer.toBuffer();
}

/**
 * Decodes a greeting. Tolerates what old or odd servers send: a packet that ends after the
 * low capability word, a length byte of 0 without CLIENT_PLUGIN_AUTH, a capability word without
 * CLIENT_SECURE_CONNECTION in front of a full nonce, and a plugin name that runs to the end of the
 * packet without its NUL.
 */
export function decodeHandshakeV10(payload: Buffer): HandshakeV10 {
  const r = new PacketReader(payload, "HandshakeV10");
  const protocolVersion = r.int1("protocol version");
  if (protocolVersion === PacketMarker.ERR) throw r.error("an ERR packet (0xff) in place of the greeting", 0);
  if (protocolVersion !== PROTOCOL_VERSION) {
    throw r.error(`protocol version ${protocolVersion} is not ${PROTOCOL_VERSION}`, 0);
  }
  const serverVersion = r.nulString("server version");
  const connectionId = r.int4("connection id");
  const part1 = r.bytes(PART1_LENGTH, "auth-plugin-data part 1");
  r.skip(1, "filler");
  const capsLow = r.int2("capability flags (low)");
  const handshake: HandshakeV10 = {
    protocolVersion,
    serverVersion,
    connectionId,
    authPluginData: Buffer.from(part1),
    capabilityFlags: capsLow,
    characterSet: 0,
    statusFlags: 0,
    authPluginName: "",
  };
  if (r.remaining === 0) return handshake;

  handshake.characterSet = r.int1("character set");
  handshake.statusFlags = r.int2("status flags");
  const caps = (capsLow | (r.int2("capability flags (high)") << 16)) >>> 0;
  handshake.capabilityFlags = caps;
  const lengthByte = r.int1("auth-plugin-data length");
  handshake.authPluginDataLengthByte = lengthByte;
  handshake.reserved = Buffer.from(r.bytes(RESERVED_LENGTH, "reserved"));

  // libmysqlclient reads part 2 whenever the packet holds it, whatever CLIENT_SECURE_CONNECTION
  // says (it clears the flag when the packet is too short); servers always write it.
  if (caps & CapabilityFlags.CLIENT_SECURE_CONNECTION || r.remaining >= PART2_MIN_LENGTH) {
    const part2Length = Math.max(PART2_MIN_LENGTH, lengthByte - PART1_LENGTH);
    // Without a plugin name after it, pre-5.5 servers may end the packet inside part 2.
    const available =
      caps & CapabilityFlags.CLIENT_PLUGIN_AUTH ? part2Length : Math.min(part2Length, r.remaining);
    let part2 = r.bytes(available, "auth-plugin-data part 2");
    if (part2.length > 0 && part2[part2.length - 1] === 0) part2 = part2.subarray(0, -1);
    handshake.authPluginData = Buffer.concat([part1, part2]);
  }
  if (caps & CapabilityFlags.CLIENT_PLUGIN_AUTH) {
    const rest = r.rest();
    const nul = rest.indexOf(0);
    handshake.authPluginName = (nul === -1 ? rest : rest.subarray(0, nul)).toString("utf8");
  }
  return handshake;
}
