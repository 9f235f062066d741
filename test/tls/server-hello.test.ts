import { execFileSync } from "node:child_process";
import { CIPHER_SUITES } from "read-tls-client-hello";
import {
  HELLO_RETRY_REQUEST_RANDOM,
  OPENSSL_CIPHER_NAMES,
  parseServerHelloMessage,
  ServerHelloParseError,
  summarizeServerHelloMessage,
} from "../../src/tls/server-hello";
import { TlsExtension } from "../../src/tls/tls-extensions";
import { TLS_TRANSCRIPTS, type TlsTranscript } from "./fixtures/tls-transcripts";

const RECORD_HEADER = 5;
const HANDSHAKE_HEADER = 4;

/** Every handshake message of a side's plaintext records, read independently of the code under test. */
function plaintextMessages(transcript: TlsTranscript, from: "client" | "server"): Buffer[] {
  const stream = Buffer.concat(
    transcript.flights.filter((f) => f.from === from).map((f) => Buffer.from(f.hex.join(""), "hex")),
  );
  const handshake: Buffer[] = [];
  for (let at = 0; at + RECORD_HEADER <= stream.length;) {
    const length = stream.readUInt16BE(at + 3);
    const type = stream[at];
    at += RECORD_HEADER + length;
    // TLS 1.3's ChangeCipherSpec is a dummy (RFC 8446 §D.4): plaintext handshake records may follow.
    if (type === 0x14 && transcript.name.startsWith("tls1.3")) continue;
    // Up to the first ChangeCipherSpec or encrypted record: the rest cannot be read.
    if (type !== 0x16) break;
    handshake.push(stream.subarray(at - length, at));
  }
  const joined = Buffer.concat(handshake);
  const messages: Buffer[] = [];
  for (let at = 0; at + HANDSHAKE_HEADER <= joined.length;) {
    const end = at + HANDSHAKE_HEADER + joined.readUIntBE(at + 1, 3);
    messages.push(joined.subarray(at, end));
    at = end;
  }
  return messages;
}

function transcript(name: string): TlsTranscript {
  const found = TLS_TRANSCRIPTS.find((t) => t.name === name);
  if (!found) throw new Error(`no transcript ${name}`);
  return found;
}

function serverHellos(name: string): Buffer[] {
  return plaintextMessages(transcript(name), "server").filter((m) => m[0] === 0x02);
}

interface Fields {
  legacyVersion?: number;
  random?: Buffer;
  sessionId?: Buffer;
  suite?: number;
  compression?: number;
  /** Extensions as [type, body]; undefined leaves the block out. */
  extensions?: Array<[number, Buffer]>;
}

/** A ServerHello message built field by field, as RFC 5246 §7.4.1.3 / RFC 8446 §4.1.3 lay it out. */
function serverHello(fields: Fields = {}): Buffer {
  const u16 = (value: number) => Buffer.from([value >> 8, value & 0xff]);
  const sessionId = fields.sessionId ?? Buffer.alloc(0);
  const parts = [
    u16(fields.legacyVersion ?? 0x0303),
    fields.random ?? Buffer.alloc(32, 0x42),
    Buffer.from([sessionId.length]),
    sessionId,
    u16(fields.suite ?? 0xc030),
    Buffer.from([fields.compression ?? 0]),
  ];
  if (fields.extensions) {
    const block = Buffer.concat(
      fields.extensions.flatMap(([type, body]) => [u16(type), u16(body.length), body]),
    );
    parts.push(u16(block.length), block);
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([0x02, 0, body.length >> 8, body.length & 0xff]), body]);
}

const { SUPPORTED_VERSIONS } = TlsExtension;
const version = (value: number): [number, Buffer] => [
  SUPPORTED_VERSIONS,
  Buffer.from([value >> 8, value & 0xff]),
];

function parseError(run: () => unknown): ServerHelloParseError {
  try {
    run();
  } catch (error) {
    if (error instanceof ServerHelloParseError) return error;
    throw error;
  }
  throw new Error("no ServerHelloParseError");
}

