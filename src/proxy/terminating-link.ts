import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import type { CertificateAssessment } from "../certs/assess-certificate";
import { encodePacket, PacketFramer } from "../protocol/framing";
import { isBareSslRequest } from "../protocol/packets/ssl-request";
import type { TlsAcceptor } from "../tls/tls-acceptor";
import { type ClientClose, clientCloseOf, type TlsUpgradeResult } from "../tls/tls-session";
import type { ResolvedProxyOptions } from "../options/proxy-options";
import { connectUpstreamTls } from "./upstream-tls";
import { breakLink, type BrokenHook, forward, guarded, type Side } from "./forward";

/** The certificate set a `cert:SET` attack serves the client, ready to handshake. */
export interface SwappedCertificate {
  acceptor: TlsAcceptor;
  /** What a verifying client must object to in the served certificate, for the name it checks. */
  assessFor(host: string): CertificateAssessment;
}

/** What the relay is shown of a connection whose TLS the proxy terminates. */
export interface TerminatingHooks extends BrokenHook {
  /** Plaintext bytes as the client sent them: before TLS, then inside the proxy's TLS with it. */
  fromClient(chunk: Buffer): void;
  /** Plaintext bytes as the client received them. */
  toClient(chunk: Buffer): void;
  /** The client's TLS with the proxy: negotiated or failed, and the certificate judged for it. */
  clientTls(result: TlsUpgradeResult, assessment: CertificateAssessment): void;
  /** The client closed the completed TLS session without sending anything inside it. */
  clientClosedTls(close: ClientClose): void;
  /** The proxy's TLS to the real server failed; both sides are closed. */
  upstreamTlsFailed(message: string): void;
  /** The handshakes are under way: the record is final only once `work` has settled. */
  busy(work: Promise<void>): void;
}

/**
 * The `cert:SET` attack on one connection: a man in the middle. The greeting passes as the server
 * sent it; the client's SSLRequest goes on to the server, and the proxy completes TLS with each
 * side on its own — with the client serving the catalogue set's certificate, with the server as a
 * client (verifying it or not). Between the two sessions every MySQL byte is in the clear to the
 * proxy, so the record reads the login (the auth exchange is relayed: the server's scramble goes
 * to the client, the client's answer to the server). A client that asks for no TLS is copied as is.
 */
export class TerminatingLink {
  private readonly fromServerFrames = new PacketFramer();
  private readonly fromClientFrames = new PacketFramer();
  private stage: "greeting" | "first-packet" | "handshakes" | "copying" = "greeting";
  private clientTls: TLSSocket | null = null;
  private upstreamTls: TLSSocket | null = null;
  private readonly fail = (side: Side, error: Error): void =>
    breakLink(this.hooks, side, error, [this.client, this.upstream, this.clientTls, this.upstreamTls]);
  private readonly onClientData = guarded("client", (chunk) => this.fromClientSocket(chunk), this.fail);
  private readonly onUpstreamData = guarded("server", (chunk) => this.fromUpstreamSocket(chunk), this.fail);

  constructor(
    private readonly client: Socket,
    private readonly upstream: Socket,
    private readonly options: ResolvedProxyOptions,
    private readonly swapped: SwappedCertificate,
    private readonly hooks: TerminatingHooks,
  ) {}

  start(): void {
    this.upstream.on("data", this.onUpstreamData);
    this.client.on("data", this.onClientData);
    this.client.on("end", () => (this.upstreamTls ?? this.upstream).end());
    this.upstream.on("end", () => {
      if (!this.upstreamTls) (this.clientTls ?? this.client).end();
    });
  }

  private fromUpstreamSocket(chunk: Buffer): void {
    if (this.stage === "greeting") {
      const [greeting] = this.fromServerFrames.push(chunk, { limit: 1 });
      if (!greeting) return;
      this.stage = "first-packet";
      this.toClient(this.client, encodePacket(greeting.payload, greeting.sequenceId));
      return;
    }
    this.toClient(this.client, chunk);
  }

  private fromClientSocket(chunk: Buffer): void {
    if (this.stage === "copying") {
      this.hooks.fromClient(chunk);
      forward(this.upstream, chunk, this.client);
      return;
    }
    const [first] = this.fromClientFrames.push(chunk, { limit: 1 });
    if (!first) return;
    const rest = this.fromClientFrames.takeRemainder();
    const frame = encodePacket(first.payload, first.sequenceId);
    this.hooks.fromClient(frame);
    if (!isBareSslRequest(first.payload)) {
      this.stage = "copying";
      if (rest.length > 0) this.hooks.fromClient(rest);
      this.upstream.write(Buffer.concat([frame, rest]));
      return;
    }
    this.stage = "handshakes";
    this.upstream.write(frame);
    // From here each raw socket carries TLS, read by its TLS socket alone.
    this.client.removeListener("data", this.onClientData);
    this.upstream.removeListener("data", this.onUpstreamData);
    if (rest.length > 0) this.client.unshift(rest);
    this.hooks.busy(this.handshakes());
  }

  /** TLS with the server (as its client) and with the client (as its server), then a plaintext bridge. */
  private async handshakes(): Promise<void> {
    const upstream = this.connectUpstream();
    const result = await this.swapped.acceptor.accept(this.client);
    this.hooks.clientTls(
      result,
      this.swapped.assessFor(result.clientHello?.sni ?? this.client.localAddress ?? "localhost"),
    );
    if (!result.ok) {
      result.socket?.destroy();
      this.client.destroy();
      this.upstream.destroy();
      return;
    }
    const clientTls = result.tls.socket;
    this.clientTls = clientTls;
    const server = await upstream;
    if (!server) {
      clientTls.destroy();
      return;
    }
    let sentInside = false;
    clientTls.on("data", (chunk: Buffer) => {
      sentInside = true;
      this.hooks.fromClient(chunk);
      forward(server, chunk, clientTls);
    });
    server.on("data", (chunk: Buffer) => this.toClient(clientTls, chunk, server));
    clientTls.on("end", () => server.end());
    server.on("end", () => clientTls.end());
    let errored = false;
    clientTls.on("error", () => {
      errored = true;
    });
    clientTls.once("close", () => {
      // Judged as the mock server judges it (clientCloseOf): what the socket showed at the close.
      if (!sentInside) {
        this.hooks.clientClosedTls(
          clientCloseOf(result.tls, {
            socketBytes: this.client.bytesRead,
            closedAt: performance.now(),
            errored,
          }),
        );
      }
      this.client.destroy();
      server.destroy();
    });
  }

  /** The proxy's own TLS with the real server; null (both sides closed) when it fails. */
  private connectUpstream(): Promise<TLSSocket | null> {
    const tls = connectUpstreamTls(this.upstream, this.options);
    this.upstreamTls = tls;
    return new Promise((resolve) => {
      let connected = false;
      tls.once("secureConnect", () => {
        connected = true;
        resolve(tls);
      });
      tls.on("error", (error) => {
        if (!connected) {
          this.hooks.upstreamTlsFailed(error.message);
          resolve(null);
        }
        this.client.destroy();
      });
    });
  }

  private toClient(to: Socket, bytes: Buffer, from: Socket = this.upstream): void {
    this.hooks.toClient(bytes);
    forward(to, bytes, from);
  }
}
