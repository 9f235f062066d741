import type { Server, Socket } from "node:net";
import type { RsaKeys } from "../auth/auth-plugin";
import type { JsonLinesSink } from "../record/jsonl-sink";
import type { ResolvedProxyOptions } from "../options/proxy-options";
import { ConnectionHost } from "../server/connection-host";
import { Relay, type RelayContext } from "./relay";
import type { SwappedCertificate } from "./terminating-link";

/** What a proxy runs on, opened by `startMockProxy`. */
export interface ProxyParts {
  server: Server;
  options: ResolvedProxyOptions;
  sink: JsonLinesSink | null;
  /** The certificate a `cert:SET` attack serves; null for the other attacks. */
  swapped: SwappedCertificate | null;
  /** The RSA key `strip` hands a client that asks for the server's; null for the other attacks. */
  rsaKeys: RsaKeys | null;
}

/**
 * A running proxy: it relays every client to the real server (`options.upstream`), keeps a record
 * of what it saw of each connection and emits the same events as the mock server, so the records,
 * verdicts and matchers work on both.
 */
export class ProxyCore extends ConnectionHost {
  private nextConnection = 1;
  private readonly context: RelayContext;
  readonly options: ResolvedProxyOptions;

  /** @internal use `startMockProxy` */
  constructor({ server, options, sink, swapped, rsaKeys }: ProxyParts) {
    super({ server, keepConnections: options.keepConnections, sink });
    this.options = options;
    this.context = {
      options,
      events: this.recorderSink(options.recordPackets, options.recordPayloadBytes),
      swapped,
      rsaKeys,
    };
  }

  /** The real server, as `host:port`. */
  get upstream(): string {
    return `${this.options.upstream.host}:${this.options.upstream.port}`;
  }

  protected nextId(): number {
    return this.nextConnection++;
  }

  protected take(socket: Socket, id: number) {
    const relay = new Relay(socket, id, this.context);
    return { connection: relay, start: () => relay.start() };
  }
}
