import {
  CLIENT_HELLO_MAX_LENGTH,
  ClientHelloParseError,
  type ClientHelloSummary,
  summarizeClientHelloMessage,
} from "./client-hello";
import { type ServerHelloSummary, ServerHelloParseError, summarizeServerHelloMessage } from "./server-hello";

/*
 * A passive look at a TLS handshake by a relay that copies both directions and terminates neither:
 * everything here is read from record headers and the handshake messages TLS sends in plaintext.
 * What is encrypted stays opaque; where the handshake's progress has to be guessed from the sizes
 * and order of encrypted records, the guess is named as one.
 */

/** Which peer sent the bytes. */
export type TlsSide = "client" | "server";

/** Something the observer saw, in the order the bytes showed it. */
export type TlsObservation =
  /** A ClientHello; `afterRetry` for the second one, sent in answer to a HelloRetryRequest. */
  | { kind: "client-hello"; summary: ClientHelloSummary; afterRetry: boolean }
  /** A ServerHello, or a HelloRetryRequest (`summary.helloRetryRequest`). */
  | { kind: "server-hello"; summary: ServerHelloSummary }
  /** A plaintext Certificate message (TLS ≤ 1.2 only: TLS 1.3 encrypts it): the DER chain as sent, leaf first. */
  | { kind: "certificate"; from: TlsSide; chain: Buffer[] }
  | { kind: "change-cipher-spec"; from: TlsSide }
  /** A plaintext alert (RFC 8446 §6), named: `fatal` `unknown_ca`. */
  | { kind: "alert"; from: TlsSide; level: string; description: string }
  /**
   * A record whose contents are encrypted. `contentType` is the header's: in TLS ≤ 1.2 the real
   * type (`alert`, `handshake`, `application_data`), in TLS 1.3 always `application_data`.
   * `looksLikeAlert`: certainly an alert in TLS ≤ 1.2 (its header says so); in TLS 1.3 a guess —
   * the record has exactly the size of an encrypted, unpadded alert (2 bytes, the inner content
   * type, the AEAD tag), which no Finished and no ticket has.
   */
  | { kind: "encrypted-record"; from: TlsSide; contentType: string; length: number; looksLikeAlert: boolean }
  /** The handshake is over as far as can be seen from outside; see {@link TlsHandshakeObserver}. */
  | { kind: "handshake-complete"; version: string; cipher: string; evidence: string }
  /** {@link TlsHandshakeObserver.end} was called for `from` before the handshake was over. */
  | { kind: "closed"; from: TlsSide; midRecord: boolean }
  /** The observer gave up: the bytes are not TLS, are malformed, or exceed a limit. */
  | { kind: "stopped"; error: TlsObserverError };

/** Where the observer is. */
export type TlsObserverStage =
  /** Waiting for the client's ClientHello. */
  | "client-hello"
  /** Waiting for the ServerHello (also after a HelloRetryRequest). */
  | "server-hello"
  /** ServerHello seen; waiting for the end of the handshake. */
  | "handshake"
  /** The handshake is over: nothing more is read or buffered. */
  | "complete"
  /** Gave up ({@link TlsHandshakeState.stopped} says why): nothing more is read or buffered. */
  | "stopped";

