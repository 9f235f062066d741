// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response_local_infile_request.html
import { PacketMarker } from "../constants";
import { MalformedPacketError } from "../errors";
import { PacketReader } from "../packet-reader";
import { PacketWriter } from "../packet-writer";

/**
 * The server's answer to a COM_QUERY that asks the client for one of its files: a real server sends
 * it for `LOAD DATA LOCAL INFILE 'name'`, and nothing in the protocol ties it to that statement, so
 * a rogue server can send it in reply to any query (MySQL manual, "Security Considerations for LOAD
 * DATA LOCAL"). The client answers with the file's contents in packets of any size, then an empty
 * packet; a client that will not send it sends the empty packet at once.
 */
export interface LocalInfileRequest {
  /** The file the client is asked to send, as the server names it (the client resolves it). */
  fileName: string;
}

/** Encodes 0xfb, then the file name to the end of the packet (no NUL, no length). */
export function encodeLocalInfileRequest(request: LocalInfileRequest): Buffer {
  return new PacketWriter()
    .int1(PacketMarker.LOCAL_INFILE)
    .bytes(Buffer.from(request.fileName, "utf8"))
    .toBuffer();
}

/** Decodes a LOCAL INFILE request; an empty file name is malformed (no client could open it). */
export function decodeLocalInfileRequest(payload: Buffer): LocalInfileRequest {
  const r = new PacketReader(payload, "LocalInfileRequest");
  r.marker(PacketMarker.LOCAL_INFILE);
  if (r.remaining === 0) throw new MalformedPacketError("LocalInfileRequest", 1, "a file name");
  return { fileName: r.restString() };
}
