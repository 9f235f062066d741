import { LRUCache } from "lru-cache";
import { createHash } from "node:crypto";
import { CIPHER_SUITES, isGREASE, SIGNATURE_ALGORITHMS, SUPPORTED_GROUPS } from "read-tls-client-hello";
import { protocolName } from "./tls-versions";
import { TlsReader } from "./tls-reader";
import { TlsExtension } from "./tls-extensions";

/** What the client offered in its TLS ClientHello, in the names a person reads. */
export interface ClientHelloSummary {
  /** ClientHello.legacy_version, e.g. `TLSv1.2` (the highest version of a pre-1.3 client). */
  legacyVersion: string;
  /** The supported_versions extension, highest first as sent; null when the client sent none. */
  supportedVersions: string[] | null;
  /** Cipher suites by IANA name (GREASE values removed), in the client's order. */
  cipherSuites: string[];
  /** Server Name Indication, or null when the client sent none (as for IP-literal hosts). */
  sni: string | null;
  /**
   * ALPN protocols offered, empty when none; each byte is one character (latin1), so a protocol
   * id that is not ASCII keeps its bytes.
   */
  alpn: string[];
  /** The supported_groups extension (key-exchange groups) by IANA name, GREASE removed; empty when absent. */
  supportedGroups: string[];
  /** The signature_algorithms extension by IANA name, in the client's order; empty when absent. */
  signatureAlgorithms: string[];
  /** JA3 (Salesforce): MD5 of {@link ja3Text}. */
  ja3: string;
  /** JA4 (FoxIO), e.g. `t13d1516h2_8daaf6152771_e5627efa2ab1`; see {@link ja4Raw}. */
  ja4: string;
}

/** A ClientHello record that cannot be read as one (RFC 5246 §7.4.1.2, RFC 8446 §4.1.2). */
export class ClientHelloParseError extends Error {
  constructor(
    /**
     * Byte offset in the TLS record (its 5-byte header included) where reading failed; for a
     * ClientHello sent in several records, the offset it would have in one record.
     */
    readonly offset: number,
    /** What was expected there. */
    readonly detail: string,
  ) {
    super(`malformed ClientHello at byte ${offset} of its record: ${detail}`);
    this.name = "ClientHelloParseError";
  }
}

/** A ClientHello as sent: code points in the client's order, GREASE values included. */
export interface ParsedClientHello {
  legacyVersion: number;
  cipherSuites: number[];
  /** Every extension in the client's order; empty when the extensions block is absent (TLS ≤ 1.2). */
  extensions: Array<{ type: number; data: Buffer }>;
}

export const TLS_HANDSHAKE_RECORD = 0x16;
export const TLS_RECORD_HEADER_LENGTH = 5;
const HANDSHAKE_HEADER_LENGTH = 4;
const HANDSHAKE_CLIENT_HELLO = 0x01;
const CLIENT_RANDOM_LENGTH = 32;
/** Bytes of a non-TLS head shown in a `not-tls` result. */
export const NOT_TLS_PREVIEW_LENGTH = 16;

/**
 * The largest ClientHello body OpenSSL accepts (`CLIENT_HELLO_MAX_LENGTH`, ssl/statem/statem_srvr.c):
 * every field at its maximum. A longer claim is refused without waiting for its bytes.
 */
export const CLIENT_HELLO_MAX_LENGTH = 131_396;
/** TLSPlaintext.length must not exceed 2^14 (RFC 5246 §6.2.1, RFC 8446 §5.1). */
const MAX_PLAINTEXT_RECORD_LENGTH = 16_384;
/**
 * Records a ClientHello may be cut into before the peek stops reassembling it. Eight full records
 * hold the largest ClientHello; clients that split theirs use two or three. Past this the
 * handshake still runs, unrecorded, and the bytes waited for stay bounded.
 */
export const MAX_CLIENT_HELLO_RECORDS = 64;

// The extensions the summary and the fingerprints read.
const {
  SERVER_NAME: EXT_SERVER_NAME,
  SUPPORTED_GROUPS: EXT_SUPPORTED_GROUPS,
  EC_POINT_FORMATS: EXT_EC_POINT_FORMATS,
  SIGNATURE_ALGORITHMS: EXT_SIGNATURE_ALGORITHMS,
  ALPN: EXT_ALPN,
  SUPPORTED_VERSIONS: EXT_SUPPORTED_VERSIONS,
} = TlsExtension;
/** server_name's NameType for a DNS host name (RFC 6066 §3), the only one defined. */
const SNI_HOST_NAME = 0x00;

function hex4(value: number): string {
  return value.toString(16).padStart(4, "0");
}

