import { X509Certificate } from "node:crypto";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import * as mysql2 from "mysql2/promise";
import type { TlsRecord } from "../../src/record/connection-record";
import { type MockServer, startMockServer } from "../../src/mock-server";
import {
  type TlsHandshakeState,
  TlsHandshakeObserver,
  type TlsObservation,
} from "../../src/tls/tls-observer";
import type { TlsVersion } from "../../src/tls/tls-versions";
import { pemFile } from "../helpers/mariadb-cli";
import { runOpensslStartTls } from "../helpers/openssl-client";

/**
 * The observer between real peers: a TCP relay in the test copies the bytes between a real client
 * (`openssl s_client -starttls mysql`, mysql2) and the mock server, which upgrades to TLS on the
 * MySQL SSLRequest. The relay skips the plaintext MySQL start — the server's greeting packet and
 * the client's 36-byte SSLRequest — and feeds the observer every byte after it, as they come.
 * What the observer says is checked against what the server's own TLS stack recorded.
 */

const ACCOUNT = { user: "app", password: "secret" };
/** A MySQL packet header: 3-byte little-endian payload length and a sequence id. */
const PACKET_HEADER_LENGTH = 4;
/** SSLRequest: a 4-byte header and 32 bytes of capabilities, max packet size, charset, filler. */
const SSL_REQUEST_LENGTH = PACKET_HEADER_LENGTH + 32;

interface Observed {
  state: TlsHandshakeState;
  events: TlsObservation[];
}

/** Passes the first `skip(bytes)` bytes of a direction on unobserved, then feeds the rest. */
class PlaintextStart {
  private held = Buffer.alloc(0);
  private skipped = false;

  constructor(private readonly length: (head: Buffer) => number | null) {}

  /** The part of `chunk` past the plaintext start (empty while still inside it). */
  tlsPart(chunk: Buffer): Buffer {
    if (this.skipped) return chunk;
    this.held = Buffer.concat([this.held, chunk]);
    const length = this.length(this.held);
    if (length === null || this.held.length < length) return Buffer.alloc(0);
    this.skipped = true;
    return this.held.subarray(length);
  }
}

