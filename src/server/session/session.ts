import type { Socket } from "node:net";
import { generateScramble } from "../../auth/scramble";
import { CapabilityFlags } from "../../protocol/constants";
import { PacketTooLargeError, ProtocolError } from "../../protocol/errors";
import { type Packet, PacketFramer } from "../../protocol/framing";
import { clientMariadbCapabilities } from "../../protocol/packets/handshake-response-41";
import type { ConnectionRecord } from "../../record/connection-record";
import { ConnectionRecorder } from "../../record/connection-recorder";
import type { MockServerEvent } from "../../record/events";
import { newConnectionRecord } from "../../record/new-connection-record";
import { CommandResponder } from "../command-responder";
import type { ResolvedOptions } from "../options";
import { RandomPool } from "../random-pool";
import { type SessionLimits, sessionLimits } from "../session-limits";
import { Lifecycle, type LifecycleHost } from "./lifecycle";
import { BAD_HANDSHAKE, PACKET_TOO_LARGE, PACKETS_OUT_OF_ORDER } from "./login-errors";
import { onAuthData } from "./phases/authentication";
import { onCommand, queryContext } from "./phases/command";
import { greet, onFirstPacket } from "./phases/greeting";
import { onHandshakeResponse } from "./phases/login";
import type { SessionContext, SessionPorts } from "./ports";
import { GREETING, type SessionState } from "./state";
import { SequenceIds, Wire, type WireHost } from "./wire";

const EMPTY = Buffer.alloc(0);

/** Where every session's greeting nonce comes from. */
const nonces = new RandomPool();

/**
 * One client connection: an explicit state machine over the MySQL login, recording everything the
 * client does. The session owns the socket, the framing and the current state, and hands each
 * packet to the handler of its phase, which returns the state that follows. A failure of this
 * connection — bad bytes, a reset, a TLS error — ends only it.
 */
export class Session implements SessionPorts, WireHost, LifecycleHost {
  readonly record: ConnectionRecord;
  readonly recorder: ConnectionRecorder;
  readonly options: ResolvedOptions;
  readonly wire: Wire;
  readonly lifecycle: Lifecycle;
  readonly sequence = new SequenceIds();
  readonly scramble = generateScramble(nonces.take);
  readonly commands: CommandResponder;
  readonly localAddress: string | undefined;
  private current: SessionState = GREETING;
  private framer: PacketFramer;
  private clientFlags = 0;
  private mariadbCapabilities = 0;
  /** The login completed: from here max_allowed_packet and the net_* timeouts apply. */
  private loggedIn = false;
  private readonly limits: SessionLimits;
  // Bound, not an arrow: under tsx every closure made per connection costs a named-function
  // property table besides the closure, and this one lives as long as the connection.
  private readonly onStreamData: (chunk: Buffer) => void = this.receive.bind(this);
  private readonly whenFinished: Promise<void>;
  private resolveClosed!: () => void;

  constructor(
    readonly socket: Socket,
    readonly connectionId: number,
    readonly server: SessionContext,
  ) {
    const { options } = server;
    const startedAt = Date.now();
    this.options = options;
    this.localAddress = (server.listenerAddress ?? socket.localAddress)?.replace(/^::ffff:/, "");
    this.limits = sessionLimits(options);
    this.framer = new PacketFramer({ maxPayloadLength: this.limits.preAuthMaxPacketSize });
    this.whenFinished = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    this.record = newConnectionRecord({
      id: connectionId,
      startedAt,
      // A Unix-socket client has no address; MySQL knows it as localhost.
      client: { address: socket.remoteAddress ?? "localhost", port: socket.remotePort ?? 0 },
      greeting: {
        serverVersion: options.serverVersion,
        capabilityFlags: options.capabilityFlags,
        tlsOffered: this.tlsOffered,
        authPluginName: options.defaultAuthPlugin,
      },
      // What a client is shown only if the greeting lets it ask for TLS.
      serverCertificate: this.tlsOffered ? (options.tls?.serverCertificate ?? null) : null,
    });
    this.recorder = new ConnectionRecorder(
      this.record,
      server.events,
      startedAt,
      this.onListenerFailed.bind(this),
    );
    // The session is the wire's and the lifecycle's host itself: no host object of closures per connection.
    this.wire = new Wire(
      socket,
      this.sequence,
      this.recorder,
      options.faults,
      this.limits.netWriteTimeoutMs,
      this,
    );
    this.lifecycle = new Lifecycle(socket, this.wire, this.recorder, options, this.limits, this);
    this.commands = new CommandResponder(options, queryContext.bind(null, this));
  }

  private onListenerFailed(error: unknown, type: MockServerEvent["type"]): void {
    this.lifecycle.listenerFailed(error, type);
  }

  // ---- as the wire's host (WireHost) --------------------------------------------------------

  isClosed(): boolean {
    return this.current.tag === "closed";
  }

  capabilities(): number {
    return this.clientFlags;
  }

  readingHeld(): void {
    this.lifecycle.stopReadTimer();
  }

  drained(): void {
    this.onOutputDrained();
  }

  writeTimedOut(error: string): void {
    this.lifecycle.endWithError(error, "now");
  }

  // ---- as the lifecycle's host (LifecycleHost) ------------------------------------------------

  currentState(): SessionState {
    return this.current;
  }

  bufferedLength(): number {
    return this.framer.bufferedLength;
  }

  discardInput(): void {
    this.socket.removeListener("data", this.onStreamData);
    this.socket.resume();
  }

  finished(): void {
    this.resolveClosed();
  }

  get state(): SessionState {
    return this.current;
  }

