/**
 * Standard output that survives its reader going away: once a write fails with EPIPE (`serve |
 * head -1` after head exits), nothing more is written and `onClosed` is called, instead of the
 * error ending the process with a stack trace. Standard error losing its reader is ignored the
 * same way; the server keeps serving while stdout lives.
 */
export class Output {
  private open = true;
  private onClosed: (() => void) | null = null;

  constructor() {
    process.stdout.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
      if (!this.open) return;
      this.open = false;
      this.onClosed?.();
    });
    process.stderr.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
    });
  }

  print(text: string): void {
    if (this.open) process.stdout.write(text);
  }

  /** Calls `callback` once stdout's reader has gone: now, if it already has. */
  whenClosed(callback: () => void): void {
    if (this.open) this.onClosed = callback;
    else callback();
  }
}