const helloParseError = (offset: number, detail: string) => new ClientHelloParseError(offset, detail);

/** A reader over a ClientHello, whose errors are {@link ClientHelloParseError}s. */
function helloReader(bytes: Buffer, at: number, end: number, origin = 0): TlsReader {
  return new TlsReader(bytes, at, end, helloParseError, origin);
}

/**
 * Reads the ClientHello in one TLS record (5-byte record header included). A ClientHello that goes
 * on into a second record is refused here: {@link assembleClientHello} joins the records first.
 */
export function parseClientHelloRecord(record: Buffer): ParsedClientHello {
  const header = helloReader(record, 0, record.length);
  if (header.uint(1, "record type") !== TLS_HANDSHAKE_RECORD) {
    throw new ClientHelloParseError(0, "not a TLS handshake record");
  }
  header.uint(2, "record version");
  const handshake = header.vector(2, "record");
  return parseClientHelloMessage(handshake.rest());
}

/**
 * Reads a ClientHello handshake message (4-byte handshake header included), whole, whether it came
 * in one record or several. Error offsets count as if it sat in one record.
 */
export function parseClientHelloMessage(message: Buffer): ParsedClientHello {
  const handshake = helloReader(message, 0, message.length, TLS_RECORD_HEADER_LENGTH);
  if (handshake.uint(1, "handshake type") !== HANDSHAKE_CLIENT_HELLO) {
    throw new ClientHelloParseError(TLS_RECORD_HEADER_LENGTH, "not a ClientHello");
  }
  const claimed = handshake.uint(3, "ClientHello length");
  const held = message.length - HANDSHAKE_HEADER_LENGTH;
  if (claimed !== held) {
    throw new ClientHelloParseError(
      TLS_RECORD_HEADER_LENGTH,
      `a ClientHello of ${claimed} bytes in a record holding ${held}`,
    );
  }
  const hello = helloReader(message, HANDSHAKE_HEADER_LENGTH, message.length, TLS_RECORD_HEADER_LENGTH);
  const legacyVersion = hello.uint(2, "legacy_version");
  hello.take(CLIENT_RANDOM_LENGTH, "random");
  hello.vector(1, "legacy_session_id");
  const suites = hello.vector(2, "cipher_suites");
  const cipherSuites = suites.uint16s("cipher suite");
  hello.vector(1, "legacy_compression_methods");
  const extensions: ParsedClientHello["extensions"] = [];
  // Before TLS 1.3 a client may leave the extensions block out altogether (RFC 5246 §7.4.1.2).
  if (!hello.done) {
    const block = hello.vector(2, "extensions");
    while (!block.done) {
      const type = block.uint(2, "extension type");
      extensions.push({ type, data: block.vector(2, () => `extension 0x${hex4(type)}`).rest() });
    }
  }
  return { legacyVersion, cipherSuites, extensions };
}

/** How far the bytes at the head of a connection go towards a whole ClientHello. */
export type ClientHelloAssembly =
  | {
      kind: "complete";
      /** The handshake message, its 4-byte header included, joined from every record it spans. */
      message: Buffer;
      /**
       * Bytes of the records it spans, their headers included; null when its last record goes on
       * past it (a client waits for the server before sending another handshake message).
       */
      wireLength: number | null;
      records: number;
    }
  /** Not all there yet: the buffer must hold at least `needBytes` before asking again. */
  | { kind: "incomplete"; needBytes: number }
  /** Bytes that cannot be (the start of) a ClientHello this peek reassembles. */
  | { kind: "invalid"; offset: number; detail: string };

/**
 * Joins the ClientHello at the head of `buffered` from the handshake records it is cut into
 * (RFC 5246 §6.2.1 lets a client fragment any handshake message across records), without reading
 * past what it needs: {@link ClientHelloAssembly} `incomplete` says how many bytes to wait for.
 * Refuses, without waiting, a claimed length above {@link CLIENT_HELLO_MAX_LENGTH} and more than
 * {@link MAX_CLIENT_HELLO_RECORDS} records.
 */