/** Everything seen so far. */
export interface TlsHandshakeState {
  stage: TlsObserverStage;
  clientHello: ClientHelloSummary | null;
  helloRetryRequest: ServerHelloSummary | null;
  /** The second ClientHello, sent in answer to a HelloRetryRequest. */
  clientHelloAfterRetry: ClientHelloSummary | null;
  serverHello: ServerHelloSummary | null;
  /** The negotiated version (`TLSv1.3`), from the ServerHello. */
  version: string | null;
  /** The negotiated cipher suite by OpenSSL's name (as Node's `getCipher().name`), else IANA's. */
  cipher: string | null;
  /** The server's DER chain from its plaintext Certificate (TLS ≤ 1.2); null in TLS 1.3 (encrypted) or when not sent (resumption). */
  serverCertificates: Buffer[] | null;
  /** The client's DER chain when it sent a plaintext Certificate (TLS ≤ 1.2, when asked for one); else null. */
  clientCertificates: Buffer[] | null;
  /** Plaintext handshake messages by IANA HandshakeType name, in order, per side. */
  handshakeMessages: Record<TlsSide, string[]>;
  /** Plaintext alerts, in order. */
  alerts: Array<{ from: TlsSide; level: string; description: string }>;
  /** Encrypted records seen per side before the observer stopped reading. */
  encryptedRecords: Record<TlsSide, number>;
  /**
   * Whether each side's part of the handshake looks done. TLS ≤ 1.2: it sent ChangeCipherSpec and
   * then an encrypted handshake record (its Finished). TLS 1.3: the server sent encrypted records
   * after its ServerHello (where its flight ends cannot be seen); the client then sent one that is
   * not alert-sized.
   */
  finished: Record<TlsSide, boolean>;
  /** The handshake counts as complete (see {@link TlsHandshakeObserver}); `stage` is then `complete`. */
  complete: boolean;
  /** Sides {@link TlsHandshakeObserver.end} was called for before the end of the handshake. */
  closed: Record<TlsSide, boolean>;
  /** Why the observer gave up, or null. */
  stopped: TlsObserverError | null;
  /** Bytes fed per side, including those after the observer stopped reading. */
  bytes: Record<TlsSide, number>;
}

/** Why the observer stopped reading a side's bytes. */
export type TlsObserverStopReason =
  /** The first bytes are no TLS record (e.g. a plaintext MySQL packet). */
  | "not-tls"
  /** Bytes TLS does not allow, or a hello that cannot be read. */
  | "malformed"
  /** One of the limits that bound the observer's memory and work was reached. */
  | "limit";

/** The observer gave up on `from`'s bytes at `offset`. */
export class TlsObserverError extends Error {
  constructor(
    readonly from: TlsSide,
    /** Byte offset in `from`'s stream (counted from the first byte fed for that side). */
    readonly offset: number,
    readonly reason: TlsObserverStopReason,
    readonly detail: string,
  ) {
    super(`TLS observer stopped at byte ${offset} from the ${from}: ${reason}: ${detail}`);
    this.name = "TlsObserverError";
  }
}

const RECORD_HEADER_LENGTH = 5;
const HANDSHAKE_HEADER_LENGTH = 4;
/** TLSPlaintext.length must not exceed 2^14 (RFC 5246 §6.2.1, RFC 8446 §5.1). */
export const MAX_PLAINTEXT_RECORD_LENGTH = 16_384;
/** TLSCiphertext.length must not exceed 2^14 + 2048 (RFC 5246 §6.2.3; RFC 8446 §5.2 allows less). */
export const MAX_CIPHERTEXT_RECORD_LENGTH = 16_384 + 2_048;
/**
 * The longest handshake message reassembled: OpenSSL's largest ClientHello, which is also above
 * OpenSSL's default limit on a peer's certificate chain (`SSL_CTX_set_max_cert_list`, 100 KiB).
 */
export const MAX_HANDSHAKE_MESSAGE_LENGTH = CLIENT_HELLO_MAX_LENGTH;
/** Records read per side before giving up; a handshake takes a handful, a large chain a dozen. */
export const MAX_RECORDS_PER_SIDE = 1_024;
/** Plaintext handshake messages per side; a TLS 1.2 server sends at most about eight. */
export const MAX_HANDSHAKE_MESSAGES_PER_SIDE = 64;
/** Plaintext alerts per side; a peer sends one or two before closing. */
export const MAX_ALERTS_PER_SIDE = 64;

