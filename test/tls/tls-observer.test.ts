import { createHash, X509Certificate } from "node:crypto";
import fc from "fast-check";
import {
  MAX_ALERTS_PER_SIDE,
  MAX_HANDSHAKE_MESSAGE_LENGTH,
  MAX_HANDSHAKE_MESSAGES_PER_SIDE,
  MAX_RECORDS_PER_SIDE,
  type TlsHandshakeState,
  TlsHandshakeObserver,
  type TlsObservation,
  TlsObserverError,
  type TlsSide,
} from "../../src/tls/tls-observer";
import { SERVER_CERTIFICATE_SHA256, TLS_TRANSCRIPTS, type TlsTranscript } from "./fixtures/tls-transcripts";

const RECORD_HEADER = 5;

interface Flight {
  from: TlsSide;
  bytes: Buffer;
}

function flightsOf(transcript: TlsTranscript): Flight[] {
  return transcript.flights.map((f) => ({ from: f.from, bytes: Buffer.from(f.hex.join(""), "hex") }));
}

function transcript(name: string): TlsTranscript {
  const found = TLS_TRANSCRIPTS.find((t) => t.name === name);
  if (!found) throw new Error(`no transcript ${name}`);
  return found;
}

interface Observed {
  events: TlsObservation[];
  state: TlsHandshakeState;
  observer: TlsHandshakeObserver;
}

/** Feeds each chunk to its side, in order; returns every observation and the final state. */
function observe(chunks: readonly Flight[], observer = new TlsHandshakeObserver()): Observed {
  const events: TlsObservation[] = [];
  for (const { from, bytes } of chunks) {
    events.push(...(from === "client" ? observer.fromClient(bytes) : observer.fromServer(bytes)));
  }
  return { events, state: observer.state, observer };
}

function record(type: number, body: Buffer, version = 0x0303): Buffer {
  const header = Buffer.from([type, version >> 8, version & 0xff, 0, 0]);
  header.writeUInt16BE(body.length, 3);
  return Buffer.concat([header, body]);
}

/** A side's stream cut into its records (header and body each). */
function records(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length;) {
    const end = at + RECORD_HEADER + bytes.readUInt16BE(at + 3);
    out.push(bytes.subarray(at, end));
    at = end;
  }
  return out;
}

/** `bytes` cut at `cuts` (positions, any order, duplicates allowed). */
function cutAt(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.filter((c) => c > 0 && c < bytes.length))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    pieces.push(bytes.subarray(from, point));
    from = point;
  }
  return pieces;
}

/** The kinds of observations, with the side where there is one: a readable sequence. */
function kinds(events: readonly TlsObservation[]): string[] {
  return events.map((e) => ("from" in e ? `${e.kind} ${e.from}` : e.kind));
}

