import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { encodePacket, framesSequenceSpan, type Packet } from "../../protocol/framing";
import { encodeErr } from "../../protocol/packets/err-packet";
import type { ConnectionRecorder, PayloadDisclosure } from "../../record/connection-recorder";
import type { NegotiatedTls } from "../../tls/tls-session";
import type { ErrSpec } from "../errors";
import type { ResolvedOptions } from "../options";
import { OUTPUT_HIGH_WATER_BYTES } from "../session-limits";

/** Gap between the slices of a greeting sliced by a fault, so they leave as separate segments. */
const SLICE_GAP_MS = 5;

/** The sequence ids of one connection: both sides count up from the greeting's 0. */
export class SequenceIds {
  /** The id the next packet carries, whichever side sends it. */
  next = 0;
}

/** What the wire needs from its session. */
export interface WireHost {
  /** Whether the session has closed: nothing more is written. */
  isClosed(): boolean;
  /** The capabilities replies are encoded for. */
  capabilities(): number;
  /** Reading is held while the client drains its replies: net_read_timeout must not run meanwhile. */
  readingHeld(): void;
  /** The client drained its replies: the commands it sent meanwhile may be read. */
  drained(): void;
  /** net_write_timeout passed without the client reading any of its replies; `error` says so. */
  writeTimedOut(error: string): void;
}

/**
 * The server's side of the wire: packets written (and recorded) in order, in one write where a
 * reply has several, delayed or sliced where faults say; and backpressure, with net_write_timeout,
 * when the client stops reading. Client packets are recorded through it too, so every packet on
 * the record says whether it crossed inside TLS.
 */
export class Wire {
  private current: Socket | TLSSocket;
  private negotiated: NegotiatedTls | null = null;
  /** Packets {@link batched} is gathering into one write, while it runs. */
  private gathering: Buffer[] | null = null;
  /** Pending writes, only while faults delay or slice the output. */
  private outputQueue: Promise<void> | null = null;
  /**
   * Set while the client's replies are not being drained: the session then reads no more of its
   * commands until they are (backpressure), and net_write_timeout runs.
   */
  private blocked = false;
  private writeTimer: NodeJS.Timeout | null = null;
  /** What was queued when net_write_timeout was last (re)armed: any drop since counts as progress. */
  private queuedAtWriteCheck = { stream: 0, handle: 0 };

  constructor(
    private readonly socket: Socket,
    private readonly sequence: SequenceIds,
    private readonly recorder: ConnectionRecorder,
    private readonly faults: ResolvedOptions["faults"],
    private readonly netWriteTimeoutMs: number,
    private readonly host: WireHost,
  ) {
    this.current = socket;
  }

  /** The stream packets go through: the TCP socket, or the TLS socket over it once TLS is up. */
  get stream(): Socket | TLSSocket {
    return this.current;
  }

  /** The TLS session, once negotiated. */
  get tls(): NegotiatedTls | null {
    return this.negotiated;
  }

  /** Whether reading is held for the client to drain its replies. */
  get outputBlocked(): boolean {
    return this.blocked;
  }

  /** From here on every packet crosses inside `tls`. */
  upgrade(tls: NegotiatedTls): void {
    this.negotiated = tls;
    this.current = tls.socket;
  }

  /** Sends one packet with the next sequence id, in `writes` slices where a fault says. */
  send(payload: Buffer, type: string, writes = 1, disclosure: PayloadDisclosure = "by-phase"): void {
    if (this.host.isClosed() || this.current.destroyed) return;
    const sequenceId = this.sequence.next;
    const bytes = encodePacket(payload, sequenceId);
    const delayMs = this.faults.delayMs;
    if (writes <= 1 && !this.outputQueue && delayMs === 0) {
      // The usual case, written at once without a closure per packet (see output()).
      if (this.gathering) this.gathering.push(bytes);
      else this.current.write(bytes);
    } else if (writes <= 1) {
      if (this.gathering) this.writeGathered(this.current, this.gathering);
      this.output(() => this.current.write(bytes), delayMs);
    } else {
      if (this.gathering) this.writeGathered(this.current, this.gathering);
      const size = Math.ceil(bytes.length / writes);
      for (let offset = 0; offset < bytes.length; offset += size) {
        const slice = bytes.subarray(offset, offset + size);
        this.output(() => this.current.write(slice), offset === 0 ? delayMs : SLICE_GAP_MS);
      }
    }
    this.sequence.next = (sequenceId + framesSequenceSpan(payload.length)) & 0xff;
    this.recorder.packet("server", sequenceId, payload, type, this.negotiated !== null, disclosure);
  }

  /** Sends an ERR, encoded for the client's capabilities. */
  sendErr(err: ErrSpec): void {
    this.send(encodeErr(err, this.host.capabilities()), "ERR");
  }

  /** Records a client packet; its payload shows only where `disclosure` allows (see {@link PayloadDisclosure}). */
  received(packet: Packet, type: string, disclosure: PayloadDisclosure = "by-phase"): void {
    this.recorder.packet(
      "client",
      packet.sequenceId,
      packet.payload,
      type,
      this.negotiated !== null,
      disclosure,
    );
  }