/** TLS ContentType (RFC 8446 §5.1; heartbeat RFC 6520). */
const CONTENT_CHANGE_CIPHER_SPEC = 20;
const CONTENT_ALERT = 21;
const CONTENT_HANDSHAKE = 22;
const CONTENT_APPLICATION_DATA = 23;
const CONTENT_HEARTBEAT = 24;
const CONTENT_TYPE_NAMES: Record<number, string> = {
  [CONTENT_CHANGE_CIPHER_SPEC]: "change_cipher_spec",
  [CONTENT_ALERT]: "alert",
  [CONTENT_HANDSHAKE]: "handshake",
  [CONTENT_APPLICATION_DATA]: "application_data",
  [CONTENT_HEARTBEAT]: "heartbeat",
};
/** Every TLS record version starts with major version 3 (SSLv3 0x0300 to TLS 1.3's 0x0303 on the wire). */
const RECORD_VERSION_MAJOR = 0x03;

const HANDSHAKE_CLIENT_HELLO = 1;
const HANDSHAKE_SERVER_HELLO = 2;
const HANDSHAKE_CERTIFICATE = 11;
/** IANA "TLS HandshakeType" names. */
const HANDSHAKE_NAMES: Record<number, string> = {
  0: "hello_request",
  1: "client_hello",
  2: "server_hello",
  3: "hello_verify_request",
  4: "new_session_ticket",
  5: "end_of_early_data",
  8: "encrypted_extensions",
  11: "certificate",
  12: "server_key_exchange",
  13: "certificate_request",
  14: "server_hello_done",
  15: "certificate_verify",
  16: "client_key_exchange",
  20: "finished",
  21: "certificate_url",
  22: "certificate_status",
  23: "supplemental_data",
  24: "key_update",
  25: "compressed_certificate",
  254: "message_hash",
};

/** IANA "TLS Alerts" registry (RFC 8446 §6 and the RFCs it lists). */
const ALERT_DESCRIPTIONS: Record<number, string> = {
  0: "close_notify",
  10: "unexpected_message",
  20: "bad_record_mac",
  21: "decryption_failed",
  22: "record_overflow",
  30: "decompression_failure",
  40: "handshake_failure",
  41: "no_certificate",
  42: "bad_certificate",
  43: "unsupported_certificate",
  44: "certificate_revoked",
  45: "certificate_expired",
  46: "certificate_unknown",
  47: "illegal_parameter",
  48: "unknown_ca",
  49: "access_denied",
  50: "decode_error",
  51: "decrypt_error",
  60: "export_restriction",
  70: "protocol_version",
  71: "insufficient_security",
  80: "internal_error",
  86: "inappropriate_fallback",
  90: "user_canceled",
  100: "no_renegotiation",
  109: "missing_extension",
  110: "unsupported_extension",
  111: "certificate_unobtainable",
  112: "unrecognized_name",
  113: "bad_certificate_status_response",
  114: "bad_certificate_hash_value",
  115: "unknown_psk_identity",
  116: "certificate_required",
  120: "no_application_protocol",
};
const ALERT_LEVELS: Record<number, string> = { 1: "warning", 2: "fatal" };

/** An alert's plaintext: level and description (RFC 8446 §6). */
const ALERT_LENGTH = 2;
/** TLSInnerPlaintext's content type byte, inside every TLS 1.3 encrypted record (RFC 8446 §5.2). */
const INNER_CONTENT_TYPE_LENGTH = 1;
const AEAD_TAG_LENGTH = 16;
/** The one TLS 1.3 suite with a shorter tag (RFC 6655 CCM_8, RFC 8446 §B.4). */
const CCM_8_TAG_LENGTH = 8;
const TLS13 = "TLSv1.3";

function nameOf(table: Record<number, string>, value: number): string {
  return table[value] ?? `unknown(${value})`;
}

/** A handshake fragment's place in the side's stream, to give errors exact offsets. */
interface Fragment {
  /** Index of its first byte in the reassembly buffer. */
  at: number;
  /** Offset of that byte in the side's stream. */
  stream: number;
}

