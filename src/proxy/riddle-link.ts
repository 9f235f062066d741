import { CapabilityFlags, PacketMarker } from "../protocol/constants";
import { encodePacket, PacketFramer } from "../protocol/framing";
import { encodeErr } from "../protocol/packets/err-packet";
import { decodeHandshakeV10 } from "../protocol/packets/handshake-v10";
import { encodeHandshakeResponse41 } from "../protocol/packets/handshake-response-41";
import { decodeSslRequest, isBareSslRequest } from "../protocol/packets/ssl-request";
import { forward } from "./forward";
import { type LinkHooks, PlaintextLink } from "./plaintext-link";

/** What the relay is shown of a connection under the `riddle` attack. */
export interface RiddleHooks extends LinkHooks {
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
export class RiddleLink extends PlaintextLink<RiddleHooks> {
  private readonly fromServerFrames = new PacketFramer();
  private readonly fromClientFrames = new PacketFramer();
  private stage: "greeting" | "first-packet" | "probing" | "answered" | "copying" = "greeting";
  private greetingCaps = 0;
  private pluginName = "";
  private sslSequenceId = 1;

  /** The server closes after refusing the probe: the client, answered already, stays to show what it does. */
  protected override upstreamEnded(): void {
    if (this.stage !== "probing" && this.stage !== "answered") this.client.end();
  }

  protected onUpstreamData(chunk: Buffer): void {
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

  protected onClientData(chunk: Buffer): void {
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
}
