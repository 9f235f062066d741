import { chmodSync, createWriteStream, openSync, type WriteStream } from "node:fs";

/**
 * Opens `path` for appending, readable by its owner only (0600) — also when it already existed with
 * wider permissions, since what goes in (events, TLS secrets) must not be readable by others.
 */
export function createPrivateAppendStream(path: string): WriteStream {
  const fd = openSync(path, "a", 0o600);
  chmodSync(path, 0o600);
  return createWriteStream(path, { fd });
}

/** Ends a stream and resolves once everything written has reached the file. */
export function endStream(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) =>
    stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}
