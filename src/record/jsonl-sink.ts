import type { WriteStream } from "node:fs";
import type { MockServerEvent } from "./events";
import { createPrivateAppendStream, endStream } from "./private-file";

/** Appends events to a file (mode 0600), one JSON object per line. */
export class JsonLinesSink {
  private readonly stream: WriteStream;

  constructor(path: string) {
    this.stream = createPrivateAppendStream(path);
  }

  write(event: MockServerEvent): void {
    this.stream.write(`${JSON.stringify(event)}\n`);
  }

  close(): Promise<void> {
    return endStream(this.stream);
  }
}