describe("real ServerHellos of openssl s_server (fixtures/tls-transcripts.ts)", () => {
  it.each(TLS_TRANSCRIPTS.filter((t) => t.clientReport !== null).map((t) => [t.name, t] as const))(
    "%s: the version and the OpenSSL cipher name are those the client reported",
    (_name, t) => {
      const summaries = plaintextMessages(t, "server")
        .filter((m) => m[0] === 0x02)
        .map(summarizeServerHelloMessage);
      const final = summaries[summaries.length - 1]!;
      expect(final.helloRetryRequest).toBe(false);
      expect(final.version).toBe(t.clientReport!.version);
      expect(final.opensslCipher).toBe(t.clientReport!.cipher);
    },
  );

  it("TLS 1.2: legacy_version is the version, no supported_versions, IANA and OpenSSL names both", () => {
    const summary = summarizeServerHelloMessage(serverHellos("tls1.2-full")[0]!);
    expect(summary).toMatchObject({
      version: "TLSv1.2",
      legacyVersion: "TLSv1.2",
      selectedVersion: null,
      cipherSuite: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      opensslCipher: "ECDHE-RSA-AES256-GCM-SHA384",
      compressionMethod: 0,
      helloRetryRequest: false,
      keyShareGroup: null,
    });
    // This server could do TLS 1.3 and was offered only 1.2: it marks its random (RFC 8446 §4.1.3).
    expect(summary.downgradeSentinel).toBe("TLSv1.2");
  });

  it("TLS 1.3: legacy_version stays TLSv1.2, supported_versions says TLSv1.3, the session id is echoed", () => {
    const t = transcript("tls1.3-full");
    const summary = summarizeServerHelloMessage(serverHellos("tls1.3-full")[0]!);
    expect(summary).toMatchObject({
      version: "TLSv1.3",
      legacyVersion: "TLSv1.2",
      selectedVersion: "TLSv1.3",
      cipherSuite: "TLS_AES_256_GCM_SHA384",
      opensslCipher: "TLS_AES_256_GCM_SHA384",
      keyShareGroup: "x25519",
      downgradeSentinel: null,
    });
    expect(summary.extensions).toEqual(expect.arrayContaining(["supported_versions", "key_share"]));
    const clientHello = plaintextMessages(t, "client")[0]!;
    const sessionIdAt = HANDSHAKE_HEADER + 2 + 32;
    const clientSessionId = clientHello.subarray(
      sessionIdAt + 1,
      sessionIdAt + 1 + clientHello[sessionIdAt]!,
    );
    expect(summary.sessionId).toBe(clientSessionId.toString("hex"));
    expect(summary.sessionId).toHaveLength(64);
  });

  it("a HelloRetryRequest is told by its random, names the group asked for, and is followed by the real ServerHello", () => {
    const [retry, hello] = serverHellos("tls1.3-hello-retry").map(summarizeServerHelloMessage);
    expect(retry).toMatchObject({ helloRetryRequest: true, version: "TLSv1.3", keyShareGroup: "secp256r1" });
    expect(hello).toMatchObject({ helloRetryRequest: false, version: "TLSv1.3", keyShareGroup: "secp256r1" });
    expect(parseServerHelloMessage(serverHellos("tls1.3-hello-retry")[0]!).random).toEqual(
      HELLO_RETRY_REQUEST_RANDOM,
    );
  });
});

describe("the negotiated version", () => {
  it.each([
    ["supported_versions TLSv1.3 over legacy TLSv1.2", 0x0303, [version(0x0304)], "TLSv1.3"],
    ["supported_versions wins whatever legacy_version says", 0x0301, [version(0x0304)], "TLSv1.3"],
    ["supported_versions TLSv1.2 (a TLS 1.3 stack capped at 1.2)", 0x0303, [version(0x0303)], "TLSv1.2"],
    ["legacy_version alone, no extensions", 0x0302, undefined, "TLSv1.1"],
    [
      "legacy_version alone, other extensions",
      0x0303,
      [[0xff01, Buffer.from([0])] as [number, Buffer]],
      "TLSv1.2",
    ],
  ] as const)("%s", (_case, legacyVersion, extensions, expected) => {
    const summary = summarizeServerHelloMessage(
      serverHello({ legacyVersion, extensions: extensions?.map(([t, b]) => [t, b]) }),
    );
    expect(summary.version).toBe(expected);
    expect(summary.legacyVersion).toBe(
      { 0x0301: "TLSv1", 0x0302: "TLSv1.1", 0x0303: "TLSv1.2" }[legacyVersion],
    );
  });

  it("an unknown version is shown in hex", () => {
    expect(summarizeServerHelloMessage(serverHello({ extensions: [version(0x7f1c)] })).version).toBe(
      "0x7f1c",
    );
  });

  it("the downgrade sentinel for TLS 1.1 and below is told apart from TLS 1.2's", () => {
    const random = Buffer.concat([Buffer.alloc(24, 7), Buffer.from("DOWNGRD\x00", "latin1")]);
    expect(summarizeServerHelloMessage(serverHello({ random })).downgradeSentinel).toBe("TLSv1.1-or-below");
  });
});