/** What is read of one side's stream. */
class SideReader {
  /** Bytes of the record header being read. */
  header = Buffer.alloc(0);
  /** Content type, length and stream offset of the record whose body is being read; null between records. */
  record: { type: number; length: number; encrypted: boolean; offset: number } | null = null;
  /** The plaintext record body read so far (encrypted bodies are skipped, never kept). */
  body: Buffer[] = [];
  bodyHeld = 0;
  /** Plaintext handshake bytes not yet making a whole message. */
  handshake = Buffer.alloc(0);
  fragments: Fragment[] = [];
  /** Stream offset of the next byte. */
  offset = 0;
  records = 0;
  messages = 0;
  alerts = 0;
  /** This side sent ChangeCipherSpec (TLS ≤ 1.2: what it sends next is encrypted). */
  changedCipherSpec = false;

  release(): void {
    this.header = Buffer.alloc(0);
    this.record = null;
    this.body = [];
    this.bodyHeld = 0;
    this.handshake = Buffer.alloc(0);
    this.fragments = [];
  }
}

/**
 * Watches a TLS handshake from the middle of a relay: feed it each direction's bytes as they are
 * copied, in any chunking (a record split over chunks, several records per chunk, a handshake
 * message split over records all give the same observations).
 *
 * **When the handshake counts as complete** (from outside, without keys):
 * - TLS ≤ 1.2: both sides sent ChangeCipherSpec and then an encrypted handshake record (their
 *   Finished), and then the side that received the later Finished sent application data — the
 *   first thing it can only do having accepted that Finished. (A client using False Start sends
 *   data before the server's Finished; that data does not count, the next does.)
 * - TLS 1.3: after the ServerHello the server sent encrypted records (its flight), then the client
 *   sent an encrypted record that is not alert-sized (its Finished — or, with a client certificate,
 *   its Certificate), then the server sent a record that is not alert-sized (a NewSessionTicket or
 *   application data, which a server sends only having accepted the client's Finished). This is a
 *   guess from record sizes: a peer padding its records (RFC 8446 §5.4) to an alert's size, or its
 *   alerts to another size, defeats it.
 *
 * A client refusing the certificate over TLS 1.3 shows in one of three ways: OpenSSL 3.0 fails on
 * the server's Certificate before it switches its own writes to the handshake keys, so its alert
 * goes out in plaintext (an `alert`); a client failing later sends an alert-sized encrypted
 * record; Node's TLS clients close without an alert (`closed`).
 *
 * A client that closes right after the handshake without sending data (close_notify) leaves it
 * unconfirmed: `finished` is true for both sides, `complete` stays false, since a close_notify and
 * a fatal alert against the peer's Finished look the same from outside.
 *
 * **Memory**: per side, at most one record header, one plaintext record (2^14 bytes) and one
 * handshake message being reassembled ({@link MAX_HANDSHAKE_MESSAGE_LENGTH}, 131,396 bytes);
 * encrypted bodies are skipped, not kept. It reads at most {@link MAX_RECORDS_PER_SIDE} records,
 * {@link MAX_HANDSHAKE_MESSAGES_PER_SIDE} handshake messages and {@link MAX_ALERTS_PER_SIDE}
 * alerts per side, then stops (`limit`). Once complete or stopped it keeps nothing and reads nothing;
 * what it retains is the summaries and the certificate chains.
 *
 * @example
 * ```ts
 * const observer = new TlsHandshakeObserver();
 * client.on("data", (chunk) => { upstream.write(chunk); log(observer.fromClient(chunk)); });
 * upstream.on("data", (chunk) => { client.write(chunk); log(observer.fromServer(chunk)); });
 * // later:
 * const { version, cipher, serverCertificates, alerts } = observer.state;
 * ```
 */
export class TlsHandshakeObserver {
  private readonly sides: Record<TlsSide, SideReader> = {
    client: new SideReader(),
    server: new SideReader(),
  };
  private readonly seen: TlsHandshakeState = {
    stage: "client-hello",
    clientHello: null,
    helloRetryRequest: null,
    clientHelloAfterRetry: null,
    serverHello: null,
    version: null,
    cipher: null,
    serverCertificates: null,
    clientCertificates: null,
    handshakeMessages: { client: [], server: [] },
    alerts: [],
    encryptedRecords: { client: 0, server: 0 },
    finished: { client: false, server: false },
    complete: false,
    closed: { client: false, server: false },
    stopped: null,
    bytes: { client: 0, server: 0 },
  };
  /** Sides in the order their TLS ≤ 1.2 Finished was seen. */
  private readonly finishedOrder: TlsSide[] = [];
  private events: TlsObservation[] = [];