  /**
   * Sends what `sends` sends in one write where it can: a resultset is several packets, and each
   * write is a syscall (and, inside TLS, a record of its own). Writes a fault delays or slices
   * keep their own timing.
   */
  batched(sends: () => void): void {
    const stream = this.current;
    if (this.outputQueue || this.faults.delayMs > 0 || stream.destroyed) {
      sends();
      return;
    }
    // Gathered and written as one buffer: cheaper than cork()/uncork(), whose writev node:tls
    // joins into one buffer anyway (one TLS record either way).
    const gathered: Buffer[] = [];
    this.gathering = gathered;
    try {
      sends();
    } finally {
      this.gathering = null;
      this.writeGathered(stream, gathered);
    }
  }

  private writeGathered(stream: Socket | TLSSocket, gathered: Buffer[]): void {
    if (gathered.length === 0 || stream.destroyed) return;
    stream.write(gathered.length === 1 ? gathered[0]! : Buffer.concat(gathered));
    gathered.length = 0;
  }

  /** Ends the stream after what is queued: the client reads our last packet, then the FIN. */
  end(): void {
    const stream = this.current;
    this.output(() => stream.end());
  }

  /**
   * Resets the connection (RST) after what is queued. A socket whose sending side has ended (node
   * ends it when the client's FIN arrives) is closed instead: libuv refuses to reset a TCP handle
   * that is shutting down (uv_tcp_close_reset: EINVAL), and the socket would then never close.
   */
  reset(): void {
    this.output(() => {
      if (this.socket.writableEnded) this.socket.destroy();
      else this.socket.resetAndDestroy();
    });
  }

  /** Destroys the stream and the socket under it now, whatever is queued. */
  destroy(): void {
    this.current.destroy();
    this.socket.destroy();
  }

  /**
   * Runs a write now, or after the writes queued before it when faults delay or slice the output,
   * so packets and the final close keep their order.
   */
  private output(write: () => void, delayMs = 0): void {
    if (!this.outputQueue && delayMs === 0) {
      write();
      return;
    }
    this.outputQueue = (this.outputQueue ?? Promise.resolve())
      .then(() => (delayMs > 0 ? new Promise((resolve) => setTimeout(resolve, delayMs)) : undefined))
      .then(() => {
        if (!this.socket.destroyed) write();
      });
  }

  // ---- backpressure and net_write_timeout ------------------------------------------------------

  /** Holds reading when more than a reply or two is queued for a client that is not reading. */
  holdIfBacklogged(): void {
    if (this.current.writableLength > OUTPUT_HIGH_WATER_BYTES) this.holdReading();
  }

  /** Resumes the stream once reading may go on. */
  resume(): void {
    this.current.resume();
  }

  stopWriteTimer(): void {
    if (this.writeTimer) clearTimeout(this.writeTimer);
    this.writeTimer = null;
  }

  /**
   * The client is not reading its replies: read none of its commands until they drain, so what
   * the server holds for it stays bounded, and give up after net_write_timeout without progress.
   */
  private holdReading(): void {
    if (this.blocked) return;
    this.blocked = true;
    // The queued packets are not a half-read packet: net_read_timeout does not run meanwhile.
    this.host.readingHeld();
    const stream = this.current;
    stream.pause();
    // Bound here, not once per connection: only a client that stops reading needs it.
    stream.once("drain", this.onOutputDrained.bind(this));
    this.queuedAtWriteCheck = this.queuedOutput();
    this.writeTimer = setTimeout(() => this.onWriteTimeout(), this.netWriteTimeoutMs);
    this.writeTimer.unref();
  }

  private onOutputDrained(): void {
    this.stopWriteTimer();
    this.blocked = false;
    if (this.host.isClosed()) return;
    this.host.drained();
  }

  /**
   * MySQL's net_write_timeout bounds each blocked write: a client that read some of its replies
   * since the last check gets another period; one that read nothing is cut off.
   */
  private onWriteTimeout(): void {
    if (!this.blocked || this.host.isClosed()) return;
    const before = this.queuedAtWriteCheck;
    const now = this.queuedOutput();
    if (now.stream < before.stream || now.handle < before.handle) {
      this.queuedAtWriteCheck = now;
      this.writeTimer?.refresh();
      return;
    }
    this.host.writeTimedOut(
      `net_write_timeout: the client read none of its replies for ${this.netWriteTimeoutMs} ms (${now.stream} bytes queued)`,
    );
  }

  /**
   * What is queued for the client: in the stream (node counts a write until all of it is done, so
   * a big reply stays whole here while the client reads it), and in the TCP handle (libuv's queue,
   * under TLS too, which shrinks as the kernel takes each part of a write).
   */
  private queuedOutput(): { stream: number; handle: number } {
    // `_handle.writeQueueSize` is node's own (net's bufferSize read it); no public API says as much.
    const handle = (this.socket as unknown as { _handle?: { writeQueueSize?: number } | null })._handle;
    return { stream: this.current.writableLength, handle: handle?.writeQueueSize ?? 0 };
  }
}
