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
      `writing the ${sink === "events" ? "events" : "TLS key log"} file ${path} failed ` +
        `(${cause.code ?? cause.message}); the server goes on without it`,
    );
    this.name = "SinkWriteError";
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/**
 * A private (0600) file the server appends to while it runs. Opening happens in the constructor,
 * synchronously, so a file that cannot be opened fails the start before anything listens. A write
 * that fails later is reported once through `onError`; the sink then stops writing and the server
 * keeps serving (an unhandled stream error would end the process).
 */
export class AppendSink {
  private readonly stream: WriteStream;
  private failed = false;

  constructor(
    readonly name: SinkName,
    readonly path: string,
    onError: (error: SinkWriteError) => void,
  ) {
    this.stream = createPrivateAppendStream(path);
    this.stream.on("error", (error: NodeJS.ErrnoException) => {
      if (this.failed) return;
      this.failed = true;
      onError(new SinkWriteError(name, path, error));
    });
  }

  /** Whether a write has failed: nothing more is written. */
  get broken(): boolean {
    return this.failed;
  }

  write(chunk: string | Buffer): void {
    if (!this.failed) this.stream.write(chunk);
  }

  /** Flushes and closes the file; a failure was already reported through `onError`. */
  async close(): Promise<void> {
    if (this.failed || this.stream.destroyed) return;
    await endStream(this.stream).catch(() => undefined);
  }
}