  /** Reads bytes the client sent; returns what they showed. */
  fromClient(chunk: Buffer): TlsObservation[] {
    return this.feed("client", chunk);
  }

  /** Reads bytes the server sent; returns what they showed. */
  fromServer(chunk: Buffer): TlsObservation[] {
    return this.feed("server", chunk);
  }

  /** Says `from` closed its direction (end of stream or reset); returns what that showed. */
  end(from: TlsSide): TlsObservation[] {
    if (this.done || this.seen.closed[from]) return [];
    this.seen.closed[from] = true;
    const side = this.sides[from];
    const midRecord = side.header.length > 0 || side.record !== null;
    side.release();
    return [{ kind: "closed", from, midRecord }];
  }

  /** Whether the handshake is over or the observer gave up: it reads nothing more. */
  get done(): boolean {
    return this.seen.stage === "complete" || this.seen.stage === "stopped";
  }

  /** A snapshot of everything seen so far. */
  get state(): TlsHandshakeState {
    const s = this.seen;
    return {
      ...s,
      serverCertificates: s.serverCertificates && [...s.serverCertificates],
      clientCertificates: s.clientCertificates && [...s.clientCertificates],
      handshakeMessages: { client: [...s.handshakeMessages.client], server: [...s.handshakeMessages.server] },
      alerts: s.alerts.map((a) => ({ ...a })),
      encryptedRecords: { ...s.encryptedRecords },
      finished: { ...s.finished },
      closed: { ...s.closed },
      bytes: { ...s.bytes },
    };
  }

  private feed(from: TlsSide, chunk: Buffer): TlsObservation[] {
    this.seen.bytes[from] += chunk.length;
    if (this.done || this.seen.closed[from]) return [];
    this.events = [];
    const side = this.sides[from];
    let at = 0;
    while (at < chunk.length && !this.done) {
      if (side.record === null) {
        const wanted = RECORD_HEADER_LENGTH - side.header.length;
        const taken = chunk.subarray(at, at + wanted);
        side.header = Buffer.concat([side.header, taken]);
        at += taken.length;
        side.offset += taken.length;
        if (side.header.length === RECORD_HEADER_LENGTH) this.startRecord(from, side);
        continue;
      }
      const record = side.record;
      const taken = chunk.subarray(at, at + (record.length - side.bodyHeld));
      at += taken.length;
      side.offset += taken.length;
      side.bodyHeld += taken.length;
      // Encrypted bodies are only counted: nothing in them can be read.
      if (!record.encrypted) side.body.push(Buffer.from(taken));
      if (side.bodyHeld === record.length) this.finishRecord(from, side);
    }
    return this.events;
  }

  private startRecord(from: TlsSide, side: SideReader): void {
    const offset = side.offset - RECORD_HEADER_LENGTH;
    const type = side.header[0]!;
    const major = side.header[1]!;
    const length = side.header.readUInt16BE(3);
    side.header = Buffer.alloc(0);
    const first = side.records === 0;
    if (!(type in CONTENT_TYPE_NAMES)) {
      this.stop(from, offset, first ? "not-tls" : "malformed", `a record of content type ${type}`);
      return;
    }
    if (major !== RECORD_VERSION_MAJOR) {
      this.stop(from, offset, first ? "not-tls" : "malformed", `a record version major of ${major}, not 3`);
      return;
    }
    if (first && from === "client" && type !== CONTENT_HANDSHAKE) {
      this.stop(from, offset, "not-tls", `a first record of content type ${type}, not a ClientHello's (22)`);
      return;
    }
    if (++side.records > MAX_RECORDS_PER_SIDE) {
      this.stop(
        from,
        offset,
        "limit",
        `more than ${MAX_RECORDS_PER_SIDE} records before the handshake was over`,
      );
      return;
    }
    const encrypted = this.isEncrypted(side, type);
    const limit = encrypted ? MAX_CIPHERTEXT_RECORD_LENGTH : MAX_PLAINTEXT_RECORD_LENGTH;
    if (length > limit) {
      this.stop(from, offset, "malformed", `a record of ${length} bytes, above the ${limit} TLS allows`);
      return;
    }
    side.record = { type, length, encrypted, offset };
    side.body = [];
    side.bodyHeld = 0;
    if (length === 0) this.finishRecord(from, side);
  }

