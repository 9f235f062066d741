// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_handshake_response.html
import type { PacketReader } from "../packet-reader";
import { PacketWriter } from "../packet-writer";

/**
 * The connect attributes block (CLIENT_CONNECT_ATTRS) that ends a HandshakeResponse41 and a
 * COM_CHANGE_USER: a length-encoded block of length-encoded key/value strings
 * (`read_client_connect_attrs` in sql/auth/sql_authentication.cc).
 */
export type ConnectAttributes = Array<[string, string]>;

/** Writes the attribute block, its length first. */
export function writeConnectAttributes(writer: PacketWriter, attributes: ConnectAttributes = []): void {
  const block = new PacketWriter();
  for (const [key, value] of attributes) block.lenencString(key).lenencString(value);
  writer.lenencBytes(block.toBuffer());
}

/**
 * Reads the attribute block at the reader's position.
 *
 * @throws MalformedPacketError when the length is NULL or claims more than is left, or an attribute
 * runs past the block's end.
 */
export function readConnectAttributes(r: PacketReader): ConnectAttributes {
  const start = r.offset;
  const blockLength = r.lenencInt("connect attributes length");
  if (blockLength === null) throw r.error("unexpected NULL (0xfb) as connect attributes length", start);
  if (blockLength > r.remaining) {
    throw r.error(`connect attributes claim ${blockLength} bytes, ${r.remaining} left`, start);
  }
  const end = r.offset + blockLength;
  const attributes: ConnectAttributes = [];
  while (r.offset < end) {
    const key = r.lenencString("connect attribute name");
    const value = r.lenencString("connect attribute value");
    if (r.offset > end) {
      throw r.error(`connect attribute ${JSON.stringify(key)} overruns the attribute block`);
    }
    attributes.push([key, value]);
  }
  return attributes;
}
