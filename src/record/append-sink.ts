import type { WriteStream } from "node:fs";
import { createPrivateAppendStream, endStream } from "./private-file";

/** Which output of the server a {@link SinkWriteError} is about. */
export type SinkName = "events" | "keylog";

/**
 * Writing to an events or key-log file failed (a full disk, a file size limit, an I/O error). The
 * server goes on serving without that file; the error is reported once.
 */
export class SinkWriteError extends Error {
  constructor(
    readonly sink: SinkName,
    /** The file the server was appending to. */
    readonly path: string,
    /** The error the write failed with (its `code`, e.g. `ENOSPC`, says why). */
    override readonly cause: NodeJS.ErrnoException,
  ) {
    super(
      `writing the ${sinkTitle(sink)} file ${path} failed ` +
        `(${cause.code ?? cause.message}); the server goes on without it`,
    );
    this.name = "SinkWriteError";
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/**
 * The file is not keeping up (a slow or stalled disk, a full pipe behind a network mount): more than
 * {@link MAX_PENDING_BYTES} wait to be written. Rather than hold an unbounded queue in memory, the
 * sink drops what comes while the queue is that long; `dropped` counts it. Reported when dropping
 * starts (`dropped` is 1) and again when the file has caught up (`resumed`, with the total).
 */
export class SinkOverrunWarning extends Error {
  constructor(
    readonly sink: SinkName,
    readonly path: string,
    /** Writes dropped in this episode so far. */
    readonly dropped: number,
    /** Whether the file has caught up and writing goes on. */
    readonly resumed: boolean,
    /** The limit on what may wait for the disk, in bytes. */
    readonly maxPendingBytes: number = MAX_PENDING_BYTES,
  ) {
    super(
      resumed
        ? `the ${sinkTitle(sink)} file ${path} caught up; ${dropped} writes were dropped while it could not keep up`
        : `the ${sinkTitle(sink)} file ${path} is not keeping up (over ${sizeText(maxPendingBytes)} waiting); dropping writes until it catches up`,
    );
    this.name = "SinkOverrunWarning";
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** What a sink reports to its owner; the server goes on serving in every case. */
export type SinkWarning = SinkWriteError | SinkOverrunWarning;

const MIB = 1024 * 1024;

/** How much may wait for the disk before writes are dropped: a few seconds of a busy server's events. */
export const MAX_PENDING_BYTES = 16 * MIB;

function sizeText(bytes: number): string {
  return bytes >= MIB ? `${bytes / MIB} MiB` : `${bytes / 1024} KiB`;
}

function sinkTitle(sink: SinkName): string {
  return sink === "events" ? "events" : "TLS key log";
}

/**
 * A private (0600) file the server appends to while it runs. Opening happens in the constructor,
 * synchronously, so a file that cannot be opened fails the start before anything listens. A write
 * that fails later is reported once through `onWarning`; the sink then stops writing and the server
 * keeps serving (an unhandled stream error would end the process). What waits for the disk is
 * bounded: see {@link SinkOverrunWarning}.
 */
export class AppendSink {
  private readonly stream: WriteStream;
  private failed = false;
  /** Writes dropped since the queue last went over the limit; 0 while nothing is being dropped. */
  private dropped = 0;

  constructor(
    readonly name: SinkName,
    readonly path: string,
    private readonly onWarning: (warning: SinkWarning) => void,
    private readonly maxPendingBytes = MAX_PENDING_BYTES,
  ) {
    this.stream = createPrivateAppendStream(path);
    this.stream.on("error", (error: NodeJS.ErrnoException) => {
      if (this.failed) return;
      this.failed = true;
      onWarning(new SinkWriteError(name, path, error));
    });
    this.stream.on("drain", () => this.caughtUp());
  }

  /** Reports the end of an overrun episode, with how many writes it cost. */
  private caughtUp(): void {
    if (this.dropped === 0 || this.failed) return;
    const dropped = this.dropped;
    this.dropped = 0;
    this.onWarning(new SinkOverrunWarning(this.name, this.path, dropped, true, this.maxPendingBytes));
  }

  /** Whether a write has failed: nothing more is written. */
  get broken(): boolean {
    return this.failed;
  }

  /** Queues `chunk`; drops it (counted, reported) while more than the limit waits for the disk. */
  write(chunk: string | Buffer): void {
    if (this.failed) return;
    if (this.stream.writableLength > this.maxPendingBytes) {
      this.dropped += 1;
      if (this.dropped === 1)
        this.onWarning(new SinkOverrunWarning(this.name, this.path, 1, false, this.maxPendingBytes));
      return;
    }
    this.stream.write(chunk);
  }

  /** Flushes and closes the file; a failure was already reported through `onWarning`. */
  async close(): Promise<void> {
    if (this.failed || this.stream.destroyed) return;
    await endStream(this.stream).catch(() => undefined);
    // Ending flushes the queue without a "drain": an episode still open ends here.
    this.caughtUp();
  }
}
