import { connect, type Socket } from "node:net";
import type { RsaKeys } from "../auth/auth-plugin";
import { forward, type Side } from "./forward";
import { CapabilityFlags } from "../protocol/constants";
import {
  ConnectionRecorder,
  type HandshakeResponseFacts,
  type RecorderSink,
} from "../record/connection-recorder";
import type { ConnectionOutcome, ConnectionRecord, Phase } from "../record/connection-record";
import { newConnectionRecord } from "../record/new-connection-record";
import { boundRecord } from "../record/retention";
import { requestedFile, type ResolvedProxyOptions } from "../options/proxy-options";
import { queryAsksForFile } from "../sql/load-data-local";
import { type MysqlObservations, MysqlStreamObserver } from "./mysql-stream-observer";
import { CleartextSwitchLink } from "./cleartext-switch-link";
import { LocalInfileLink } from "./local-infile-link";
import { RiddleLink } from "./riddle-link";
import { StripLink } from "./strip-link";
import { type SwappedCertificate, TerminatingLink } from "./terminating-link";
import { TlsRelayWatch } from "./tls-relay-watch";

/** What every relay of one proxy shares. */
export interface RelayContext {
  options: ResolvedProxyOptions;
  events: RecorderSink;
  /** The certificate a `cert:SET` attack serves the client; null for the other attacks. */
  swapped: SwappedCertificate | null;
  /** The RSA key `strip` hands a client that asks for the server's; null for the other attacks. */
  rsaKeys: RsaKeys | null;
}

/** The greeting a record shows until the real server's arrives (a server may never send one). */
const NO_GREETING: ConnectionRecord["greeting"] = {
  serverVersion: "",
  capabilityFlags: 0,
  tlsOffered: false,
  authPluginName: "",
};

/**
 * One client relayed to the real server, byte for byte (`passthrough`): it copies every chunk
 * each way as it comes, and shows them to the observers that fill its record — the MySQL exchange
 * while it is plaintext, then the TLS handshake (versions, suites, alerts) when the client asked
 * for TLS. It holds no more than the chunks in flight: a side that does not read pauses the other.
 */
export class Relay {
  readonly record: ConnectionRecord;
  private readonly recorder: ConnectionRecorder;
  private readonly mysql: MysqlStreamObserver;
  private tls: TlsRelayWatch | null = null;
  private upstream: Socket | null = null;
  private readonly closed: Promise<void>;
  private resolveClosed!: () => void;
  private firstToClose: "client" | "server" | null = null;
  private failure: string | null = null;
  /** A link could not read a peer's bytes and closed both sides: the record says why. */
  private readonly broken = (side: Side, message: string): void => {
    this.failure ??= `the ${side}'s bytes could not be read: ${message}`;
  };
  /** A login response read in plaintext, announced once what its auth data exposed is known. */
  private pendingResponse: HandshakeResponseFacts | null = null;
  private finished = false;
  /** Told when the client has logged in in plaintext, and when it asked for TLS (an attack's link). */
  private onLoggedIn: () => void = () => undefined;
  private onTls: () => void = () => undefined;
  /** Work whose result the record waits for before it is final (the proxy's own TLS handshakes). */
  private busy: Promise<void> = Promise.resolve();
  /** `cert:SET`: the client's TLS ends at the proxy, which reads the login inside it. */
  private insideClientTls = false;
  /** Riddle: the server's side is closed on purpose; the client's stays open until it leaves. */
  private clientOutlivesServer = false;

  constructor(
    private readonly client: Socket,
    id: number,
    private readonly context: RelayContext,
  ) {
    const startedAt = Date.now();
    this.record = newConnectionRecord({
      id,
      startedAt,
      client: { address: client.remoteAddress ?? "localhost", port: client.remotePort ?? 0 },
      greeting: NO_GREETING,
      serverCertificate: null,
    });
    boundRecord(this.record, context.options);
    this.recorder = new ConnectionRecorder(this.record, context.events, startedAt);
    this.mysql = new MysqlStreamObserver(this.observations());
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
  }