export function assembleClientHello(buffered: Buffer): ClientHelloAssembly {
  const fragments: Buffer[] = [];
  let held = 0;
  let messageLength: number | null = null;
  let offset = 0;
  for (let records = 1; ; records++) {
    if (offset + TLS_RECORD_HEADER_LENGTH > buffered.length) {
      return { kind: "incomplete", needBytes: offset + TLS_RECORD_HEADER_LENGTH };
    }
    if (buffered[offset] !== TLS_HANDSHAKE_RECORD) {
      return {
        kind: "invalid",
        offset,
        detail: `a record of content type ${buffered[offset]} where a ClientHello record was expected`,
      };
    }
    if (records > MAX_CLIENT_HELLO_RECORDS) {
      return {
        kind: "invalid",
        offset,
        detail: `a ClientHello cut into more than ${MAX_CLIENT_HELLO_RECORDS} records`,
      };
    }
    const length = buffered.readUInt16BE(offset + 3);
    if (length > MAX_PLAINTEXT_RECORD_LENGTH) {
      return {
        kind: "invalid",
        offset,
        detail: `a handshake record of ${length} bytes, above the ${MAX_PLAINTEXT_RECORD_LENGTH} TLS allows`,
      };
    }
    const end = offset + TLS_RECORD_HEADER_LENGTH + length;
    if (end > buffered.length) return { kind: "incomplete", needBytes: end };
    fragments.push(buffered.subarray(offset + TLS_RECORD_HEADER_LENGTH, end));
    held += length;
    offset = end;
    if (messageLength === null && held >= HANDSHAKE_HEADER_LENGTH) {
      const head = Buffer.concat(fragments);
      if (head[0] !== HANDSHAKE_CLIENT_HELLO) {
        return { kind: "invalid", offset: TLS_RECORD_HEADER_LENGTH, detail: "not a ClientHello" };
      }
      const claimed = head.readUIntBE(1, 3);
      if (claimed > CLIENT_HELLO_MAX_LENGTH) {
        return {
          kind: "invalid",
          offset: TLS_RECORD_HEADER_LENGTH,
          detail: `a ClientHello of ${claimed} bytes, above the ${CLIENT_HELLO_MAX_LENGTH} OpenSSL accepts`,
        };
      }
      messageLength = HANDSHAKE_HEADER_LENGTH + claimed;
    }
    if (messageLength !== null && held >= messageLength) {
      const message = Buffer.concat(fragments, held).subarray(0, messageLength);
      return { kind: "complete", message, wireLength: held === messageLength ? offset : null, records };
    }
  }
}

function extension(hello: ParsedClientHello, type: number): Buffer | undefined {
  return hello.extensions.find((e) => e.type === type)?.data;
}

/**
 * Reads an extension's body with `read`; undefined when the client did not send the extension,
 * null when its body is malformed (the extension still counts in JA3/JA4).
 */
function decode<T>(
  hello: ParsedClientHello,
  type: number,
  read: (body: TlsReader) => T,
): T | null | undefined {
  const data = extension(hello, type);
  if (data === undefined) return undefined;
  try {
    return read(helloReader(data, 0, data.length));
  } catch (error) {
    if (error instanceof ClientHelloParseError) return null;
    throw error;
  }
}

const readUint16List = (what: string) => (body: TlsReader) => body.vector(2, what).uint16s(what);

function offeredVersions(hello: ParsedClientHello): number[] | null | undefined {
  return decode(hello, EXT_SUPPORTED_VERSIONS, (body) => body.vector(1, "versions").uint16s("version"));
}

function serverName(hello: ParsedClientHello): string | null {
  const name = decode(hello, EXT_SERVER_NAME, (body) => {
    const list = body.vector(2, "server_name_list");
    while (!list.done) {
      const nameType = list.uint(1, "name_type");
      const entry = list.vector(2, "host_name");
      if (nameType === SNI_HOST_NAME) return entry.rest().toString("latin1");
    }
    return null;
  });
  return name ?? null;
}

function alpnProtocols(hello: ParsedClientHello): Buffer[] {
  const protocols = decode(hello, EXT_ALPN, (body) => {
    const list = body.vector(2, "protocol_name_list");
    const names: Buffer[] = [];
    while (!list.done) names.push(list.vector(1, "protocol_name").rest());
    return names;
  });
  return protocols ?? [];
}

function withoutGrease(values: readonly number[] | null | undefined): number[] {
  return (values ?? []).filter((value) => !isGREASE(value));
}

/**
 * The JA3 string before hashing (https://github.com/salesforce/ja3): legacy_version, cipher suites,
 * extension types, supported groups and EC point formats, in decimal and in the client's order,
 * GREASE values (RFC 8701) left out as the reference implementation does.
 */
export function ja3Text(hello: ParsedClientHello): string {
  const groups = decode(hello, EXT_SUPPORTED_GROUPS, readUint16List("named group"));
  const pointFormats = decode(hello, EXT_EC_POINT_FORMATS, (body) => [
    ...body.vector(1, "ec_point_format").rest(),
  ]);
  return [
    String(hello.legacyVersion),
    withoutGrease(hello.cipherSuites).join("-"),
    withoutGrease(hello.extensions.map((e) => e.type)).join("-"),
    withoutGrease(groups).join("-"),
    (pointFormats ?? []).join("-"),
  ].join(",");
}

