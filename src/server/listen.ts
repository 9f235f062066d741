import { mkdir, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { type SinkWarning } from "../record/append-sink";
import { JsonLinesSink } from "../record/jsonl-sink";
import { KeyLogSink } from "../record/key-log-sink";
import { TlsAcceptor } from "../tls/tls-acceptor";
import { ServerConfigurationError } from "../options/configuration-error";
import { type ResolvedOptions, type ResolvedTls } from "./options";

/*
 * Opening what a server runs on, before it accepts anything: the events and key-log files, the TLS
 * acceptor and the listening socket, all or nothing.
 */

/** The files a server writes while it runs, and who hears when writing them goes wrong. */
export interface ServerFiles {
  /**
   * Append every event as a JSON line to this file (mode 0600). Opened before the server listens:
   * a file that cannot be opened fails the start.
   */
  eventsFile?: string;
  /**
   * Append the TLS secrets of every connection to this file in the SSLKEYLOGFILE format (mode
   * 0600), so Wireshark can decrypt a capture of the sessions. Opened before the server listens.
   */
  keylogFile?: string;
  /**
   * Called once per file when writing the events or key-log file fails (disk full, say) — the
   * server goes on serving without that file — and when a file cannot keep up and writes are
   * dropped (a `SinkOverrunWarning`, again when it catches up). Default: `process.emitWarning`,
   * which prints the warning on stderr.
   */
  onWarning?: (warning: SinkWarning) => void;
}

/** What {@link listen} opened: everything a {@link ServerCore} runs on. */
export interface ServerParts {
  server: Server;
  /** The options in force, with every default applied. */
  options: ResolvedOptions;
  tlsAcceptor: TlsAcceptor | null;
  sink: JsonLinesSink | null;
  keyLog: KeyLogSink | null;
}

/** The TLS acceptor for `tls`, writing its secrets to the key-log file when there is one. */
export function tlsAcceptorFor(tls: ResolvedTls | null, keyLog: KeyLogSink | null): TlsAcceptor | null {
  if (!tls) return null;
  return new TlsAcceptor({
    ...tls,
    ...(keyLog ? { onKeylog: (line: Buffer) => keyLog.write(line) } : {}),
  });
}

/** Opens a sink's file, or refuses the start naming the option and why the file cannot be opened. */
function openSink<T>(option: string, path: string, open: () => T): T {
  try {
    return open();
  } catch (error) {
    const cause = error as NodeJS.ErrnoException & { problem?: string };
    // A PrivateFileError already says "<path>: <what is wrong>".
    if (typeof cause.problem === "string") throw new ServerConfigurationError(option, cause.message);
    // A system error's message repeats the path after the syscall ("…, open '/x'"): once is enough.
    const why = cause.syscall ? cause.message.replace(/, \w+ '.*'$/, "") : cause.message;
    throw new ServerConfigurationError(option, `cannot open ${path}: ${why}`);
  }
}

const warnOnStderr = (warning: SinkWarning) => process.emitWarning(warning);

/**
 * Opens the events file of a listener (mode 0600, never through a link), or refuses the start as
 * `eventsFile` with why the file cannot be opened.
 */
export function openEventsFile(
  path: string,
  onWarning: (warning: SinkWarning) => void = warnOnStderr,
): JsonLinesSink {
  return openSink("eventsFile", path, () => new JsonLinesSink(path, onWarning));
}

/**
 * Opens what a server runs on: the events and key-log files first (a file that cannot be opened
 * fails the start, naming its option), then the TLS acceptor and the listener. A start that fails
 * leaves nothing behind — no listener, no open file, no socket folder.
 */
export async function listen(resolved: ResolvedOptions, files: ServerFiles = {}): Promise<ServerParts> {
  const { eventsFile, keylogFile, onWarning } = files;
  const warn = onWarning ?? warnOnStderr;
  let sink: JsonLinesSink | null = null;
  let keyLog: KeyLogSink | null = null;
  let server: Server | null = null;
  // Only a folder this start made is removed when it fails: one already there may be someone else's.
  let madeSocketDir = false;
  try {
    if (eventsFile) sink = openEventsFile(eventsFile, warn);
    // Without TLS there are no secrets to log, and no file is made.
    if (keylogFile && resolved.tls) {
      keyLog = openSink("keylogFile", keylogFile, () => new KeyLogSink(keylogFile, warn));
    }
    const tlsAcceptor = tlsAcceptorFor(resolved.tls, keyLog);
    if (resolved.socketDir) {
      // Not recursive, and private: mkdir fails if anything (a planted link) already has the name.
      await mkdir(resolved.socketDir, { mode: 0o700 });
      madeSocketDir = true;
    }
    const listening = createServer({ noDelay: true });
    server = listening;
    await new Promise<void>((resolve, reject) => {
      listening.once("error", reject);
      const ready = () => {
        listening.off("error", reject);
        resolve();
      };
      const { backlog } = resolved;
      if (resolved.socketPath) listening.listen({ path: resolved.socketPath, backlog }, ready);
      else listening.listen({ port: resolved.port, host: resolved.host, backlog }, ready);
    });
    return { server: listening, options: resolved, tlsAcceptor, sink, keyLog };
  } catch (error) {
    if (server?.listening) await new Promise<void>((resolve) => server!.close(() => resolve()));
    await sink?.close();
    await keyLog?.close();
    if (madeSocketDir) await rm(resolved.socketDir!, { recursive: true, force: true });
    throw error;
  }
}
