import {
  type ClientHelloSummary,
  type ParsedClientHello,
  parseClientHelloRecord,
  summarizeClientHello,
} from "../../src/tls/client-hello";
import { TlsExtension } from "../../src/tls/tls-extensions";
import { CLIENT_HELLO_VECTORS } from "./fixtures/client-hello-vectors";

/*
 * A ClientHello is summarized once per distinct offer and the summary reused for the next client
 * that sends the same one: what tells two offers apart must be all that the summary is made of.
 */

const vector = CLIENT_HELLO_VECTORS.find((v) => v.name === "node-tls-connect-sni-alpn")!;
const original = parseClientHelloRecord(Buffer.from(vector.record.join(""), "hex"));

function u16(value: number): Buffer {
  const bytes = Buffer.alloc(2);
  bytes.writeUInt16BE(value);
  return bytes;
}

/** A TLS record holding `hello`, with the given random and session id. */
function recordOf(
  hello: ParsedClientHello,
  random = Buffer.alloc(32, 1),
  sessionId = Buffer.alloc(32, 2),
): Buffer {
  const suites = Buffer.concat(hello.cipherSuites.map(u16));
  const extensions = Buffer.concat(
    hello.extensions.flatMap((e) => [u16(e.type), u16(e.data.length), e.data]),
  );
  const body = Buffer.concat([
    u16(hello.legacyVersion),
    random,
    Buffer.from([sessionId.length]),
    sessionId,
    u16(suites.length),
    suites,
    Buffer.from([1, 0]),
    u16(extensions.length),
    extensions,
  ]);
  const length = Buffer.alloc(3);
  length.writeUIntBE(body.length, 0, 3);
  const message = Buffer.concat([Buffer.from([1]), length, body]);
  return Buffer.concat([Buffer.from([0x16, 0x03, 0x01]), u16(message.length), message]);
}

/** `hello` with the body of extension `type` replaced. */
function withExtension(hello: ParsedClientHello, type: number, data: Buffer): ParsedClientHello {
  expect(hello.extensions.some((e) => e.type === type)).toBe(true);
  return { ...hello, extensions: hello.extensions.map((e) => (e.type === type ? { type, data } : e)) };
}

/** A uint16 list with a 2-byte (or, for supported_versions, 1-byte) length prefix. */
function list16(values: number[], prefix: 1 | 2 = 2): Buffer {
  const items = Buffer.concat(values.map(u16));
  return Buffer.concat([prefix === 1 ? Buffer.from([items.length]) : u16(items.length), items]);
}

/** The summary a module that has seen no ClientHello yet makes of `record`. */
function freshSummary(record: Buffer): ClientHelloSummary {
  let summary: ClientHelloSummary | undefined;
  jest.isolateModules(() => {
    const fresh = jest.requireActual<typeof import("../../src/tls/client-hello")>(
      "../../src/tls/client-hello",
    );
    summary = fresh.summarizeClientHello(record);
  });
  return summary!;
}

describe("a ClientHello summarized again", () => {
  it("gets the same summary whatever its random and session id", () => {
    const first = summarizeClientHello(recordOf(original, Buffer.alloc(32, 7), Buffer.alloc(32, 8)));
    const second = summarizeClientHello(recordOf(original, Buffer.alloc(32, 9), Buffer.alloc(0)));
    expect(second).toEqual(first);
    expect(second).toEqual(freshSummary(recordOf(original)));
  });

  const changes: Array<[string, ParsedClientHello]> = [
    ["another legacy_version", { ...original, legacyVersion: 0x0302 }],
    ["one cipher suite fewer", { ...original, cipherSuites: original.cipherSuites.slice(1) }],
    ["one extension fewer", { ...original, extensions: original.extensions.slice(1) }],
    [
      "another server name",
      withExtension(
        original,
        TlsExtension.SERVER_NAME,
        (() => {
          const name = Buffer.from("other.example");
          return Buffer.concat([u16(name.length + 3), Buffer.from([0]), u16(name.length), name]);
        })(),
      ),
    ],
    ["other supported groups", withExtension(original, TlsExtension.SUPPORTED_GROUPS, list16([0x0017]))],
    [
      "other EC point formats",
      withExtension(original, TlsExtension.EC_POINT_FORMATS, Buffer.from([2, 0, 1])),
    ],
    [
      "other signature algorithms",
      withExtension(original, TlsExtension.SIGNATURE_ALGORITHMS, list16([0x0401])),
    ],
    [
      "another ALPN protocol",
      withExtension(
        original,
        TlsExtension.ALPN,
        Buffer.concat([u16(3), Buffer.from([2]), Buffer.from("h3")]),
      ),
    ],
    [
      "other supported versions",
      withExtension(original, TlsExtension.SUPPORTED_VERSIONS, list16([0x0303], 1)),
    ],
  ];

  it.each(changes)("with %s gets the summary of what it offers, not the last one's", (_, changed) => {
    const before = summarizeClientHello(recordOf(original));
    const after = summarizeClientHello(recordOf(changed));
    expect(after).not.toEqual(before);
    expect(after).toEqual(freshSummary(recordOf(changed)));
  });

  it("is not changed by what the holder of an earlier summary did to it", () => {
    const record = recordOf(original);
    const expected = freshSummary(record);
    const first = summarizeClientHello(record);
    first.cipherSuites.push("changed");
    first.alpn.length = 0;
    first.supportedGroups.reverse();
    first.signatureAlgorithms.pop();
    first.supportedVersions?.push("changed");
    first.ja3 = "changed";
    expect(summarizeClientHello(record)).toEqual(expected);
  });
});
