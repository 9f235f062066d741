import { computeNativePasswordReply } from "../auth/native-password";
import { computeEd25519Reply, ED25519_CLIENT_PLUGIN } from "../auth/ed25519-password";
import {
  clearPasswordPlugin,
  computeCachingSha2Reply,
  encryptPasswordForServer,
  Sha2AuthByte,
} from "../auth/plugins";
import { CapabilityFlags, PacketMarker } from "../protocol/constants";
import { encodePacket, type Packet, PacketFramer } from "../protocol/framing";
import { decodeAuthSwitchRequest, encodeAuthSwitchRequest } from "../protocol/packets/auth-switch-request";
import { encodeErr } from "../protocol/packets/err-packet";
import {
  decodeHandshakeResponse41,
  encodeHandshakeResponse41,
} from "../protocol/packets/handshake-response-41";
import { decodeHandshakeV10 } from "../protocol/packets/handshake-v10";
import { isBareSslRequest } from "../protocol/packets/ssl-request";
import { forward } from "./forward";
import { type LinkHooks, PlaintextLink } from "./plaintext-link";

/** What the relay is shown and told of a connection under the `cleartext-switch` attack. */
export interface CleartextSwitchHooks extends LinkHooks {
  /** The login could not be carried on to the server with the password; the client got an ERR. */
  notRelayed(reason: string): void;
}

/** What the server answers when the proxy cannot carry the login on, in the client's terms. */
const CANNOT_RELAY = { code: 1045, sqlState: "28000" };

/** A password's NUL terminator, as mysql_clear_password sends it. */
const NUL = 0x00;

/** The plugins whose answer the proxy computes from the password (the rest it cannot relay). */
const RELAYED_PLUGINS: Record<string, (password: string, pluginData: Buffer) => Buffer> = {
  // Both hash a 20-byte nonce; the plugin data carries a NUL after it.
  mysql_native_password: (password, data) => computeNativePasswordReply(password, data.subarray(0, 20)),
  caching_sha2_password: (password, data) => computeCachingSha2Reply(password, data.subarray(0, 20)),
  // MariaDB's ed25519 signs the whole 32-byte nonce of its AuthSwitchRequest.
  [ED25519_CLIENT_PLUGIN]: (password, data) => computeEd25519Reply(password, data.subarray(0, 32)),
};

/**
 * The `cleartext-switch` attack on one connection: when a client logs in in plaintext, the proxy
 * holds its handshake response and asks it to switch to `mysql_clear_password` — the same move
 * as a rogue server's (`rogue-cleartext-switch`). A client that answers sends its password in the
 * clear; the proxy then logs in to the real server with it (computing the answer the server's
 * plugin asks for, where it can: mysql_native_password, caching_sha2_password's fast path, MariaDB's
 * client_ed25519) and
 * relays everything after, so the client's queries work. The server counts fewer login packets
 * than the client: the server's are renumbered for the client until its OK or ERR. A client that
 * asks for TLS is copied untouched.
 */
export class CleartextSwitchLink extends PlaintextLink<CleartextSwitchHooks> {
  private readonly fromServerFrames = new PacketFramer();
  private readonly fromClientFrames = new PacketFramer();
  private stage: "greeting" | "first-packet" | "switched" | "login" | "copying" = "greeting";
  private nonce: Buffer = Buffer.alloc(0);
  private serverPlugin = "";
  private response: ReturnType<typeof decodeHandshakeResponse41> | null = null;
  private responseSequenceId = 1;
  private password = "";
  /** How far the client's sequence ids run ahead of the server's during the login. */
  private shift = 0;

  protected onUpstreamData(chunk: Buffer): void {
    if (this.stage === "copying" || this.stage === "first-packet" || this.stage === "switched") {
      this.toClient(chunk);
      return;
    }
    for (const packet of this.fromServerFrames.push(chunk)) {
      if (this.stage === "greeting") {
        const greeting = decodeHandshakeV10(packet.payload);
        this.nonce = greeting.authPluginData.subarray(0, 20);
        this.serverPlugin = greeting.authPluginName ?? "mysql_native_password";
        this.stage = "first-packet";
        this.toClient(encodePacket(packet.payload, packet.sequenceId));
        continue;
      }
      if (this.stage === "login") this.onServerLogin(packet);
      else this.toClient(encodePacket(packet.payload, packet.sequenceId));
    }
    if (this.copying) {
      const rest = this.fromServerFrames.takeRemainder();
      if (rest.length > 0) this.toClient(rest);
    }
  }

