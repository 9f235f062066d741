import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from "node:fs";
import { describeFileType } from "./private-file";

/**
 * A file given to the tool as input (a scenario, a PEM file) that it will not read: missing,
 * unreadable, not a regular file, or larger than the cap for its kind.
 */
export class InputFileError extends Error {
  constructor(
    /** The path as the caller gave it. */
    readonly path: string,
    /** What is wrong with it, e.g. "is a character device, not a regular file". */
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
    this.name = "InputFileError";
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

function reasonOf(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  // Node's message repeats the call and the path ("ENOENT: no such file or directory, open 'x'").
  const reason = message.replace(/^[A-Z]+: /, "").replace(/, \w+ '.*'$/, "");
  return `${reason}${code ? ` (${code})` : ""}`;
}

function checkRegular(path: string, stats: Stats, maxBytes: number): void {
  if (!stats.isFile()) {
    throw new InputFileError(path, `is ${describeFileType(stats)}, not a regular file`);
  }
  if (stats.size > maxBytes) {
    throw new InputFileError(path, `is ${stats.size} bytes, more than the ${maxBytes} bytes allowed`);
  }
}

/**
 * Reads a regular file of at most `maxBytes` as UTF-8. A device (`/dev/zero`), FIFO or directory is
 * refused before it is read, and a file is never read past the cap (one that grows while it is
 * read is refused too), so what a path names cannot make the process read without end or stall on
 * a FIFO with no writer (the open is non-blocking).
 *
 * @throws InputFileError naming the path and what is wrong with it.
 */
export function readInputFile(path: string, maxBytes: number): string {
  let fd: number;
  try {
    // stat first, so a device is never even opened (opening some has side effects).
    checkRegular(path, statSync(path), maxBytes);
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if (error instanceof InputFileError) throw error;
    throw new InputFileError(path, `cannot read it: ${reasonOf(error)}`);
  }
  try {
    // Again on the descriptor: the path may have been swapped since the stat.
    checkRegular(path, fstatSync(fd), maxBytes);
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length > maxBytes) {
        throw new InputFileError(path, `grew past the ${maxBytes} bytes allowed while being read`);
      }
    }
    return buffer.subarray(0, length).toString("utf8");
  } catch (error) {
    if (error instanceof InputFileError) throw error;
    throw new InputFileError(path, `cannot read it: ${reasonOf(error)}`);
  } finally {
    closeSync(fd);
  }
}
