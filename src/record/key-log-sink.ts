import { AppendSink, type SinkWarning } from "./append-sink";

/**
 * Appends TLS secrets in the NSS key log format (SSLKEYLOGFILE), which Wireshark reads to decrypt a
 * captured session. The file is mode 0600: with it, anyone holding a capture can read the traffic,
 * passwords included.
 */
export class KeyLogSink {
  private readonly file: AppendSink;

  /** Opens `path` now (throws if it cannot); a later write error or overrun goes to `onWarning`. */
  constructor(path: string, onWarning: (warning: SinkWarning) => void = () => undefined) {
    this.file = new AppendSink("keylog", path, onWarning);
  }

  /** One line as node's `keylog` event gives it (it ends with a newline). */
  write(line: Buffer): void {
    this.file.write(line);
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
