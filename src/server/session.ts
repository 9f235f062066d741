import { createHash } from "node:crypto";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { checkRequirement } from "../auth/account-requirements";
import { displayClientHost, findAccount, type ResolvedAccount } from "../auth/accounts";
import type { AuthConversation } from "../auth/auth-plugin";
import { NATIVE_PASSWORD_PLUGIN, nativePasswordHash } from "../auth/native-password";
import { AUTH_PLUGINS, cachingSha2PasswordPlugin, clearPasswordPlugin } from "../auth/plugins";
import { generateScramble } from "../auth/scramble";
import {
  CapabilityFlags,
  capabilityNames,
  Command,
  commandName,
  ErrorCode,
  ServerStatus,
} from "../protocol/constants";
import { MalformedPacketError, PacketTooLargeError, ProtocolError } from "../protocol/errors";
import { encodePacket, framesSequenceSpan, type Packet, PacketFramer } from "../protocol/framing";
import { encodeAuthMoreData } from "../protocol/packets/auth-more-data";
import { encodeAuthSwitchRequest } from "../protocol/packets/auth-switch-request";
import { type ComChangeUser, decodeComChangeUser } from "../protocol/packets/com-change-user";
import { encodeErr } from "../protocol/packets/err-packet";
import {
  decodeHandshakeResponse41,
  type HandshakeResponse41,
} from "../protocol/packets/handshake-response-41";
import { decodeHandshakeResponse320 } from "../protocol/packets/handshake-response-320";
import { encodeHandshakeV10 } from "../protocol/packets/handshake-v10";
import { encodeOk } from "../protocol/packets/ok-packet";
import { decodeSslRequest, isSslRequest, type SslRequest } from "../protocol/packets/ssl-request";
import type { ConnectionRecord, Phase } from "../record/connection-record";
import { ConnectionRecorder, type PayloadDisclosure, type RecorderSink } from "../record/connection-recorder";
import type { MockServerEvent } from "../record/events";
import type { TlsAcceptor } from "../tls/tls-acceptor";
import { peekClientHello } from "../tls/client-hello";
import type { TlsFailure } from "../tls/tls-failure";
import { clientCloseOf, type NegotiatedTls } from "../tls/tls-session";
import { type CommandReply, CommandResponder, UnknownQueryCallbackError } from "./command-responder";
import { answerFailed, type ErrSpec, MALFORMED_CHANGE_USER } from "./errors";
import type { FaultAction, FaultPoint } from "./faults";
import type { ResolvedOptions } from "./options";
import type { QueryContext } from "./query";
import { OUTPUT_HIGH_WATER_BYTES, type SessionLimits, sessionLimits } from "./session-limits";

/**
 * The states of one connection, in the order a login walks through them:
 * greeting sent → (SSLRequest → TLS handshake →) handshake response → (auth switch →) command phase.
 */
export type SessionState =
  | "awaiting-handshake-response"
  | "tls-handshake"
  | "awaiting-tls-handshake-response"
  | "authenticating"
  | "command"
  | "closed";

const PHASE_OF_STATE: Record<SessionState, Phase> = {
  "awaiting-handshake-response": "handshake-response",
  "tls-handshake": "tls-handshake",
  "awaiting-tls-handshake-response": "tls-handshake-response",
  authenticating: "authentication",
  command: "command",
  closed: "closed",
};

/** ERR texts MySQL sends during the login. */
const BAD_HANDSHAKE = { code: ErrorCode.ER_HANDSHAKE_ERROR, sqlState: "08S01", message: "Bad handshake" };
const OLD_CLIENT = {
  code: ErrorCode.ER_NOT_SUPPORTED_AUTH_MODE,
  sqlState: "08004",
  message:
    "Client does not support authentication protocol requested by server; consider upgrading MySQL client",
};
const PACKETS_OUT_OF_ORDER = {
  code: ErrorCode.ER_NET_PACKETS_OUT_OF_ORDER,
  sqlState: "08S01",
  message: "Got packets out of order",
};
const PACKET_TOO_LARGE = {
  code: ErrorCode.ER_NET_PACKET_TOO_LARGE,
  sqlState: "08S01",
  message: "Got a packet bigger than 'max_allowed_packet' bytes",
};

const INSECURE_TRANSPORT = {
  code: ErrorCode.ER_SECURE_TRANSPORT_REQUIRED,
  sqlState: "HY000",
  message: "Connections using insecure transport are prohibited while --require_secure_transport=ON.",
};

/** The greeting's 10 reserved bytes: zeros for MySQL; MariaDB's extended capabilities in the last 4. */
function greetingReserved(mariadbCapabilities: number | null): Buffer {
  const reserved = Buffer.alloc(10);
  if (mariadbCapabilities !== null) reserved.writeUInt32LE(mariadbCapabilities, 6);
  return reserved;
}

const CONNECT_TIMEOUT_IN_TLS: TlsFailure = {
  cause: "timeout",
  message: "connect_timeout passed during the TLS handshake",
};

/** Gap between the slices of a greeting sliced by a fault, so they leave as separate segments. */
const SLICE_GAP_MS = 5;

/** How long a closing connection may linger for the client to read our last packet. */
const CLOSE_GRACE_MS = 2000;
const EMPTY = Buffer.alloc(0);

/**
 * What the record says of a plaintext MySQL packet sent where the ClientHello belonged: not its
 * first bytes (as for other non-TLS bytes), which in an old-protocol response hold part of the
 * scramble reply.
 */
const PLAINTEXT_PACKET_AFTER_SSL_REQUEST =
  "client sent non-TLS bytes after its SSLRequest: a plaintext MySQL packet (withheld: it may carry credentials)";

/** A COM_CHANGE_USER under way: who the client is becoming, once the auth exchange succeeds. */
interface ChangeUser {
  user: string;
  database: string | null;
}

/** Everything the server shares with its sessions. */
export interface SessionContext {
  options: ResolvedOptions;
  /** Null when the server has no TLS to offer. */
  tlsAcceptor: TlsAcceptor | null;
  /** Where records' events go, and how much of each packet the records keep. */
  events: RecorderSink;
  /** caching_sha2_password's server-side cache: users whose hash a full authentication stored. */
  cachingSha2Cache: Set<string>;
}

/**
 * One client connection: an explicit state machine over the MySQL login, recording everything the
 * client does. A failure of this connection — bad bytes, a reset, a TLS error — ends only it.
 */
