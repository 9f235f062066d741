import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppendSink, SinkOverrunWarning, type SinkWarning } from "../../src/record/append-sink";

/**
 * What waits for the disk is bounded: a file that cannot keep up loses writes (counted, reported
 * when dropping starts and when it catches up) instead of the server holding them all in memory.
 */

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-append-sink-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const LINE = `${"x".repeat(1023)}\n`;

describe("AppendSink", () => {
  it("drops writes while more than its limit waits for the disk, and says so when dropping starts and ends", async () => {
    const path = join(dir, "events.jsonl");
    const warnings: SinkWarning[] = [];
    const sink = new AppendSink("events", path, (w) => warnings.push(w), 8 * 1024);
    // All in one tick: the disk has written nothing yet, so the queue only grows.
    for (let i = 0; i < 100; i++) sink.write(LINE);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toBeInstanceOf(SinkOverrunWarning);
    expect(warnings[0]).toMatchObject({ sink: "events", path, dropped: 1, resumed: false });
    expect(warnings[0]!.message).toBe(
      `the events file ${path} is not keeping up (over 8 KiB waiting); dropping writes until it catches up`,
    );

    await new Promise((resolve) => setTimeout(resolve, 0));
    await sink.close();
    const written = readFileSync(path, "utf8").split("\n").length - 1;
    // The queue took writes until it held more than 8 KiB: nine 1 KiB lines.
    expect(written).toBe(9);
    expect(warnings.at(-1)).toMatchObject({ dropped: 100 - written, resumed: true });
    expect(warnings.at(-1)!.message).toBe(
      `the events file ${path} caught up; ${100 - written} writes were dropped while it could not keep up`,
    );
  });

  it("writes everything when the disk keeps up", async () => {
    const path = join(dir, "events.jsonl");
    const warnings: SinkWarning[] = [];
    const sink = new AppendSink("events", path, (w) => warnings.push(w));
    for (let i = 0; i < 1000; i++) sink.write(LINE);
    await sink.close();
    expect(readFileSync(path, "utf8")).toBe(LINE.repeat(1000));
    expect(warnings).toEqual([]);
  });
});
