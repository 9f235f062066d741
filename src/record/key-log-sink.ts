import type { WriteStream } from "node:fs";
import { createPrivateAppendStream, endStream } from "./private-file";

/**
 * Appends TLS secrets in the NSS key log format (SSLKEYLOGFILE), which Wireshark reads to decrypt a
 * captured session. The file is mode 0600: with it, anyone holding a capture can read the traffic,
 * passwords included.
 */
export class KeyLogSink {
  private readonly stream: WriteStream;

  constructor(path: string) {
    this.stream = createPrivateAppendStream(path);
  }

  /** One line as node's `keylog` event gives it (it ends with a newline). */
  write(line: Buffer): void {
    this.stream.write(line);
  }

  close(): Promise<void> {
    return endStream(this.stream);
  }
}