/** JA4's two-character version names (FoxIO JA4 technical details, "TLS and DTLS Version"). */
const JA4_VERSIONS: Record<number, string> = {
  0x0304: "13",
  0x0303: "12",
  0x0302: "11",
  0x0301: "10",
  0x0300: "s3",
  0x0002: "s2",
  0xfeff: "d1",
  0xfefd: "d2",
  0xfefc: "d3",
};
const JA4_UNKNOWN_VERSION = "00";
const JA4_NO_ALPN = "00";
const JA4_MAX_COUNT = 99;
const JA4_HASH_LENGTH = 12;
/** What JA4 writes for the hash of an empty list, rather than hashing nothing. */
const JA4_EMPTY_HASH = "0".repeat(JA4_HASH_LENGTH);

/** Two decimal digits, 99 for more. */
function ja4Count(values: readonly unknown[]): string {
  return String(Math.min(values.length, JA4_MAX_COUNT)).padStart(2, "0");
}

function isAsciiAlphanumeric(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a);
}

/**
 * The first and last characters of the first ALPN id (a one-byte id gives its character twice);
 * when either end byte is not an ASCII letter or digit, the first and last characters of the id
 * in hex instead (`0xAB 0xCD` is `ad`).
 */
function ja4Alpn(first: Buffer | undefined): string {
  if (!first || first.length === 0) return JA4_NO_ALPN;
  const head = first[0]!;
  const tail = first[first.length - 1]!;
  if (isAsciiAlphanumeric(head) && isAsciiAlphanumeric(tail)) return String.fromCharCode(head, tail);
  const hex = first.toString("hex");
  return `${hex[0]}${hex[hex.length - 1]}`;
}

/**
 * The version JA4 names: the highest non-GREASE entry of supported_versions when the client sent
 * that extension (Go's crypto/tls sends it capped at TLSv1.2, listing only TLSv1.2), else
 * legacy_version.
 */
function ja4Version(hello: ParsedClientHello): string {
  const offered = offeredVersions(hello);
  if (offered === undefined) return JA4_VERSIONS[hello.legacyVersion] ?? JA4_UNKNOWN_VERSION;
  const versions = withoutGrease(offered);
  if (versions.length === 0) return JA4_UNKNOWN_VERSION;
  return JA4_VERSIONS[Math.max(...versions)] ?? JA4_UNKNOWN_VERSION;
}

interface Ja4Parts {
  a: string;
  /** Cipher suites, sorted. */
  b: string;
  /** Extensions (SNI and ALPN left out), sorted; then `_` and the signature algorithms as sent. */
  c: string;
  /** Whether the sorted extension list of `c` is empty. */
  noExtensions: boolean;
}

/** JA4 as FoxIO's "JA4 technical details" define it, before hashing; GREASE is left out everywhere. */
function ja4Parts(hello: ParsedClientHello): Ja4Parts {
  const ciphers = withoutGrease(hello.cipherSuites);
  const types = withoutGrease(hello.extensions.map((e) => e.type));
  const sni = types.includes(EXT_SERVER_NAME) ? "d" : "i";
  // JA4 is defined for TLS over TCP ("t"), QUIC ("q") and DTLS ("d"); this server only sees TCP.
  const a = `t${ja4Version(hello)}${sni}${ja4Count(ciphers)}${ja4Count(types)}${ja4Alpn(alpnProtocols(hello)[0])}`;
  // SNI and ALPN stay out of the hashed list: part a already says whether they were there.
  const hashed = types.filter((type) => type !== EXT_SERVER_NAME && type !== EXT_ALPN);
  const algorithms = withoutGrease(
    decode(hello, EXT_SIGNATURE_ALGORITHMS, readUint16List("signature scheme")),
  );
  const extensions = hashed.map(hex4).sort().join(",");
  return {
    a,
    b: ciphers.map(hex4).sort().join(","),
    c: algorithms.length > 0 ? `${extensions}_${algorithms.map(hex4).join(",")}` : extensions,
    noExtensions: hashed.length === 0,
  };
}

/**
 * JA4_r, the raw JA4: part a, the sorted cipher suites, then the sorted extensions without SNI and
 * ALPN, `_` and the signature algorithms in the client's order; all in 4-digit hex.
 */
export function ja4Raw(hello: ParsedClientHello): string {
  const { a, b, c } = ja4Parts(hello);
  return `${a}_${b}_${c}`;
}

