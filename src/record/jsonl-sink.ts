import { createWriteStream, type WriteStream } from "node:fs";
import type { MockServerEvent } from "./events";

/** Appends events to a file, one JSON object per line. */
export class JsonLinesSink {
  private readonly stream: WriteStream;

  constructor(path: string) {
    this.stream = createWriteStream(path, { flags: "a", mode: 0o600 });
  }

  write(event: MockServerEvent): void {
    this.stream.write(`${JSON.stringify(event)}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) =>
      this.stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  }
}
