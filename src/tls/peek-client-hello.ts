import type { Readable } from "node:stream";
import {
  assembleClientHello,
  type ClientHelloAssembly,
  ClientHelloParseError,
  type ClientHelloSummary,
  NOT_TLS_PREVIEW_LENGTH,
  summarizeClientHelloMessage,
  TLS_HANDSHAKE_RECORD,
} from "./client-hello";

/*
 * Reading a ClientHello off a socket before node:tls takes it: the bytes are looked at and put
 * back, so the TLS stack later reads them as if nothing had.
 */

export type ClientHelloRead =
  | {
      kind: "client-hello";
      summary: ClientHelloSummary;
      /** Bytes of the records the ClientHello spans, headers included; null when its last goes on past it. */
      wireLength: number | null;
    }
  /** The first bytes after the SSLRequest are not a TLS handshake record (e.g. a plaintext packet). */
  | { kind: "not-tls"; firstBytes: Buffer }
  /**
   * TLS-looking bytes that could not be read as a ClientHello; the handshake is still attempted.
   * `wireLength` as for a ClientHello, when its records were whole; else null.
   */
  | { kind: "unparsable"; message: string; wireLength: number | null }
  | { kind: "closed" };

/**
 * Reads the ClientHello without consuming it, however many handshake records it is cut into: it
 * waits for exactly the bytes the records' headers say are still missing, and every read is
 * un-shifted at once, so the socket — paused throughout — can then be handed to node:tls with every
 * byte in place.
 * What it waits for is bounded by `CLIENT_HELLO_MAX_LENGTH` and `MAX_CLIENT_HELLO_RECORDS` (client-hello.ts);
 * how long it waits is the caller's (the session's connect_timeout destroys the socket).
 */
export async function peekClientHello(socket: Readable): Promise<ClientHelloRead> {
  let head = await peekAtLeast(socket, 1);
  if (head.length === 0) return { kind: "closed" };
  if (head[0] !== TLS_HANDSHAKE_RECORD) return { kind: "not-tls", firstBytes: bufferedHead(socket) };
  for (;;) {
    const assembly = assembleClientHello(head);
    if (assembly.kind !== "incomplete") return readAssembly(assembly);
    const want = assembly.needBytes;
    head = await peekAtLeast(socket, want);
    if (head.length < want) return { kind: "closed" };
  }
}

/**
 * Every byte buffered in `socket`, left in place, once there are at least `length`; fewer only
 * once the stream has ended or closed. The whole ClientHello nearly always comes in one read:
 * then it is looked at once, where counting out its record header and body would take three.
 */
async function peekAtLeast(socket: Readable, length: number): Promise<Buffer> {
  if (socket.readableLength < length) {
    const head = await peekBytes(socket, length);
    if (head.length < length || socket.readableLength < length) return head;
  }
  const buffered = socket.read() as Buffer;
  socket.unshift(buffered);
  return buffered;
}

/** What a whole (or refused) assembly of the ClientHello's records says. */
function readAssembly(assembly: Exclude<ClientHelloAssembly, { kind: "incomplete" }>): ClientHelloRead {
  if (assembly.kind === "invalid") {
    return {
      kind: "unparsable",
      message: new ClientHelloParseError(assembly.offset, assembly.detail).message,
      wireLength: null,
    };
  }
  try {
    return {
      kind: "client-hello",
      summary: summarizeClientHelloMessage(assembly.message),
      wireLength: assembly.wireLength,
    };
  } catch (error) {
    if (error instanceof ClientHelloParseError) {
      return { kind: "unparsable", message: error.message, wireLength: assembly.wireLength };
    }
    throw error;
  }
}

/**
 * The first `length` bytes of `socket`'s stream, left in place; fewer only once the stream has
 * ended or closed.
 *
 * @note Bytes short of `length` are taken out while waiting and put back at the end, rather than
 * left in the buffer: a 'readable' listener added to a stream that holds data is called at once,
 * so waiting on a non-empty buffer would spin through process.nextTick without ever reading more.
 */
async function peekBytes(socket: Readable, length: number): Promise<Buffer> {
  const taken: Buffer[] = [];
  let held = 0;
  try {
    while (held < length) {
      // read(n) gives exactly n bytes, or nothing while fewer are buffered; read() then takes what is.
      const chunk = (socket.read(length - held) ?? socket.read()) as Buffer | null;
      if (chunk !== null) {
        taken.push(chunk);
        held += chunk.length;
      } else if (socket.destroyed || socket.readableEnded) {
        break;
      } else {
        await moreData(socket);
      }
    }
  } finally {
    // After 'end' node refuses an unshift (and destroys the stream): the caller reports "closed" then.
    if (held > 0 && !socket.destroyed && !socket.readableEnded) socket.unshift(Buffer.concat(taken, held));
  }
  return Buffer.concat(taken, held);
}

/** Resolves on the next 'readable', 'end', 'close' or 'error' of `socket`. */
function moreData(socket: Readable): Promise<void> {
  return new Promise((resolve) => {
    const events = ["readable", "end", "close", "error"] as const;
    const done = () => {
      for (const event of events) socket.removeListener(event, done);
      resolve();
    };
    for (const event of events) socket.once(event, done);
  });
}

/** Up to the first bytes buffered in `socket`, left in place. */
function bufferedHead(socket: Readable): Buffer {
  const buffered = socket.read() as Buffer | null;
  if (!buffered) return Buffer.alloc(0);
  socket.unshift(buffered);
  // Copied: a not-tls result must not keep the socket's buffer alive.
  return Buffer.from(buffered.subarray(0, NOT_TLS_PREVIEW_LENGTH));
}