  protected onClientData(chunk: Buffer): void {
    this.hooks.fromClient(chunk);
    if (this.stage === "copying" || this.stage === "login") {
      forward(this.upstream, chunk, this.client);
      return;
    }
    for (const packet of this.fromClientFrames.push(chunk)) {
      if (this.stage === "first-packet") {
        if (isBareSslRequest(packet.payload)) {
          this.stage = "copying";
          this.upstream.write(
            Buffer.concat([
              encodePacket(packet.payload, packet.sequenceId),
              this.fromClientFrames.takeRemainder(),
            ]),
          );
          return;
        }
        this.response = decodeHandshakeResponse41(packet.payload);
        this.responseSequenceId = packet.sequenceId;
        this.stage = "switched";
        const request = encodeAuthSwitchRequest({
          pluginName: clearPasswordPlugin.name,
          pluginData: Buffer.alloc(0),
        });
        this.toClient(encodePacket(request, (packet.sequenceId + 1) & 0xff));
        continue;
      }
      if (this.stage === "switched") {
        const data = packet.payload;
        this.password = (data[data.length - 1] === NUL ? data.subarray(0, -1) : data).toString("utf8");
        // The client is now two packets ahead of the server (the switch and its answer).
        this.shift = (packet.sequenceId - this.responseSequenceId) & 0xff;
        this.stage = "login";
        this.logInUpstream();
      }
    }
  }

  /** Sends the server the client's response with the answer its plugin wants, computed from the password. */
  private logInUpstream(): void {
    const response = this.response!;
    const compute = RELAYED_PLUGINS[this.serverPlugin];
    if (!compute) {
      this.refuse(`the server's ${this.serverPlugin} cannot be answered from a password by the proxy`);
      return;
    }
    const relayed = encodeHandshakeResponse41({
      ...response,
      authResponse: compute(this.password, this.nonce),
      authPluginName: this.serverPlugin,
      capabilityFlags: response.capabilityFlags | CapabilityFlags.CLIENT_PLUGIN_AUTH,
    });
    this.upstream.write(encodePacket(relayed, this.responseSequenceId));
  }

  private onServerLogin(packet: Packet): void {
    const marker = packet.payload[0];
    if (marker === PacketMarker.AUTH_SWITCH) {
      const request = decodeAuthSwitchRequest(packet.payload);
      const compute = RELAYED_PLUGINS[request.pluginName];
      if (!compute) {
        this.refuse(
          `the server switched to ${request.pluginName}, which the proxy cannot answer from a password`,
        );
        return;
      }
      this.nonce = request.pluginData.subarray(0, 20);
      this.upstream.write(
        encodePacket(compute(this.password, request.pluginData), (packet.sequenceId + 1) & 0xff),
      );
      // The switch and the answer to it are the server's and the proxy's alone: the client never sees them.
      this.shift = (this.shift - 2) & 0xff;
      return;
    }
    if (marker === PacketMarker.AUTH_MORE_DATA) {
      this.onServerMoreData(packet);
      return;
    }
    this.toClient(encodePacket(packet.payload, (packet.sequenceId + this.shift) & 0xff));
    if (marker === PacketMarker.OK || marker === PacketMarker.ERR) this.stage = "copying";
  }

  /**
   * caching_sha2_password after the fast path, on this plaintext leg: 0x03 ("fast auth done") is
   * followed by an OK; 0x04 asks for the full authentication, which over plaintext goes through
   * the server's RSA key — the proxy asks for it and sends the password encrypted to it, as the
   * client would have (sql-common/client_authentication.cc). None of it reaches the client.
   */
  private onServerMoreData(packet: Packet): void {
    const next = (packet.sequenceId + 1) & 0xff;
    const status = packet.payload[1];
    if (status === Sha2AuthByte.FAST_AUTH_SUCCESS && packet.payload.length === 2) {
      this.shift = (this.shift - 1) & 0xff;
      return;
    }
    if (status === Sha2AuthByte.PERFORM_FULL_AUTHENTICATION && packet.payload.length === 2) {
      this.upstream.write(encodePacket(Buffer.from([Sha2AuthByte.REQUEST_PUBLIC_KEY_CACHING_SHA2]), next));
      this.shift = (this.shift - 2) & 0xff;
      return;
    }
    // Anything else is the public key (PEM) the proxy asked for.
    let encrypted: Buffer;
    try {
      encrypted = encryptPasswordForServer(this.password, this.nonce, packet.payload.subarray(1));
    } catch (error) {
      this.refuse(`the server's RSA public key could not be used (${(error as Error).message})`);
      return;
    }
    this.upstream.write(encodePacket(encrypted, next));
    this.shift = (this.shift - 2) & 0xff;
  }

  /** Ends the client's login with an ERR, saying why on the record; the server side is closed. */
  private refuse(reason: string): void {
    this.hooks.notRelayed(reason);
    const err = encodeErr(
      {
        ...CANNOT_RELAY,
        message: `Access denied for user '${this.response?.username ?? ""}' (the proxy could not relay: ${reason})`,
      },
      this.response?.capabilityFlags ?? CapabilityFlags.CLIENT_PROTOCOL_41,
    );
    this.toClient(encodePacket(err, (this.responseSequenceId + this.shift + 1) & 0xff));
    this.stage = "copying";
    this.upstream.destroy();
    this.client.end();
  }

  /** Read through a getter: the handlers move the stage on, which narrowing cannot see. */
  private get copying(): boolean {
    return this.stage === "copying";
  }
}