/** A relay to `upstream` that observes the TLS of the one connection it takes. */
async function observingRelay(
  upstream: number,
): Promise<{ port: number; observed: Promise<Observed>; server: Server }> {
  let settle!: (observed: Observed) => void;
  const observed = new Promise<Observed>((resolve) => (settle = resolve));
  const server = createServer((client: Socket) => {
    const observer = new TlsHandshakeObserver();
    const events: TlsObservation[] = [];
    const toServer = createConnection(upstream, "127.0.0.1");
    // The greeting is one packet of the length its header gives; the SSLRequest has a fixed length.
    const greeting = new PlaintextStart((head) =>
      head.length < PACKET_HEADER_LENGTH ? null : PACKET_HEADER_LENGTH + head.readUIntLE(0, 3),
    );
    const sslRequest = new PlaintextStart(() => SSL_REQUEST_LENGTH);
    let open = 2;
    const closed = (): void => {
      if (--open === 0) settle({ state: observer.state, events });
    };
    client.on("data", (chunk: Buffer) => {
      toServer.write(chunk);
      const tls = sslRequest.tlsPart(chunk);
      if (tls.length > 0) events.push(...observer.fromClient(tls));
    });
    toServer.on("data", (chunk: Buffer) => {
      client.write(chunk);
      const tls = greeting.tlsPart(chunk);
      if (tls.length > 0) events.push(...observer.fromServer(tls));
    });
    client.on("end", () => {
      events.push(...observer.end("client"));
      toServer.end();
    });
    toServer.on("end", () => {
      events.push(...observer.end("server"));
      client.end();
    });
    client.on("error", () => toServer.destroy());
    toServer.on("error", () => client.destroy());
    client.on("close", closed);
    toServer.on("close", closed);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("relay has no port");
  return { port: address.port, observed, server };
}

type Negotiated = Extract<TlsRecord, { outcome: "negotiated" }>;
type Failed = Extract<TlsRecord, { outcome: "failed" }>;

const servers: MockServer[] = [];
const relays: Server[] = [];

async function serve(certificates: "good" | "untrusted-root", version: TlsVersion): Promise<MockServer> {
  const server = await startMockServer({
    serverVersion: version === "TLSv1.3" ? "8.0.36" : "5.7.41",
    tls: { certificates, minVersion: version, maxVersion: version },
    accounts: [ACCOUNT],
  });
  servers.push(server);
  return server;
}

/** Runs `client` against a relay in front of `server`; returns what the relay saw and the server's record. */
async function throughRelay(server: MockServer, client: (port: number) => Promise<unknown>) {
  const relay = await observingRelay(server.port);
  relays.push(relay.server);
  await client(relay.port);
  const observed = await relay.observed;
  const record = await server.waitForConnection(1);
  await server.settled();
  return { ...observed, record };
}

afterEach(async () => {
  await Promise.all(relays.splice(0).map((relay) => new Promise((done) => relay.close(done))));
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

describe.each<TlsVersion>(["TLSv1.2", "TLSv1.3"])("over %s, relayed between real peers", (version) => {
  it("openssl s_client: the observer's version and cipher are the server's own", async () => {
    const server = await serve("good", version);
    const { state, events, record } = await throughRelay(server, (port) => runOpensslStartTls(port));
    const tls = record.tls as Negotiated;
    expect(tls).toMatchObject({ outcome: "negotiated" });
    expect(state.version).toBe(tls.version);
    expect(state.cipher).toBe(tls.cipher);
    expect(state.serverHello?.version).toBe(tls.version);
    expect(state.clientHello?.ja4).toBe(tls.clientHello?.ja4);
    expect(state.stopped).toBeNull();
    expect(state.finished).toEqual({ client: true, server: true });
    expect(events.filter((e) => e.kind === "handshake-complete")).toHaveLength(state.complete ? 1 : 0);
  });

  it("mysql2 logs in: the handshake is seen complete, with the server's version and cipher", async () => {
    const server = await serve("good", version);
    const ca = server.tls!.certificateSet!.ca;
    const { state, record } = await throughRelay(server, async (port) => {
      const connection = await mysql2.createConnection({ host: "127.0.0.1", port, ...ACCOUNT, ssl: { ca } });
      await connection.end();
    });
    expect(record.user).toBe(ACCOUNT.user);
    const tls = record.tls as Negotiated;
    expect([state.version, state.cipher]).toEqual([tls.version, tls.cipher]);
    expect(state.stage).toBe("complete");
  });
});

describe("openssl s_client closing right after the handshake (close_notify, no data)", () => {
  it("over TLSv1.2 leaves it unconfirmed: both Finished seen, then only encrypted alerts", async () => {
    const server = await serve("good", "TLSv1.2");
    const { state, events, record } = await throughRelay(server, (port) => runOpensslStartTls(port));
    expect((record.tls as Negotiated).clientClosed).toMatchObject({ closeNotify: true });
    expect(state.finished).toEqual({ client: true, server: true });
    expect(state.complete).toBe(false);
    expect(state.stage).toBe("handshake");
    const afterFinished = events.filter(
      (e) => e.kind === "encrypted-record" && e.contentType !== "handshake",
    );
    expect(afterFinished).toContainEqual(
      expect.objectContaining({ from: "client", contentType: "alert", looksLikeAlert: true }),
    );
    expect(afterFinished.every((e) => e.kind === "encrypted-record" && e.contentType === "alert")).toBe(true);
  });

  it("over TLSv1.3 is complete: the server answers the client's Finished with its session tickets", async () => {
    const server = await serve("good", "TLSv1.3");
    const { state } = await throughRelay(server, (port) => runOpensslStartTls(port));
    expect(state.complete).toBe(true);
  });
});

describe("mysql2 refusing an untrusted chain over TLSv1.3 (Node's TLS)", () => {
  it("closes after the server's flight without an alert or an encrypted record of its own", async () => {
    const server = await serve("untrusted-root", "TLSv1.3");
    const ca = server.tls!.certificateSet!.ca;
    let refused: unknown = null;
    const { state, events, record } = await throughRelay(server, async (port) => {
      await mysql2
        .createConnection({ host: "127.0.0.1", port, ...ACCOUNT, ssl: { ca } })
        .then((connection) => connection.end())
        .catch((error: unknown) => (refused = error));
    });
    expect(refused).not.toBeNull();
    expect((record.tls as Failed).failure).toMatchObject({ cause: "closed", afterServerFlight: true });
    expect(state).toMatchObject({
      alerts: [],
      encryptedRecords: { client: 0 },
      finished: { server: true, client: false },
      complete: false,
    });
    expect(events).toContainEqual({ kind: "closed", from: "client", midRecord: false });
  });
});

describe("the server's certificate chain", () => {
  it("over TLSv1.2 is the DER chain the server presented", async () => {
    const server = await serve("good", "TLSv1.2");
    const { state } = await throughRelay(server, (port) => runOpensslStartTls(port));
    const presented = new X509Certificate(server.tls!.certificateSet!.server.cert);
    expect(state.serverCertificates?.[0]).toEqual(presented.raw);
  });

  it("over TLSv1.3 is encrypted: null", async () => {
    const server = await serve("good", "TLSv1.3");
    const { state } = await throughRelay(server, (port) => runOpensslStartTls(port));
    expect(state.serverCertificates).toBeNull();
    expect(state.encryptedRecords.server).toBeGreaterThan(0);
  });
});

describe("a client refusing the certificate (openssl s_client -verify_return_error, the good CA, an untrusted chain)", () => {
  it.each<TlsVersion>(["TLSv1.2", "TLSv1.3"])(
    "over %s is seen as its plaintext fatal unknown_ca alert, the same the server recorded",
    async (version) => {
      const server = await serve("untrusted-root", version);
      const caFile = pemFile(server.tls!.certificateSet!.ca);
      const { state, events, record } = await throughRelay(server, (port) =>
        runOpensslStartTls(port, ["-verify_return_error", "-CAfile", caFile]),
      );
      expect((record.tls as Failed).failure).toMatchObject({ cause: "cert-rejected", alert: "unknown_ca" });
      // OpenSSL 3.0's client fails on the server's Certificate, before it switches its own writes
      // to the handshake keys: even over TLSv1.3 its alert goes out in plaintext.
      expect(state.alerts).toEqual([{ from: "client", level: "fatal", description: "unknown_ca" }]);
      expect(events).toContainEqual({
        kind: "alert",
        from: "client",
        level: "fatal",
        description: "unknown_ca",
      });
      expect(state.complete).toBe(false);
      expect(state.version).toBe(version);
    },
  );
});
