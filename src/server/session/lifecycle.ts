import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import type { FaultAction, FaultPoint } from "../../options/faults";
import type { ConnectionOutcome } from "../../record/connection-record";
import type { ConnectionRecorder } from "../../record/connection-recorder";
import type { MockServerEvent } from "../../record/events";
import type { TlsFailure } from "../../tls/tls-failure";
import { clientCloseOf } from "../../tls/tls-session";
import type { ErrSpec } from "../errors";
import type { ResolvedOptions } from "../options";
import type { SessionLimits } from "../session-limits";
import { BAD_HANDSHAKE } from "./login-errors";
import { CLOSED, type SessionState } from "./state";
import type { Wire } from "./wire";

/** How long a closing connection may linger for the client to read our last packet. */
const CLOSE_GRACE_MS = 2000;

/** What the lifecycle needs from its session. */
export interface LifecycleHost {
  currentState(): SessionState;
  enter(state: SessionState): void;
  /** Bytes of a packet that has begun to arrive and is not complete. */
  bufferedLength(): number;
  /** Reads nothing more of the client's bytes, and lets them drain unread (a stalled server). */
  discardInput(): void;
  /** The record is final: the connection is over. */
  finished(): void;
}

/**
 * How one connection ends, and the timers that end it: connect_timeout until the login completes,
 * wait_timeout between commands, net_read_timeout for a packet cut off after login. Every outcome
 * the server decides is settled here, in one place; each ending returns the `closed` state.
 */
export class Lifecycle {
  private readonly connectTimer: NodeJS.Timeout;
  /** wait_timeout: armed in the command phase, re-armed by every command. */
  private idleTimer: NodeJS.Timeout | null = null;
  /** net_read_timeout: armed after login while a packet is half-read or an auth reply is awaited. */
  private readTimer: NodeJS.Timeout | null = null;
  /** Bounds a graceful close: the socket goes after CLOSE_GRACE_MS even if the client never closes. */
  private graceTimer: NodeJS.Timeout | null = null;
  private lastSocketError: NodeJS.ErrnoException | null = null;
  /**
   * The TCP socket has closed. Its 'close' comes once: while a TLS handshake is under way it is
   * left for the handshake's result to act on, and whatever then ends the session finishes the record.
   */
  private tcpClosed = false;
  /** The record is final. */
  private finished = false;
  /** `performance.now()` when the client's end of the TLS stream arrived (close_notify or FIN). */
  private tlsEndedAt: number | null = null;
  private failed = false;

  constructor(
    private readonly socket: Socket,
    private readonly wire: Wire,
    private readonly recorder: ConnectionRecorder,
    private readonly options: ResolvedOptions,
    private readonly limits: SessionLimits,
    private readonly host: LifecycleHost,
  ) {
    this.connectTimer = setTimeout(Lifecycle.connectTimedOut, options.connectTimeoutMs, this);
    this.connectTimer.unref();
  }

  /*
   * Timers and socket listeners get static functions (with the lifecycle as their argument) or
   * methods bound once, rather than an arrow per connection: under tsx each closure made per
   * connection also gets a named-function property table, and these live as long as it does.
   */
  private static connectTimedOut(lifecycle: Lifecycle): void {
    lifecycle.onConnectTimeout();
  }

  private static idleTimedOut(lifecycle: Lifecycle): void {
    lifecycle.onIdleTimeout();
  }

  private static readTimedOut(lifecycle: Lifecycle): void {
    lifecycle.onReadTimeout();
  }

  private static graceOver(socket: Socket): void {
    socket.destroy();
  }

  private readonly onSocketError = this.noteSocketError.bind(this);

  private noteSocketError(error: NodeJS.ErrnoException): void {
    this.lastSocketError ??= error;
  }

  private noteTlsEnded(): void {
    this.tlsEndedAt = performance.now();
  }

  /** A listener or callback of the host program failed: the session reads nothing more. */
  get hostFailed(): boolean {
    return this.failed;
  }

  /** Whether the TCP socket has closed (during a TLS handshake, before the session acted on its result). */
  get socketClosed(): boolean {
    return this.tcpClosed;
  }

  /** Watches the TCP socket: its errors say how the client went, its close ends the record. */
  watchSocket(): void {
    this.socket.on("error", this.onSocketError);
    this.socket.once("close", this.onSocketClosed.bind(this));
  }

  /** Watches the TLS socket over it: its errors, and when the client ended TLS. */
  watchTls(tlsSocket: TLSSocket): void {
    tlsSocket.on("error", this.onSocketError);
    tlsSocket.once("end", this.noteTlsEnded.bind(this));
  }

  // ---- timers ----------------------------------------------------------------------------------

  clearConnectTimer(): void {
    clearTimeout(this.connectTimer);
  }

  armIdleTimer(): void {
    if (this.idleTimer) {
      this.idleTimer.refresh();
      return;
    }
    this.idleTimer = setTimeout(Lifecycle.idleTimedOut, this.options.waitTimeoutMs, this);
    this.idleTimer.unref();
  }