  /** Checked before the record's body is read, so an encrypted body is never kept. */
  private isEncrypted(side: SideReader, type: number): boolean {
    if (type === CONTENT_APPLICATION_DATA) return true;
    // TLS 1.3 sends every protected record as application_data; ChangeCipherSpec there is a
    // compatibility dummy (RFC 8446 §D.4), and a plaintext alert can still follow it.
    return side.changedCipherSpec && this.seen.version !== TLS13;
  }

  private finishRecord(from: TlsSide, side: SideReader): void {
    const record = side.record!;
    side.record = null;
    const body = Buffer.concat(side.body, side.bodyHeld);
    side.body = [];
    side.bodyHeld = 0;
    if (record.encrypted) {
      this.onEncryptedRecord(from, side, record.type, record.length);
      return;
    }
    switch (record.type) {
      case CONTENT_CHANGE_CIPHER_SPEC:
        side.changedCipherSpec = true;
        this.events.push({ kind: "change-cipher-spec", from });
        return;
      case CONTENT_ALERT:
        this.onAlerts(from, side, body, record.offset);
        return;
      case CONTENT_HANDSHAKE:
        this.onHandshakeFragment(from, side, body, record.offset + RECORD_HEADER_LENGTH);
        return;
      default:
        // heartbeat: nothing in it bears on the handshake.
        return;
    }
  }

  private onAlerts(from: TlsSide, side: SideReader, body: Buffer, offset: number): void {
    if (body.length === 0 || body.length % ALERT_LENGTH !== 0) {
      this.stop(from, offset, "malformed", `an alert record of ${body.length} bytes`);
      return;
    }
    for (let at = 0; at < body.length; at += ALERT_LENGTH) {
      if (++side.alerts > MAX_ALERTS_PER_SIDE) {
        this.stop(from, offset, "limit", `more than ${MAX_ALERTS_PER_SIDE} alerts`);
        return;
      }
      const alert = {
        from,
        level: nameOf(ALERT_LEVELS, body[at]!),
        description: nameOf(ALERT_DESCRIPTIONS, body[at + 1]!),
      };
      this.seen.alerts.push(alert);
      this.events.push({ kind: "alert", ...alert });
    }
  }

  private onHandshakeFragment(from: TlsSide, side: SideReader, body: Buffer, offset: number): void {
    side.fragments.push({ at: side.handshake.length, stream: offset });
    side.handshake = Buffer.concat([side.handshake, body]);
    while (side.handshake.length >= HANDSHAKE_HEADER_LENGTH && !this.done) {
      const length = side.handshake.readUIntBE(1, 3);
      if (length > MAX_HANDSHAKE_MESSAGE_LENGTH) {
        this.stop(
          from,
          streamOffsetIn(side.fragments, 0),
          "limit",
          `a handshake message of ${length} bytes, above the ${MAX_HANDSHAKE_MESSAGE_LENGTH} read`,
        );
        return;
      }
      const end = HANDSHAKE_HEADER_LENGTH + length;
      if (side.handshake.length < end) return;
      const message = side.handshake.subarray(0, end);
      const fragments = side.fragments;
      side.handshake = side.handshake.subarray(end);
      side.fragments = side.handshake.length === 0 ? [] : dropFront(fragments, end);
      this.onHandshakeMessage(from, side, message, (index) => streamOffsetIn(fragments, index));
    }
  }

