import { ED25519_CLIENT_PLUGIN } from "../auth/ed25519-password";
import { NATIVE_PASSWORD_PLUGIN } from "../auth/native-password";
import { clearPasswordPlugin } from "../auth/plugins";
import { CapabilityFlags, commandName, PacketMarker } from "../protocol/constants";
import { MalformedPacketError } from "../protocol/errors";
import { type Packet, PacketFramer } from "../protocol/framing";
import { decodeAuthSwitchRequest } from "../protocol/packets/auth-switch-request";
import { decodeCommand, decodeComQuery } from "../protocol/packets/command";
import { decodeErr, type ErrPacket } from "../protocol/packets/err-packet";
import {
  decodeHandshakeResponse41,
  type HandshakeResponse41,
} from "../protocol/packets/handshake-response-41";
import { decodeHandshakeV10, type HandshakeV10 } from "../protocol/packets/handshake-v10";
import { decodeSslRequest, isBareSslRequest, type SslRequest } from "../protocol/packets/ssl-request";
import type { CredentialExposure } from "../auth/auth-plugin";

/**
 * What a relay learns from the plaintext MySQL bytes between a client and its server, in the
 * order it happens. The observer only reads: the bytes are relayed unchanged by its caller.
 */
export interface MysqlObservations {
  /** The server's greeting. */
  greeting(greeting: HandshakeV10): void;
  /** The server refused the connection in place of a greeting, or the login (`phase`). */
  serverRefused(err: ErrPacket, phase: "greeting" | "login"): void;
  /** The client asked for TLS: every later byte of the connection is TLS. */
  sslRequest(request: SslRequest): void;
  /** The client's login packet in plaintext, with the plugin its auth data is for. */
  handshakeResponse(response: HandshakeResponse41, clientPlugin: string): void;
  /** Auth data crossed in plaintext; `exposure` is what it reveals (null: nothing, e.g. a key request). */
  authData(plugin: string, exposure: CredentialExposure | null): void;
  /** The server switched the client to another auth plugin. */
  authSwitch(plugin: string): void;
  /** The server accepted the login. */
  authenticated(): void;
  /** A command after login, by name; COM_QUERY with its SQL. */
  command(name: string, query?: string): void;
  /** A packet the observer cannot read: it stops reading that direction (the relay goes on). */
  unreadable(direction: "client" | "server", message: string): void;
}

type ServerPhase = "greeting" | "login" | "command" | "done";
type ClientPhase = "first" | "auth" | "command" | "done";

/** The byte auth data starts with when caching_sha2_password / sha256_password asks for the server's RSA key. */
const PUBLIC_KEY_REQUEST = 0x02;

/** Plugins whose auth data is only ever a challenge's answer, whatever its bytes look like. */
const CHALLENGE_ONLY_PLUGINS: ReadonlySet<string> = new Set([NATIVE_PASSWORD_PLUGIN, ED25519_CLIENT_PLUGIN]);
const EMPTY = Buffer.alloc(0);

/**
 * Reads the plaintext part of a MySQL connection as a relay sees it: the greeting, the SSLRequest
 * or handshake response, the auth exchange and the commands that follow. After an SSLRequest it
 * reads nothing more ({@link fromClient} hands the TLS bytes back). It keeps no payload: each
 * packet is reported and dropped.
 */
export class MysqlStreamObserver {
  private readonly server = new PacketFramer();
  private readonly client = new PacketFramer();
  private serverPhase: ServerPhase = "greeting";
  private clientPhase: ClientPhase = "first";
  private capabilities = 0;
  private plugin = "";
  /** An RSA public key went to the client: its next auth data is the password, encrypted. */
  private keySent = false;

  constructor(private readonly report: MysqlObservations) {}

  private tlsStarted = false;

  /**
   * The client's SSLRequest was answered in plaintext instead of with TLS (a man in the middle's
   * ERR): what each side sends next is plaintext MySQL again, the server's answer to the login.
   */
  resumeAfterSslRequest(): void {
    this.tlsStarted = false;
    this.clientPhase = "first";
    this.serverPhase = "login";
  }

  /** Whether the client asked for TLS: the rest of the connection is TLS records. */
  get tls(): boolean {
    return this.tlsStarted;
  }

  // Read through getters: the handlers move the phases on, which narrowing cannot see.
  private get serverDone(): boolean {
    return this.serverPhase === "done";
  }

  private get clientDone(): boolean {
    return this.clientPhase === "done";
  }

  /** Reads bytes the server sent. */
  fromServer(chunk: Buffer): void {
    if (this.serverPhase === "done") return;
    for (const packet of this.read(this.server, chunk, "server")) {
      this.onServerPacket(packet);
      if (this.serverDone) break;
    }
  }

  /**
   * Reads bytes the client sent. Returns the bytes that follow an SSLRequest in this chunk (the
   * start of the client's TLS handshake), empty otherwise.
   */
  fromClient(chunk: Buffer): Buffer {
    let input = chunk;
    for (;;) {
      if (this.clientPhase === "done") return EMPTY;
      // The first packet alone: TLS may follow it in the same chunk, and is no MySQL frame.
      const limit = this.clientPhase === "first" ? 1 : undefined;
      const packets = this.read(this.client, input, "client", limit);
      input = EMPTY;
      for (const packet of packets) {
        this.onClientPacket(packet);
        if (this.tlsStarted) return this.client.takeRemainder();
        if (this.clientDone) return EMPTY;
      }
      if (packets.length === 0 || limit === undefined) return EMPTY;
    }
  }