  /** Resolves once both sides are closed and the record is final. */
  whenClosed(): Promise<void> {
    return this.closed;
  }

  /** Ends both sides now (the proxy is stopping). */
  destroy(): void {
    this.client.destroy();
    this.upstream?.destroy();
    if (!this.upstream) this.finish();
  }

  /** Connects to the real server and starts copying. */
  start(): void {
    const { options } = this.context;
    const where = `${options.upstream.host}:${options.upstream.port}`;
    this.recorder.opened();
    this.recorder.relayedTo(where, options.attack);
    this.client.pause();
    this.client.on("error", (error) => this.noteError("client", error));
    this.client.on("close", () => this.sideClosed("client"));
    const upstream = connect({ host: options.upstream.host, port: options.upstream.port, noDelay: true });
    this.upstream = upstream;
    upstream.setTimeout(options.upstreamConnectTimeoutMs, () => {
      upstream.destroy(new Error(`no connection to ${where} within ${options.upstreamConnectTimeoutMs} ms`));
    });
    upstream.once("connect", () => {
      upstream.setTimeout(0);
      if (options.attack === "strip") this.strip(upstream);
      else if (options.attack === "riddle") this.riddle(upstream);
      else if (options.attack === "cleartext-switch") this.switchToCleartext(upstream);
      else if (this.context.swapped) this.terminate(upstream, this.context.swapped);
      else if (requestedFile(options.attack) !== null)
        this.requestFile(upstream, requestedFile(options.attack)!);
      else {
        this.pipe(this.client, upstream, (chunk) => this.fromClient(chunk));
        this.pipe(upstream, this.client, (chunk) => this.fromServer(chunk));
      }
      this.client.resume();
    });
    upstream.on("error", (error) => this.noteError("server", error));
    upstream.on("close", () => this.sideClosed("server"));
  }

  /** `strip`: the client sees a greeting without TLS; the proxy speaks TLS to the server itself. */
  private strip(upstream: Socket): void {
    new StripLink(this.client, upstream, this.context.options, this.context.rsaKeys, {
      fromClient: (chunk) => this.fromClient(chunk),
      toClient: (chunk) => this.fromServer(chunk),
      broken: this.broken,
      upstreamTlsFailed: (message) => {
        this.recorder.setOutcome({
          kind: "upstream-failed",
          message: `TLS with the real server failed: ${message}`,
        });
      },
      notRelayed: (reason) => {
        this.failure = `the login could not be relayed: ${reason}`;
      },
      passwordRecovered: (plugin) => this.recorder.credentials("cleartext-password", true, plugin),
    }).start();
  }

  /**
   * `riddle`: the client's SSLRequest is answered with the real server's ERR in plaintext. The
   * client's side stays open after the server's closes, to see what the client does next.
   */
  private riddle(upstream: Socket): void {
    new RiddleLink(this.client, upstream, {
      fromClient: (chunk) => this.fromClient(chunk),
      toClient: (chunk) => this.fromServer(chunk),
      broken: this.broken,
      sslRequestAnswered: () => {
        this.tls = null;
        this.mysql.resumeAfterSslRequest();
        this.recorder.phase("handshake-response");
        this.clientOutlivesServer = true;
      },
    }).start();
  }

  /** `cert:SET`: the proxy terminates the client's TLS with a catalogue certificate, and re-encrypts. */
  private terminate(upstream: Socket, swapped: SwappedCertificate): void {
    new TerminatingLink(this.client, upstream, this.context.options, swapped, {
      fromClient: (chunk) => this.fromClient(chunk),
      toClient: (chunk) => this.fromServer(chunk),
      broken: this.broken,
      clientTls: (result, assessment) => {
        this.recorder.serverCertificateJudged(assessment);
        if (!result.ok) {
          this.recorder.tlsFailed(result.failure, result.clientHello);
          this.recorder.setOutcome({ kind: "tls-failed", failure: result.failure });
          return;
        }
        this.recorder.tlsNegotiated(result.tls, result.clientHello);
        this.recorder.phase("tls-handshake-response");
        // The proxy holds the session's keys: what the client sends inside it is MySQL again.
        this.tls = null;
        this.insideClientTls = true;
        this.mysql.resumeAfterSslRequest();
      },
      clientClosedTls: (close) => this.recorder.tlsClientClosed(close),
      upstreamTlsFailed: (message) => {
        this.recorder.setOutcome({
          kind: "upstream-failed",
          message: `TLS with the real server failed: ${message}`,
        });
      },
      busy: (work) => {
        this.busy = work;
      },
    }).start();
  }