describe("cipher suite names", () => {
  it.each([
    ["0xc030", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"],
    ["0x009d", "TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384"],
    ["0x1301", "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256"],
    ["0xcca8", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305"],
    // Registered, but OpenSSL 3 implements no such suite.
    ["0x0005", "TLS_RSA_WITH_RC4_128_SHA", null],
    ["0xfafa", "0xfafa", null],
  ] as const)("%s: IANA %s, OpenSSL %s", (suite, iana, openssl) => {
    const summary = summarizeServerHelloMessage(serverHello({ suite: Number(suite) }));
    expect(summary.cipherSuite).toBe(iana);
    expect(summary.opensslCipher).toBe(openssl);
  });

  /** The installed OpenSSL's suites, as code point → [IANA name, OpenSSL name]. */
  function installedSuites(): Map<number, [string, string]> {
    const output = execFileSync("openssl", [
      "ciphers",
      "-V",
      "-stdname",
      "-ciphersuites",
      "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256",
      "ALL:COMPLEMENTOFALL:@SECLEVEL=0",
    ]).toString();
    const suites = new Map<number, [string, string]>();
    for (const line of output.trim().split("\n")) {
      const [code, , iana, , openssl] = line.trim().split(/\s+/);
      const [high, low] = code!.split(",").map((byte) => Number.parseInt(byte, 16));
      suites.set((high! << 8) | low!, [iana!, openssl!]);
    }
    return suites;
  }

  it("the OpenSSL table names every suite the installed openssl knows, as it names them", () => {
    const installed = installedSuites();
    expect(installed.size).toBeGreaterThan(100);
    for (const [code, [, openssl]] of installed)
      expect([code, OPENSSL_CIPHER_NAMES[code]]).toEqual([code, openssl]);
  });

  it("OpenSSL's standard names agree with the IANA table of read-tls-client-hello", () => {
    for (const [code, [iana]] of installedSuites()) {
      expect([code, (CIPHER_SUITES as Record<number, string | undefined>)[code]]).toEqual([code, iana]);
    }
  });
});

describe("a ServerHello that cannot be read fails with the offset it would have in one record", () => {
  const golden = serverHello({ sessionId: Buffer.alloc(32, 1), extensions: [version(0x0304)] });

  it("not a ServerHello: at the handshake header", () => {
    const clientHello = Buffer.from(golden);
    clientHello[0] = 0x01;
    expect(parseError(() => parseServerHelloMessage(clientHello))).toMatchObject({ offset: 5 });
  });

  it("a length that is not the message's: at the handshake header", () => {
    expect(parseError(() => parseServerHelloMessage(golden.subarray(0, golden.length - 1)))).toMatchObject({
      offset: 5,
      detail: expect.stringContaining("ServerHello of"),
    });
  });

  it("every truncation fails with a typed error, never reading past the end", () => {
    for (let cut = HANDSHAKE_HEADER; cut < golden.length; cut++) {
      const truncated = Buffer.from(golden.subarray(0, cut));
      truncated.writeUIntBE(cut - HANDSHAKE_HEADER, 1, 3);
      // Cutting just before the extensions block leaves a valid TLS 1.2-style ServerHello.
      if (cut === golden.length - 8) continue;
      expect(() => summarizeServerHelloMessage(truncated)).toThrow(ServerHelloParseError);
    }
  });

  it("a session id over 32 bytes: at its length byte", () => {
    const long = serverHello({ sessionId: Buffer.alloc(33) });
    // record header 5 + handshake header 4 + legacy_version 2 + random 32
    expect(parseError(() => parseServerHelloMessage(long))).toMatchObject({ offset: 43 });
  });

  it("an extension longer than the block: at its length field", () => {
    const bad = serverHello({ extensions: [version(0x0304)] });
    // The extension's 2-byte length sits after 4+2+32+1+2+1 bytes, the block length and its type.
    const lengthAt = HANDSHAKE_HEADER + 2 + 32 + 1 + 2 + 1 + 2 + 2;
    bad.writeUInt16BE(9, lengthAt);
    expect(parseError(() => parseServerHelloMessage(bad))).toMatchObject({
      offset: RECORD_HEADER + lengthAt + 2,
    });
  });

  it("a supported_versions of one byte names the extension", () => {
    const bad = serverHello({ extensions: [[SUPPORTED_VERSIONS, Buffer.from([3])]] });
    expect(parseError(() => summarizeServerHelloMessage(bad)).detail).toMatch(
      /^supported_versions extension/,
    );
  });

  it("bytes after the extensions block are refused", () => {
    const withTail = serverHello({ extensions: [version(0x0304)] });
    const longer = Buffer.concat([withTail, Buffer.from([0])]);
    longer.writeUIntBE(longer.length - HANDSHAKE_HEADER, 1, 3);
    expect(parseError(() => parseServerHelloMessage(longer)).detail).toMatch(/after the extensions/);
  });
});
