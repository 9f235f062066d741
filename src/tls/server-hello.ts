import { CIPHER_SUITES, EXTENSIONS, SUPPORTED_GROUPS } from "read-tls-client-hello";
import { protocolName } from "./tls-versions";
import { TlsReader } from "./tls-reader";
import { TLS_RECORD_HEADER_LENGTH } from "./client-hello";
import { TlsExtension } from "./tls-extensions";

/*
 * The server's answer to a ClientHello (RFC 5246 §7.4.1.3, RFC 8446 §4.1.3), read by someone who
 * relays the bytes without terminating TLS: the negotiated version and cipher suite are the last
 * things the handshake shows in plaintext before TLS 1.3 encrypts the rest.
 */

/** What the server chose, in the names a person reads. */
export interface ServerHelloSummary {
  /**
   * The version the server chose: supported_versions' selected_version when present (TLS 1.3, where
   * legacy_version stays `TLSv1.2`), else legacy_version. Named as OpenSSL and `Ssl_version` name it.
   */
  version: string;
  /** ServerHello.legacy_version as sent. */
  legacyVersion: string;
  /** supported_versions' selected_version, or null when the server sent no such extension. */
  selectedVersion: string | null;
  /**
   * This is a HelloRetryRequest (RFC 8446 §4.1.3: a ServerHello whose random is SHA-256 of
   * "HelloRetryRequest"): the server asks for a second ClientHello and has chosen nothing for good.
   */
  helloRetryRequest: boolean;
  /**
   * The downgrade sentinel of RFC 8446 §4.1.3 in the last 8 bytes of the random: a server able to do
   * TLS 1.3 negotiated `TLSv1.2` (`DOWNGRD` 01) or `TLSv1.1` or below (`DOWNGRD` 00); null without one.
   */
  downgradeSentinel: "TLSv1.2" | "TLSv1.1-or-below" | null;
  /** The cipher suite by IANA name, e.g. `TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384`; hex when unknown. */
  cipherSuite: string;
  /**
   * The cipher suite by OpenSSL's name, as Node's `tlsSocket.getCipher().name` and MySQL's
   * `Ssl_cipher` give it (`ECDHE-RSA-AES256-GCM-SHA384`, `TLS_AES_256_GCM_SHA384`); null for a suite
   * OpenSSL 3 does not implement.
   */
  opensslCipher: string | null;
  /** legacy_session_id_echo in hex, empty when the server sent none. */
  sessionId: string;
  /** The compression method (0 is `null`, the only one TLS 1.3 allows). */
  compressionMethod: number;
  /** Extension types by IANA name (hex when unknown), in the server's order. */
  extensions: string[];
  /** The ALPN protocol the server selected (latin1), or null. */
  alpn: string | null;
  /** TLS 1.3 key_share's group (in a HelloRetryRequest: the group asked for), or null. */
  keyShareGroup: string | null;
}

/** A ServerHello as sent: code points and bytes, nothing named. */
export interface ParsedServerHello {
  legacyVersion: number;
  random: Buffer;
  sessionId: Buffer;
  cipherSuite: number;
  compressionMethod: number;
  /** Every extension in the server's order; empty when the extensions block is absent (TLS ≤ 1.2). */
  extensions: Array<{ type: number; data: Buffer }>;
}

/** A ServerHello that cannot be read as one (RFC 5246 §7.4.1.3, RFC 8446 §4.1.3). */
export class ServerHelloParseError extends Error {
  constructor(
    /**
     * Byte offset where reading failed, counted as if the message sat in one TLS record (its 5-byte
     * header included), as {@link ClientHelloParseError} counts.
     */
    readonly offset: number,
    /** What was expected there. */
    readonly detail: string,
  ) {
    super(`malformed ServerHello at byte ${offset} of its record: ${detail}`);
    this.name = "ServerHelloParseError";
  }
}