  /** `cleartext-switch`: a plaintext login is switched to mysql_clear_password, then carried on. */
  private switchToCleartext(upstream: Socket): void {
    new CleartextSwitchLink(this.client, upstream, {
      fromClient: (chunk) => this.fromClient(chunk),
      toClient: (chunk) => this.fromServer(chunk),
      broken: this.broken,
      notRelayed: (reason) => {
        this.failure = `the login could not be relayed: ${reason}`;
      },
    }).start();
  }

  /** `local-infile:PATH`: the client's first query is answered with a LOAD DATA LOCAL request. */
  private requestFile(upstream: Socket, path: string): void {
    const link = new LocalInfileLink(this.client, upstream, path, {
      fromClient: (chunk) => this.fromClient(chunk),
      toClient: (chunk) => this.fromServer(chunk),
      broken: this.broken,
      requested: (file, query) =>
        this.recorder.localInfileRequested(file, queryAsksForFile(query, file), false),
      data: (contents) => this.recorder.localInfileData(contents),
      ended: () => this.recorder.localInfileEnded("complete"),
    });
    this.onLoggedIn = () =>
      link.loggedIn(((this.record.clientCapabilityFlags ?? 0) & this.record.greeting.capabilityFlags) >>> 0);
    this.onTls = () => link.encrypted();
    link.start();
  }

  /** Copies `from` to `to`, showing each chunk first; a slow reader pauses the writer. */
  private pipe(from: Socket, to: Socket, show: (chunk: Buffer) => void): void {
    from.on("data", (chunk: Buffer) => {
      show(chunk);
      forward(to, chunk, from);
    });
    from.on("end", () => to.end());
  }

  private fromClient(chunk: Buffer): void {
    if (this.tls) {
      this.tls.fromClient(chunk);
      return;
    }
    const tlsBytes = this.mysql.fromClient(chunk);
    // A terminating proxy does the handshake itself: its TLS result, not a watch, fills the record.
    if (this.mysql.tls && !this.context.swapped) {
      this.startTls();
      if (tlsBytes.length > 0) this.tls!.fromClient(tlsBytes);
    }
  }

  private fromServer(chunk: Buffer): void {
    if (this.tls) this.tls.fromServer(chunk);
    else this.mysql.fromServer(chunk);
  }

  private startTls(): void {
    this.recorder.phase("tls-handshake");
    this.tls = new TlsRelayWatch({
      negotiated: (tls, clientHello) => {
        this.recorder.tlsNegotiated(
          {
            version: tls.version,
            cipher: tls.cipher,
            sni: clientHello?.sni ?? null,
            clientCertificate: null,
            clientCertificateVerified: false,
          },
          clientHello,
        );
        this.recorder.phase("tls-handshake-response");
      },
      failed: (failure, clientHello) => {
        this.recorder.tlsFailed(failure, clientHello);
        this.recorder.setOutcome({ kind: "tls-failed", failure });
      },
      dataInsideTls: () => this.recorder.dataInsideTls(),
    });
  }

