import {
  closeSync,
  constants,
  createWriteStream,
  fchmodSync,
  fstatSync,
  lstatSync,
  openSync,
  type Stats,
  type WriteStream,
} from "node:fs";

/** The mode of every file the server writes secrets or records into: its owner reads it, no one else. */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * A file the server was asked to write (`eventsFile`, `keylogFile`) that it will not open: a symbolic
 * link, something other than a regular file, or a path the system refused.
 */
export class PrivateFileError extends Error {
  constructor(
    /** The path as the caller gave it. */
    readonly path: string,
    /** What is wrong with it, e.g. "is a symbolic link". */
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
    this.name = "PrivateFileError";
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** "a FIFO", "a character device": what a non-regular file is, for the error. */
export function describeFileType(stats: Stats): string {
  if (stats.isSymbolicLink()) return "a symbolic link";
  if (stats.isDirectory()) return "a directory";
  if (stats.isFIFO()) return "a FIFO";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isSocket()) return "a socket";
  return "not a regular file";
}

/**
 * Checks, without creating or opening anything, that {@link createPrivateAppendStream} would not
 * refuse `path` for what it is: nothing there yet, or a regular file (not a link, FIFO or device).
 * For callers that want to refuse a bad path before starting anything; the open checks again.
 *
 * @throws PrivateFileError naming the path and what is wrong with it.
 */
export function checkPrivateFilePath(path: string): void {
  let found: Stats;
  try {
    found = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw systemError(path, error);
  }
  if (!found.isFile()) throw notRegular(path, found);
  if (found.nlink > 1) throw hardLinked(path, found);
}

/**
 * Opens `path` for appending and makes it readable by its owner only (0600) — also when it already
 * existed with wider permissions, since what goes in (events, TLS secrets) must not be readable by
 * others.
 *
 * Only a regular file is written, or a new one created: a symbolic link at the path is refused, never
 * followed (O_NOFOLLOW), so a link planted in a shared folder cannot point the server at another
 * file; a FIFO or device is refused before it is opened, and checked again on the open descriptor
 * (O_NONBLOCK, so a FIFO without a reader cannot stall the open), so a swap between the check and
 * the open changes nothing. A file with more than one hard link is refused too: the second name may
 * be anyone's. The mode is set on the descriptor (fchmod), never by path.
 *
 * @throws PrivateFileError naming the path and what is wrong with it.
 */
export function createPrivateAppendStream(path: string): WriteStream {
  checkPrivateFilePath(path);

  const flags =
    constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK;
  let fd: number;
  try {
    fd = openSync(path, flags, PRIVATE_FILE_MODE);
  } catch (error) {
    // O_NOFOLLOW fails with ELOOP when a link appeared after the lstat above.
    if ((error as NodeJS.ErrnoException).code === "ELOOP") {
      throw new PrivateFileError(path, "is a symbolic link; refusing to follow it");
    }
    throw systemError(path, error);
  }
  try {
    const opened = fstatSync(fd);
    if (!opened.isFile()) throw notRegular(path, opened);
    if (opened.nlink > 1) throw hardLinked(path, opened);
    fchmodSync(fd, PRIVATE_FILE_MODE);
  } catch (error) {
    closeSync(fd);
    throw error instanceof PrivateFileError ? error : systemError(path, error);
  }
  return createWriteStream(path, { fd });
}

function notRegular(path: string, stats: Stats): PrivateFileError {
  return stats.isSymbolicLink()
    ? new PrivateFileError(path, "is a symbolic link; refusing to follow it")
    : new PrivateFileError(
        path,
        `is ${describeFileType(stats)}, not a regular file; refusing to write to it`,
      );
}

/**
 * A second name for the file means someone else may read it under that name, or that the path is a
 * link planted to another file (its mode would change to 0600 and secrets would be appended to it).
 */
function hardLinked(path: string, stats: Stats): PrivateFileError {
  return new PrivateFileError(
    path,
    `has ${stats.nlink} hard links (another name for the same file); refusing to write to it`,
  );
}

function systemError(path: string, error: unknown): PrivateFileError {
  const { code, message } = error as NodeJS.ErrnoException;
  // Node's message repeats the call and the path ("ENOENT: no such file or directory, open 'x'").
  const reason = message.replace(/^[A-Z]+: /, "").replace(/, \w+ '.*'$/, "");
  return new PrivateFileError(path, `cannot open it: ${reason}${code ? ` (${code})` : ""}`);
}

/** Ends a stream and resolves once everything written has reached the file. */
export function endStream(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) =>
    stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}