export const HANDSHAKE_SERVER_HELLO = 0x02;
const HANDSHAKE_HEADER_LENGTH = 4;
const RANDOM_LENGTH = 32;
/** legacy_session_id is at most 32 bytes (RFC 5246 §7.4.1.2, RFC 8446 §4.1.2). */
const MAX_SESSION_ID_LENGTH = 32;

const { ALPN: EXT_ALPN, SUPPORTED_VERSIONS: EXT_SUPPORTED_VERSIONS, KEY_SHARE: EXT_KEY_SHARE } = TlsExtension;

/** SHA-256("HelloRetryRequest"), the random of every HelloRetryRequest (RFC 8446 §4.1.3). */
export const HELLO_RETRY_REQUEST_RANDOM = Buffer.from(
  "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c",
  "hex",
);
/** The first 7 bytes of the downgrade sentinel, "DOWNGRD" (RFC 8446 §4.1.3); an 8th byte 01 or 00 follows. */
const DOWNGRADE_SENTINEL_PREFIX = Buffer.from("444f574e475244", "hex");
const DOWNGRADE_TO_TLS12 = 0x01;
const DOWNGRADE_TO_TLS11 = 0x00;

/**
 * OpenSSL's name of every cipher suite OpenSSL 3 implements, by code point. Captured from
 * OpenSSL 3.0.22 (Debian 12) with
 *
 *     openssl ciphers -V -stdname -ciphersuites \
 *       'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256' \
 *       'ALL:COMPLEMENTOFALL:@SECLEVEL=0'
 *
 * (the code point and the fourth column); test/tls/server-hello.test.ts checks it against the
 * installed `openssl`, and the IANA names `-stdname` prints against read-tls-client-hello's table.
 */
