// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_auth_switch_request.html
import { PacketMarker } from "../constants";
import { PacketReader } from "../packet-reader";
import { PacketWriter } from "../packet-writer";

/** The server asks the client to authenticate with another plugin. */
export interface AuthSwitchRequest {
  pluginName: string;
  /**
   * Initial data for the plugin. 5.7's native and sha256 plugins send the 20-byte nonce plus a
   * trailing 0x00 (21 bytes); libmysqlclient's sha256 plugins reject anything else.
   */
  pluginData: Buffer;
}

/** What libmysqlclient assumes a lone 0xfe (the pre-plugin "old password" switch) asks for. */
export const OLD_PASSWORD_PLUGIN = "mysql_old_password";

/** Encodes 0xfe, the plugin name with its NUL, then the plugin data to the end of the packet. */
export function encodeAuthSwitchRequest(request: AuthSwitchRequest): Buffer {
  return new PacketWriter()
    .int1(PacketMarker.AUTH_SWITCH)
    .nulString(request.pluginName)
    .bytes(request.pluginData)
    .toBuffer();
}

/** Decodes an AuthSwitchRequest; a lone 0xfe decodes as a switch to {@link OLD_PASSWORD_PLUGIN}. */
export function decodeAuthSwitchRequest(payload: Buffer): AuthSwitchRequest {
  const r = new PacketReader(payload, "AuthSwitchRequest");
  r.marker(PacketMarker.AUTH_SWITCH);
  if (r.remaining === 0) return { pluginName: OLD_PASSWORD_PLUGIN, pluginData: Buffer.alloc(0) };
  const pluginName = r.nulString("plugin name");
  return { pluginName, pluginData: Buffer.from(r.rest()) };
}