  private read(
    framer: PacketFramer,
    chunk: Buffer,
    direction: "client" | "server",
    limit?: number,
  ): Packet[] {
    try {
      return framer.push(chunk, limit === undefined ? {} : { limit });
    } catch (error) {
      this.stop(direction, error instanceof Error ? error.message : String(error));
      return [];
    }
  }

  private stop(direction: "client" | "server", message: string): void {
    if (direction === "client") this.clientPhase = "done";
    else this.serverPhase = "done";
    this.report.unreadable(direction, message);
  }

  private onServerPacket(packet: Packet): void {
    const { payload } = packet;
    try {
      switch (this.serverPhase) {
        case "greeting":
          if (payload[0] === PacketMarker.ERR) {
            this.report.serverRefused(decodeErr(payload, 0), "greeting");
            this.serverPhase = "done";
            return;
          }
          {
            const greeting = decodeHandshakeV10(payload);
            this.plugin = greeting.authPluginName ?? "";
            this.report.greeting(greeting);
          }
          this.serverPhase = "login";
          return;
        case "login":
          this.onLoginReply(payload);
          return;
        default:
          // Replies to commands are the server's business; the relay does not read them.
          this.serverPhase = "done";
      }
    } catch (error) {
      if (!(error instanceof MalformedPacketError)) throw error;
      this.stop("server", error.message);
    }
  }

  private onLoginReply(payload: Buffer): void {
    switch (payload[0]) {
      case PacketMarker.OK:
        this.report.authenticated();
        this.serverPhase = "command";
        this.clientPhase = "command";
        return;
      case PacketMarker.ERR:
        this.report.serverRefused(decodeErr(payload, this.capabilities), "login");
        this.serverPhase = "done";
        return;
      case PacketMarker.AUTH_SWITCH: {
        const request = decodeAuthSwitchRequest(payload);
        this.plugin = request.pluginName;
        this.keySent = false;
        this.report.authSwitch(request.pluginName);
        return;
      }
      case PacketMarker.AUTH_MORE_DATA:
        // A PEM key follows the marker when the client asked for one.
        if (payload.length > 2) this.keySent = true;
        return;
      default:
        this.stop("server", `unexpected packet 0x${payload[0]?.toString(16) ?? "(empty)"} during the login`);
    }
  }

  private onClientPacket(packet: Packet): void {
    const { payload } = packet;
    try {
      switch (this.clientPhase) {
        case "first":
          this.onFirstClientPacket(payload);
          return;
        case "auth":
          this.report.authData(this.plugin, this.exposureOf(payload));
          return;
        case "command": {
          if (packet.sequenceId !== 0) return; // a LOCAL INFILE transfer or a multi-packet reply
          const command = decodeCommand(payload);
          const name = commandName(command.command);
          const queryAttributes = (this.capabilities & CapabilityFlags.CLIENT_QUERY_ATTRIBUTES) !== 0;
          this.report.command(
            name,
            name === "COM_QUERY" ? decodeComQuery(command.body, { queryAttributes }) : undefined,
          );
          return;
        }
        default:
      }
    } catch (error) {
      if (!(error instanceof MalformedPacketError)) throw error;
      this.stop("client", error.message);
    }
  }

  private onFirstClientPacket(payload: Buffer): void {
    if (isBareSslRequest(payload)) {
      const request = decodeSslRequest(payload);
      this.capabilities = request.capabilityFlags;
      this.report.sslRequest(request);
      this.tlsStarted = true;
      this.clientPhase = "done";
      this.serverPhase = "done";
      return;
    }
    const response = decodeHandshakeResponse41(payload);
    this.capabilities = response.capabilityFlags;
    const clientPlugin =
      response.authPluginName !== undefined && response.capabilityFlags & CapabilityFlags.CLIENT_PLUGIN_AUTH
        ? response.authPluginName
        : this.plugin;
    this.plugin = clientPlugin;
    this.report.handshakeResponse(response, clientPlugin);
    this.report.authData(clientPlugin, this.exposureOf(response.authResponse));
    this.clientPhase = "auth";
  }

  /** What auth data reveals to whoever reads the wire, as the server's plugins judge it. */
  private exposureOf(data: Buffer): CredentialExposure | null {
    if (data.length === 0 || (data.length === 1 && data[0]! <= PUBLIC_KEY_REQUEST)) return null;
    if (this.plugin === clearPasswordPlugin.name) return "cleartext-password";
    if (this.keySent) return "encrypted-password";
    // These answer a challenge and never send the password: a 20-byte hash, a 64-byte ed25519
    // signature (whose last byte is 0 one time in sixteen, the top of a scalar below 2^253).
    if (CHALLENGE_ONLY_PLUGINS.has(this.plugin)) return "scramble-reply";
    // caching_sha2_password and sha256_password send the password itself, NUL-terminated, where
    // they believe the channel is secure; a scramble reply is 20 or 32 bytes of hash.
    if (data[data.length - 1] === 0 && data.length !== 20 && data.length !== 32) return "cleartext-password";
    return "scramble-reply";
  }
}