export const OPENSSL_CIPHER_NAMES: Readonly<Record<number, string>> = {
  0x0001: "NULL-MD5",
  0x0002: "NULL-SHA",
  0x002c: "PSK-NULL-SHA",
  0x002d: "DHE-PSK-NULL-SHA",
  0x002e: "RSA-PSK-NULL-SHA",
  0x002f: "AES128-SHA",
  0x0032: "DHE-DSS-AES128-SHA",
  0x0033: "DHE-RSA-AES128-SHA",
  0x0034: "ADH-AES128-SHA",
  0x0035: "AES256-SHA",
  0x0038: "DHE-DSS-AES256-SHA",
  0x0039: "DHE-RSA-AES256-SHA",
  0x003a: "ADH-AES256-SHA",
  0x003b: "NULL-SHA256",
  0x003c: "AES128-SHA256",
  0x003d: "AES256-SHA256",
  0x0040: "DHE-DSS-AES128-SHA256",
  0x0041: "CAMELLIA128-SHA",
  0x0044: "DHE-DSS-CAMELLIA128-SHA",
  0x0045: "DHE-RSA-CAMELLIA128-SHA",
  0x0046: "ADH-CAMELLIA128-SHA",
  0x0067: "DHE-RSA-AES128-SHA256",
  0x006a: "DHE-DSS-AES256-SHA256",
  0x006b: "DHE-RSA-AES256-SHA256",
  0x006c: "ADH-AES128-SHA256",
  0x006d: "ADH-AES256-SHA256",
  0x0084: "CAMELLIA256-SHA",
  0x0087: "DHE-DSS-CAMELLIA256-SHA",
  0x0088: "DHE-RSA-CAMELLIA256-SHA",
  0x0089: "ADH-CAMELLIA256-SHA",
  0x008c: "PSK-AES128-CBC-SHA",
  0x008d: "PSK-AES256-CBC-SHA",
  0x0090: "DHE-PSK-AES128-CBC-SHA",
  0x0091: "DHE-PSK-AES256-CBC-SHA",
  0x0094: "RSA-PSK-AES128-CBC-SHA",
  0x0095: "RSA-PSK-AES256-CBC-SHA",
  0x009c: "AES128-GCM-SHA256",
  0x009d: "AES256-GCM-SHA384",
  0x009e: "DHE-RSA-AES128-GCM-SHA256",
  0x009f: "DHE-RSA-AES256-GCM-SHA384",
  0x00a2: "DHE-DSS-AES128-GCM-SHA256",
  0x00a3: "DHE-DSS-AES256-GCM-SHA384",
  0x00a6: "ADH-AES128-GCM-SHA256",
  0x00a7: "ADH-AES256-GCM-SHA384",
  0x00a8: "PSK-AES128-GCM-SHA256",
  0x00a9: "PSK-AES256-GCM-SHA384",
  0x00aa: "DHE-PSK-AES128-GCM-SHA256",
  0x00ab: "DHE-PSK-AES256-GCM-SHA384",
  0x00ac: "RSA-PSK-AES128-GCM-SHA256",
  0x00ad: "RSA-PSK-AES256-GCM-SHA384",
  0x00ae: "PSK-AES128-CBC-SHA256",
  0x00af: "PSK-AES256-CBC-SHA384",
  0x00b0: "PSK-NULL-SHA256",
  0x00b1: "PSK-NULL-SHA384",
  0x00b2: "DHE-PSK-AES128-CBC-SHA256",
  0x00b3: "DHE-PSK-AES256-CBC-SHA384",
  0x00b4: "DHE-PSK-NULL-SHA256",
  0x00b5: "DHE-PSK-NULL-SHA384",
  0x00b6: "RSA-PSK-AES128-CBC-SHA256",
  0x00b7: "RSA-PSK-AES256-CBC-SHA384",
  0x00b8: "RSA-PSK-NULL-SHA256",
  0x00b9: "RSA-PSK-NULL-SHA384",
  0x00ba: "CAMELLIA128-SHA256",
  0x00bd: "DHE-DSS-CAMELLIA128-SHA256",
  0x00be: "DHE-RSA-CAMELLIA128-SHA256",
  0x00bf: "ADH-CAMELLIA128-SHA256",
  0x00c0: "CAMELLIA256-SHA256",
  0x00c3: "DHE-DSS-CAMELLIA256-SHA256",
  0x00c4: "DHE-RSA-CAMELLIA256-SHA256",
  0x00c5: "ADH-CAMELLIA256-SHA256",
  0x1301: "TLS_AES_128_GCM_SHA256",
  0x1302: "TLS_AES_256_GCM_SHA384",
  0x1303: "TLS_CHACHA20_POLY1305_SHA256",
  0x1304: "TLS_AES_128_CCM_SHA256",
  0x1305: "TLS_AES_128_CCM_8_SHA256",
  0xc006: "ECDHE-ECDSA-NULL-SHA",
  0xc009: "ECDHE-ECDSA-AES128-SHA",
  0xc00a: "ECDHE-ECDSA-AES256-SHA",
  0xc010: "ECDHE-RSA-NULL-SHA",
  0xc013: "ECDHE-RSA-AES128-SHA",
  0xc014: "ECDHE-RSA-AES256-SHA",
  0xc015: "AECDH-NULL-SHA",
  0xc018: "AECDH-AES128-SHA",
  0xc019: "AECDH-AES256-SHA",
  0xc01d: "SRP-AES-128-CBC-SHA",
  0xc01e: "SRP-RSA-AES-128-CBC-SHA",
  0xc01f: "SRP-DSS-AES-128-CBC-SHA",
  0xc020: "SRP-AES-256-CBC-SHA",
  0xc021: "SRP-RSA-AES-256-CBC-SHA",
  0xc022: "SRP-DSS-AES-256-CBC-SHA",
  0xc023: "ECDHE-ECDSA-AES128-SHA256",
  0xc024: "ECDHE-ECDSA-AES256-SHA384",
  0xc027: "ECDHE-RSA-AES128-SHA256",
  0xc028: "ECDHE-RSA-AES256-SHA384",
  0xc02b: "ECDHE-ECDSA-AES128-GCM-SHA256",
  0xc02c: "ECDHE-ECDSA-AES256-GCM-SHA384",
  0xc02f: "ECDHE-RSA-AES128-GCM-SHA256",
  0xc030: "ECDHE-RSA-AES256-GCM-SHA384",
  0xc035: "ECDHE-PSK-AES128-CBC-SHA",
  0xc036: "ECDHE-PSK-AES256-CBC-SHA",
  0xc037: "ECDHE-PSK-AES128-CBC-SHA256",
  0xc038: "ECDHE-PSK-AES256-CBC-SHA384",
  0xc039: "ECDHE-PSK-NULL-SHA",
  0xc03a: "ECDHE-PSK-NULL-SHA256",
  0xc03b: "ECDHE-PSK-NULL-SHA384",
  0xc050: "ARIA128-GCM-SHA256",
  0xc051: "ARIA256-GCM-SHA384",
  0xc052: "DHE-RSA-ARIA128-GCM-SHA256",
  0xc053: "DHE-RSA-ARIA256-GCM-SHA384",
  0xc056: "DHE-DSS-ARIA128-GCM-SHA256",
  0xc057: "DHE-DSS-ARIA256-GCM-SHA384",
  0xc05c: "ECDHE-ECDSA-ARIA128-GCM-SHA256",
  0xc05d: "ECDHE-ECDSA-ARIA256-GCM-SHA384",
  0xc060: "ECDHE-ARIA128-GCM-SHA256",
  0xc061: "ECDHE-ARIA256-GCM-SHA384",
  0xc06a: "PSK-ARIA128-GCM-SHA256",
  0xc06b: "PSK-ARIA256-GCM-SHA384",
  0xc06c: "DHE-PSK-ARIA128-GCM-SHA256",
  0xc06d: "DHE-PSK-ARIA256-GCM-SHA384",
  0xc06e: "RSA-PSK-ARIA128-GCM-SHA256",
  0xc06f: "RSA-PSK-ARIA256-GCM-SHA384",
  0xc072: "ECDHE-ECDSA-CAMELLIA128-SHA256",
  0xc073: "ECDHE-ECDSA-CAMELLIA256-SHA384",
  0xc076: "ECDHE-RSA-CAMELLIA128-SHA256",
  0xc077: "ECDHE-RSA-CAMELLIA256-SHA384",
  0xc094: "PSK-CAMELLIA128-SHA256",
  0xc095: "PSK-CAMELLIA256-SHA384",
  0xc096: "DHE-PSK-CAMELLIA128-SHA256",
  0xc097: "DHE-PSK-CAMELLIA256-SHA384",
  0xc098: "RSA-PSK-CAMELLIA128-SHA256",
  0xc099: "RSA-PSK-CAMELLIA256-SHA384",
  0xc09a: "ECDHE-PSK-CAMELLIA128-SHA256",
  0xc09b: "ECDHE-PSK-CAMELLIA256-SHA384",
  0xc09c: "AES128-CCM",
  0xc09d: "AES256-CCM",
  0xc09e: "DHE-RSA-AES128-CCM",
  0xc09f: "DHE-RSA-AES256-CCM",
  0xc0a0: "AES128-CCM8",
  0xc0a1: "AES256-CCM8",
  0xc0a2: "DHE-RSA-AES128-CCM8",
  0xc0a3: "DHE-RSA-AES256-CCM8",
  0xc0a4: "PSK-AES128-CCM",
  0xc0a5: "PSK-AES256-CCM",
  0xc0a6: "DHE-PSK-AES128-CCM",
  0xc0a7: "DHE-PSK-AES256-CCM",
  0xc0a8: "PSK-AES128-CCM8",
  0xc0a9: "PSK-AES256-CCM8",
  0xc0aa: "DHE-PSK-AES128-CCM8",
  0xc0ab: "DHE-PSK-AES256-CCM8",
  0xc0ac: "ECDHE-ECDSA-AES128-CCM",
  0xc0ad: "ECDHE-ECDSA-AES256-CCM",
  0xc0ae: "ECDHE-ECDSA-AES128-CCM8",
  0xc0af: "ECDHE-ECDSA-AES256-CCM8",
  0xcca8: "ECDHE-RSA-CHACHA20-POLY1305",
  0xcca9: "ECDHE-ECDSA-CHACHA20-POLY1305",
  0xccaa: "DHE-RSA-CHACHA20-POLY1305",
  0xccab: "PSK-CHACHA20-POLY1305",
  0xccac: "ECDHE-PSK-CHACHA20-POLY1305",
  0xccad: "DHE-PSK-CHACHA20-POLY1305",
  0xccae: "RSA-PSK-CHACHA20-POLY1305",
};