export class Session {
  readonly record: ConnectionRecord;
  private readonly recorder: ConnectionRecorder;
  private state: SessionState = "awaiting-handshake-response";
  private stream: Socket | TLSSocket;
  private framer: PacketFramer;
  /** The next sequence id: both sides count up from the greeting's 0. */
  private sequenceId = 0;
  private readonly scramble = generateScramble();
  /**
   * Capabilities that govern the session: what the client sent (its SSLRequest's, or its
   * response's without TLS) and the greeting offered. Clients set bits the server never offered
   * (mysql2 sends CLIENT_QUERY_ATTRIBUTES to a 5.7 greeting); those must not shape the replies.
   */
  private clientCapabilities = 0;
  private tls: NegotiatedTls | null = null;
  private account: ResolvedAccount | undefined;
  private conversation: AuthConversation | null = null;
  /** Whether the client sent any auth data: MySQL's "(using password: YES)". */
  private usedPassword = false;
  /** The login completed: from here max_allowed_packet and the net_* timeouts apply. */
  private loggedIn = false;
  /** The user the session runs as (the login's, or the last COM_CHANGE_USER's). */
  private currentUser: string | null = null;
  /** Set while a COM_CHANGE_USER's auth exchange is under way. */
  private changeUser: ChangeUser | null = null;
  private readonly limits: SessionLimits;
  private readonly connectTimer: NodeJS.Timeout;
  /** wait_timeout: armed in the command phase, re-armed by every command. */
  private idleTimer: NodeJS.Timeout | null = null;
  /** net_read_timeout: armed after login while a packet is half-read or an auth reply is awaited. */
  private readTimer: NodeJS.Timeout | null = null;
  /**
   * Set while the client's replies are not being drained: the session then reads no more of its
   * commands until they are (backpressure), and net_write_timeout runs.
   */
  private outputBlocked = false;
  private writeTimer: NodeJS.Timeout | null = null;
  /** What was queued when net_write_timeout was last (re)armed: any drop since counts as progress. */
  private queuedAtWriteCheck = { stream: 0, handle: 0 };
  /** A listener or callback of the host program failed: the session reads nothing more. */
  private failed = false;
  private readonly commands: CommandResponder;
  private lastSocketError: NodeJS.ErrnoException | null = null;
  /** connect_timeout passed while the TLS acceptor was at work. */
  private connectTimedOut = false;
  /** The raw socket closed while the TLS acceptor was still at work. */
  private socketClosedDuringTls = false;
  /** `performance.now()` when the client's end of the TLS stream arrived (close_notify or FIN). */
  private tlsEndedAt: number | null = null;
  /** Pending writes, only while faults delay or slice the output. */
  private outputQueue: Promise<void> | null = null;
  private readonly onStreamData = (chunk: Buffer) => this.receive(chunk);
  /** The address the client connected to, read at accept: a closed socket no longer says. */
  private readonly localAddress: string | undefined;
  private readonly closed: Promise<void>;
  private resolveClosed!: () => void;

  constructor(
    private readonly socket: Socket,
    readonly connectionId: number,
    private readonly context: SessionContext,
  ) {
    const { options } = context;
    const startedAt = Date.now();
    this.stream = socket;
    this.localAddress = socket.localAddress?.replace(/^::ffff:/, "");
    this.limits = sessionLimits(options);
    this.framer = new PacketFramer({ maxPayloadLength: this.limits.preAuthMaxPacketSize });
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    this.record = {
      id: connectionId,
      startedAt: new Date(startedAt).toISOString(),
      endedAt: null,
      // A Unix-socket client has no address; MySQL knows it as localhost.
      client: { address: socket.remoteAddress ?? "localhost", port: socket.remotePort ?? 0 },
      phase: "greeting",
      greeting: {
        serverVersion: options.serverVersion,
        capabilityFlags: options.capabilityFlags,
        tlsOffered: this.tlsOffered,
        authPluginName: options.defaultAuthPlugin,
      },
      clientCapabilityFlags: null,
      clientCapabilities: [],
      sslRequest: false,
      tlsAskedInResponse: false,
      capabilitiesChangedAfterTls: null,
      tls: null,
      // What a client is shown only if the greeting lets it ask for TLS.
      serverCertificate: this.tlsOffered ? (options.tls?.serverCertificate ?? null) : null,
      user: null,
      database: null,
      clientAuthPlugin: null,
      authSwitchedTo: null,
      connectAttributes: null,
      credentialsInPlaintext: false,
      credentialExposure: null,
      commands: [],
      packets: [],
      outcome: { kind: "pending" },
      verdict: null,
    };
    this.recorder = new ConnectionRecorder(this.record, context.events, startedAt, (error, type) =>
      this.onListenerError(error, type),
    );
    this.commands = new CommandResponder(options, () => this.queryContext());
    this.connectTimer = setTimeout(() => this.onConnectTimeout(), options.connectTimeoutMs);
    this.connectTimer.unref();
  }

  /** Whether the greeting offers TLS: what the client sees, not what the server could do. */
  private get tlsOffered(): boolean {
    return (this.context.options.capabilityFlags & CapabilityFlags.CLIENT_SSL) !== 0;
  }

  /** Resolves once the connection is closed and its record final. */
  whenClosed(): Promise<void> {
    return this.closed;
  }