  private onHandshakeMessage(
    from: TlsSide,
    side: SideReader,
    message: Buffer,
    streamOffset: (index: number) => number,
  ): void {
    if (++side.messages > MAX_HANDSHAKE_MESSAGES_PER_SIDE) {
      this.stop(
        from,
        streamOffset(0),
        "limit",
        `more than ${MAX_HANDSHAKE_MESSAGES_PER_SIDE} handshake messages`,
      );
      return;
    }
    const type = message[0]!;
    this.seen.handshakeMessages[from].push(nameOf(HANDSHAKE_NAMES, type));
    try {
      if (from === "client" && type === HANDSHAKE_CLIENT_HELLO) this.onClientHello(message);
      else if (from === "server" && type === HANDSHAKE_SERVER_HELLO) this.onServerHello(message);
      else if (type === HANDSHAKE_CERTIFICATE && this.seen.version !== TLS13)
        this.onCertificate(from, message);
    } catch (error) {
      if (error instanceof ClientHelloParseError || error instanceof ServerHelloParseError) {
        // Their offsets count a 5-byte record header before the message.
        const index = Math.max(0, error.offset - RECORD_HEADER_LENGTH);
        this.stop(from, streamOffset(Math.min(index, message.length - 1)), "malformed", error.message);
        return;
      }
      if (error instanceof CertificateListError) {
        this.stop(from, streamOffset(error.index), "malformed", error.message);
        return;
      }
      throw error;
    }
  }

  private onClientHello(message: Buffer): void {
    const summary = summarizeClientHelloMessage(message);
    const afterRetry = this.seen.helloRetryRequest !== null;
    if (afterRetry) this.seen.clientHelloAfterRetry ??= summary;
    else this.seen.clientHello ??= summary;
    if (this.seen.stage === "client-hello") this.seen.stage = "server-hello";
    this.events.push({ kind: "client-hello", summary, afterRetry });
  }

  private onServerHello(message: Buffer): void {
    const summary = summarizeServerHelloMessage(message);
    if (summary.helloRetryRequest) {
      this.seen.helloRetryRequest ??= summary;
      // A HelloRetryRequest already fixes the version (RFC 8446 §4.1.4), so the client's
      // compatibility ChangeCipherSpec before its second ClientHello is not taken for encryption.
      this.seen.version = summary.version;
    } else {
      this.seen.serverHello ??= summary;
      this.seen.version = summary.version;
      this.seen.cipher = summary.opensslCipher ?? summary.cipherSuite;
      this.seen.stage = "handshake";
    }
    this.events.push({ kind: "server-hello", summary });
  }

  private onCertificate(from: TlsSide, message: Buffer): void {
    const chain = readCertificateList(message);
    if (from === "server") this.seen.serverCertificates ??= chain;
    else this.seen.clientCertificates ??= chain;
    this.events.push({ kind: "certificate", from, chain });
  }

  private onEncryptedRecord(from: TlsSide, side: SideReader, type: number, length: number): void {
    this.seen.encryptedRecords[from]++;
    const tls13 = this.seen.version === TLS13;
    const looksLikeAlert = tls13 ? length === this.encryptedAlertLength() : type === CONTENT_ALERT;
    this.events.push({
      kind: "encrypted-record",
      from,
      contentType: nameOf(CONTENT_TYPE_NAMES, type),
      length,
      looksLikeAlert,
    });
    if (tls13) this.progressTls13(from, looksLikeAlert);
    else if (this.seen.version !== null) this.progressTls12(from, side, type);
  }

  /** TLS 1.3's encrypted alert, unpadded: its 2 bytes, the inner content type, the AEAD tag. */
  private encryptedAlertLength(): number {
    const suite = this.seen.serverHello?.cipherSuite ?? "";
    const tag = suite.endsWith("CCM_8_SHA256") ? CCM_8_TAG_LENGTH : AEAD_TAG_LENGTH;
    return ALERT_LENGTH + INNER_CONTENT_TYPE_LENGTH + tag;
  }

