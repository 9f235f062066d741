// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_change_user.html
import { CapabilityFlags, Command } from "../constants";
import { MalformedPacketError } from "../errors";
import { PacketReader } from "../packet-reader";
import { PacketWriter } from "../packet-writer";
import { readConnectAttributes, writeConnectAttributes } from "./connect-attributes";

/** COM_CHANGE_USER: a logged-in client logs in again, as another user or the same one. */
export interface ComChangeUser {
  username: string;
  /** Auth data for `authPluginName`, computed against the greeting's nonce. */
  authResponse: Buffer;
  /** The new default database; "" for none. */
  database: string;
  /** Present when the packet carries it (every 4.1+ client sends it). */
  characterSet?: number;
  /** Present when CLIENT_PLUGIN_AUTH is on and the packet carries it. */
  authPluginName?: string;
  /** Key/value pairs in wire order, when CLIENT_CONNECT_ATTRS is on and the packet carries them. */
  connectAttributes?: Array<[string, string]>;
  /**
   * Set when the attribute block does not decode. 5.7 tells this apart from the rest of a bad
   * packet: it refuses the change as a failed login (1045), not as an unknown command (1047).
   */
  connectAttributesMalformed?: true;
}

function has(caps: number, flag: number): boolean {
  return (caps & flag) !== 0;
}

/** Encodes COM_CHANGE_USER, command byte included; `capabilityFlags` are the session's. */
export function encodeComChangeUser(change: ComChangeUser, capabilityFlags: number): Buffer {
  const writer = new PacketWriter(64).int1(Command.COM_CHANGE_USER).nulString(change.username);
  if (has(capabilityFlags, CapabilityFlags.CLIENT_SECURE_CONNECTION)) {
    if (change.authResponse.length > 0xff) {
      throw new RangeError(
        `COM_CHANGE_USER auth data holds at most 255 bytes, got ${change.authResponse.length}`,
      );
    }
    writer.int1(change.authResponse.length).bytes(change.authResponse);
  } else {
    writer.nulBytes(change.authResponse);
  }
  writer.nulString(change.database);
  if (change.characterSet === undefined) return writer.toBuffer();
  writer.int2(change.characterSet);
  if (has(capabilityFlags, CapabilityFlags.CLIENT_PLUGIN_AUTH)) writer.nulString(change.authPluginName ?? "");
  if (has(capabilityFlags, CapabilityFlags.CLIENT_CONNECT_ATTRS)) {
    writeConnectAttributes(writer, change.connectAttributes);
  }
  return writer.toBuffer();
}

/**
 * Decodes COM_CHANGE_USER (command byte included) under the session's capabilities. Lenient where
 * 5.7's `parse_com_change_user_packet` is: everything after the database name is optional (5.7
 * then wants a plugin name only of a CLIENT_PLUGIN_AUTH client, which the caller checks), and a
 * plugin name may run to the end of the packet without its NUL.
 * @throws {@link MalformedPacketError} where 5.7 answers 1047 Unknown command.
 */
export function decodeComChangeUser(payload: Buffer, capabilityFlags: number): ComChangeUser {
  const r = new PacketReader(payload, "COM_CHANGE_USER");
  const command = r.int1("command byte");
  if (command !== Command.COM_CHANGE_USER) {
    throw r.error(`command byte 0x${command.toString(16).padStart(2, "0")} is not COM_CHANGE_USER`, 0);
  }
  const username = r.nulString("user name");
  const authResponse = has(capabilityFlags, CapabilityFlags.CLIENT_SECURE_CONNECTION)
    ? Buffer.from(r.bytes(r.int1("auth data length"), "auth data"))
    : Buffer.from(r.nulBytes("auth data"));
  const change: ComChangeUser = { username, authResponse, database: r.nulString("database name") };
  if (r.remaining < 2) return change;
  change.characterSet = r.int2("character set");
  if (has(capabilityFlags, CapabilityFlags.CLIENT_PLUGIN_AUTH) && r.remaining > 0) {
    const rest = payload.subarray(r.offset);
    change.authPluginName = rest.includes(0) ? r.nulString("auth plugin name") : r.restString();
  }
  if (has(capabilityFlags, CapabilityFlags.CLIENT_CONNECT_ATTRS) && r.remaining > 0) {
    try {
      change.connectAttributes = readConnectAttributes(r);
    } catch (error) {
      if (!(error instanceof MalformedPacketError)) throw error;
      change.connectAttributesMalformed = true;
    }
  }
  return change;
}