function hex4(value: number): string {
  return value.toString(16).padStart(4, "0");
}

/** A registry name, or the code point in hex for values the registry does not know. */
function named(table: Readonly<Record<number, string | undefined>>, id: number): string {
  return table[id] ?? `0x${hex4(id)}`;
}

/** The IANA name of a cipher suite, or its code point in hex when the registry does not know it. */
export function ianaCipherName(code: number): string {
  return named(CIPHER_SUITES, code);
}

/** OpenSSL's name of a cipher suite, or null for one OpenSSL 3 does not implement. */
export function opensslCipherName(code: number): string | null {
  return OPENSSL_CIPHER_NAMES[code] ?? null;
}

/** A reader over a ServerHello message, whose errors count offsets from the record's start. */
function helloReader(bytes: Buffer, at: number, end: number): TlsReader {
  return new TlsReader(
    bytes,
    at,
    end,
    (offset, detail) => new ServerHelloParseError(offset, detail),
    TLS_RECORD_HEADER_LENGTH,
  );
}

/**
 * Reads a ServerHello handshake message (4-byte handshake header included), whole, however many
 * records it came in; throws {@link ServerHelloParseError}.
 */
export function parseServerHelloMessage(message: Buffer): ParsedServerHello {
  const header = helloReader(message, 0, message.length);
  if (header.uint(1, "handshake type") !== HANDSHAKE_SERVER_HELLO) {
    throw new ServerHelloParseError(TLS_RECORD_HEADER_LENGTH, "not a ServerHello");
  }
  const claimed = header.uint(3, "ServerHello length");
  const held = message.length - HANDSHAKE_HEADER_LENGTH;
  if (claimed !== held) {
    throw new ServerHelloParseError(
      TLS_RECORD_HEADER_LENGTH,
      `a ServerHello of ${claimed} bytes in a message holding ${held}`,
    );
  }
  const hello = helloReader(message, HANDSHAKE_HEADER_LENGTH, message.length);
  const legacyVersion = hello.uint(2, "legacy_version");
  const random = hello.take(RANDOM_LENGTH, "random");
  const sessionIdStart = HANDSHAKE_HEADER_LENGTH + 2 + RANDOM_LENGTH;
  const sessionId = hello.vector(1, "legacy_session_id_echo").rest();
  if (sessionId.length > MAX_SESSION_ID_LENGTH) {
    throw new ServerHelloParseError(
      sessionIdStart + TLS_RECORD_HEADER_LENGTH,
      `a session id of ${sessionId.length} bytes, above the ${MAX_SESSION_ID_LENGTH} allowed`,
    );
  }
  const cipherSuite = hello.uint(2, "cipher_suite");
  const compressionMethod = hello.uint(1, "legacy_compression_method");
  const extensions: ParsedServerHello["extensions"] = [];
  // Before TLS 1.3 a server may leave the extensions block out altogether (RFC 5246 §7.4.1.3).
  if (!hello.done) {
    const block = hello.vector(2, "extensions");
    while (!block.done) {
      const type = block.uint(2, "extension type");
      extensions.push({ type, data: block.vector(2, `extension 0x${hex4(type)}`).rest() });
    }
    hello.finish("the extensions");
  }
  return { legacyVersion, random, sessionId, cipherSuite, compressionMethod, extensions };
}

