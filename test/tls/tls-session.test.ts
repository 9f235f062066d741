import { once } from "node:events";
import type { Socket } from "node:net";
import { type ConnectionOptions, connect as tlsConnect, type TLSSocket } from "node:tls";
import { encodePacket } from "../../src/protocol/framing";
import type { ConnectionRecord, TlsRecord } from "../../src/record/connection-record";
import { type MockServer, startMockServer } from "../../src/mock-server";
import { clientCloseOf, type NegotiatedTls } from "../../src/tls/tls-session";
import { RawClient, sslRequest } from "../helpers/raw-client";

/**
 * How the server records the end of a completed TLS session the client sent nothing inside, with
 * node's TLS client driven by hand: a close_notify, a bare close, a partial packet. (The server
 * never resumes a session — node keeps no server-side cache without `newSession` handlers and the
 * server sends no tickets — so the resumed case is checked on clientCloseOf alone.)
 */

type Negotiated = Extract<TlsRecord, { outcome: "negotiated" }>;

/** Reads the greeting, sends an SSLRequest and completes a TLS handshake on the same socket, as the drivers do. */
async function tlsClient(port: number, options: ConnectionOptions = {}): Promise<TLSSocket> {
  const client = await RawClient.connect(port);
  await client.readGreeting();
  const raw = client.socket as Socket;
  raw.removeAllListeners("data");
  raw.write(encodePacket(sslRequest(), 1));
  const tls = tlsConnect({ socket: raw, rejectUnauthorized: false, ...options });
  tls.on("error", () => undefined);
  await once(tls, "secureConnect");
  return tls;
}

async function recordOf(server: MockServer, run: () => Promise<unknown>): Promise<ConnectionRecord> {
  const before = server.connections.length;
  await run();
  const record = await server.waitForConnection(before + 1);
  await server.settled();
  expect(server.connections.length).toBe(before + 1);
  return record;
}

function clientClosedOf(record: ConnectionRecord): Negotiated["clientClosed"] {
  expect(record.tls).toMatchObject({ outcome: "negotiated" });
  return (record.tls as Negotiated).clientClosed;
}

/** Ends the TLS session one way and waits for the connection to close. */
async function endWith(tls: TLSSocket, how: "end" | "destroy"): Promise<void> {
  if (how === "end") tls.end();
  else tls.destroy();
  await once(tls, "close");
}

describe("a client that closes a completed TLS session without sending anything inside it", () => {
  let tls12: MockServer;

  beforeAll(async () => {
    tls12 = await startMockServer({ tls: { maxVersion: "TLSv1.2" } });
  });

  afterAll(async () => {
    await tls12.stop();
  });

  it("over TLSv1.2, with close_notify: closeNotify true and the alert's bytes after the handshake", async () => {
    const record = await recordOf(tls12, async () => endWith(await tlsClient(tls12.port), "end"));
    const closed = clientClosedOf(record);
    expect(closed).toMatchObject({ closeNotify: true });
    expect(closed?.bytesAfterHandshake).toBeGreaterThan(0);
    expect(closed?.afterMs).toBeGreaterThanOrEqual(0);
    expect(record.outcome).toEqual({
      kind: "client-went-away",
      phase: "tls-handshake-response",
      how: "closed",
    });
  });

  it("over TLSv1.2, closing the socket bare: closeNotify false and nothing after the handshake", async () => {
    const record = await recordOf(tls12, async () => endWith(await tlsClient(tls12.port), "destroy"));
    expect(clientClosedOf(record)).toMatchObject({ closeNotify: false, bytesAfterHandshake: 0 });
  });

  it("is not recorded as such once any byte arrived inside TLS, even half a packet", async () => {
    const record = await recordOf(tls12, async () => {
      const tls = await tlsClient(tls12.port);
      tls.write(Buffer.from([0x20, 0x00]));
      await endWith(tls, "end");
    });
    expect(clientClosedOf(record)).toBeUndefined();
    expect(record.outcome).toMatchObject({ kind: "client-went-away", phase: "tls-handshake-response" });
  });

  it("is not recorded when the server ended the connection (connect_timeout)", async () => {
    await using server = await startMockServer({ connectTimeoutMs: 200 });
    const record = await recordOf(server, async () => {
      const tls = await tlsClient(server.port);
      tls.resume();
      await once(tls, "close");
    });
    expect(record.outcome).toMatchObject({ kind: "timeout" });
    expect(clientClosedOf(record)).toBeUndefined();
  });
});

describe("clientCloseOf", () => {
  const tls = (version: string, resumed = false) =>
    ({ version, resumed, completedAt: 100, socketBytesAtCompletion: 500 }) as NegotiatedTls;

  it("reads bytes after the handshake as close_notify only when the stream then ended without an error", () => {
    expect(clientCloseOf(tls("TLSv1.3"), { socketBytes: 524, closedAt: 101.26, errored: false })).toEqual({
      closeNotify: true,
      bytesAfterHandshake: 24,
      afterMs: 1.3,
    });
    expect(
      clientCloseOf(tls("TLSv1.2"), { socketBytes: 531, closedAt: 101, errored: true }).closeNotify,
    ).toBeNull();
  });

  it("rules close_notify out only where the server's Finished came last", () => {
    const atClose = { socketBytes: 500, closedAt: 100, errored: false };
    expect(clientCloseOf(tls("TLSv1.2"), atClose).closeNotify).toBe(false);
    expect(clientCloseOf(tls("TLSv1"), atClose).closeNotify).toBe(false);
    expect(clientCloseOf(tls("TLSv1.2", true), atClose).closeNotify).toBeNull();
    expect(clientCloseOf(tls("TLSv1.3"), atClose).closeNotify).toBeNull();
  });
});
