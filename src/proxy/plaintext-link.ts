import type { Socket } from "node:net";
import { breakLink, type BrokenHook, forward, guarded, type Side } from "./forward";

/** What every plaintext link shows the relay, besides what it tells of its own attack. */
export interface LinkHooks extends BrokenHook {
  /** Bytes as the client sent them. */
  fromClient(chunk: Buffer): void;
  /** Bytes as the client received them. */
  toClient(chunk: Buffer): void;
}

/**
 * What the links that change a plaintext exchange (riddle, cleartext-switch, local-infile) share:
 * both sockets and their wiring — data read through {@link guarded}, an end passed on to the other
 * side, bytes to the client shown to the relay and written with backpressure. A subclass reads
 * each side's bytes; what it cannot read closes both sides, with the reason told to the relay.
 */
export abstract class PlaintextLink<H extends LinkHooks> {
  constructor(
    protected readonly client: Socket,
    protected readonly upstream: Socket,
    protected readonly hooks: H,
  ) {}

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
    this.upstream.on("end", () => this.upstreamEnded());
  }

  /** Bytes from the real server. */
  protected abstract onUpstreamData(chunk: Buffer): void;

  /** Bytes from the client. */
  protected abstract onClientData(chunk: Buffer): void;

  /** The real server ended its side: by default the client's side ends too. */
  protected upstreamEnded(): void {
    this.client.end();
  }

  /** Shows `bytes` to the relay and writes them to the client, pausing the server while it is full. */
  protected toClient(bytes: Buffer): void {
    this.hooks.toClient(bytes);
    forward(this.client, bytes, this.upstream);
  }

  private readonly fail = (side: Side, error: Error): void =>
    breakLink(this.hooks, side, error, [this.client, this.upstream]);
}
