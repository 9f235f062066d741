// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_auth_more_data.html
import { PacketMarker } from "../constants";
import { PacketReader } from "../packet-reader";
import { PacketWriter } from "../packet-writer";

/**
 * Extra authentication data from the server: every plugin packet after the first is wrapped
 * this way (e.g. caching_sha2's `01 03` fast-auth success, or `01` + a PEM public key).
 */
export interface AuthMoreData {
  data: Buffer;
}

/** Encodes 0x01 followed by the data, to the end of the packet. */
export function encodeAuthMoreData(packet: AuthMoreData): Buffer {
  return new PacketWriter(packet.data.length + 1)
    .int1(PacketMarker.AUTH_MORE_DATA)
    .bytes(packet.data)
    .toBuffer();
}

/** Decodes an AuthMoreData packet; anything but a leading 0x01 is malformed. */
export function decodeAuthMoreData(payload: Buffer): AuthMoreData {
  const r = new PacketReader(payload, "AuthMoreData");
  r.marker(PacketMarker.AUTH_MORE_DATA);
  return { data: Buffer.from(r.rest()) };
}
