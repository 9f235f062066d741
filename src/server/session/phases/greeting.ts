import { ServerStatus } from "../../../protocol/constants";
import { ProtocolError } from "../../../protocol/errors";
import type { Packet } from "../../../protocol/framing";
import { decodeHandshakeResponse41 } from "../../../protocol/packets/handshake-response-41";
import { encodeHandshakeV10 } from "../../../protocol/packets/handshake-v10";
import { decodeSslRequest, isSslRequest, type SslRequest } from "../../../protocol/packets/ssl-request";
import type { TlsAcceptor } from "../../../tls/tls-acceptor";
import { BAD_HANDSHAKE } from "../login-errors";
import type { SessionPorts } from "../ports";
import { AWAITING_RESPONSE, type SessionState } from "../state";
import { noteAuthData } from "./authentication";
import {
  announceResponse,
  clientPluginOf,
  onHandshakeResponse,
  peekCapabilities,
  readResponse41,
} from "./login";
import { beginTls } from "./tls-upgrade";

/** The greeting's 10 reserved bytes: zeros for MySQL; MariaDB's extended capabilities in the last 4. */
function greetingReserved(mariadbCapabilities: number | null): Buffer {
  const reserved = Buffer.alloc(10);
  if (mariadbCapabilities !== null) reserved.writeUInt32LE(mariadbCapabilities, 6);
  return reserved;
}

/** Sends the greeting, unless a fault breaks the connection before or after it. */
export function greet(s: SessionPorts): SessionState {
  const { options } = s;
  const faults = options.faults;
  const early = faults.at("before-greeting");
  if (early) return s.lifecycle.breakConnection("before-greeting", early);
  s.wire.send(
    encodeHandshakeV10({
      protocolVersion: 10,
      serverVersion: options.serverVersion,
      connectionId: s.connectionId,
      authPluginData: s.scramble,
      capabilityFlags: options.capabilityFlags,
      characterSet: options.characterSet,
      statusFlags: ServerStatus.SERVER_STATUS_AUTOCOMMIT,
      authPluginName: options.defaultAuthPlugin,
      reserved: greetingReserved(options.mariadbCapabilities),
      authPluginDataLengthByte: options.authPluginDataLengthByte,
    }),
    "HandshakeV10",
    // One write unless a fault slices it: `openssl s_client -starttls mysql` reads the greeting with a single read().
    faults.greetingWrites,
  );
  s.recorder.greetingSent();
  s.enter(AWAITING_RESPONSE);
  const late = faults.at("after-greeting");
  if (late) return s.lifecycle.breakConnection("after-greeting", late);
  return AWAITING_RESPONSE;
}

/** The client's first packet: an SSLRequest, or its handshake response in plaintext. */
export function onFirstPacket(s: SessionPorts, packet: Packet): SessionState {
  if (!isSslRequest(packet.payload)) return onHandshakeResponse(s, packet, false);
  const request = decodeSslRequest(packet.payload);
  const acceptor = s.server.tlsAcceptor;
  if (s.tlsOffered && acceptor) return onSslRequest(s, packet, request, acceptor);
  return onUnofferedSsl(s, packet, request, acceptor);
}

function onSslRequest(
  s: SessionPorts,
  packet: Packet,
  request: SslRequest,
  acceptor: TlsAcceptor,
): SessionState {
  // Its fields are public; bytes after them are a whole handshake response, auth data included.
  s.wire.received(packet, "SSLRequest", request.trailing.length > 0 ? "withheld" : "shown");
  s.setClientCapabilities(request.capabilityFlags, request.reserved);
  s.recorder.sslRequest();
  if (request.trailing.length > 0) noteResponseInSslRequest(s, packet);
  const refusal = s.options.faults.at("after-ssl-request");
  if (refusal) return s.lifecycle.breakConnection("after-ssl-request", refusal);
  return beginTls(s, acceptor);
}

/**
 * CLIENT_SSL from a client the greeting offered no TLS: a bare SSLRequest, or a whole handshake
 * response that asks for TLS (PyMySQL sends one whenever it is given `ssl=`). The server answers
 * as the family it imitates does (`clientSslWithoutTls`).
 */
function onUnofferedSsl(
  s: SessionPorts,
  packet: Packet,
  request: SslRequest,
  acceptor: TlsAcceptor | null,
): SessionState {
  const answer = s.options.clientSslWithoutTls;
  const wholeResponse = request.form !== "caps-only" && request.trailing.length > 0;
  if (!wholeResponse) {
    if (answer === "strip" && acceptor) {
      // The stripping proxy relays what it cannot read: the server behind it completes TLS.
      return onSslRequest(s, packet, request, acceptor);
    }
    s.wire.received(packet, "SSLRequest", request.trailing.length > 0 ? "withheld" : "shown");
    s.setClientCapabilities(request.capabilityFlags, request.reserved);
    s.recorder.sslRequest();
    // No user name to log in with: every family answers "Bad handshake" in plaintext.
    return s.lifecycle.protocolError("client asked for TLS, which the greeting did not offer", BAD_HANDSHAKE);
  }
  s.recorder.tlsAskedInResponse();
  if (answer !== "bad-handshake") {
    // The client's bits are masked with the server's (or the proxy cleared CLIENT_SSL): a plaintext login.
    return onHandshakeResponse(s, packet, false);
  }
  // MySQL 5.7/8.0 read the client's CLIENT_SSL unmasked and, without a TLS acceptor, give up —
  // after the whole response, credentials included, has crossed in plaintext.
  const read = readResponse41(s, packet, peekCapabilities(packet.payload), false);
  s.setClientCapabilities(read.response.capabilityFlags, read.response.reserved);
  noteAuthData(s, read.clientPlugin, read.response.authResponse);
  announceResponse(s, read, false);
  return s.lifecycle.refuse(
    BAD_HANDSHAKE,
    "the handshake response asked for TLS, which the greeting did not offer",
  );
}

/**
 * An SSLRequest that carries a whole handshake response: the user and auth data crossed in
 * plaintext before TLS began. Recorded as exposed; bytes that do not decode as a response are
 * still counted as exposed credentials, since the server cannot tell what they held.
 */
function noteResponseInSslRequest(s: SessionPorts, packet: Packet): void {
  try {
    const response = decodeHandshakeResponse41(packet.payload);
    const plugin = clientPluginOf(response, response.capabilityFlags);
    s.recorder.responseInSslRequest({ user: response.username, clientAuthPlugin: plugin });
    noteAuthData(s, plugin, response.authResponse);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    s.recorder.responseInSslRequest(null);
  }
}