  /**
   * After login, net_read_timeout runs while a packet has begun to arrive and is not complete, or
   * while an auth exchange waits for the client (COM_CHANGE_USER); each read that brings bytes
   * restarts it, as each read() in MySQL's my_net_read does. Between commands wait_timeout applies.
   */
  watchRead(): void {
    const state = this.host.currentState().tag;
    const waiting =
      !this.wire.outputBlocked &&
      (state === "authentication" || (state === "command" && this.host.bufferedLength() > 0));
    if (!waiting) {
      this.stopReadTimer();
      return;
    }
    if (this.readTimer) {
      this.readTimer.refresh();
      return;
    }
    this.readTimer = setTimeout(Lifecycle.readTimedOut, this.limits.netReadTimeoutMs, this);
    this.readTimer.unref();
  }

  stopReadTimer(): void {
    if (!this.readTimer) return;
    clearTimeout(this.readTimer);
    this.readTimer = null;
  }

  private onConnectTimeout(): void {
    const kind = this.recorder.record.outcome.kind;
    if (kind !== "pending" && kind !== "fault") return;
    const state = this.host.currentState();
    if (kind === "pending" && state.tag === "tls-handshake") {
      // The TLS acceptor fails on the destroyed socket; its result is then recorded as this timeout.
      state.connectTimedOut = true;
      this.socket.destroy();
      return;
    }
    if (kind === "pending") this.settle({ kind: "timeout", phase: this.recorder.record.phase });
    this.closeNow();
  }

  /** wait_timeout: 5.7 closes an idle session without a word (8.0.24+ sends ERR 4031 first). */
  private onIdleTimeout(): void {
    if (this.host.currentState().tag !== "command") return;
    this.settle({ kind: "authenticated", ended: "timeout" });
    this.closeNow();
  }

  /** net_read_timeout passed: MySQL aborts the connection without a packet (ER_NET_READ_INTERRUPTED in its log). */
  private onReadTimeout(): void {
    this.readTimer = null;
    const state = this.host.currentState().tag;
    if (state === "closed" || this.wire.outputBlocked) return;
    const what =
      state === "authentication"
        ? "no reply to the COM_CHANGE_USER auth exchange"
        : `a packet cut off after ${this.host.bufferedLength()} bytes`;
    this.endWithError(`net_read_timeout: ${what} for ${this.limits.netReadTimeoutMs} ms`, "now");
  }

  // ---- outcomes ----------------------------------------------------------------------------------

  /** The login completed: the session runs until something ends it. */
  loggedIn(): void {
    this.settle({ kind: "authenticated", ended: null });
  }

  /** Sends an ERR for a refused login and closes, as MySQL does. */
  refuse(err: ErrSpec, reason?: string): SessionState {
    this.wire.sendErr(err);
    this.settle({ kind: "refused", ...err, ...(reason ? { reason } : {}) });
    return this.endGracefully();
  }

  /** Records why the client's bytes were unacceptable, tells it where MySQL would, and closes. */
  protocolError(message: string, err?: ErrSpec): SessionState {
    const phase = this.recorder.record.phase;
    this.recorder.protocolError(message);
    if (err) this.wire.sendErr(err);
    // A client that logged in stays on the record as having logged in; the error says how it ended.
    this.settle(
      this.recorder.record.outcome.kind === "authenticated"
        ? { kind: "authenticated", ended: "error", error: message }
        : { kind: "protocol-error", phase, message },
    );
    return this.endGracefully();
  }

  /** The client quit (COM_QUIT): a graceful end. */
  quit(): SessionState {
    this.settle({ kind: "authenticated", ended: "quit" });
    return this.endGracefully();
  }

  /** Ends a logged-in session for `error`: after what is queued (`graceful`), or at once. */
  endWithError(error: string, how: "graceful" | "now"): SessionState {
    this.settle({ kind: "authenticated", ended: "error", error });
    return how === "graceful" ? this.endGracefully() : this.closeNow();
  }

  /** Carries out a fault: the record says the server broke the connection, and how. */
  breakConnection(point: FaultPoint, action: FaultAction): SessionState {
    this.recorder.fault(point, action);
    switch (action) {
      case "close":
        return this.endGracefully();
      case "reset":
        this.host.enter(CLOSED);
        this.wire.reset();
        return this.finishIfSocketClosed();
      case "stall":
        // Read nothing more, answer nothing; the connect timeout bounds it.
        this.host.enter(CLOSED);
        this.host.discardInput();
        return this.finishIfSocketClosed();
      case "bad-handshake-error":
        this.wire.sendErr(BAD_HANDSHAKE);
        return this.endGracefully();
    }
  }

  /**
   * The TLS handshake failed (its record is written): the sockets go, and the record is final at
   * once if the raw socket closed while the acceptor was at work.
   */
  tlsFailed(failure: TlsFailure, leftover: { destroy(): void } | null | undefined): void {
    this.settle({ kind: "tls-failed", failure });
    this.host.enter(CLOSED);
    leftover?.destroy();
    this.socket.destroy();
    this.finishIfSocketClosed();
  }