describe("real handshakes between openssl s_client and s_server (fixtures/tls-transcripts.ts)", () => {
  it("TLS 1.2 full: ClientHello, ServerHello, the server's chain; complete when the client sends data after the server's Finished", () => {
    const t = transcript("tls1.2-full");
    const { events, state } = observe(flightsOf(t));
    expect(state).toMatchObject({
      stage: "complete",
      complete: true,
      version: t.clientReport!.version,
      cipher: t.clientReport!.cipher,
      finished: { client: true, server: true },
      helloRetryRequest: null,
      alerts: [],
      stopped: null,
      handshakeMessages: {
        client: ["client_hello", "client_key_exchange"],
        server: [
          "server_hello",
          "certificate",
          "server_key_exchange",
          "server_hello_done",
          "new_session_ticket",
        ],
      },
    });
    expect(state.serverHello?.downgradeSentinel).toBe("TLSv1.2");
    expect(state.serverCertificates).toHaveLength(1);
    expect(createHash("sha256").update(state.serverCertificates![0]!).digest("hex")).toBe(
      SERVER_CERTIFICATE_SHA256,
    );
    expect(new X509Certificate(state.serverCertificates![0]!).subject).toBe("CN=localhost");
    expect(kinds(events)).toEqual([
      "client-hello",
      "server-hello",
      "certificate server",
      "change-cipher-spec client",
      "encrypted-record client",
      "change-cipher-spec server",
      "encrypted-record server",
      "encrypted-record client",
      "handshake-complete",
    ]);
    expect(events[events.length - 2]).toMatchObject({ from: "client", contentType: "application_data" });
  });

  it("TLS 1.2 resumed: no certificate; the client's data right after its own (later) Finished does not count, the server's answer does", () => {
    const t = transcript("tls1.2-resumed");
    const { events, state } = observe(flightsOf(t));
    expect(state).toMatchObject({ complete: true, version: "TLSv1.2", cipher: t.clientReport!.cipher });
    expect(state.serverCertificates).toBeNull();
    expect(state.handshakeMessages).toEqual({ client: ["client_hello"], server: ["server_hello"] });
    expect(kinds(events).slice(-3)).toEqual([
      "encrypted-record client",
      "encrypted-record server",
      "handshake-complete",
    ]);
    expect(events[events.length - 3]).toMatchObject({ contentType: "application_data" });
  });

  it("TLS 1.3: the certificate is encrypted (null); complete once the server answers the client's Finished", () => {
    const t = transcript("tls1.3-full");
    const { events, state } = observe(flightsOf(t));
    expect(state).toMatchObject({
      complete: true,
      version: "TLSv1.3",
      cipher: "TLS_AES_256_GCM_SHA384",
      serverCertificates: null,
      handshakeMessages: { client: ["client_hello"], server: ["server_hello"] },
    });
    expect(state.clientHello?.supportedVersions).toContain("TLSv1.3");
    expect(events.filter((e) => e.kind === "encrypted-record" && e.looksLikeAlert)).toEqual([]);
    expect(kinds(events).slice(-2)).toEqual(["encrypted-record server", "handshake-complete"]);
  });

  it("TLS 1.3 HelloRetryRequest: both ClientHellos and the retry are reported; the client's dummy ChangeCipherSpec encrypts nothing", () => {
    const { events, state } = observe(flightsOf(transcript("tls1.3-hello-retry")));
    expect(state.helloRetryRequest).toMatchObject({ helloRetryRequest: true, keyShareGroup: "secp256r1" });
    expect(state.serverHello).toMatchObject({ helloRetryRequest: false, keyShareGroup: "secp256r1" });
    expect(state.clientHello?.supportedGroups).toEqual(expect.arrayContaining(["x25519", "secp256r1"]));
    expect(state.clientHelloAfterRetry).not.toBeNull();
    expect(state.complete).toBe(true);
    expect(kinds(events).slice(0, 6)).toEqual([
      "client-hello",
      "server-hello",
      "change-cipher-spec server",
      "change-cipher-spec client",
      "client-hello",
      "server-hello",
    ]);
    expect(events[4]).toMatchObject({ kind: "client-hello", afterRetry: true });
  });

  it.each(["tls1.2-unknown-ca", "tls1.3-unknown-ca"])(
    "%s: the client's refusal is its plaintext fatal unknown_ca alert, and the handshake never completes",
    (name) => {
      const { events, state } = observe(flightsOf(transcript(name)));
      expect(state.alerts).toEqual([{ from: "client", level: "fatal", description: "unknown_ca" }]);
      expect(events).toContainEqual({
        kind: "alert",
        from: "client",
        level: "fatal",
        description: "unknown_ca",
      });
      expect(state).toMatchObject({ complete: false, stage: "handshake", finished: { client: false } });
      expect(state.encryptedRecords.client).toBe(0);
    },
  );
});