  get clientCapabilities(): number {
    return this.clientFlags;
  }

  get extendedCapabilities(): number {
    return this.mariadbCapabilities;
  }

  get tlsOffered(): boolean {
    return (this.options.capabilityFlags & CapabilityFlags.CLIENT_SSL) !== 0;
  }

  /** Resolves once the connection is closed and its record final. */
  whenClosed(): Promise<void> {
    return this.whenFinished;
  }

  /** Sends the greeting and starts reading. */
  start(): void {
    this.socket.setNoDelay(true);
    this.socket.on("data", this.onStreamData);
    this.lifecycle.watchSocket();
    this.recorder.opened();
    this.moveTo(greet(this));
  }

  /** Ends the connection now (server stop). */
  destroy(): void {
    this.lifecycle.serverStopped();
  }

  enter<S extends SessionState>(state: S): S {
    this.current = state;
    this.recorder.phase(state.tag);
    return state;
  }

  setClientCapabilities(flags: number, reserved: Buffer = EMPTY): void {
    const sent = flags >>> 0;
    this.clientFlags = (sent & this.options.capabilityFlags) >>> 0;
    // A feature is on when both sides set it; a greeting without extended capabilities offers none.
    const offered = this.options.mariadbCapabilities ?? 0;
    this.mariadbCapabilities = (clientMariadbCapabilities(sent, reserved) & offered) >>> 0;
    this.recorder.clientCapabilities(sent);
  }

  completeLogin(): void {
    this.lifecycle.loggedIn();
    this.loggedIn = true;
    this.framer.maxPayloadLength = this.options.maxPacketSize;
  }

  handOverToTls(): void {
    this.socket.removeListener("data", this.onStreamData);
    const pending = this.framer.takeRemainder();
    if (pending.length > 0) this.socket.unshift(pending);
  }

  readInsideTls(): void {
    this.framer = new PacketFramer({ maxPayloadLength: this.limits.preAuthMaxPacketSize });
    this.wire.stream.on("data", this.onStreamData);
  }

  framePlaintext(bytes: Buffer): Packet | undefined {
    return this.framer.push(bytes, { limit: 1 })[0];
  }

  /**
   * Moves to the state a handler returned, unless the session closed meanwhile: a closed session
   * is never reopened by the step that was under way.
   */
  private moveTo(next: SessionState): void {
    if (this.current.tag !== "closed") this.enter(next);
  }

  // ---- reading -------------------------------------------------------------------------------

  private receive(chunk: Buffer): void {
    let input = chunk;
    // One packet at a time: after an SSLRequest the bytes that follow are TLS, not MySQL frames.
    while (this.isReadingPackets()) {
      if (this.wire.outputBlocked) {
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
    if (this.loggedIn) this.lifecycle.watchRead();
  }

  private isReadingPackets(): boolean {
    const { tag } = this.current;
    return tag !== "tls-handshake" && tag !== "closed" && !this.lifecycle.hostFailed;
  }

  private handlePacket(packet: Packet): void {
    const state = this.current;
    const inCommandPhase = state.tag === "command";
    // A command starts a new exchange at 0; a file's contents go on from the server's request.
    const expected = inCommandPhase && !state.awaitingLocalFile ? 0 : this.sequence.next;
    if (packet.sequenceId !== expected) {
      // Whatever it is, it may be auth data the client sent out of turn.
      this.wire.received(packet, "unknown", "withheld");
      this.lifecycle.protocolError(
        `packet sequence id ${packet.sequenceId} where ${expected} was expected`,
        inCommandPhase ? PACKETS_OUT_OF_ORDER : BAD_HANDSHAKE,
      );
      return;
    }
    this.sequence.next = (packet.lastSequenceId + 1) & 0xff;
    try {
      this.moveTo(this.dispatch(state, packet));
    } catch (error) {
      if (error instanceof ProtocolError) {
        this.lifecycle.protocolError(
          error.message,
          this.current.tag === "command" ? undefined : BAD_HANDSHAKE,
        );
        return;
      }
      throw error;
    }
  }

  /** The handler of the state's phase takes the packet and says which state follows. */
  private dispatch(state: SessionState, packet: Packet): SessionState {
    switch (state.tag) {
      case "handshake-response":
        return onFirstPacket(this, packet);
      case "tls-handshake-response":
        return onHandshakeResponse(this, packet, true);
      case "authentication":
        return onAuthData(this, state, packet);
      case "command":
        return onCommand(this, state, packet);
      case "greeting":
      case "tls-handshake":
      case "closed":
        // No MySQL packet is read in these states.
        return state;
    }
  }

  private onFramingError(error: Error): void {
    // Nothing more is read: let go of what the framer holds now rather than at close.
    this.framer.takeRemainder();
    if (!(error instanceof PacketTooLargeError)) {
      this.lifecycle.protocolError(error.message, BAD_HANDSHAKE);
      return;
    }
    const preLoginCap = !this.loggedIn && error.maxLength < this.options.maxPacketSize;
    const message = preLoginCap
      ? `packet of ${error.claimedLength} bytes exceeds the ${error.maxLength} accepted before login`
      : error.message;
    this.lifecycle.protocolError(message, PACKET_TOO_LARGE);
  }

  /** The client drained its replies: read the commands that arrived meanwhile, then resume. */
  private onOutputDrained(): void {
    // Commands that arrived meanwhile are in the framer already.
    this.receive(EMPTY);
    // receive() may have ended the session (a COM_QUIT among them) or blocked again.
    if (!this.wire.outputBlocked && this.isReadingPackets()) this.wire.resume();
  }
}
