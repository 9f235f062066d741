import { findAccount } from "../../../auth/accounts";
import { NATIVE_PASSWORD_PLUGIN } from "../../../auth/native-password";
import { CapabilityFlags } from "../../../protocol/constants";
import { MalformedPacketError } from "../../../protocol/errors";
import type { Packet } from "../../../protocol/framing";
import {
  decodeHandshakeResponse41,
  type HandshakeResponse41,
} from "../../../protocol/packets/handshake-response-41";
import { decodeHandshakeResponse320 } from "../../../protocol/packets/handshake-response-320";
import { OLD_CLIENT } from "../login-errors";
import type { SessionPorts } from "../ports";
import type { SessionState } from "../state";
import {
  beginAuthentication,
  converse,
  noteAuthData,
  pluginFor,
  pluginRefusal,
  switchPlugin,
} from "./authentication";

/** A HandshakeResponse41 as read, with the plugin its auth data is for. */
export interface ReadResponse {
  response: HandshakeResponse41;
  clientPlugin: string;
}

/** The plugin a response's auth data is for: the one it names, or native for a client without CLIENT_PLUGIN_AUTH. */
export function clientPluginOf(response: HandshakeResponse41, capabilities: number): string {
  return capabilities & CapabilityFlags.CLIENT_PLUGIN_AUTH
    ? (response.authPluginName ?? NATIVE_PASSWORD_PLUGIN)
    : NATIVE_PASSWORD_PLUGIN;
}

/** The capability word a handshake response starts with (two bytes in a pre-4.1 response). */
export function peekCapabilities(payload: Buffer): number {
  if (payload.length < 2)
    throw new MalformedPacketError("HandshakeResponse", 0, "shorter than its capability flags");
  return payload.length >= 4 ? payload.readUInt32LE(0) : payload.readUInt16LE(0);
}

/**
 * Decodes a HandshakeResponse41 — read with `caps` when they are fixed already (the SSLRequest's)
 * — records its packet, and names the plugin its auth data is for.
 */
export function readResponse41(
  s: SessionPorts,
  packet: Packet,
  caps: number,
  capsFixed: boolean,
): ReadResponse {
  const response = decodeHandshakeResponse41(
    packet.payload,
    capsFixed ? { capabilityFlags: caps } : undefined,
  );
  s.wire.received(packet, "HandshakeResponse41");
  return { response, clientPlugin: clientPluginOf(response, caps) };
}

/** Records what a response read with {@link readResponse41} says, once its auth data has been noted. */
export function announceResponse(s: SessionPorts, read: ReadResponse, encrypted: boolean): void {
  const { response, clientPlugin } = read;
  s.recorder.handshakeResponse(
    {
      user: response.username,
      database: response.database ?? null,
      clientAuthPlugin: clientPlugin,
      connectAttributes: response.connectAttributes ? Object.fromEntries(response.connectAttributes) : null,
    },
    encrypted,
  );
}

/**
 * The handshake response, in plaintext or (`encrypted`) inside TLS: a pre-4.1 client is refused;
 * otherwise the account's plugin reads the auth data, or the client is switched to it.
 */
export function onHandshakeResponse(s: SessionPorts, packet: Packet, encrypted: boolean): SessionState {
  const caps = encrypted ? s.clientCapabilities : peekCapabilities(packet.payload);
  if (!(caps & CapabilityFlags.CLIENT_PROTOCOL_41)) {
    const old = decodeHandshakeResponse320(packet.payload);
    s.wire.received(packet, "HandshakeResponse320");
    s.setClientCapabilities(old.capabilityFlags);
    noteAuthData(s, NATIVE_PASSWORD_PLUGIN, old.authResponse);
    s.recorder.oldHandshakeResponse(old.username, old.database ?? null, encrypted);
    return s.lifecycle.refuse(OLD_CLIENT);
  }
  const read = readResponse41(s, packet, caps, encrypted);
  const { response, clientPlugin } = read;
  // After TLS, 5.7 keeps the SSLRequest's capabilities and ignores those resent inside TLS.
  if (encrypted) s.recorder.capabilitiesInsideTls(response.capabilityFlags);
  else s.setClientCapabilities(response.capabilityFlags, response.reserved);
  const announce = () => announceResponse(s, read, encrypted);

  const attackerError = s.options.faults.refuseLoginWith;
  if (attackerError) {
    noteAuthData(s, clientPlugin, response.authResponse);
    announce();
    return s.lifecycle.refuse(attackerError, "fault: every login is refused with a fixed error");
  }
  const account = findAccount(
    s.options.accounts,
    response.username,
    s.record.client.address,
    s.options.skipNameResolve,
  );
  const plugin = pluginFor(s, account);
  const refusal = pluginRefusal(s, plugin.name, caps);
  if (refusal) {
    // The response, and the credentials in it, crossed before the server looked at the plugin.
    noteAuthData(s, clientPlugin, response.authResponse);
    announce();
    return s.lifecycle.refuse(refusal.err, refusal.reason);
  }
  const auth = beginAuthentication(s, account, plugin, { purpose: "login" });
  if (clientPlugin !== plugin.name && caps & CapabilityFlags.CLIENT_PLUGIN_AUTH) {
    // The response was for another plugin: its auth data means nothing to this one, but it crossed.
    noteAuthData(s, clientPlugin, response.authResponse);
    announce();
    switchPlugin(s, plugin, "login");
    return auth;
  }
  // The data is for this plugin: the client named it, or (without CLIENT_PLUGIN_AUTH) it computed
  // mysql_native_password's, which pluginRefusal let through only for a native account.
  return converse(
    s,
    auth,
    response.authResponse,
    announce,
    clientPlugin !== plugin.name ? clientPlugin : undefined,
  );
}
