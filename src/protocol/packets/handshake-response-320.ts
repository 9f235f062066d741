// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_handshake_response.html
import { CapabilityFlags } from "../constants";
import { PacketReader } from "../packet-reader";
import { PacketWriter } from "../packet-writer";

/**
 * The pre-4.1 login packet (no CLIENT_PROTOCOL_41). 5.7 supports no pre-4.1 authentication, so
 * it is decoded only well enough to record who tried and to refuse.
 */
export interface HandshakeResponse320 {
  /** 16-bit capability word. */
  capabilityFlags: number;
  /** 24-bit maximum packet size. */
  maxPacketSize: number;
  username: string;
  authResponse: Buffer;
  /** Present with CLIENT_CONNECT_WITH_DB. */
  database?: string;
}

/** Encodes a HandshakeResponse320 (for tests and for clients the mock plays). */
export function encodeHandshakeResponse320(response: HandshakeResponse320): Buffer {
  const writer = new PacketWriter()
    .int2(response.capabilityFlags & 0xffff)
    .int3(response.maxPacketSize)
    .nulString(response.username);
  if (response.capabilityFlags & CapabilityFlags.CLIENT_CONNECT_WITH_DB) {
    writer.nulBytes(response.authResponse).nulString(response.database ?? "");
  } else {
    // Old clients end the scrambled password with a NUL even though nothing follows it.
    writer.bytes(response.authResponse).int1(0);
  }
  return writer.toBuffer();
}

/**
 * Decodes a HandshakeResponse320: with CLIENT_CONNECT_WITH_DB the auth response is
 * NUL-terminated and the database follows; without it the auth response runs to the end
 * (a trailing NUL, as old clients send, is dropped).
 */
export function decodeHandshakeResponse320(payload: Buffer): HandshakeResponse320 {
  const r = new PacketReader(payload, "HandshakeResponse320");
  const capabilityFlags = r.int2("capability flags");
  const maxPacketSize = r.int3("max packet size");
  const username = r.nulString("user name");
  if (capabilityFlags & CapabilityFlags.CLIENT_CONNECT_WITH_DB) {
    const authResponse = Buffer.from(r.nulBytes("auth response"));
    const rest = payload.subarray(r.offset);
    const database = rest.includes(0) ? r.nulString("database name") : r.restString();
    return { capabilityFlags, maxPacketSize, username, authResponse, database };
  }
  let authResponse = r.rest();
  if (authResponse.length > 0 && authResponse[authResponse.length - 1] === 0) {
    authResponse = authResponse.subarray(0, -1);
  }
  return { capabilityFlags, maxPacketSize, username, authResponse: Buffer.from(authResponse) };
}