  /** Ends the connection now (server stop). */
  serverStopped(): void {
    const outcome = this.recorder.record.outcome;
    if (outcome.kind === "pending") {
      this.settle({ kind: "server-stopped", phase: this.recorder.record.phase });
    } else if (outcome.kind === "authenticated" && outcome.ended === null) {
      this.settle({ kind: "authenticated", ended: "server-stopped" });
    }
    // Closed now, so a TLS handshake still under way cannot overwrite the outcome when it fails.
    this.closeNow();
  }

  /**
   * An event listener of the host program threw. The exception ends this connection only, once
   * the step under way is done (ending it inside that step would let the step reopen it), with
   * the reason on the record; once the record is final there is nothing left to end.
   */
  listenerFailed(error: unknown, eventType: MockServerEvent["type"]): void {
    const record = this.recorder.record;
    const detail = error instanceof Error ? error.message : String(error);
    const message = `an event listener threw on "${eventType}": ${detail}`;
    if (record.endedAt !== null) {
      process.emitWarning(`mysql-tls-mock: ${message} (connection ${record.id})`);
      return;
    }
    if (this.failed) return;
    this.failed = true;
    setImmediate(() => {
      if (record.endedAt !== null) return;
      // An outcome already settled (a refusal, a quit) stays: the connection was ending anyway.
      const outcome = record.outcome;
      if (outcome.kind === "pending") {
        this.settle({ kind: "server-error", phase: record.phase, message });
      } else if (outcome.kind === "authenticated" && outcome.ended === null) {
        this.settle({ kind: "authenticated", ended: "error", error: message });
      }
      this.closeNow();
    });
  }

  // ---- closing -----------------------------------------------------------------------------------

  /** Closes after what is queued, so the client reads our last packet. */
  endGracefully(): SessionState {
    this.host.enter(CLOSED);
    clearTimeout(this.connectTimer);
    this.wire.end();
    this.graceTimer ??= setTimeout(Lifecycle.graceOver, CLOSE_GRACE_MS, this.socket);
    this.graceTimer.unref();
    return this.finishIfSocketClosed();
  }

  /** Ends the connection at once, without a goodbye (timeouts, stop, a failed host). */
  closeNow(): SessionState {
    this.host.enter(CLOSED);
    this.wire.destroy();
    return this.finishIfSocketClosed();
  }

  private onSocketClosed(): void {
    this.tcpClosed = true;
    // The TLS acceptor is still deciding what the close meant (an alert, a reset): the session
    // acts on its result, and the ending that follows finishes the record.
    if (this.host.currentState().tag === "tls-handshake") return;
    this.finishClose();
  }

  /**
   * Every ending of the session passes here once it has done its part. A socket that closed while
   * the TLS handshake ran will not say so again: the record is finished now, or never.
   */
  private finishIfSocketClosed(): SessionState {
    if (this.tcpClosed) this.finishClose();
    return CLOSED;
  }

  /**
   * The socket is gone: the outcome, if none was settled, is how the client went; the record is
   * final. Once only: an ending after it (a server stop) finds nothing left to close.
   */
  finishClose(): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.connectTimer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    // Left running, the grace timer would keep the whole closed session (sockets, record, framer)
    // alive for its two seconds: at a few hundred logins a second, old-generation garbage.
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.wire.stopWriteTimer();
    this.stopReadTimer();
    const record = this.recorder.record;
    const how = this.lastSocketError?.code === "ECONNRESET" ? "reset" : "closed";
    const outcome = record.outcome;
    if (outcome.kind === "pending") {
      this.noteClientClosedTls();
      this.settle({ kind: "client-went-away", phase: record.phase, how });
    } else if (outcome.kind === "authenticated" && outcome.ended === null) {
      const error = this.lastSocketError;
      this.settle(
        error
          ? { kind: "authenticated", ended: "error", error: error.code ?? error.message }
          : { kind: "authenticated", ended: "client-closed" },
      );
    }
    this.host.enter(CLOSED);
    this.recorder.finish();
    this.host.finished();
  }

  /** A client that completed TLS and closed without sending a byte inside it: how it ended TLS. */
  private noteClientClosedTls(): void {
    const tls = this.wire.tls;
    if (!tls || this.host.currentState().tag !== "tls-handshake-response") return;
    // bytesRead of a TLS socket counts decrypted bytes: any at all were (part of) a MySQL packet.
    if (tls.socket.bytesRead > 0) return;
    this.recorder.tlsClientClosed(
      clientCloseOf(tls, {
        socketBytes: this.socket.bytesRead,
        closedAt: this.tlsEndedAt ?? performance.now(),
        errored: this.lastSocketError !== null,
      }),
    );
  }

  /** The one place the server decides how a connection ended up. */
  private settle(outcome: ConnectionOutcome): void {
    this.recorder.setOutcome(outcome);
  }
}