function extension(hello: ParsedServerHello, type: number): Buffer | undefined {
  return hello.extensions.find((e) => e.type === type)?.data;
}

/** Reads an extension's body; undefined when absent. Its errors carry offsets within the body. */
function decode<T>(hello: ParsedServerHello, type: number, read: (body: TlsReader) => T): T | undefined {
  const data = extension(hello, type);
  return data === undefined ? undefined : read(helloReader(data, 0, data.length));
}

function downgradeSentinel(random: Buffer): ServerHelloSummary["downgradeSentinel"] {
  const tail = random.subarray(RANDOM_LENGTH - 8);
  if (!tail.subarray(0, 7).equals(DOWNGRADE_SENTINEL_PREFIX)) return null;
  if (tail[7] === DOWNGRADE_TO_TLS12) return "TLSv1.2";
  if (tail[7] === DOWNGRADE_TO_TLS11) return "TLSv1.1-or-below";
  return null;
}

/**
 * Names what a parsed ServerHello chose. Throws {@link ServerHelloParseError} when an extension it
 * reads (supported_versions, key_share, ALPN) is malformed: a client would abort the handshake.
 */
export function summarizeServerHello(hello: ParsedServerHello): ServerHelloSummary {
  const helloRetryRequest = hello.random.equals(HELLO_RETRY_REQUEST_RANDOM);
  const read = <T>(type: number, what: string, readBody: (body: TlsReader) => T): T | undefined => {
    try {
      return decode(hello, type, (body) => {
        const value = readBody(body);
        body.finish(what);
        return value;
      });
    } catch (error) {
      if (error instanceof ServerHelloParseError) {
        throw new ServerHelloParseError(error.offset, `${what} extension: ${error.detail}`);
      }
      throw error;
    }
  };
  // RFC 8446 §4.2.1: in a ServerHello, supported_versions is a bare selected_version, no list.
  const selected = read(EXT_SUPPORTED_VERSIONS, "supported_versions", (body) =>
    body.uint(2, "selected_version"),
  );
  // The ServerHello's KeyShareEntry starts with its group; a HelloRetryRequest's holds only that.
  const group = read(EXT_KEY_SHARE, "key_share", (body) => {
    const id = body.uint(2, "group");
    if (!helloRetryRequest) body.vector(2, "key_exchange");
    return id;
  });
  const alpn = read(EXT_ALPN, "application_layer_protocol_negotiation", (body) => {
    const list = body.vector(2, "protocol_name_list");
    const name = list.vector(1, "protocol_name").rest();
    list.finish("the one protocol a server selects");
    return name.toString("latin1");
  });
  return {
    version: protocolName(selected ?? hello.legacyVersion),
    legacyVersion: protocolName(hello.legacyVersion),
    selectedVersion: selected === undefined ? null : protocolName(selected),
    helloRetryRequest,
    downgradeSentinel: downgradeSentinel(hello.random),
    cipherSuite: ianaCipherName(hello.cipherSuite),
    opensslCipher: opensslCipherName(hello.cipherSuite),
    sessionId: hello.sessionId.toString("hex"),
    compressionMethod: hello.compressionMethod,
    extensions: hello.extensions.map((e) => named(EXTENSIONS, e.type)),
    alpn: alpn ?? null,
    keyShareGroup: group === undefined ? null : named(SUPPORTED_GROUPS, group),
  };
}

/** Parses and names a whole ServerHello message (handshake header included). */
export function summarizeServerHelloMessage(message: Buffer): ServerHelloSummary {
  return summarizeServerHello(parseServerHelloMessage(message));
}
