import { displayClientHost, findAccount } from "../../../auth/accounts";
import { NATIVE_PASSWORD_PLUGIN } from "../../../auth/native-password";
import { CapabilityFlags, Command, commandName } from "../../../protocol/constants";
import { MalformedPacketError, ProtocolError } from "../../../protocol/errors";
import type { Packet } from "../../../protocol/framing";
import { type ComChangeUser, decodeComChangeUser } from "../../../protocol/packets/com-change-user";
import type { QueryContext } from "../../../sql";
import { type CommandReply, commandDisclosure, UnknownQueryCallbackError } from "../../command-responder";
import { answerFailed, MALFORMED_CHANGE_USER } from "../../errors";
import type { SessionPorts } from "../ports";
import type { CommandPhase, SessionState } from "../state";
import {
  beginAuthentication,
  completeAuthentication,
  converse,
  noteAuthData,
  pluginFor,
  pluginRefusal,
  refuseLogin,
  switchPlugin,
} from "./authentication";
import { onLocalFileData, requestLocalFile } from "./local-infile";

/** One command of a logged-in client: answered, recorded, and the session goes on (or ends on COM_QUIT). */
export function onCommand(s: SessionPorts, state: CommandPhase, packet: Packet): SessionState {
  if (state.awaitingLocalFile) return onLocalFileData(s, state, packet);
  if (packet.payload[0] === Command.COM_CHANGE_USER) return onChangeUser(s, packet);
  const fileRequested = requestLocalFile(s, state, packet);
  if (fileRequested) return fileRequested;
  let reply: CommandReply;
  try {
    reply = s.commands.respond(packet.payload, s.clientCapabilities, s.extendedCapabilities);
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    s.wire.received(packet, commandName(packet.payload[0]!), commandDisclosure(packet.payload[0]));
    return failAnswering(s, error);
  }
  s.wire.received(packet, reply.commandName, reply.disclosure);
  s.recorder.command(reply.commandName, reply.query);
  if (reply.database !== undefined) s.recorder.databaseChanged(reply.database);
  // Every command starts a new exchange: the client's packet was 0, the reply counts from 1.
  s.sequence.next = 1;
  s.wire.batched(() => {
    for (const response of reply.packets) s.wire.send(response.payload, response.type);
  });
  if (reply.close) return s.lifecycle.quit();
  // A source ends the connection after a binlog dump, served or refused (sql/sql_parse.cc, "fake COM_QUIT").
  if (reply.end !== undefined) return s.lifecycle.endWithError(reply.end, "graceful");
  s.lifecycle.armIdleTimer();
  s.wire.holdIfBacklogged();
  return state;
}

/** What the query answerer knows of the session: who it runs as, over what, on which server. */
export function queryContext(s: SessionPorts): QueryContext {
  const tls = s.wire.tls;
  const state = s.state;
  const session = state.tag === "command" ? state : null;
  return {
    serverVersion: s.options.serverVersion,
    versionComment: s.options.versionComment,
    connectionId: s.connectionId,
    user: session?.user ?? s.record.user ?? "",
    clientHost: displayClientHost(s.record.client.address, s.options.skipNameResolve),
    accountHost: session?.account.host ?? "%",
    database: s.record.database,
    tls: tls ? { version: tls.version, cipher: tls.cipher, cipherList: [] } : null,
    tlsOffered: s.tlsOffered,
    serverCertificate: s.options.tls?.certificateValidity ?? null,
    systemVariables: s.options.systemVariables,
  };
}

/**
 * The server could not answer a command: the host program's `unknownQuery` threw or gave no
 * answer, or the answer could not be encoded. The client gets an ERR saying so and only this
 * session ends, recorded with the reason; the server goes on.
 */
function failAnswering(s: SessionPorts, error: unknown): SessionState {
  const detail = error instanceof Error ? error.message : String(error);
  const what =
    error instanceof UnknownQueryCallbackError ? detail : `the server failed to answer a command: ${detail}`;
  s.sequence.next = 1;
  s.wire.sendErr(answerFailed(what));
  return s.lifecycle.endWithError(what, "graceful");
}

/**
 * COM_CHANGE_USER, as 5.7's acl_authenticate runs it: the account is looked up (an unknown user
 * walks through the default plugin, to fail like a wrong password), and a client with
 * CLIENT_PLUGIN_AUTH is always sent an AuthSwitchRequest — `server_mpvio_write_packet` drops the
 * packet's auth data for such clients — with the greeting's nonce, which 5.7 reuses. An older
 * client's auth data is checked as sent. The packet is recorded without its payload: its auth
 * data with the greeting's nonce is enough to crack the password offline.
 */
function onChangeUser(s: SessionPorts, packet: Packet): SessionState {
  s.wire.received(packet, "COM_CHANGE_USER", "withheld");
  s.recorder.command("COM_CHANGE_USER");
  s.sequence.next = 1;
  const pluginAuth = (s.clientCapabilities & CapabilityFlags.CLIENT_PLUGIN_AUTH) !== 0;
  let change: ComChangeUser;
  try {
    change = decodeComChangeUser(packet.payload, s.clientCapabilities);
    if (pluginAuth && change.authPluginName === undefined) {
      throw new MalformedPacketError("COM_CHANGE_USER", packet.payload.length, "no auth plugin name");
    }
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    s.wire.sendErr(MALFORMED_CHANGE_USER);
    return s.lifecycle.endWithError(error.message, "graceful");
  }
  const clientPlugin = pluginAuth ? change.authPluginName || NATIVE_PASSWORD_PLUGIN : NATIVE_PASSWORD_PLUGIN;
  const account = findAccount(
    s.options.accounts,
    change.username,
    s.record.client.address,
    s.options.skipNameResolve,
  );
  const plugin = pluginFor(s, account);
  // As for a login, "using password" says whether the auth data the plugin reads was empty.
  const auth = beginAuthentication(s, account, plugin, {
    purpose: "change-user",
    user: change.username,
    database: change.database === "" ? null : change.database,
  });
  const refusal = pluginRefusal(s, plugin.name, s.clientCapabilities);
  if (refusal) {
    // The packet's auth data crossed before the server looked at the account's plugin.
    noteAuthData(s, clientPlugin, change.authResponse);
    return refuseLogin(s, auth, refusal.err, refusal.reason);
  }
  if (change.connectAttributesMalformed) {
    // 5.7's read_client_connect_attrs fails without an error of its own: a failed login.
    auth.usedPassword = change.authResponse.length > 0;
    return completeAuthentication(s, auth, "the connect attributes do not decode");
  }
  if (!pluginAuth) return converse(s, auth, change.authResponse);
  // The auth data crossed all the same, computed for the client's plugin.
  noteAuthData(s, clientPlugin, change.authResponse);
  switchPlugin(s, plugin, "change-user");
  return auth;
}