function ja4Hash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, JA4_HASH_LENGTH);
}

/** JA4: {@link ja4Raw} with its lists hashed (SHA-256, the first 12 hex digits). */
export function ja4(hello: ParsedClientHello): string {
  const { a, b, c, noExtensions } = ja4Parts(hello);
  return `${a}_${b ? ja4Hash(b) : JA4_EMPTY_HASH}_${noExtensions ? JA4_EMPTY_HASH : ja4Hash(c)}`;
}

/** A registry name, or the code point in hex for values the registry does not know. */
function named(table: Readonly<Record<number, string | undefined>>, id: number): string {
  return table[id] ?? `0x${hex4(id)}`;
}

/** Summarizes the ClientHello in `record`, a whole TLS record; throws {@link ClientHelloParseError}. */
export function summarizeClientHello(record: Buffer): ClientHelloSummary {
  return summarizeOnce(parseClientHelloRecord(record));
}

/** Summarizes a whole ClientHello message (see {@link assembleClientHello}); throws {@link ClientHelloParseError}. */
export function summarizeClientHelloMessage(message: Buffer): ClientHelloSummary {
  return summarizeOnce(parseClientHelloMessage(message));
}

/**
 * The extensions whose bodies {@link summarize} reads (names, JA3, JA4); of every other extension
 * only the type counts. The client random, the session id and bodies such as key_share change
 * from one connection to the next; these stay the same for one client build and configuration.
 */
const SUMMARIZED_EXTENSIONS: ReadonlySet<number> = new Set([
  EXT_SERVER_NAME,
  EXT_SUPPORTED_GROUPS,
  EXT_EC_POINT_FORMATS,
  EXT_SIGNATURE_ALGORITHMS,
  EXT_ALPN,
  EXT_SUPPORTED_VERSIONS,
]);

/** Summaries kept for the ClientHellos seen last: a test run sees a handful of clients, over and over. */
const summaries = new LRUCache<string, ClientHelloSummary>({ max: 64 });

/**
 * Everything of `hello` that {@link summarize} reads, as one string: equal keys, equal summaries.
 * Bodies are latin1 (one character per byte), so no two different bodies share a key.
 */
function summaryKey(hello: ParsedClientHello): string {
  let key = `${hello.legacyVersion}:${hello.cipherSuites.join(",")}`;
  for (const { type, data } of hello.extensions) {
    key += SUMMARIZED_EXTENSIONS.has(type)
      ? `;${type}=${data.length}:${data.toString("latin1")}`
      : `;${type}`;
  }
  return key;
}

/** A summary no other record shares: records are handed out, and one may be changed. */
function copySummary(summary: ClientHelloSummary): ClientHelloSummary {
  return {
    ...summary,
    supportedVersions: summary.supportedVersions && [...summary.supportedVersions],
    cipherSuites: [...summary.cipherSuites],
    alpn: [...summary.alpn],
    supportedGroups: [...summary.supportedGroups],
    signatureAlgorithms: [...summary.signatureAlgorithms],
  };
}

/**
 * {@link summarize}, computed once per distinct ClientHello: naming the suites and hashing JA3 and
 * JA4 cost more than the rest of reading it, and a test suite's clients send the same hello each
 * time (GREASE or a shuffled extension order only make another entry).
 */
function summarizeOnce(hello: ParsedClientHello): ClientHelloSummary {
  const key = summaryKey(hello);
  let summary = summaries.get(key);
  if (!summary) {
    summary = summarize(hello);
    summaries.set(key, summary);
  }
  return copySummary(summary);
}

function summarize(hello: ParsedClientHello): ClientHelloSummary {
  const versions = offeredVersions(hello);
  const groups = decode(hello, EXT_SUPPORTED_GROUPS, readUint16List("named group"));
  const signatures = decode(hello, EXT_SIGNATURE_ALGORITHMS, readUint16List("signature scheme"));
  return {
    legacyVersion: protocolName(hello.legacyVersion),
    supportedVersions: versions ? withoutGrease(versions).map(protocolName) : null,
    cipherSuites: withoutGrease(hello.cipherSuites).map((id) => named(CIPHER_SUITES, id)),
    sni: serverName(hello),
    alpn: alpnProtocols(hello).map((protocol) => protocol.toString("latin1")),
    supportedGroups: withoutGrease(groups).map((id) => named(SUPPORTED_GROUPS, id)),
    signatureAlgorithms: (signatures ?? []).map((id) => named(SIGNATURE_ALGORITHMS, id)),
    ja3: createHash("md5").update(ja3Text(hello)).digest("hex"),
    ja4: ja4(hello),
  };
}
