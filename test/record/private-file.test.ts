import { execFileSync } from "node:child_process";
import {
  chmodSync,
  closeSync,
  constants,
  linkSync,
  lstatSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPrivateAppendStream, endStream, PrivateFileError } from "../../src/record/private-file";

/**
 * The files `--events` and `--keylog` name are opened by createPrivateAppendStream: only a regular
 * file (or a new one) is written and made 0600; a link or a special file planted at the path is
 * refused and left exactly as it was.
 */

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-private-file-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe("createPrivateAppendStream", () => {
  it("creates a new file readable by its owner only and appends to it", async () => {
    const path = join(dir, "events.jsonl");
    const stream = createPrivateAppendStream(path);
    stream.write("one\n");
    await endStream(stream);
    const again = createPrivateAppendStream(path);
    again.write("two\n");
    await endStream(again);
    expect(readFileSync(path, "utf8")).toBe("one\ntwo\n");
    expect(modeOf(path)).toBe(0o600);
  });

  it("tightens an existing regular file with wider permissions to 0600, keeping what it held", async () => {
    const path = join(dir, "keys.log");
    writeFileSync(path, "before\n");
    chmodSync(path, 0o666);
    const stream = createPrivateAppendStream(path);
    await endStream(stream);
    expect(modeOf(path)).toBe(0o600);
    expect(readFileSync(path, "utf8")).toBe("before\n");
  });

  it("refuses a symbolic link at the path, leaving the link and its target untouched", () => {
    const target = join(dir, "someone-elses-file");
    writeFileSync(target, "not yours\n");
    chmodSync(target, 0o644);
    const link = join(dir, "events.jsonl");
    symlinkSync(target, link);
    expect(() => createPrivateAppendStream(link)).toThrow(PrivateFileError);
    expect(() => createPrivateAppendStream(link)).toThrow(
      `${link}: is a symbolic link; refusing to follow it`,
    );
    expect(modeOf(target)).toBe(0o644);
    expect(readFileSync(target, "utf8")).toBe("not yours\n");
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(target);
  });

  it("refuses a dangling symbolic link instead of creating the file it points to", () => {
    const target = join(dir, "created-through-the-link");
    const link = join(dir, "keys.log");
    symlinkSync(target, link);
    expect(() => createPrivateAppendStream(link)).toThrow("is a symbolic link");
    expect(() => lstatSync(target)).toThrow(/ENOENT/);
  });

  it("refuses a FIFO, writing nothing into it and leaving its mode", () => {
    const fifo = join(dir, "events.fifo");
    execFileSync("mkfifo", ["-m", "0644", fifo]);
    // A reader is there, so a writer that did not check would get through instead of stalling.
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      expect(() => createPrivateAppendStream(fifo)).toThrow(
        `${fifo}: is a FIFO, not a regular file; refusing to write to it`,
      );
      expect(modeOf(fifo)).toBe(0o644);
      expect(statSync(fifo).isFIFO()).toBe(true);
    } finally {
      closeSync(reader);
    }
  });

  it("does not stall on a FIFO that has no reader", () => {
    const fifo = join(dir, "keys.fifo");
    execFileSync("mkfifo", [fifo]);
    expect(() => createPrivateAppendStream(fifo)).toThrow("is a FIFO");
  });

  it("refuses a file with a second hard link, leaving its mode and content as they were", () => {
    const elsewhere = join(dir, "someone-elses.txt");
    writeFileSync(elsewhere, "theirs\n");
    chmodSync(elsewhere, 0o644);
    const path = join(dir, "events.jsonl");
    linkSync(elsewhere, path);
    expect(() => createPrivateAppendStream(path)).toThrow(
      `${path}: has 2 hard links (another name for the same file); refusing to write to it`,
    );
    expect(modeOf(elsewhere)).toBe(0o644);
    expect(readFileSync(elsewhere, "utf8")).toBe("theirs\n");
  });

  it("refuses a directory, naming the path", () => {
    expect(() => createPrivateAppendStream(dir)).toThrow(`${dir}: is a directory, not a regular file`);
  });

  it("names the path and the reason when the folder does not exist", () => {
    const path = join(dir, "missing", "events.jsonl");
    expect(() => createPrivateAppendStream(path)).toThrow(
      `${path}: cannot open it: no such file or directory (ENOENT)`,
    );
  });
});
