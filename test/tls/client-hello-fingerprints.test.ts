import { once } from "node:events";
import { connect } from "node:net";
import { isGREASE } from "read-tls-client-hello";
import { encodePacket } from "../../src/protocol/framing";
import type { ClientHelloSummary } from "../../src/tls/client-hello";
import { ja3Text, ja4Raw, parseClientHelloRecord } from "../../src/tls/client-hello";
import { type MockServer, startMockServer } from "../../src/mock-server";
import { RawClient, sslRequest } from "../helpers/raw-client";
import { CLIENT_HELLO_VECTORS, type ClientHelloVector } from "./fixtures/client-hello-vectors";

/**
 * JA3 and JA4 against answers this code did not compute: ClientHellos captured from real clients
 * (OpenSSL, node, Go, Chromium), fingerprinted by Wireshark (JA3) and by FoxIO's reference ja4.py
 * (JA4); see fixtures/make-client-hello-vectors.ts for how.
 */

function recordOf(vector: ClientHelloVector): Buffer {
  return Buffer.from(vector.record.join(""), "hex");
}

function vector(name: string): ClientHelloVector {
  const found = CLIENT_HELLO_VECTORS.find((v) => v.name === name);
  if (!found) throw new Error(`no vector ${name} in fixtures/client-hello-vectors.ts`);
  return found;
}

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer({
    serverVersion: "8.0.36",
    tls: { minVersion: "TLSv1", maxVersion: "TLSv1.3" },
  });
});
afterAll(() => server.stop());

/**
 * Sends `record` after an SSLRequest, as the client that first sent it did, and returns what the
 * server recorded of it. The handshake goes no further: the server's first reply ends the replay.
 */
async function replay(record: Buffer): Promise<ClientHelloSummary> {
  const before = server.connections.length;
  const socket = connect(server.port, "127.0.0.1");
  socket.on("error", () => {});
  await once(socket, "data"); // the greeting
  socket.write(Buffer.concat([encodePacket(sslRequest(), 1), record]));
  await Promise.race([once(socket, "data"), once(socket, "close")]);
  socket.destroy();
  const recorded = await server.waitForConnection(before + 1);
  const hello = recorded.tls?.clientHello;
  if (!hello) throw new Error(`no ClientHello recorded: ${JSON.stringify(recorded.tls)}`);
  return hello;
}

describe.each(CLIENT_HELLO_VECTORS)("the ClientHello of $name", (v) => {
  it("has the JA3 string Wireshark computes and the JA4_r FoxIO's ja4.py computes", () => {
    const hello = parseClientHelloRecord(recordOf(v));
    expect(ja3Text(hello)).toBe(v.ja3Full);
    expect(ja4Raw(hello)).toBe(v.ja4Raw);
  });

  it("is recorded by the server with the reference JA3 and JA4", async () => {
    const hello = await replay(recordOf(v));
    expect({ ja3: hello.ja3, ja4: hello.ja4 }).toEqual({ ja3: v.ja3, ja4: v.ja4 });
  });
});

describe("JA3 and JA4 follow their definitions where implementations differ", () => {
  it("leave GREASE values out of every list (Chromium sends them in suites, extensions, groups and versions)", async () => {
    const v = vector("chromium-headless");
    const parsed = parseClientHelloRecord(recordOf(v));
    // The vector must carry GREASE for this to prove anything.
    expect(parsed.cipherSuites.some(isGREASE)).toBe(true);
    expect(parsed.extensions.some((e) => isGREASE(e.type))).toBe(true);
    const hello = await replay(recordOf(v));
    expect(hello.supportedVersions).toEqual(["TLSv1.3", "TLSv1.2"]);
    expect({ ja3: hello.ja3, ja4: hello.ja4 }).toEqual({ ja3: v.ja3, ja4: v.ja4 });
  });

  it("name JA4's version after supported_versions' highest entry, not the extension's presence", async () => {
    // Go's crypto/tls capped at TLSv1.2 still sends supported_versions, listing TLSv1.2 alone.
    const hello = await replay(recordOf(vector("go-crypto-tls-max-tls1.2")));
    expect(hello.supportedVersions).toEqual(["TLSv1.2"]);
    expect(hello.ja4.slice(0, 3)).toBe("t12");
    expect(hello.ja4).toBe(vector("go-crypto-tls-max-tls1.2").ja4);
  });

  it("count at most 99 suites in JA4 (OpenSSL with its PSK suites offers 153)", async () => {
    const v = vector("openssl-over-99-ciphers");
    expect(parseClientHelloRecord(recordOf(v)).cipherSuites).toHaveLength(153);
    const hello = await replay(recordOf(v));
    expect(hello.ja4.slice(0, 10)).toBe("t13i991000");
  });

  it("read a ClientHello without an extensions block, and write twelve zeros for JA4's empty extension hash", async () => {
    const v = vector("openssl-tls1-no-extensions");
    expect(parseClientHelloRecord(recordOf(v)).extensions).toEqual([]);
    const hello = await replay(recordOf(v));
    expect(hello).toMatchObject({ legacyVersion: "TLSv1", supportedVersions: null, sni: null, alpn: [] });
    expect(hello.ja4).toBe("t10i020000_a5878986a7c9_000000000000");
  });
});