  private observations(): MysqlObservations {
    const recorder = this.recorder;
    return {
      greeting: (greeting) => {
        recorder.greetingRelayed({
          serverVersion: greeting.serverVersion,
          capabilityFlags: greeting.capabilityFlags,
          tlsOffered: (greeting.capabilityFlags & CapabilityFlags.CLIENT_SSL) !== 0,
          authPluginName: greeting.authPluginName ?? "",
        });
        recorder.phase("handshake-response");
      },
      serverRefused: (err, phase) => {
        const reason =
          phase === "greeting"
            ? "the real server refused the connection in place of its greeting"
            : undefined;
        recorder.setOutcome({
          kind: "refused",
          code: err.code,
          sqlState: err.sqlState ?? "HY000",
          message: err.message,
          ...(reason ? { reason } : {}),
        });
      },
      sslRequest: (request) => {
        recorder.clientCapabilities(request.capabilityFlags);
        recorder.sslRequest();
        this.onTls();
      },
      handshakeResponse: (response, clientPlugin) => {
        recorder.clientCapabilities(response.capabilityFlags);
        // CLIENT_SSL in a whole plaintext response: it asked for TLS, and none followed.
        if (response.capabilityFlags & CapabilityFlags.CLIENT_SSL) recorder.tlsAskedInResponse();
        this.pendingResponse = {
          user: response.username,
          database: response.database ?? null,
          clientAuthPlugin: clientPlugin,
          connectAttributes: response.connectAttributes
            ? Object.fromEntries(response.connectAttributes)
            : null,
        };
        recorder.phase("authentication");
      },
      authData: (plugin, exposure) => {
        if (exposure) recorder.credentials(exposure, !this.insideClientTls, plugin);
        if (this.pendingResponse) {
          recorder.handshakeResponse(this.pendingResponse, this.insideClientTls);
          this.pendingResponse = null;
        }
      },
      authSwitch: (plugin) => recorder.authSwitch(plugin, "login"),
      authenticated: () => {
        recorder.authenticated(this.record.user ?? "");
        recorder.setOutcome({ kind: "authenticated", ended: null });
        recorder.phase("command");
        this.onLoggedIn();
      },
      command: (name, query) => {
        recorder.command(name, query);
        if (name === "COM_QUIT" && this.record.outcome.kind === "authenticated") {
          recorder.setOutcome({ kind: "authenticated", ended: "quit" });
        }
      },
      unreadable: (direction, message) => {
        this.failure ??= `the ${direction}'s bytes could not be read as MySQL packets: ${message}`;
      },
    };
  }

  private noteError(side: "client" | "server", error: Error): void {
    if (side === "server" && this.record.greeting === NO_GREETING && this.firstToClose === null) {
      this.recorder.setOutcome({ kind: "upstream-failed", message: error.message });
    }
    this.failure ??= `${side}: ${error.message}`;
  }

  private sideClosed(side: "client" | "server"): void {
    this.firstToClose ??= side;
    this.tls?.end(side);
    // One side gone ends the relay: the other gets nothing more to read — except a client the
    // proxy answered itself, which is given the connect timeout to show what it does next.
    if (side === "client") this.upstream?.destroy();
    else if (!this.clientOutlivesServer) this.client.destroy();
    else this.client.setTimeout(this.context.options.upstreamConnectTimeoutMs, () => this.client.destroy());
    const upstreamOpen = this.upstream !== null && !this.upstream.destroyed;
    if (!this.client.destroyed || upstreamOpen) return;
    this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    // A handshake the proxy runs itself reports when it settles, which may be after both sockets closed.
    void this.busy.then(() => {
      this.recorder.setOutcome(this.outcome());
      this.recorder.phase("closed");
      this.recorder.finish();
      this.resolveClosed();
    });
  }

  /** How the connection ended, where the exchange did not already say. */
  private outcome(): ConnectionOutcome {
    const current = this.record.outcome;
    if (current.kind === "authenticated" && current.ended === null) {
      return { kind: "authenticated", ended: this.firstToClose === "client" ? "client-closed" : "error" };
    }
    if (current.kind !== "pending") return current;
    const phase: Phase = this.record.phase;
    if (this.record.relay?.dataInsideTls) {
      return {
        kind: "relayed",
        ended: this.firstToClose === "client" ? "client-closed" : "server-closed",
        ...(this.failure ? { message: this.failure } : {}),
      };
    }
    if (this.firstToClose === "client") return { kind: "client-went-away", phase, how: "closed" };
    return { kind: "server-error", phase, message: this.failure ?? "the real server closed the connection" };
  }
}