describe("any chunking of the same bytes gives the same observations", () => {
  it.each(TLS_TRANSCRIPTS.map((t) => [t.name, t] as const))("%s, cut anywhere", (_name, t) => {
    const flights = flightsOf(t);
    const whole = observe(flights);
    const cuts = fc.tuple(
      ...flights.map((f) =>
        fc.array(fc.integer({ min: 1, max: Math.max(1, f.bytes.length - 1) }), { maxLength: 40 }),
      ),
    );
    fc.assert(
      fc.property(cuts, (perFlight) => {
        const chunks = flights.flatMap((f, i) =>
          cutAt(f.bytes, perFlight[i]!).map((bytes) => ({ from: f.from, bytes })),
        );
        const split = observe(chunks);
        expect(split.events).toEqual(whole.events);
        expect(split.state).toEqual(whole.state);
      }),
      { numRuns: 60 },
    );
  });

  it.each(TLS_TRANSCRIPTS.map((t) => [t.name, t] as const))("%s, one byte at a time", (_name, t) => {
    const flights = flightsOf(t);
    const bytewise = flights.flatMap((f) =>
      [...f.bytes].map((byte) => ({ from: f.from, bytes: Buffer.from([byte]) })),
    );
    expect(observe(bytewise).events).toEqual(observe(flights).events);
  });

  /**
   * The plaintext handshake records of `flights` re-cut: each body split at `cuts` into records of
   * its own (RFC 5246 §6.2.1 lets a peer fragment handshake messages across records at will).
   */
  function refragment(t: TlsTranscript, cuts: readonly number[][]): Flight[] {
    const tls13 = t.name.startsWith("tls1.3");
    const changed: Record<TlsSide, boolean> = { client: false, server: false };
    let n = 0;
    return flightsOf(t).map(({ from, bytes }) => {
      const out: Buffer[] = [];
      for (const r of records(bytes)) {
        if (r[0] === 0x14) changed[from] = true;
        const plaintextHandshake = r[0] === 0x16 && (tls13 || !changed[from]);
        if (!plaintextHandshake) {
          out.push(r);
          continue;
        }
        const body = r.subarray(RECORD_HEADER);
        for (const piece of cutAt(body, cuts[n++ % cuts.length] ?? []))
          out.push(record(0x16, piece, r.readUInt16BE(1)));
      }
      return { from, bytes: Buffer.concat(out) };
    });
  }

  it.each(TLS_TRANSCRIPTS.map((t) => [t.name, t] as const))(
    "%s, its handshake messages split across records",
    (_name, t) => {
      const whole = observe(flightsOf(t));
      const cuts = fc.array(fc.array(fc.integer({ min: 1, max: 2000 }), { maxLength: 12 }), {
        minLength: 1,
        maxLength: 6,
      });
      fc.assert(
        fc.property(cuts, (perRecord) => {
          const split = observe(refragment(t, perRecord));
          expect(split.events).toEqual(whole.events);
          expect({ ...split.state, bytes: null }).toEqual({ ...whole.state, bytes: null });
        }),
        { numRuns: 40 },
      );
    },
  );

  it("a ServerHello in 1-byte records still reads, even with its record boundaries in every field", () => {
    const t = transcript("tls1.3-full");
    const oneByte = refragment(t, [Array.from({ length: 2000 }, (_, i) => i + 1)]);
    expect(observe(oneByte).state.serverHello).toEqual(observe(flightsOf(t)).state.serverHello);
  });
});

describe("errors carry the offset in the sender's stream", () => {
  // TLS 1.3's: its 32-byte session id echo leaves room to read a 33-byte one.
  const tls13 = flightsOf(transcript("tls1.3-full"));
  const clientHello = tls13[0]!;
  const serverFirst = records(tls13[1]!.bytes)[0]!;
  const serverHelloMessage = (() => {
    const body = serverFirst.subarray(RECORD_HEADER);
    return Buffer.from(body.subarray(0, 4 + body.readUIntBE(1, 3)));
  })();

  function stoppedBy(chunks: Flight[]): TlsObserverError {
    const { state, events } = observe(chunks);
    expect(state.stage).toBe("stopped");
    expect(events[events.length - 1]).toMatchObject({ kind: "stopped" });
    expect(state.stopped).toBeInstanceOf(TlsObserverError);
    return state.stopped!;
  }

  it("a bad session id length in a ServerHello split over two records: the byte itself", () => {
    const bad = Buffer.from(serverHelloMessage);
    // handshake header 4 + legacy_version 2 + random 32: the session id's length byte.
    bad[38] = 33;
    const split = Buffer.concat([record(0x16, bad.subarray(0, 20)), record(0x16, bad.subarray(20))]);
    const error = stoppedBy([clientHello, { from: "server", bytes: split }]);
    expect(error).toMatchObject({ from: "server", reason: "malformed" });
    expect(error.offset).toBe(RECORD_HEADER + 20 + RECORD_HEADER + (38 - 20));
    expect(split[error.offset]).toBe(33);
  });

  it("a bad ServerHello behind another message in the same record: offsets count from the record, not the message", () => {
    const bad = Buffer.from(serverHelloMessage);
    bad[38] = 33;
    const helloRequest = Buffer.alloc(4);
    const first = Buffer.concat([helloRequest, bad.subarray(0, 40)]);
    const split = Buffer.concat([record(0x16, first), record(0x16, bad.subarray(40))]);
    const error = stoppedBy([clientHello, { from: "server", bytes: split }]);
    expect(error.offset).toBe(RECORD_HEADER + helloRequest.length + 38);
    expect(split[error.offset]).toBe(33);
  });

  it("not TLS from the client (a MySQL handshake response where a ClientHello belongs): offset 0", () => {
    const packet = Buffer.from(
      "2000000185a6ff0100000001210000000000000000000000000000000000000000000000",
      "hex",
    );
    expect(stoppedBy([{ from: "client", bytes: packet }])).toMatchObject({
      from: "client",
      offset: 0,
      reason: "not-tls",
    });
  });

  it("not TLS from the server after a good ClientHello", () => {
    expect(
      stoppedBy([clientHello, { from: "server", bytes: Buffer.from("J\x00\x00\x00\x0a5.7", "latin1") }]),
    ).toMatchObject({
      from: "server",
      offset: 0,
      reason: "not-tls",
    });
  });

  it("a plaintext record over 2^14 bytes is refused at its header, before its body arrives", () => {
    const header = Buffer.from([0x16, 0x03, 0x03, 0x40, 0x01]);
    const error = stoppedBy([clientHello, { from: "server", bytes: header }]);
    expect(error).toMatchObject({ offset: 0, reason: "malformed" });
  });

  it("an alert record of odd length is malformed", () => {
    const error = stoppedBy([clientHello, { from: "server", bytes: record(0x15, Buffer.from([2, 40, 1])) }]);
    expect(error).toMatchObject({ from: "server", reason: "malformed" });
  });
});