describe("JA4 where FoxIO's implementations disagree, by its specification", () => {
  /** `record`'s ClientHello, which has no extensions block, given one holding `extensions`. */
  function withExtensions(record: Buffer, extensions: Buffer): Buffer {
    const body = Buffer.concat([
      record.subarray(9),
      Buffer.from([extensions.length >> 8, extensions.length & 0xff]),
      extensions,
    ]);
    const handshake = Buffer.concat([Buffer.from([1, 0, body.length >> 8, body.length & 0xff]), body]);
    return Buffer.concat([
      record.subarray(0, 3),
      Buffer.from([handshake.length >> 8, handshake.length & 0xff]),
      handshake,
    ]);
  }

  it("says SNI ('d') when the server_name extension is there, even without a name in it", async () => {
    // The specification and FoxIO's Rust ja4 look at the extension; its ja4.py looks for a name and
    // says t10i020100 for this ClientHello (checked by hand against commit 0e54bc8 of FoxIO-LLC/ja4).
    const emptyServerName = Buffer.from([0x00, 0x00, 0x00, 0x02, 0x00, 0x00]);
    const record = withExtensions(recordOf(vector("openssl-tls1-no-extensions")), emptyServerName);
    const hello = await replay(record);
    expect(hello.sni).toBeNull();
    // The hashed extension list leaves SNI out, so it is empty: twelve zeros.
    expect(hello.ja4).toBe("t10d020100_a5878986a7c9_000000000000");
  });
});

describe("JA4's ALPN characters, from a node client offering the ids the JA4 specification gives as examples", () => {
  /** Offers `alpn` as its only ALPN id over a real TLS handshake; returns the recorded ClientHello. */
  async function offering(alpn: Buffer): Promise<ClientHelloSummary> {
    const before = server.connections.length;
    const client = await RawClient.connect(server.port);
    await client.readGreeting();
    // node takes a ready-made wire-format list as one Buffer: a length byte, then the id.
    const tls = await client.startTlsCoalesced(1, {
      ALPNProtocols: Buffer.concat([Buffer.from([alpn.length]), alpn]),
      servername: "db.example",
    });
    tls.end();
    await client.closed();
    const hello = (await server.waitForConnection(before + 1)).tls?.clientHello;
    if (!hello) throw new Error("no ClientHello recorded");
    return hello;
  }

  let baseline: ClientHelloSummary;
  beforeAll(async () => {
    baseline = await offering(Buffer.from("mysql"));
  });

  // FoxIO's "JA4: TLS Client Fingerprinting", section "ALPN Extension Value". FoxIO's own ja4.py
  // and Rust ja4 write "99" / "9" for bytes above 0x7f instead: the specification is followed.
  it.each([
    { offered: "h2", alpn: Buffer.from("h2"), expected: "h2" },
    { offered: "http/1.1", alpn: Buffer.from("http/1.1"), expected: "h1" },
    { offered: "a single character", alpn: Buffer.from("q"), expected: "qq" },
    { offered: "0xAB", alpn: Buffer.from([0xab]), expected: "ab" },
    { offered: "0x20", alpn: Buffer.from([0x20]), expected: "20" },
    { offered: "0xAB 0xCD", alpn: Buffer.from([0xab, 0xcd]), expected: "ad" },
    { offered: "0x20 0x61", alpn: Buffer.from([0x20, 0x61]), expected: "21" },
    { offered: "0x30 0xAB", alpn: Buffer.from([0x30, 0xab]), expected: "3b" },
    { offered: "0x61 0x20", alpn: Buffer.from([0x61, 0x20]), expected: "60" },
    { offered: "0x30 0x31 0xAB 0xCD", alpn: Buffer.from([0x30, 0x31, 0xab, 0xcd]), expected: "3d" },
    { offered: "0x30 0xAB 0xCD 0x31", alpn: Buffer.from([0x30, 0xab, 0xcd, 0x31]), expected: "01" },
  ])("$offered gives $expected", async ({ alpn, expected }) => {
    const hello = await offering(alpn);
    expect(hello.alpn).toEqual([alpn.toString("latin1")]);
    expect(hello.ja4.slice(8, 10)).toBe(expected);
    // Nothing else moves: ALPN is left out of the hashed extension list.
    expect(hello.ja4.slice(0, 8) + hello.ja4.slice(10)).toBe(
      baseline.ja4.slice(0, 8) + baseline.ja4.slice(10),
    );
  });
});
