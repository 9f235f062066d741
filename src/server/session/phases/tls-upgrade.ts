import type { FaultAction } from "../../../options/faults";
import { ProtocolError } from "../../../protocol/errors";
import { peekClientHello } from "../../../tls/peek-client-hello";
import type { TlsAcceptor } from "../../../tls/tls-acceptor";
import type { TlsFailure } from "../../../tls/tls-failure";
import type { SessionPorts } from "../ports";
import { AWAITING_RESPONSE_IN_TLS, type TlsHandshake, tlsHandshake } from "../state";
import { noteAuthData } from "./authentication";
import { announceResponse, readResponse41 } from "./login";

const CONNECT_TIMEOUT_IN_TLS: TlsFailure = {
  cause: "timeout",
  message: "connect_timeout passed during the TLS handshake",
};

/**
 * What the record says of a plaintext MySQL packet sent where the ClientHello belonged: not its
 * first bytes (as for other non-TLS bytes), which in an old-protocol response hold part of the
 * scramble reply.
 */
const PLAINTEXT_PACKET_AFTER_SSL_REQUEST =
  "client sent non-TLS bytes after its SSLRequest: a plaintext MySQL packet (withheld: it may carry credentials)";

/**
 * After an SSLRequest: the raw socket goes to the TLS acceptor (or to a fault that breaks the
 * handshake). No MySQL packet is read until the handshake's result moves the session on.
 */
export function beginTls(s: SessionPorts, acceptor: TlsAcceptor): TlsHandshake {
  const handshake = s.enter(tlsHandshake());
  s.handOverToTls();
  const midHandshake = s.options.faults.at("mid-tls-handshake");
  if (midHandshake) void breakMidHandshake(s, midHandshake);
  else void acceptTls(s, acceptor, handshake);
  return handshake;
}

/** Reads the ClientHello, records it, and then breaks the handshake instead of answering it. */
async function breakMidHandshake(s: SessionPorts, action: FaultAction): Promise<void> {
  s.socket.pause();
  const hello = await peekClientHello(s.socket);
  if (s.state.tag === "closed") return;
  s.recorder.tlsBroken(
    { cause: "server-fault", message: `the server broke the handshake on purpose: ${action}` },
    hello.kind === "client-hello" ? hello.summary : null,
  );
  s.lifecycle.breakConnection("mid-tls-handshake", action);
}

async function acceptTls(s: SessionPorts, acceptor: TlsAcceptor, handshake: TlsHandshake): Promise<void> {
  const tlsOptions = s.options.tls!;
  const result = await acceptor.accept(s.socket);
  if (s.state.tag === "closed") return;
  judgeCertificateForClient(s, result.clientHello?.sni ?? null);
  if (handshake.connectTimedOut || !result.ok) {
    // connect_timeout destroyed the socket under the acceptor: whatever it saw, the cause is the timeout.
    let failure = result.ok || handshake.connectTimedOut ? CONNECT_TIMEOUT_IN_TLS : result.failure;
    if (failure.cause === "not-tls" && readPlaintextAfterSslRequest(s)) {
      failure = { ...failure, message: PLAINTEXT_PACKET_AFTER_SSL_REQUEST };
    }
    s.recorder.tlsFailed(failure, result.clientHello);
    s.lifecycle.tlsFailed(failure, result.ok ? result.tls.socket : result.socket);
    return;
  }
  const tls = result.tls;
  // Closing the TLSSocket does not close the raw socket it wraps; the record waits on the latter.
  tls.socket.once("close", () => s.socket.destroy());
  s.wire.upgrade(tls);
  s.recorder.tlsNegotiated(tls, result.clientHello);
  s.lifecycle.watchTls(tls.socket);
  if (tls.clientCertificate && !tls.clientCertificateVerified) {
    // MySQL lets clients without a certificate in, but a presented one must verify.
    s.lifecycle.protocolError(`client certificate rejected: ${tls.clientCertificateError}`);
    return;
  }
  if (!tls.clientCertificate && tlsOptions.clientCertificates === "require") {
    s.lifecycle.protocolError("client presented no certificate, and this server requires one");
    return;
  }
  s.enter(AWAITING_RESPONSE_IN_TLS);
  // The client hung up while the handshake was completing: nothing will be read inside TLS.
  if (s.lifecycle.socketClosed) {
    s.lifecycle.finishClose();
    return;
  }
  s.readInsideTls();
}

/**
 * Judges the served certificate for the one name this client verifies: the SNI it sent or —
 * clients send none for an IP literal, and check the IP — the address it connected to (over a
 * Unix socket, localhost). A certificate that names localhost only is then flawed for a client
 * that connected to 127.0.0.1, as it is for the client.
 */
function judgeCertificateForClient(s: SessionPorts, sni: string | null): void {
  const tls = s.options.tls;
  if (!tls) return;
  s.recorder.serverCertificateJudged(tls.assessFor(sni ?? (s.localAddress || "localhost")));
}

/**
 * A client that asked for TLS and then sent its handshake response in plaintext: the bytes the
 * TLS acceptor refused are read as that response, so the record shows the user and the
 * credentials that crossed unencrypted. Anything else stays a `not-tls` failure.
 * @returns whether the bytes begin as a MySQL packet would: then the failure must not quote them.
 */
function readPlaintextAfterSslRequest(s: SessionPorts): boolean {
  const bytes = s.socket.read() as Buffer | null;
  if (!bytes) return false;
  const expected = s.sequence.next;
  // The next sequence id, or a length that a whole frame within these bytes fills: whatever the
  // id, a MySQL packet, not a stray protocol (an HTTP request's "GET " claims 5 MiB).
  const framed = bytes.length >= 4 && (bytes[3] === expected || bytes.readUIntLE(0, 3) + 4 <= bytes.length);
  try {
    const packet = s.framePlaintext(bytes);
    if (!packet || packet.sequenceId !== expected) return framed;
    const read = readResponse41(s, packet, s.clientCapabilities, true);
    noteAuthData(s, read.clientPlugin, read.response.authResponse);
    announceResponse(s, read, false);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
  }
  return framed;
}
