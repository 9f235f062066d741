import { AppendSink, type SinkWarning } from "./append-sink";
import type { MockServerEvent } from "./events";

/** Appends events to a file (mode 0600), one JSON object per line. */
export class JsonLinesSink {
  private readonly file: AppendSink;

  /** Opens `path` now (throws if it cannot); a later write error or overrun goes to `onWarning`. */
  constructor(path: string, onWarning: (warning: SinkWarning) => void = () => undefined) {
    this.file = new AppendSink("events", path, onWarning);
  }

  write(event: MockServerEvent): void {
    this.file.write(`${JSON.stringify(event)}\n`);
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
