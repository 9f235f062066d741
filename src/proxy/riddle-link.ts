import type { Socket } from "node:net";
import { CapabilityFlags, PacketMarker } from "../protocol/constants";
import { encodePacket, PacketFramer } from "../protocol/framing";
import { encodeErr } from "../protocol/packets/err-packet";
import { decodeHandshakeV10 } from "../protocol/packets/handshake-v10";
import { encodeHandshakeResponse41 } from "../protocol/packets/handshake-response-41";
import { decodeSslRequest, isBareSslRequest } from "../protocol/packets/ssl-request";
import { type BrokenHook, forward, guarded, type Side } from "./forward";

/** What the relay is shown of a connection under the `riddle` attack. */
export interface RiddleHooks extends BrokenHook {
  /** Bytes as the client sent them. */
  fromClient(chunk: Buffer): void;
  /** Bytes as the client received them. */
  toClient(chunk: Buffer): void;
  /** The client's SSLRequest was answered with an ERR in plaintext: it is back to plaintext MySQL. */
  sslRequestAnswered(): void;
}

/** Sent when the real server logs the nameless probe in instead of refusing it (an anonymous account). */
const FALLBACK_ERR = {
  code: 1045,
  sqlState: "28000",
  message: "Access denied for user ''@'localhost' (using password: NO)",
};

/**
 * The `riddle` attack (CVE-2017-3305): the client's SSLRequest never reaches the server. The proxy
 * asks the real server for an error of its own — a login with no user name, which it refuses with
 * its 1045 "Access denied" — and hands that ERR to the client in plaintext, in answer to the
 * SSLRequest. A correct client shows it and stops; a vulnerable one goes on in plaintext, and
 * what it sends is recorded (and goes nowhere). A client that sends no SSLRequest is relayed as is.
 */
export class RiddleLink {
  private readonly fromServerFrames = new PacketFramer();
  private readonly fromClientFrames = new PacketFramer();
  private stage: "greeting" | "first-packet" | "probing" | "answered" | "copying" = "greeting";
  private greetingCaps = 0;
  private pluginName = "";
  private sslSequenceId = 1;

  constructor(
    private readonly client: Socket,
    private readonly upstream: Socket,
    private readonly hooks: RiddleHooks,
  ) {}

  /** A peer sent bytes that cannot be read: the relay is told, and both sides are closed. */
  private readonly fail = (side: Side, error: Error): void => {
    this.hooks.broken(side, error.message);
    for (const socket of [this.client, this.upstream]) socket?.destroy();
  };

  start(): void {
    this.upstream.on(
      "data",
      guarded("server", (chunk) => this.onUpstreamData(chunk), this.fail),
    );
    this.client.on(
      "data",
      guarded("client", (chunk) => this.onClientData(chunk), this.fail),
    );
    this.client.on("end", () => this.upstream.end());
    this.upstream.on("end", () => {
      if (this.stage !== "probing" && this.stage !== "answered") this.client.end();
    });
  }

  private onUpstreamData(chunk: Buffer): void {
    switch (this.stage) {
      case "greeting": {
        const [greeting] = this.fromServerFrames.push(chunk, { limit: 1 });
        if (!greeting) return;
        if (greeting.payload[0] !== PacketMarker.ERR) {
          const decoded = decodeHandshakeV10(greeting.payload);
          this.greetingCaps = decoded.capabilityFlags;
          this.pluginName = decoded.authPluginName ?? "";
        }
        this.stage = "first-packet";
        this.toClient(encodePacket(greeting.payload, greeting.sequenceId));
        return;
      }
      case "probing": {
        const [reply] = this.fromServerFrames.push(chunk, { limit: 1 });
        if (!reply) return;
        const err =
          reply.payload[0] === PacketMarker.ERR
            ? reply.payload
            : encodeErr(FALLBACK_ERR, this.greetingCaps | CapabilityFlags.CLIENT_PROTOCOL_41);
        this.stage = "answered";
        this.hooks.sslRequestAnswered();
        this.toClient(encodePacket(err, (this.sslSequenceId + 1) & 0xff));
        this.upstream.destroy();
        return;
      }
      case "answered":
        return;
      default:
        this.toClient(chunk);
    }
  }

  private onClientData(chunk: Buffer): void {
    this.hooks.fromClient(chunk);
    if (this.stage !== "greeting" && this.stage !== "first-packet") {
      if (this.stage === "copying") forward(this.upstream, chunk, this.client);
      return;
    }
    const [first] = this.fromClientFrames.push(chunk, { limit: 1 });
    if (!first) return;
    const rest = this.fromClientFrames.takeRemainder();
    if (!isBareSslRequest(first.payload)) {
      this.stage = "copying";
      this.upstream.write(Buffer.concat([encodePacket(first.payload, first.sequenceId), rest]));
      return;
    }
    // The nameless login that makes the server write its own refusal.
    const request = decodeSslRequest(first.payload);
    const caps = (request.capabilityFlags & ~CapabilityFlags.CLIENT_SSL & this.greetingCaps) >>> 0;
    const probe = encodeHandshakeResponse41({
      capabilityFlags: caps,
      maxPacketSize: request.maxPacketSize,
      characterSet: request.characterSet,
      reserved: Buffer.alloc(0),
      username: "",
      authResponse: Buffer.alloc(0),
      authPluginName: this.pluginName,
    });
    this.sslSequenceId = first.sequenceId;
    this.stage = "probing";
    this.upstream.write(encodePacket(probe, first.sequenceId));
  }

  private toClient(bytes: Buffer): void {
    this.hooks.toClient(bytes);
    forward(this.client, bytes, this.upstream);
  }
}