  private progressTls13(from: TlsSide, looksLikeAlert: boolean): void {
    const finished = this.seen.finished;
    if (from === "server") {
      if (!finished.server) {
        finished.server = true;
        return;
      }
      if (finished.client && !looksLikeAlert) {
        this.completed(
          "TLS 1.3: after the server's encrypted flight the client sent a record that is not alert-sized (its Finished), then the server answered with one (a ticket or data)",
        );
      }
      return;
    }
    if (finished.server && !looksLikeAlert) finished.client = true;
  }

  private progressTls12(from: TlsSide, side: SideReader, type: number): void {
    if (type === CONTENT_HANDSHAKE && side.changedCipherSpec && !this.seen.finished[from]) {
      this.seen.finished[from] = true;
      this.finishedOrder.push(from);
      return;
    }
    if (type !== CONTENT_APPLICATION_DATA || this.finishedOrder.length < 2) return;
    const lastFinished = this.finishedOrder[1]!;
    if (from !== lastFinished) {
      this.completed(
        `TLS ≤ 1.2: both sides sent ChangeCipherSpec and Finished, then the ${from} (which received the later Finished) sent application data`,
      );
    }
  }

  private completed(evidence: string): void {
    this.seen.complete = true;
    this.seen.stage = "complete";
    this.releaseAll();
    this.events.push({
      kind: "handshake-complete",
      version: this.seen.version ?? "unknown",
      cipher: this.seen.cipher ?? "unknown",
      evidence,
    });
  }

  private stop(from: TlsSide, offset: number, reason: TlsObserverStopReason, detail: string): void {
    const error = new TlsObserverError(from, offset, reason, detail);
    this.seen.stopped = error;
    this.seen.stage = "stopped";
    this.releaseAll();
    this.events.push({ kind: "stopped", error });
  }

  private releaseAll(): void {
    this.sides.client.release();
    this.sides.server.release();
  }
}

/** Where index `index` of a reassembly buffer made of `fragments` sits in the side's stream. */
function streamOffsetIn(fragments: readonly Fragment[], index: number): number {
  let holder = fragments[0] ?? { at: 0, stream: 0 };
  for (const fragment of fragments) {
    if (fragment.at > index) break;
    holder = fragment;
  }
  return holder.stream + (index - holder.at);
}

/** `fragments` once the first `count` bytes of their buffer are consumed. */
function dropFront(fragments: readonly Fragment[], count: number): Fragment[] {
  const later = fragments.filter((f) => f.at > count).map((f) => ({ at: f.at - count, stream: f.stream }));
  return [{ at: 0, stream: streamOffsetIn(fragments, count) }, ...later];
}

/** A Certificate message whose list cannot be read; `index` is the byte in the message. */
class CertificateListError extends Error {
  constructor(
    readonly index: number,
    detail: string,
  ) {
    super(`malformed Certificate at byte ${index} of the message: ${detail}`);
    this.name = "CertificateListError";
  }
}

/** The DER certificates of a TLS ≤ 1.2 Certificate message (RFC 5246 §7.4.2), header included. */
function readCertificateList(message: Buffer): Buffer[] {
  let at = HANDSHAKE_HEADER_LENGTH;
  const need = (length: number, what: string): void => {
    if (at + length > message.length) {
      throw new CertificateListError(at, `${what}: needs ${length} bytes, ${message.length - at} left`);
    }
  };
  need(3, "certificate_list length");
  const listLength = message.readUIntBE(at, 3);
  at += 3;
  if (at + listLength !== message.length) {
    throw new CertificateListError(
      at - 3,
      `a list of ${listLength} bytes in a message holding ${message.length - at}`,
    );
  }
  const chain: Buffer[] = [];
  while (at < message.length) {
    need(3, "certificate length");
    const length = message.readUIntBE(at, 3);
    at += 3;
    need(length, "certificate");
    chain.push(Buffer.from(message.subarray(at, at + length)));
    at += length;
  }
  return chain;
}
