// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_ssl_request.html
import { CapabilityFlags } from "../constants";
import { PacketReader } from "../packet-reader";
import { PacketWriter } from "../packet-writer";

/**
 * The client's request to switch to TLS (sequence id 1), in one of the three forms 5.7's
 * `parse_client_handshake_packet` accepts.
 */
export interface SslRequest {
  /**
   * `41`: the first 32 bytes of a HandshakeResponse41. `320`: caps int<2> + max packet int<3>.
   * `caps-only`: caps int<4> alone, as old Connector/J sends it.
   */
  form: "41" | "320" | "caps-only";
  capabilityFlags: number;
  /** 0 when the form does not carry it (`caps-only`). */
  maxPacketSize: number;
  /** 0 when the form does not carry it (`320`, `caps-only`). */
  characterSet: number;
  /** The 23 filler bytes of form `41` (mysql2 and MariaDB clients put extended caps in the last 4); empty otherwise. */
  reserved: Buffer;
  /** Bytes beyond the form's length: a client that sent a whole HandshakeResponse instead. */
  trailing: Buffer;
}

const FORM_41_LENGTH = 32;
const FORM_320_LENGTH = 5;
const CAPS_ONLY_LENGTH = 4;
const RESERVED_LENGTH = 23;

/** Encodes an SSLRequest payload; form `41` pads `reserved` with zeros to 23 bytes. */
export function encodeSslRequest(request: SslRequest): Buffer {
  const writer = new PacketWriter(FORM_41_LENGTH + request.trailing.length);
  switch (request.form) {
    case "41": {
      if (request.reserved.length > RESERVED_LENGTH) {
        throw new RangeError(`reserved is at most ${RESERVED_LENGTH} bytes, got ${request.reserved.length}`);
      }
      writer
        .int4(request.capabilityFlags)
        .int4(request.maxPacketSize)
        .int1(request.characterSet)
        .bytes(request.reserved)
        .zeros(RESERVED_LENGTH - request.reserved.length);
      break;
    }
    case "320":
      writer.int2(request.capabilityFlags & 0xffff).int3(request.maxPacketSize);
      break;
    case "caps-only":
      writer.int4(request.capabilityFlags);
      break;
  }
  return writer.bytes(request.trailing).toBuffer();
}

/**
 * Decodes an SSLRequest the way 5.7 does: exactly 4 bytes is the caps-only form; otherwise
 * CLIENT_PROTOCOL_41 in the low caps word selects the 32-byte form, its absence the 5-byte form.
 */
export function decodeSslRequest(payload: Buffer): SslRequest {
  const r = new PacketReader(payload, "SSLRequest");
  if (payload.length === CAPS_ONLY_LENGTH) {
    return {
      form: "caps-only",
      capabilityFlags: r.int4("capability flags"),
      maxPacketSize: 0,
      characterSet: 0,
      reserved: Buffer.alloc(0),
      trailing: Buffer.alloc(0),
    };
  }
  const low = r.peekInt1("capability flags") | (payload.length > 1 ? payload[1]! << 8 : 0);
  if (low & CapabilityFlags.CLIENT_PROTOCOL_41) {
    if (payload.length < FORM_41_LENGTH) {
      throw r.error(`a CLIENT_PROTOCOL_41 SSLRequest has ${FORM_41_LENGTH} bytes, got ${payload.length}`);
    }
    return {
      form: "41",
      capabilityFlags: r.int4("capability flags"),
      maxPacketSize: r.int4("max packet size"),
      characterSet: r.int1("character set"),
      reserved: Buffer.from(r.bytes(RESERVED_LENGTH, "reserved")),
      trailing: Buffer.from(r.rest()),
    };
  }
  if (payload.length < FORM_320_LENGTH) {
    throw r.error(`a pre-4.1 SSLRequest has ${FORM_320_LENGTH} bytes, got ${payload.length}`);
  }
  return {
    form: "320",
    capabilityFlags: r.int2("capability flags"),
    maxPacketSize: r.int3("max packet size"),
    characterSet: 0,
    reserved: Buffer.alloc(0),
    trailing: Buffer.from(r.rest()),
  };
}

/** Whether the client asked for TLS: CLIENT_SSL (a low-word bit, so every form carries it) is set. */
export function isSslRequest(payload: Buffer): boolean {
  return payload.length >= 2 && (payload.readUInt16LE(0) & CapabilityFlags.CLIENT_SSL) !== 0;
}

/**
 * Whether the packet is an SSLRequest and nothing more: CLIENT_SSL set and no login after the
 * fixed fields. A whole handshake response with CLIENT_SSL set (PyMySQL sends one when given
 * `ssl=` and the greeting offers no TLS) asks for TLS but goes on in plaintext.
 */
export function isBareSslRequest(payload: Buffer): boolean {
  return isSslRequest(payload) && decodeSslRequest(payload).trailing.length === 0;
}