describe("bounded memory and work", () => {
  const clientHello = flightsOf(transcript("tls1.2-full"))[0]!;

  it(`a handshake message claiming more than ${MAX_HANDSHAKE_MESSAGE_LENGTH} bytes stops the observer at once`, () => {
    const head = Buffer.from([0x01, 0, 0, 0]);
    head.writeUIntBE(MAX_HANDSHAKE_MESSAGE_LENGTH + 1, 1, 3);
    const { state } = observe([{ from: "client", bytes: record(0x16, head) }]);
    expect(state.stopped).toMatchObject({ reason: "limit", offset: RECORD_HEADER });
  });

  it(`a message of exactly ${MAX_HANDSHAKE_MESSAGE_LENGTH} bytes is still waited for`, () => {
    const head = Buffer.from([0x0b, 0, 0, 0]);
    head.writeUIntBE(MAX_HANDSHAKE_MESSAGE_LENGTH, 1, 3);
    const { state } = observe([clientHello, { from: "client", bytes: record(0x16, head) }]);
    expect(state.stopped).toBeNull();
  });

  it(`stops after ${MAX_RECORDS_PER_SIDE} records from one side, then reads nothing more`, () => {
    const tiny = record(0x17, Buffer.from([0]));
    const flood = Buffer.concat(Array.from({ length: MAX_RECORDS_PER_SIDE + 50 }, () => tiny));
    const { state, observer } = observe([clientHello, { from: "client", bytes: flood }]);
    expect(state.encryptedRecords.client).toBe(MAX_RECORDS_PER_SIDE - 1);
    expect(state.stopped).toMatchObject({
      from: "client",
      reason: "limit",
      offset: clientHello.bytes.length + (MAX_RECORDS_PER_SIDE - 1) * tiny.length,
    });
    expect(observer.fromClient(flood)).toEqual([]);
    expect(observer.fromServer(flood)).toEqual([]);
    expect(observer.state.bytes.client).toBe(clientHello.bytes.length + 2 * flood.length);
  });

  it(`stops after ${MAX_HANDSHAKE_MESSAGES_PER_SIDE} handshake messages from one side`, () => {
    const helloRequests = Buffer.alloc(4 * (MAX_HANDSHAKE_MESSAGES_PER_SIDE + 1));
    const { state } = observe([clientHello, { from: "server", bytes: record(0x16, helloRequests) }]);
    expect(state.handshakeMessages.server).toHaveLength(MAX_HANDSHAKE_MESSAGES_PER_SIDE);
    expect(state.stopped).toMatchObject({ from: "server", reason: "limit" });
  });

  it(`keeps at most ${MAX_ALERTS_PER_SIDE} alerts from one side`, () => {
    const alerts = Buffer.alloc(2 * (MAX_ALERTS_PER_SIDE + 1), 1);
    const { state } = observe([clientHello, { from: "server", bytes: record(0x15, alerts) }]);
    expect(state.alerts).toHaveLength(MAX_ALERTS_PER_SIDE);
    expect(state.stopped).toMatchObject({ reason: "limit" });
  });

  it("once complete it reads nothing more, however much follows", () => {
    const { observer } = observe(flightsOf(transcript("tls1.3-full")));
    const garbage = Buffer.alloc(1 << 20, 0xee);
    expect(observer.fromServer(garbage)).toEqual([]);
    expect(observer.state.stage).toBe("complete");
    expect(observer.state.stopped).toBeNull();
  });

  it("arbitrary bytes on both sides never throw, and nothing is reported after it stops or completes", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            from: fc.constantFrom<TlsSide>("client", "server"),
            bytes: fc.uint8Array({ maxLength: 300 }),
          }),
        ),
        (chunks) => {
          const observer = new TlsHandshakeObserver();
          for (const { from, bytes } of chunks) {
            const wasDone = observer.done;
            const events = observe([{ from, bytes: Buffer.from(bytes) }], observer).events;
            if (wasDone) expect(events).toEqual([]);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("TLS 1.3's end of handshake, guessed from record sizes", () => {
  // The ClientHello and the server's whole first flight of a real TLS 1.3 handshake.
  const [clientHello, serverFlight] = flightsOf(transcript("tls1.3-full"));
  const encrypted = (length: number) => record(0x17, Buffer.alloc(length, 0x5a));
  /** 2 alert bytes, the inner content type, a 16-byte AES-GCM tag. */
  const ALERT_SIZED = 19;

  it("an alert-sized client record after the server's flight is flagged and is not its Finished", () => {
    const { events, state } = observe([
      clientHello!,
      serverFlight!,
      { from: "client", bytes: encrypted(ALERT_SIZED) },
      { from: "server", bytes: encrypted(200) },
    ]);
    expect(events).toContainEqual(
      expect.objectContaining({
        kind: "encrypted-record",
        from: "client",
        length: ALERT_SIZED,
        looksLikeAlert: true,
      }),
    );
    expect(state.finished).toEqual({ client: false, server: true });
    expect(state.complete).toBe(false);
  });

  it("a client Finished answered by an alert-sized server record is not complete; a ticket then is", () => {
    const base = [clientHello!, serverFlight!, { from: "client" as const, bytes: encrypted(69) }];
    expect(observe([...base, { from: "server", bytes: encrypted(ALERT_SIZED) }]).state.complete).toBe(false);
    const done = observe([
      ...base,
      { from: "server", bytes: encrypted(ALERT_SIZED) },
      { from: "server", bytes: encrypted(250) },
    ]);
    expect(done.state.complete).toBe(true);
  });

  it("a client that closes after the server's flight without a word (Node's TLS refusing) shows as closed", () => {
    const { observer } = observe([clientHello!, serverFlight!]);
    expect(observer.end("client")).toEqual([{ kind: "closed", from: "client", midRecord: false }]);
    expect(observer.state).toMatchObject({
      closed: { client: true },
      finished: { server: true, client: false },
      complete: false,
    });
    expect(observer.fromClient(encrypted(69))).toEqual([]);
  });

  it("a side closing inside a record says so", () => {
    const { observer } = observe([{ from: "client", bytes: clientHello!.bytes.subarray(0, 10) }]);
    expect(observer.end("client")).toEqual([{ kind: "closed", from: "client", midRecord: true }]);
  });
});

it("the state is a snapshot: changing it changes nothing inside", () => {
  const { observer } = observe(flightsOf(transcript("tls1.2-unknown-ca")));
  const snapshot = observer.state;
  snapshot.alerts.push({ from: "server", level: "fatal", description: "x" });
  snapshot.handshakeMessages.client.push("x");
  snapshot.serverCertificates!.pop();
  expect(observer.state.alerts).toHaveLength(1);
  expect(observer.state.handshakeMessages.client).toEqual(["client_hello"]);
  expect(observer.state.serverCertificates).toHaveLength(1);
});