  /** Sends the greeting and starts reading. */
  start(): void {
    const { options } = this.context;
    this.socket.setNoDelay(true);
    this.socket.on("data", this.onStreamData);
    this.socket.on("error", (error: NodeJS.ErrnoException) => {
      this.lastSocketError ??= error;
    });
    this.socket.once("close", () => this.onSocketClosed());
    this.recorder.emit({ type: "connection-opened", client: this.record.client });
    const faults = options.faults;
    const early = faults.at("before-greeting");
    if (early) {
      this.breakConnection("before-greeting", early);
      return;
    }
    this.send(
      encodeHandshakeV10({
        protocolVersion: 10,
        serverVersion: options.serverVersion,
        connectionId: this.connectionId,
        authPluginData: this.scramble,
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
    this.recorder.emit({
      type: "greeting-sent",
      serverVersion: options.serverVersion,
      capabilities: capabilityNames(options.capabilityFlags),
      tlsOffered: this.tlsOffered,
    });
    this.setState("awaiting-handshake-response");
    const late = faults.at("after-greeting");
    if (late) this.breakConnection("after-greeting", late);
  }

  /** Ends the connection now (server stop). */
  destroy(): void {
    if (this.record.outcome.kind === "pending") {
      this.recorder.setOutcome({ kind: "server-stopped", phase: this.record.phase });
    } else if (this.record.outcome.kind === "authenticated" && this.record.outcome.ended === null) {
      this.recorder.setOutcome({ kind: "authenticated", ended: "server-stopped" });
    }
    // Closed now, so a TLS handshake still under way cannot overwrite the outcome when it fails.
    this.closeNow();
  }

  // ---- reading -------------------------------------------------------------------------------

  private receive(chunk: Buffer): void {
    let input = chunk;
    // One packet at a time: after an SSLRequest the bytes that follow are TLS, not MySQL frames.
    while (this.isReadingPackets()) {
      if (this.outputBlocked) {
        // Kept unread until the client drains its replies; the paused stream sends no more.
        if (input.length > 0) this.framer.push(input, { limit: 0 });
        return;
      }
      let packet: Packet | undefined;
      try {
        packet = this.framer.push(input, { limit: 1 })[0];
      } catch (error) {
        this.onFramingError(error as Error);
        return;
      }
      input = EMPTY;
      if (!packet) break;
      this.handlePacket(packet);
    }
    if (this.loggedIn) this.watchRead();
  }

  private isReadingPackets(): boolean {
    return this.state !== "tls-handshake" && this.state !== "closed" && !this.failed;
  }

  private handlePacket(packet: Packet): void {
    const expected = this.state === "command" ? 0 : this.sequenceId;
    if (packet.sequenceId !== expected) {
      // Whatever it is, it may be auth data the client sent out of turn.
      this.recordPacket("client", packet, "unknown", "withheld");
      this.protocolError(
        `packet sequence id ${packet.sequenceId} where ${expected} was expected`,
        this.state === "command" ? PACKETS_OUT_OF_ORDER : BAD_HANDSHAKE,
      );
      return;
    }
    this.sequenceId = (packet.lastSequenceId + 1) & 0xff;
    try {
      switch (this.state) {
        case "awaiting-handshake-response":
          this.onFirstClientPacket(packet);
          break;
        case "awaiting-tls-handshake-response":
          this.onHandshakeResponse(packet, true);
          break;
        case "authenticating":
          this.onAuthData(packet);
          break;
        case "command":
          this.onCommand(packet);
          break;
      }
    } catch (error) {
      if (error instanceof ProtocolError) {
        this.protocolError(error.message, this.state === "command" ? undefined : BAD_HANDSHAKE);
        return;
      }
      throw error;
    }
  }

  private onFramingError(error: Error): void {
    // Nothing more is read: let go of what the framer holds now rather than at close.
    this.framer.takeRemainder();
    if (!(error instanceof PacketTooLargeError)) {
      this.protocolError(error.message, BAD_HANDSHAKE);
      return;
    }
    const preLoginCap = !this.loggedIn && error.maxLength < this.context.options.maxPacketSize;
    const message = preLoginCap
      ? `packet of ${error.claimedLength} bytes exceeds the ${error.maxLength} accepted before login`
      : error.message;
    this.protocolError(message, PACKET_TOO_LARGE);
  }

  // ---- login -----------------------------------------------------------------------------------

  private onFirstClientPacket(packet: Packet): void {
    if (!isSslRequest(packet.payload)) {
      this.onHandshakeResponse(packet, false);
      return;
    }
    const request = decodeSslRequest(packet.payload);
    const acceptor = this.context.tlsAcceptor;
    if (this.tlsOffered && acceptor) {
      this.onSslRequest(packet, request, acceptor);
      return;
    }
    this.onUnofferedSsl(packet, request, acceptor);
  }

  /**
   * CLIENT_SSL from a client the greeting offered no TLS: a bare SSLRequest, or a whole handshake
   * response that asks for TLS (PyMySQL sends one whenever it is given `ssl=`). The server answers
   * as the family it imitates does (`clientSslWithoutTls`).
   */
  private onUnofferedSsl(packet: Packet, request: SslRequest, acceptor: TlsAcceptor | null): void {
    const answer = this.context.options.clientSslWithoutTls;
    const wholeResponse = request.form !== "caps-only" && request.trailing.length > 0;
    if (!wholeResponse) {
      if (answer === "strip" && acceptor) {
        // The stripping proxy relays what it cannot read: the server behind it completes TLS.
        this.onSslRequest(packet, request, acceptor);
        return;
      }
      this.recordPacket("client", packet, "SSLRequest", request.trailing.length > 0 ? "withheld" : "shown");
      this.record.sslRequest = true;
      this.setClientCapabilities(request.capabilityFlags);
      this.recorder.emit({ type: "ssl-request", capabilities: this.record.clientCapabilities });
      // No user name to log in with: every family answers "Bad handshake" in plaintext.
      this.protocolError("client asked for TLS, which the greeting did not offer", BAD_HANDSHAKE);
      return;
    }
    this.record.tlsAskedInResponse = true;
    if (answer !== "bad-handshake") {
      // The client's bits are masked with the server's (or the proxy cleared CLIENT_SSL): a plaintext login.
      this.onHandshakeResponse(packet, false);
      return;
    }
    // MySQL 5.7/8.0 read the client's CLIENT_SSL unmasked and, without a TLS acceptor, give up —
    // after the whole response, credentials included, has crossed in plaintext.
    const caps = this.peekCapabilities(packet.payload);
    const { response, clientPlugin } = this.readResponse41(packet, caps, false);
    this.setClientCapabilities(response.capabilityFlags);
    this.noteAuthData(clientPlugin, response.authResponse);
    this.emitHandshakeResponse(response.username, this.record.database, clientPlugin, false);
    this.refuse(BAD_HANDSHAKE, "the handshake response asked for TLS, which the greeting did not offer");
  }

  private onSslRequest(packet: Packet, request: SslRequest, acceptor: TlsAcceptor): void {
    // Its fields are public; bytes after them are a whole handshake response, auth data included.
    this.recordPacket("client", packet, "SSLRequest", request.trailing.length > 0 ? "withheld" : "shown");
    this.record.sslRequest = true;
    this.setClientCapabilities(request.capabilityFlags);
    this.recorder.emit({ type: "ssl-request", capabilities: this.record.clientCapabilities });
    if (request.trailing.length > 0) this.noteResponseInSslRequest(packet);
    const faults = this.context.options.faults;
    const refusal = faults.at("after-ssl-request");
    if (refusal) {
      this.breakConnection("after-ssl-request", refusal);
      return;
    }
    this.setState("tls-handshake");
    this.socket.removeListener("data", this.onStreamData);
    const pending = this.framer.takeRemainder();
    if (pending.length > 0) this.socket.unshift(pending);
    const midHandshake = faults.at("mid-tls-handshake");
    if (midHandshake) void this.breakMidHandshake(midHandshake);
    else void this.startTls(acceptor);
  }

  /**
   * An SSLRequest that carries a whole handshake response: the user and auth data crossed in
   * plaintext before TLS began. Recorded as exposed; bytes that do not decode as a response are
   * still counted as exposed credentials, since the server cannot tell what they held.
   */
  private noteResponseInSslRequest(packet: Packet): void {
    try {
      const response = decodeHandshakeResponse41(packet.payload);
      const plugin =
        response.capabilityFlags & CapabilityFlags.CLIENT_PLUGIN_AUTH
          ? (response.authPluginName ?? NATIVE_PASSWORD_PLUGIN)
          : NATIVE_PASSWORD_PLUGIN;
      this.record.user = response.username;
      this.record.clientAuthPlugin = plugin;
      this.noteAuthData(plugin, response.authResponse);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.record.credentialsInPlaintext = true;
    }
  }

  /** Reads the ClientHello, records it, and then breaks the handshake instead of answering it. */
  private async breakMidHandshake(action: FaultAction): Promise<void> {
    this.socket.pause();
    const hello = await peekClientHello(this.socket);
    if (this.state === "closed") return;
    this.record.tls = {
      outcome: "failed",
      failure: { cause: "server-fault", message: `the server broke the handshake on purpose: ${action}` },
      clientHello: hello.kind === "client-hello" ? hello.summary : null,
    };
    this.breakConnection("mid-tls-handshake", action);
  }

  private async startTls(acceptor: TlsAcceptor): Promise<void> {
    const tlsOptions = this.context.options.tls!;
    const result = await acceptor.accept(this.socket);
    if (this.state === "closed") return;
    this.judgeCertificateForClient(result.clientHello?.sni ?? null);
    if (this.connectTimedOut || !result.ok) {
      // connect_timeout destroyed the socket under the acceptor: whatever it saw, the cause is the timeout.
      let failure = result.ok || this.connectTimedOut ? CONNECT_TIMEOUT_IN_TLS : result.failure;
      if (failure.cause === "not-tls" && this.readPlaintextAfterSslRequest()) {
        failure = { ...failure, message: PLAINTEXT_PACKET_AFTER_SSL_REQUEST };
      }
      this.record.tls = { outcome: "failed", failure, clientHello: result.clientHello };
      this.recorder.emit({ type: "tls-failed", tls: this.record.tls });
      this.recorder.setOutcome({ kind: "tls-failed", failure });
      this.setState("closed");
      (result.ok ? result.tls.socket : result.socket)?.destroy();
      this.socket.destroy();
      if (this.socketClosedDuringTls) this.finishClose();
      return;
    }
    // Closing the TLSSocket does not close the raw socket it wraps; the record waits on the latter.
    result.tls.socket.once("close", () => this.socket.destroy());
    const tls = result.tls;
    this.tls = tls;
    this.stream = tls.socket;
    this.record.tls = {
      outcome: "negotiated",
      version: tls.version,
      cipher: tls.cipher,
      sni: tls.sni,
      clientHello: result.clientHello,
      clientCertificate: tls.clientCertificate,
      clientCertificateVerified: tls.clientCertificateVerified,
    };
    this.recorder.emit({ type: "tls-negotiated", tls: this.record.tls });
    tls.socket.on("error", (error: NodeJS.ErrnoException) => {
      this.lastSocketError ??= error;
    });
    tls.socket.once("end", () => {
      this.tlsEndedAt = performance.now();
    });
    if (tls.clientCertificate && !tls.clientCertificateVerified) {
      // MySQL lets clients without a certificate in, but a presented one must verify.
      this.protocolError(`client certificate rejected: ${tls.clientCertificateError}`);
      return;
    }
    if (!tls.clientCertificate && tlsOptions.clientCertificates === "require") {
      this.protocolError("client presented no certificate, and this server requires one");
      return;
    }
    this.framer = new PacketFramer({ maxPayloadLength: this.limits.preAuthMaxPacketSize });
    this.setState("awaiting-tls-handshake-response");
    if (this.socketClosedDuringTls) {
      this.finishClose();
      return;
    }
    tls.socket.on("data", this.onStreamData);
  }

  /**
   * Judges the served certificate for the one name this client verifies: the SNI it sent or —
   * clients send none for an IP literal, and check the IP — the address it connected to (over a
   * Unix socket, localhost). A certificate that names localhost only is then flawed for a client
   * that connected to 127.0.0.1, as it is for the client.
   */
  private judgeCertificateForClient(sni: string | null): void {
    const tls = this.context.options.tls;
    if (!tls) return;
    this.record.serverCertificate = tls.assessFor(sni ?? (this.localAddress || "localhost"));
  }

  /**
   * A client that asked for TLS and then sent its handshake response in plaintext: the bytes the
   * TLS acceptor refused are read as that response, so the record shows the user and the
   * credentials that crossed unencrypted. Anything else stays a `not-tls` failure.
   * @returns whether the bytes begin as a MySQL packet would: then the failure must not quote them.
   */
  private readPlaintextAfterSslRequest(): boolean {
    const bytes = this.socket.read() as Buffer | null;
    if (!bytes) return false;
    // The next sequence id, or a length that a whole frame within these bytes fills: whatever the
    // id, a MySQL packet, not a stray protocol (an HTTP request's "GET " claims 5 MiB).
    const framed =
      bytes.length >= 4 && (bytes[3] === this.sequenceId || bytes.readUIntLE(0, 3) + 4 <= bytes.length);
    try {
      const [packet] = this.framer.push(bytes, { limit: 1 });
      if (!packet || packet.sequenceId !== this.sequenceId) return framed;
      const { response, clientPlugin } = this.readResponse41(packet, this.clientCapabilities, true);
      this.noteAuthData(clientPlugin, response.authResponse);
      this.emitHandshakeResponse(response.username, this.record.database, clientPlugin, false);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
    }
    return framed;
  }

  /**
   * Decodes a HandshakeResponse41 — read with `caps` when they are fixed already (the SSLRequest's)
   * — records it, and names the plugin its auth data is for.
   */
  private readResponse41(
    packet: Packet,
    caps: number,
    capsFixed: boolean,
  ): { response: HandshakeResponse41; clientPlugin: string } {
    const response = decodeHandshakeResponse41(
      packet.payload,
      capsFixed ? { capabilityFlags: caps } : undefined,
    );
    this.recordPacket("client", packet, "HandshakeResponse41");
    const clientPlugin =
      caps & CapabilityFlags.CLIENT_PLUGIN_AUTH
        ? (response.authPluginName ?? NATIVE_PASSWORD_PLUGIN)
        : NATIVE_PASSWORD_PLUGIN;
    this.record.user = response.username;
    this.record.database = response.database ?? null;
    this.record.clientAuthPlugin = clientPlugin;
    this.record.connectAttributes = response.connectAttributes
      ? Object.fromEntries(response.connectAttributes)
      : null;
    return { response, clientPlugin };
  }

  private onHandshakeResponse(packet: Packet, encrypted: boolean): void {
    const caps = encrypted ? this.clientCapabilities : this.peekCapabilities(packet.payload);
    if (!(caps & CapabilityFlags.CLIENT_PROTOCOL_41)) {
      const old = decodeHandshakeResponse320(packet.payload);
      this.recordPacket("client", packet, "HandshakeResponse320");
      this.setClientCapabilities(old.capabilityFlags);
      this.record.user = old.username;
      this.noteAuthData(NATIVE_PASSWORD_PLUGIN, old.authResponse);
      this.emitHandshakeResponse(old.username, old.database ?? null, null, encrypted);
      this.refuse(OLD_CLIENT);
      return;
    }
    // After TLS, 5.7 keeps the SSLRequest's capabilities and ignores those resent inside TLS.
    const { response, clientPlugin } = this.readResponse41(packet, caps, encrypted);
    if (encrypted) {
      const resent = response.capabilityFlags >>> 0;
      if (resent !== this.record.clientCapabilityFlags) this.record.capabilitiesChangedAfterTls = resent;
    } else {
      this.setClientCapabilities(response.capabilityFlags);
    }
    const announce = () =>
      this.emitHandshakeResponse(response.username, this.record.database, clientPlugin, encrypted);

    const attackerError = this.context.options.faults.refuseLoginWith;
    if (attackerError) {
      this.noteAuthData(clientPlugin, response.authResponse);
      announce();
      this.refuse(attackerError, "fault: every login is refused with a fixed error");
      return;
    }
    this.account = findAccount(this.context.options.accounts, response.username, this.record.client.address);
    // An unknown user still walks through the default plugin, as MySQL does, so the client cannot tell.
    const plugin = AUTH_PLUGINS[this.account?.plugin ?? this.context.options.defaultAuthPlugin]!;
    this.conversation = plugin.start({
      scramble: this.scramble,
      account: this.account,
      secure: this.tls !== null,
      rsa: this.context.options.rsaKeys,
      cached: this.account !== undefined && this.context.cachingSha2Cache.has(this.account.user),
    });
    this.setState("authenticating");
    if (clientPlugin !== plugin.name && caps & CapabilityFlags.CLIENT_PLUGIN_AUTH) {
      // The response was for another plugin: its auth data means nothing to this one, but it crossed.
      this.noteAuthData(clientPlugin, response.authResponse);
      announce();
      this.record.authSwitchedTo = plugin.name;
      this.send(
        encodeAuthSwitchRequest({ pluginName: plugin.name, pluginData: plugin.switchData(this.scramble) }),
        "AuthSwitchRequest",
      );
      this.recorder.emit({ type: "auth-switch", plugin: plugin.name });
      return;
    }
    // A client without CLIENT_PLUGIN_AUTH computed its data for mysql_native_password; MySQL feeds
    // it to the account's plugin all the same (send_plugin_request_packet cannot switch it).
    this.converse(response.authResponse, announce, clientPlugin !== plugin.name ? clientPlugin : undefined);
  }

  private onAuthData(packet: Packet): void {
    this.recordPacket("client", packet, "AuthData");
    this.converse(packet.payload);
  }

  /**
   * Records what auth data for `plugin` exposes before any plugin has looked at it: the client's
   * first guess, which the server may switch away from or never read.
   */
  private noteAuthData(plugin: string, data: Buffer): void {
    if (data.length === 0 || (data.length === 1 && data[0]! <= 0x02)) return;
    const exposure = plugin === clearPasswordPlugin.name ? "cleartext-password" : "scramble-reply";
    this.recorder.credentials(exposure, !this.tls);
  }

  /**
   * Feeds the client's auth data to the plugin and carries out its answer. `sentFor` names the
   * plugin the client computed the data for when that is not the plugin reading it: what the data
   * exposes is then what it is for the client's plugin, not what this one takes it to be.
   */
  private converse(authData: Buffer, announce?: () => void, sentFor?: string): void {
    const { step, exposure } = this.conversation!.receive(authData);
    if (sentFor !== undefined) this.noteAuthData(sentFor, authData);
    else if (exposure) this.recorder.credentials(exposure, !this.tls);
    if (authData.length > 0) this.usedPassword = true;
    // The response's event goes out once the plugin has said what its auth data exposed.
    announce?.();
    if (step.kind === "more") {
      this.send(encodeAuthMoreData({ data: step.data }), "AuthMoreData");
      return;
    }
    for (const data of step.moreData ?? []) this.send(encodeAuthMoreData({ data }), "AuthMoreData");
    this.completeAuthentication(step.accepted ? null : (step.reason ?? "refused by the auth plugin"));
  }

  private completeAuthentication(pluginDenial: string | null): void {
    const change = this.changeUser;
    const user = change ? change.user : (this.record.user ?? "");
    const account = this.account;
    const denial = pluginDenial ?? (account ? this.requirementDenial(account) : "unknown user");
    // TLS, or a Unix socket: 5.7's secure transports (shared memory aside).
    const secure = this.tls !== null || this.context.options.socketPath !== null;
    if (!denial && this.context.options.requireSecureTransport && !secure) {
      // After the password and REQUIRE checks, as in 5.7's acl_authenticate.
      this.refuseLogin(
        INSECURE_TRANSPORT,
        "require_secure_transport is ON and the connection is not encrypted",
      );
      return;
    }
    if (denial) {
      const host = displayClientHost(this.record.client.address);
      const message = `Access denied for user '${user}'@'${host}' (using password: ${this.usedPassword ? "YES" : "NO"})`;
      this.recorder.emit({
        type: "access-denied",
        user,
        code: ErrorCode.ER_ACCESS_DENIED_ERROR,
        message,
        reason: denial,
      });
      this.refuseLogin({ code: ErrorCode.ER_ACCESS_DENIED_ERROR, sqlState: "28000", message }, denial);
      return;
    }
    clearTimeout(this.connectTimer);
    // caching_sha2_password: after a full authentication the server caches the hash (fast next time).
    if (account?.plugin === cachingSha2PasswordPlugin.name) this.context.cachingSha2Cache.add(account.user);
    this.currentUser = user;
    this.conversation = null;
    if (change) {
      this.changeUser = null;
      this.record.database = change.database;
      this.send(this.ok(), "OK");
    } else {
      const info = this.zeroConfigInfo();
      // The info is SHA-256 over the password hash, the public scramble and the certificate: an
      // offline guessing oracle for the password, so the record keeps the OK's length only.
      this.send(this.ok(info), "OK", 1, info ? "withheld" : "by-phase");
      this.recorder.setOutcome({ kind: "authenticated", ended: null });
      this.loggedIn = true;
      this.framer.maxPayloadLength = this.context.options.maxPacketSize;
    }
    this.recorder.emit({ type: "authenticated", user });
    this.setState("command");
    this.armIdleTimer();
  }

  /**
   * Refuses a login with an ERR and closes. A refused COM_CHANGE_USER closes the session too, as
   * 5.7's dispatch_command does (`thd->killed= THD::KILL_CONNECTION`); the record keeps that the
   * client had logged in and says why its session ended.
   */
  private refuseLogin(err: ErrSpec, reason: string): void {
    const change = this.changeUser;
    if (!change) {
      this.refuse(err, reason);
      return;
    }
    this.send(encodeErr(err, this.clientCapabilities), "ERR");
    this.recorder.setOutcome({
      kind: "authenticated",
      ended: "error",
      error: `COM_CHANGE_USER to '${change.user}' refused with ${err.code}: ${reason}`,
    });
    this.endGracefully();
  }

  /** The account's REQUIRE rule, checked only after the password verified, as in 5.7. */
  private requirementDenial(account: ResolvedAccount): string | null {
    const tls = this.tls;
    const result = checkRequirement(account.require, {
      tls: tls ? { cipher: tls.cipher } : null,
      clientCertificate: tls?.clientCertificate ?? null,
      clientCertificateVerified: tls?.clientCertificateVerified ?? false,
    });
    return result.ok ? null : result.reason;
  }

  // ---- command phase -------------------------------------------------------------------------

  private onCommand(packet: Packet): void {
    if (packet.payload[0] === Command.COM_CHANGE_USER) {
      this.onChangeUser(packet);
      return;
    }
    let reply: CommandReply;
    try {
      reply = this.commands.respond(packet.payload, this.clientCapabilities);
    } catch (error) {
      if (error instanceof ProtocolError) throw error;
      this.recordPacket("client", packet, commandName(packet.payload[0]!));
      this.failAnswering(error);
      return;
    }
    this.recordPacket("client", packet, reply.commandName);
    const entry =
      reply.query === undefined
        ? { command: reply.commandName }
        : { command: reply.commandName, query: reply.query };
    this.record.commands.push(entry);
    this.recorder.emit({ type: "command", ...entry });
    if (reply.database !== undefined) this.record.database = reply.database;
    this.sequenceId = 1;
    this.batched(() => {
      for (const response of reply.packets) this.send(response.payload, response.type);
    });
    if (reply.close) {
      this.recorder.setOutcome({ kind: "authenticated", ended: "quit" });
      this.endGracefully();
      return;
    }
    this.armIdleTimer();
    if (this.stream.writableLength > OUTPUT_HIGH_WATER_BYTES) this.holdReading();
  }

  /**
   * The server could not answer a command: the host program's `unknownQuery` threw or gave no
   * answer, or the answer could not be encoded. The client gets an ERR saying so and only this
   * session ends, recorded with the reason; the server goes on.
   */
  private failAnswering(error: unknown): void {
    const detail = error instanceof Error ? error.message : String(error);
    const what =
      error instanceof UnknownQueryCallbackError
        ? detail
        : `the server failed to answer a command: ${detail}`;
    this.sequenceId = 1;
    this.send(encodeErr(answerFailed(what), this.clientCapabilities), "ERR");
    this.recorder.setOutcome({ kind: "authenticated", ended: "error", error: what });
    this.endGracefully();
  }

  /**
   * COM_CHANGE_USER, as 5.7's acl_authenticate runs it: the account is looked up (an unknown user
   * walks through the default plugin, to fail like a wrong password), and a client with
   * CLIENT_PLUGIN_AUTH is always sent an AuthSwitchRequest — `server_mpvio_write_packet` drops the
   * packet's auth data for such clients — with the greeting's nonce, which 5.7 reuses. An older
   * client's auth data is checked as sent. The packet is recorded without its payload: its auth
   * data with the greeting's nonce is enough to crack the password offline.
   */
  private onChangeUser(packet: Packet): void {
    this.recordPacket("client", packet, "COM_CHANGE_USER", "withheld");
    const entry = { command: "COM_CHANGE_USER" };
    this.record.commands.push(entry);
    this.recorder.emit({ type: "command", ...entry });
    this.sequenceId = 1;
    const pluginAuth = (this.clientCapabilities & CapabilityFlags.CLIENT_PLUGIN_AUTH) !== 0;
    let change: ComChangeUser;
    try {
      change = decodeComChangeUser(packet.payload, this.clientCapabilities);
      if (pluginAuth && change.authPluginName === undefined) {
        throw new MalformedPacketError("COM_CHANGE_USER", packet.payload.length, "no auth plugin name");
      }
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.send(encodeErr(MALFORMED_CHANGE_USER, this.clientCapabilities), "ERR");
      this.recorder.setOutcome({ kind: "authenticated", ended: "error", error: error.message });
      this.endGracefully();
      return;
    }
    const clientPlugin = pluginAuth
      ? change.authPluginName || NATIVE_PASSWORD_PLUGIN
      : NATIVE_PASSWORD_PLUGIN;
    this.changeUser = { user: change.username, database: change.database === "" ? null : change.database };
    this.account = findAccount(this.context.options.accounts, change.username, this.record.client.address);
    const plugin = AUTH_PLUGINS[this.account?.plugin ?? this.context.options.defaultAuthPlugin]!;
    // As for a login, "using password" says whether the auth data the plugin reads was empty.
    this.usedPassword = false;
    this.setState("authenticating");
    if (!pluginAuth && plugin.name !== NATIVE_PASSWORD_PLUGIN) {
      this.refuseLogin(
        OLD_CLIENT,
        `the account uses ${plugin.name}, which a client without CLIENT_PLUGIN_AUTH cannot`,
      );
      return;
    }
    if (change.connectAttributesMalformed) {
      // 5.7's read_client_connect_attrs fails without an error of its own: a failed login.
      this.usedPassword = change.authResponse.length > 0;
      this.completeAuthentication("the connect attributes do not decode");
      return;
    }
    this.conversation = plugin.start({
      scramble: this.scramble,
      account: this.account,
      secure: this.tls !== null,
      rsa: this.context.options.rsaKeys,
      cached: this.account !== undefined && this.context.cachingSha2Cache.has(this.account.user),
    });
    if (!pluginAuth) {
      this.converse(change.authResponse);
      return;
    }
    // The auth data crossed all the same, computed for the client's plugin.
    this.noteAuthData(clientPlugin, change.authResponse);
    this.send(
      encodeAuthSwitchRequest({ pluginName: plugin.name, pluginData: plugin.switchData(this.scramble) }),
      "AuthSwitchRequest",
    );
    this.recorder.emit({ type: "auth-switch", plugin: plugin.name });
  }

  // ---- net_write_timeout and net_read_timeout ---------------------------------------------------

  /**
   * The client is not reading its replies: read none of its commands until they drain, so what
   * the server holds for it stays bounded, and give up after net_write_timeout without progress.
   */
  private holdReading(): void {
    if (this.outputBlocked) return;
    this.outputBlocked = true;
    // The queued packets are not a half-read packet: net_read_timeout does not run meanwhile.
    this.stopReadTimer();
    const stream = this.stream;
    stream.pause();
    stream.once("drain", this.onOutputDrained);
    this.queuedAtWriteCheck = this.queuedOutput();
    this.writeTimer = setTimeout(() => this.onWriteTimeout(), this.limits.netWriteTimeoutMs);
    this.writeTimer.unref();
  }

  private readonly onOutputDrained = (): void => {
    if (this.writeTimer) clearTimeout(this.writeTimer);
    this.writeTimer = null;
    this.outputBlocked = false;
    if (this.state === "closed") return;
    // Commands that arrived meanwhile are in the framer already.
    this.receive(EMPTY);
    // receive() may have ended the session (a COM_QUIT among them) or blocked again.
    if (!this.outputBlocked && this.isReadingPackets()) this.stream.resume();
  };

  /**
   * MySQL's net_write_timeout bounds each blocked write: a client that read some of its replies
   * since the last check gets another period; one that read nothing is cut off.
   */
  private onWriteTimeout(): void {
    if (!this.outputBlocked || this.state === "closed") return;
    const before = this.queuedAtWriteCheck;
    const now = this.queuedOutput();
    if (now.stream < before.stream || now.handle < before.handle) {
      this.queuedAtWriteCheck = now;
      this.writeTimer?.refresh();
      return;
    }
    this.recorder.setOutcome({
      kind: "authenticated",
      ended: "error",
      error: `net_write_timeout: the client read none of its replies for ${this.limits.netWriteTimeoutMs} ms (${now.stream} bytes queued)`,
    });
    this.closeNow();
  }

  /**
   * What is queued for the client: in the stream (node counts a write until all of it is done, so
   * a big reply stays whole here while the client reads it), and in the TCP handle (libuv's queue,
   * under TLS too, which shrinks as the kernel takes each part of a write).
   */
  private queuedOutput(): { stream: number; handle: number } {
    // `_handle.writeQueueSize` is node's own (net's bufferSize read it); no public API says as much.
    const handle = (this.socket as unknown as { _handle?: { writeQueueSize?: number } | null })._handle;
    return { stream: this.stream.writableLength, handle: handle?.writeQueueSize ?? 0 };
  }

  /**
   * After login, net_read_timeout runs while a packet has begun to arrive and is not complete, or
   * while an auth exchange waits for the client (COM_CHANGE_USER); each read that brings bytes
   * restarts it, as each read() in MySQL's my_net_read does. Between commands wait_timeout applies.
   */
  private watchRead(): void {
    const waiting =
      !this.outputBlocked &&
      (this.state === "authenticating" || (this.state === "command" && this.framer.bufferedLength > 0));
    if (!waiting) {
      this.stopReadTimer();
      return;
    }
    if (this.readTimer) {
      this.readTimer.refresh();
      return;
    }
    this.readTimer = setTimeout(() => this.onReadTimeout(), this.limits.netReadTimeoutMs);
    this.readTimer.unref();
  }

  private stopReadTimer(): void {
    if (!this.readTimer) return;
    clearTimeout(this.readTimer);
    this.readTimer = null;
  }

  /** net_read_timeout passed: MySQL aborts the connection without a packet (ER_NET_READ_INTERRUPTED in its log). */
  private onReadTimeout(): void {
    this.readTimer = null;
    if (this.state === "closed" || this.outputBlocked) return;
    const what =
      this.state === "authenticating"
        ? "no reply to the COM_CHANGE_USER auth exchange"
        : `a packet cut off after ${this.framer.bufferedLength} bytes`;
    this.recorder.setOutcome({
      kind: "authenticated",
      ended: "error",
      error: `net_read_timeout: ${what} for ${this.limits.netReadTimeoutMs} ms`,
    });
    this.closeNow();
  }

  // ---- the host program's listeners ----------------------------------------------------------

  /**
   * An event listener of the host program threw. The exception ends this connection only, once
   * the step under way is done (ending it inside that step would let the step reopen it), with
   * the reason on the record; once the record is final there is nothing left to end.
   */
  private onListenerError(error: unknown, eventType: MockServerEvent["type"]): void {
    const detail = error instanceof Error ? error.message : String(error);
    const message = `an event listener threw on "${eventType}": ${detail}`;
    if (this.record.endedAt !== null) {
      process.emitWarning(`mysql-tls-mock: ${message} (connection ${this.connectionId})`);
      return;
    }
    if (this.failed) return;
    this.failed = true;
    setImmediate(() => {
      if (this.record.endedAt !== null) return;
      // An outcome already settled (a refusal, a quit) stays: the connection was ending anyway.
      const outcome = this.record.outcome;
      if (outcome.kind === "pending") {
        this.recorder.setOutcome({ kind: "server-error", phase: this.record.phase, message });
      } else if (outcome.kind === "authenticated" && outcome.ended === null) {
        this.recorder.setOutcome({ kind: "authenticated", ended: "error", error: message });
      }
      this.closeNow();
    });
  }

  private armIdleTimer(): void {
    if (this.idleTimer) {
      this.idleTimer.refresh();
      return;
    }
    this.idleTimer = setTimeout(() => this.onIdleTimeout(), this.context.options.waitTimeoutMs);
    this.idleTimer.unref();
  }

  /** wait_timeout: 5.7 closes an idle session without a word (8.0.24+ sends ERR 4031 first). */
  private onIdleTimeout(): void {
    if (this.state !== "command") return;
    this.recorder.setOutcome({ kind: "authenticated", ended: "timeout" });
    this.closeNow();
  }

  private queryContext(): QueryContext {
    const tls = this.tls;
    return {
      serverVersion: this.context.options.serverVersion,
      versionComment: this.context.options.versionComment,
      connectionId: this.connectionId,
      user: this.currentUser ?? this.record.user ?? "",
      clientHost: displayClientHost(this.record.client.address),
      accountHost: this.account?.host ?? "%",
      database: this.record.database,
      tls: tls ? { version: tls.version, cipher: tls.cipher, cipherList: [] } : null,
      tlsOffered: this.tlsOffered,
      serverCertificate: this.context.options.tls?.certificateValidity ?? null,
      systemVariables: this.context.options.systemVariables,
    };
  }

  // ---- writing and ending ----------------------------------------------------------------------

  private ok(info?: string): Buffer {
    return encodeOk(
      {
        affectedRows: 0,
        lastInsertId: 0,
        statusFlags: ServerStatus.SERVER_STATUS_AUTOCOMMIT,
        warnings: 0,
        ...(info ? { info } : {}),
      },
      this.clientCapabilities,
    );
  }

  /** MariaDB 11.4's certificate check for clients that trusted a self-signed certificate. */
  private zeroConfigInfo(): string | undefined {
    const mode = this.context.options.zeroConfigFingerprint;
    const account = this.account;
    if (!mode || !this.tls || !account || account.plugin !== NATIVE_PASSWORD_PLUGIN) return undefined;
    const digest = createHash("sha256")
      .update(nativePasswordHash(account.password))
      .update(this.scramble)
      .update(this.context.options.tls!.certificateSha256)
      .digest();
    if (mode === "wrong") digest[0] = digest[0]! ^ 0xff;
    return `\x01${digest.toString("hex")}`;
  }

  private send(payload: Buffer, type: string, writes = 1, disclosure: PayloadDisclosure = "by-phase"): void {
    if (this.state === "closed" || this.stream.destroyed) return;
    const sequenceId = this.sequenceId;
    const bytes = encodePacket(payload, sequenceId);
    const delayMs = this.context.options.faults.delayMs;
    if (writes <= 1) {
      this.output(() => this.stream.write(bytes), delayMs);
    } else {
      const size = Math.ceil(bytes.length / writes);
      for (let offset = 0; offset < bytes.length; offset += size) {
        const slice = bytes.subarray(offset, offset + size);
        this.output(() => this.stream.write(slice), offset === 0 ? delayMs : SLICE_GAP_MS);
      }
    }
    this.sequenceId = (sequenceId + framesSequenceSpan(payload.length)) & 0xff;
    this.recorder.packet("server", sequenceId, payload, type, this.tls !== null, disclosure);
  }

  /**
   * Sends what `sends` sends in one write where it can: a resultset is several packets, and each
   * write is a syscall (and, inside TLS, a record of its own). Writes a fault delays or slices
   * keep their own timing.
   */
  private batched(sends: () => void): void {
    const stream = this.stream;
    if (this.outputQueue || this.context.options.faults.delayMs > 0 || stream.destroyed) {
      sends();
      return;
    }
    stream.cork();
    try {
      sends();
    } finally {
      stream.uncork();
    }
  }

  /**
   * Runs a write now, or after the writes queued before it when faults delay or slice the output,
   * so packets and the final close keep their order.
   */
  private output(write: () => void, delayMs = 0): void {
    if (!this.outputQueue && delayMs === 0) {
      write();
      return;
    }
    this.outputQueue = (this.outputQueue ?? Promise.resolve())
      .then(() => (delayMs > 0 ? new Promise((resolve) => setTimeout(resolve, delayMs)) : undefined))
      .then(() => {
        if (!this.socket.destroyed) write();
      });
  }

  /** Carries out a fault: the record says the server broke the connection, and how. */
  private breakConnection(point: FaultPoint, action: FaultAction): void {
    this.recorder.setOutcome({ kind: "fault", point, action });
    this.recorder.emit({ type: "fault", point, action });
    switch (action) {
      case "close":
        this.endGracefully();
        break;
      case "reset":
        this.setState("closed");
        this.output(() => this.socket.resetAndDestroy());
        break;
      case "stall":
        // Read nothing more, answer nothing; the connect timeout bounds it.
        this.setState("closed");
        this.socket.removeListener("data", this.onStreamData);
        this.socket.resume();
        break;
      case "bad-handshake-error":
        this.send(encodeErr(BAD_HANDSHAKE, this.clientCapabilities), "ERR");
        this.endGracefully();
        break;
    }
  }

  /** Sends an ERR for a refused login and closes, as MySQL does. */
  private refuse(err: ErrSpec, reason?: string): void {
    this.send(encodeErr(err, this.clientCapabilities), "ERR");
    this.recorder.setOutcome({ kind: "refused", ...err, ...(reason ? { reason } : {}) });
    this.endGracefully();
  }

  /** Records why the client's bytes were unacceptable, tells it where MySQL would, and closes. */
  private protocolError(message: string, err?: ErrSpec): void {
    const phase = this.record.phase;
    this.recorder.emit({ type: "protocol-error", phase, message });
    if (err) this.send(encodeErr(err, this.clientCapabilities), "ERR");
    // A client that logged in stays on the record as having logged in; the error says how it ended.
    this.recorder.setOutcome(
      this.record.outcome.kind === "authenticated"
        ? { kind: "authenticated", ended: "error", error: message }
        : { kind: "protocol-error", phase, message },
    );
    this.endGracefully();
  }

  private endGracefully(): void {
    this.setState("closed");
    clearTimeout(this.connectTimer);
    const stream = this.stream;
    this.output(() => stream.end());
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  private onConnectTimeout(): void {
    const kind = this.record.outcome.kind;
    if (kind !== "pending" && kind !== "fault") return;
    if (kind === "pending" && this.state === "tls-handshake") {
      // The TLS acceptor fails on the destroyed socket; startTls records that failure as this timeout.
      this.connectTimedOut = true;
      this.socket.destroy();
      return;
    }
    if (kind === "pending") this.recorder.setOutcome({ kind: "timeout", phase: this.record.phase });
    this.closeNow();
  }

  /** Ends the connection at once, without a goodbye (timeouts, stop, a reset fault). */
  private closeNow(): void {
    this.setState("closed");
    this.stream.destroy();
    this.socket.destroy();
  }

  private onSocketClosed(): void {
    // The TLS acceptor is still deciding what the close meant (an alert, a reset): startTls finishes.
    if (this.state === "tls-handshake") {
      this.socketClosedDuringTls = true;
      return;
    }
    this.finishClose();
  }

  private finishClose(): void {
    clearTimeout(this.connectTimer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.writeTimer) clearTimeout(this.writeTimer);
    this.stopReadTimer();
    const how = this.lastSocketError?.code === "ECONNRESET" ? "reset" : "closed";
    const outcome = this.record.outcome;
    if (outcome.kind === "pending") {
      this.noteClientClosedTls();
      this.recorder.setOutcome({ kind: "client-went-away", phase: this.record.phase, how });
    } else if (outcome.kind === "authenticated" && outcome.ended === null) {
      const error = this.lastSocketError;
      this.recorder.setOutcome(
        error
          ? { kind: "authenticated", ended: "error", error: error.code ?? error.message }
          : { kind: "authenticated", ended: "client-closed" },
      );
    }
    this.setState("closed");
    this.recorder.finish();
    this.resolveClosed();
  }

  /** A client that completed TLS and closed without sending a byte inside it: how it ended TLS. */
  private noteClientClosedTls(): void {
    const tls = this.tls;
    const record = this.record.tls;
    if (!tls || record?.outcome !== "negotiated" || this.state !== "awaiting-tls-handshake-response") return;
    // bytesRead of a TLS socket counts decrypted bytes: any at all were (part of) a MySQL packet.
    if (tls.socket.bytesRead > 0) return;
    record.clientClosed = clientCloseOf(tls, {
      socketBytes: this.socket.bytesRead,
      closedAt: this.tlsEndedAt ?? performance.now(),
      errored: this.lastSocketError !== null,
    });
  }

  // ---- recording -------------------------------------------------------------------------------

  private setState(state: SessionState): void {
    this.state = state;
    this.record.phase = PHASE_OF_STATE[state];
  }

  private setClientCapabilities(flags: number): void {
    const sent = flags >>> 0;
    this.clientCapabilities = (sent & this.context.options.capabilityFlags) >>> 0;
    this.recorder.clientCapabilities(sent);
  }

  private peekCapabilities(payload: Buffer): number {
    if (payload.length < 2)
      throw new MalformedPacketError("HandshakeResponse", 0, "shorter than its capability flags");
    return payload.length >= 4 ? payload.readUInt32LE(0) : payload.readUInt16LE(0);
  }

  private emitHandshakeResponse(
    user: string,
    database: string | null,
    plugin: string | null,
    encrypted: boolean,
  ): void {
    this.recorder.emit({
      type: "handshake-response",
      user,
      database,
      authPlugin: plugin,
      capabilities: this.record.clientCapabilities,
      encrypted,
      credentialsInPlaintext: this.record.credentialsInPlaintext,
    });
  }

  /** Records a packet; a client packet's payload shows only where `disclosure` allows (see {@link PayloadDisclosure}). */
  private recordPacket(
    direction: "client" | "server",
    packet: Packet,
    type: string,
    disclosure: PayloadDisclosure = "by-phase",
  ): void {
    this.recorder.packet(direction, packet.sequenceId, packet.payload, type, this.tls !== null, disclosure);
  }
}
