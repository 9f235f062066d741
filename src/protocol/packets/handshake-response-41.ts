// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_handshake_response.html
import { CapabilityFlags } from "../constants";
import { PacketReader } from "../packet-reader";
import { PacketWriter } from "../packet-writer";
import { readConnectAttributes, writeConnectAttributes } from "./connect-attributes";

/** The client's login packet (4.1+ protocol): user, auth response, database, plugin and attributes. */
export interface HandshakeResponse41 {
  capabilityFlags: number;
  maxPacketSize: number;
  characterSet: number;
  /** The 23 filler bytes (mysql2 and MariaDB clients put extended caps in the last 4). */
  reserved: Buffer;
  username: string;
  authResponse: Buffer;
  /** Present when CLIENT_CONNECT_WITH_DB decides the packet carries it. */
  database?: string;
  /** Present when CLIENT_PLUGIN_AUTH decides the packet carries it. */
  authPluginName?: string;
  /** Key/value pairs in wire order, when CLIENT_CONNECT_ATTRS decides the packet carries them. */
  connectAttributes?: Array<[string, string]>;
}

/** Options of {@link decodeHandshakeResponse41}. */
export interface DecodeHandshakeResponse41Options {
  /**
   * Capabilities that decide which optional fields are present, instead of the packet's own.
   * Pass the SSLRequest's caps for a response read inside TLS: 5.7 does not re-read them.
   */
  capabilityFlags?: number;
}

const RESERVED_LENGTH = 23;
/** Where a MariaDB client writes its extended capabilities in the 23 reserved bytes. */
const MARIADB_CAPABILITIES_AT = 19;

/**
 * The MariaDB extended capabilities a client sent in the reserved bytes of its SSLRequest or
 * HandshakeResponse41: the last 4 bytes, read only when it cleared CLIENT_MYSQL (bit 0) to say it
 * speaks MariaDB's protocol (`parse_client_handshake_packet` in MariaDB's sql/sql_acl.cc). 0 otherwise.
 */
export function clientMariadbCapabilities(capabilityFlags: number, reserved: Buffer): number {
  if (has(capabilityFlags, CapabilityFlags.CLIENT_LONG_PASSWORD) || reserved.length < RESERVED_LENGTH)
    return 0;
  return reserved.readUInt32LE(MARIADB_CAPABILITIES_AT);
}

function has(caps: number, flag: number): boolean {
  return (caps & flag) !== 0;
}

/** Encodes a HandshakeResponse41; its own `capabilityFlags` decide the optional fields. */
export function encodeHandshakeResponse41(response: HandshakeResponse41): Buffer {
  const caps = response.capabilityFlags >>> 0;
  if (response.reserved.length > RESERVED_LENGTH) {
    throw new RangeError(`reserved is at most ${RESERVED_LENGTH} bytes, got ${response.reserved.length}`);
  }
  const writer = new PacketWriter(128)
    .int4(caps)
    .int4(response.maxPacketSize)
    .int1(response.characterSet)
    .bytes(response.reserved)
    .zeros(RESERVED_LENGTH - response.reserved.length)
    .nulString(response.username);
  if (has(caps, CapabilityFlags.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA)) {
    writer.lenencBytes(response.authResponse);
  } else if (has(caps, CapabilityFlags.CLIENT_SECURE_CONNECTION)) {
    if (response.authResponse.length > 0xff) {
      throw new RangeError(
        `a 1-byte-length auth response holds at most 255 bytes, got ${response.authResponse.length}`,
      );
    }
    writer.int1(response.authResponse.length).bytes(response.authResponse);
  } else {
    writer.nulBytes(response.authResponse);
  }
  if (has(caps, CapabilityFlags.CLIENT_CONNECT_WITH_DB)) writer.nulString(response.database ?? "");
  if (has(caps, CapabilityFlags.CLIENT_PLUGIN_AUTH)) writer.nulString(response.authPluginName ?? "");
  if (has(caps, CapabilityFlags.CLIENT_CONNECT_ATTRS)) {
    writeConnectAttributes(writer, response.connectAttributes);
  }
  return writer.toBuffer();
}

/**
 * Decodes a HandshakeResponse41. A plugin name may be missing altogether (then it is "", as 5.7
 * reads it) or run to the end of the packet without its NUL, and a NUL-terminated auth response
 * may lack its NUL at the end of the packet. Every other field must be whole: with
 * CLIENT_CONNECT_ATTRS that includes the attribute block, which 5.7 and 8.0 require
 * (`read_client_connect_attrs` in sql/auth/sql_authentication.cc fails on a packet without it).
 */
export function decodeHandshakeResponse41(
  payload: Buffer,
  options: DecodeHandshakeResponse41Options = {},
): HandshakeResponse41 {
  const r = new PacketReader(payload, "HandshakeResponse41");
  const capabilityFlags = r.int4("capability flags");
  const caps = (options.capabilityFlags ?? capabilityFlags) >>> 0;
  const response: HandshakeResponse41 = {
    capabilityFlags,
    maxPacketSize: r.int4("max packet size"),
    characterSet: r.int1("character set"),
    reserved: Buffer.from(r.bytes(RESERVED_LENGTH, "reserved filler")),
    username: r.nulString("user name"),
    authResponse: Buffer.alloc(0),
  };

  if (has(caps, CapabilityFlags.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA)) {
    response.authResponse = Buffer.from(r.lenencBytes("auth response"));
  } else if (has(caps, CapabilityFlags.CLIENT_SECURE_CONNECTION)) {
    const length = r.int1("auth response length");
    response.authResponse = Buffer.from(r.bytes(length, "auth response"));
  } else {
    const rest = payload.subarray(r.offset);
    response.authResponse = Buffer.from(rest.includes(0) ? r.nulBytes("auth response") : r.rest());
  }

  if (has(caps, CapabilityFlags.CLIENT_CONNECT_WITH_DB)) response.database = r.nulString("database name");

  if (has(caps, CapabilityFlags.CLIENT_PLUGIN_AUTH)) {
    const rest = payload.subarray(r.offset);
    response.authPluginName = rest.includes(0) ? r.nulString("auth plugin name") : r.restString();
  }

  if (has(caps, CapabilityFlags.CLIENT_CONNECT_ATTRS)) response.connectAttributes = readConnectAttributes(r);
  return response;
}
