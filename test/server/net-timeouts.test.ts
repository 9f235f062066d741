import { Command, PacketMarker } from "../../src/protocol/constants";
import { encodePacket } from "../../src/protocol/framing";
import type { ConnectionRecord } from "../../src/record/connection-record";
import { type MockServer, type StartOptions, startMockServer } from "../../src/mock-server";
import { OUTPUT_HIGH_WATER_BYTES } from "../../src/server/session-limits";
import { sslRequest } from "../helpers/raw-client";
import { advanceServerClock, settleIo, until, withServerClock } from "../helpers/server-clock";
import { AuthClient } from "./auth-client";

/**
 * A client that pipelines commands and reads no reply is read no further once its replies are not
 * being drained, and is cut off after net_write_timeout without progress; a packet left half-sent
 * after login is cut off after net_read_timeout. Both as MySQL 5.7 does, both on the record.
 */

const ACCOUNT = { user: "app", password: "app-password" };
/** Short, so the tests wait little; the defaults are MySQL's 60 s and 30 s. */
const SHORT_TIMEOUT_MS = 400;
/** A row as big as `SELECT REPEAT('x', 65536)` returns. */
const BIG_VALUE = "x".repeat(64 * 1024);
/** The largest reply here: a resultset of one 64 KiB row, with its column definition and EOFs. */
const LARGEST_REPLY_BYTES = BIG_VALUE.length + 1024;
const REPEAT_QUERY = "SELECT REPEAT('x', 65536)";
const MiB = 1024 * 1024;

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A server whose unknown queries get a 64 KiB row, with these limits. */
async function serverWith(
  limits: Pick<StartOptions, "netWriteTimeoutMs" | "netReadTimeoutMs">,
  options: StartOptions = {},
): Promise<MockServer> {
  return startMockServer({
    accounts: [ACCOUNT],
    // The stand-in for SELECT REPEAT('x', 65536), which the mock does not evaluate.
    unknownQuery: () => ({
      kind: "resultset",
      columns: [{ name: "r", type: "string" }],
      rows: [[BIG_VALUE]],
    }),
    ...limits,
    ...options,
  });
}

async function loggedIn(server: MockServer, tls = false): Promise<AuthClient> {
  const client = await AuthClient.connect(server.port);
  if (tls) await client.startTls(encodePacket(sslRequest(), 1));
  expect((await client.login(ACCOUNT))?.payload[0]).toBe(PacketMarker.OK);
  return client;
}

function command(command: number, body = ""): Buffer {
  return Buffer.concat([Buffer.from([command]), Buffer.from(body)]);
}

function pipelined(sql: string, count: number): Buffer {
  const one = encodePacket(command(Command.COM_QUERY, sql), 0);
  return Buffer.concat(Array.from({ length: count }, () => one));
}

function recordOf(server: MockServer, client: AuthClient): ConnectionRecord {
  return server.connections.find((r) => r.id === client.greeting.connectionId)!;
}

/** The record once its connection has closed. */
async function closedRecord(server: MockServer, client: AuthClient): Promise<ConnectionRecord> {
  const index = server.connections.findIndex((r) => r.id === client.greeting.connectionId);
  return server.waitForConnection(index + 1);
}

/** Waits until the server has answered no further command for `quietMs`; returns how many it answered. */
async function answeredOnceQuiet(record: ConnectionRecord, quietMs = 300): Promise<number> {
  let count = -1;
  while (record.commands.length !== count) {
    count = record.commands.length;
    await pause(quietMs);
  }
  return count;
}

/** Reads `count` resultsets (two EOF packets each: the client does not set CLIENT_DEPRECATE_EOF). */
async function readResultsets(client: AuthClient, count: number): Promise<void> {
  let eofs = 0;
  while (eofs < 2 * count) {
    const packet = await client.read();
    if (!packet) throw new Error(`the server closed after ${eofs / 2} resultsets`);
    if (packet.payload[0] === PacketMarker.ERR) throw new Error("an ERR instead of a resultset");
    if (packet.payload[0] === PacketMarker.EOF && packet.payload.length < 9) eofs++;
  }
}

describe("a logged-in client that pipelines commands and never reads the replies", () => {
  const PIPELINED = 2000;

  it.each([
    { what: "SELECT REPEAT('x', 65536)", sql: REPEAT_QUERY, tls: false },
    { what: "SHOW VARIABLES", sql: "SHOW VARIABLES", tls: false },
    { what: "SELECT REPEAT('x', 65536) inside TLS", sql: REPEAT_QUERY, tls: true },
  ])(
    "($what) is read no further once its replies back up, and is cut off after net_write_timeout with the bytes queued on the record",
    async ({ sql, tls }) => {
      await using server = await serverWith({ netWriteTimeoutMs: SHORT_TIMEOUT_MS });
      const client = await loggedIn(server, tls);
      client.stopReading();
      client.write(pipelined(sql, PIPELINED));
      const record = await closedRecord(server, client);
      // Only what the socket buffers and the server's high-water mark hold was answered.
      expect(record.commands.length).toBeLessThan(PIPELINED / 2);
      expect(record.outcome).toMatchObject({
        kind: "authenticated",
        ended: "error",
        error: expect.stringMatching(
          /^net_write_timeout: the client read none of its replies for 400 ms \(\d+ bytes queued\)$/,
        ),
      });
      const queued = Number(/\((\d+) bytes queued\)/.exec((record.outcome as { error: string }).error)![1]);
      expect(queued).toBeGreaterThan(0);
      expect(queued).toBeLessThanOrEqual(OUTPUT_HIGH_WATER_BYTES + LARGEST_REPLY_BYTES);
      client.destroy();
    },
  );

  it("gets every reply, in order, once it starts reading again", async () => {
    const COUNT = 150;
    await using server = await serverWith({});
    const client = await loggedIn(server);
    client.stopReading();
    client.write(pipelined(REPEAT_QUERY, COUNT));
    const record = recordOf(server, client);
    // 150 replies of 64 KiB are more than the buffers take: the server holds back.
    expect(await answeredOnceQuiet(record)).toBeLessThan(COUNT);
    client.resumeReading();
    await readResultsets(client, COUNT);
    client.quit();
    const closed = await closedRecord(server, client);
    expect(closed.commands).toHaveLength(COUNT + 1);
    expect(closed.outcome).toEqual({ kind: "authenticated", ended: "quit" });
  });

  it("is not cut off while it reads, however slowly: what is queued shrinking counts as progress", async () => {
    // One reply of 24 MiB, far more than the socket buffers hold.
    const ROWS = 24;
    const row = "y".repeat(MiB);
    const server = await serverWith(
      { netWriteTimeoutMs: SHORT_TIMEOUT_MS },
      {
        unknownQuery: () => ({
          kind: "resultset",
          columns: [{ name: "r", type: "string" }],
          rows: Array(ROWS).fill([row]),
        }),
      },
    );
    const client = await loggedIn(server);
    await withServerClock(server, async () => {
      // The client reads a MiB at a time: it stops reading as soon as a MiB has come in.
      let bytes = 0;
      let budget = 0;
      client.socket.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        budget -= chunk.length;
        if (budget <= 0) client.stopReading();
      });
      const open = () => recordOf(server, client).endedAt === null;
      client.stopReading();
      client.send(command(Command.COM_QUERY, "SELECT big"), 0);
      // A MiB read, then a quarter of net_write_timeout on the server's clock, until all but the last
      // two rows are in: every period of the timeout sees the queue shrink, however long the whole
      // takes.
      let serverMs = 0;
      while (bytes < (ROWS - 2) * MiB && open()) {
        budget = MiB;
        client.resumeReading();
        await until(() => budget <= 0 || !open());
        await settleIo();
        await advanceServerClock(SHORT_TIMEOUT_MS / 4);
        serverMs += SHORT_TIMEOUT_MS / 4;
      }
      budget = Number.POSITIVE_INFINITY;
      client.resumeReading();
      await readResultsets(client, 1);
      // net_write_timeout went by many times on the server's clock while the client read.
      expect(serverMs).toBeGreaterThan(4 * SHORT_TIMEOUT_MS);
      client.quit();
      expect((await closedRecord(server, client)).outcome).toEqual({ kind: "authenticated", ended: "quit" });
    });
  });
});

describe("net_read_timeout after login", () => {
  it("cuts off a client that sends part of a packet and stalls, at net_read_timeout on the server's clock, with the reason on the record", async () => {
    const server = await serverWith({ netReadTimeoutMs: SHORT_TIMEOUT_MS });
    const client = await loggedIn(server);
    await withServerClock(server, async () => {
      // A COM_PING, then a COM_QUERY header claiming 100 bytes and 10 of them, in one write: once
      // the ping is answered, the server has read the part and started net_read_timeout.
      const header = Buffer.from([100, 0, 0, 0]);
      client.write(
        Buffer.concat([
          encodePacket(command(Command.COM_PING), 0),
          header,
          command(Command.COM_QUERY, "SELECT 1 "),
        ]),
      );
      expect((await client.read())?.payload[0]).toBe(PacketMarker.OK);
      await advanceServerClock(SHORT_TIMEOUT_MS - 1);
      await settleIo();
      expect(recordOf(server, client).endedAt).toBeNull();
      await advanceServerClock(1);
      const record = await closedRecord(server, client);
      expect(record.outcome).toEqual({
        kind: "authenticated",
        ended: "error",
        error: `net_read_timeout: a packet cut off after 14 bytes for ${SHORT_TIMEOUT_MS} ms`,
      });
    });
  });

  it("restarts with every read that brings bytes, as MySQL's does: a slow sender finishes its packet", async () => {
    const server = await serverWith({ netReadTimeoutMs: SHORT_TIMEOUT_MS });
    const client = await loggedIn(server);
    await withServerClock(server, async () => {
      const packet = encodePacket(command(Command.COM_QUERY, "SELECT 1"), 0);
      // A byte, then all but a millisecond of the timeout on the server's clock: 12 bytes, nearly
      // twelve times the timeout in all.
      for (const byte of packet) {
        client.write(Buffer.from([byte]));
        await settleIo();
        await advanceServerClock(SHORT_TIMEOUT_MS - 1);
      }
      expect((await client.read())?.payload[0]).toBe(1);
      client.quit();
      expect((await closedRecord(server, client)).outcome).toEqual({ kind: "authenticated", ended: "quit" });
    });
  });

  it("does not apply between commands, where wait_timeout does", async () => {
    const server = await serverWith({ netReadTimeoutMs: SHORT_TIMEOUT_MS });
    const client = await loggedIn(server);
    await withServerClock(server, async () => {
      await advanceServerClock(10 * SHORT_TIMEOUT_MS);
      client.send(command(Command.COM_PING), 0);
      expect((await client.read())?.payload[0]).toBe(PacketMarker.OK);
      client.quit();
      expect((await closedRecord(server, client)).outcome).toEqual({ kind: "authenticated", ended: "quit" });
    });
  });

  it("cuts off a client that never answers the auth switch of its COM_CHANGE_USER, at net_read_timeout on the server's clock", async () => {
    const server = await serverWith({ netReadTimeoutMs: SHORT_TIMEOUT_MS });
    const client = await loggedIn(server);
    await withServerClock(server, async () => {
      client.send(client.changeUserPayload(ACCOUNT), 0);
      // The switch is sent once the server waits for the answer: its clock runs from here.
      expect((await client.read())?.payload[0]).toBe(PacketMarker.AUTH_SWITCH);
      await advanceServerClock(SHORT_TIMEOUT_MS - 1);
      await settleIo();
      expect(recordOf(server, client).endedAt).toBeNull();
      await advanceServerClock(1);
      const record = await closedRecord(server, client);
      expect(record.outcome).toEqual({
        kind: "authenticated",
        ended: "error",
        error: `net_read_timeout: no reply to the COM_CHANGE_USER auth exchange for ${SHORT_TIMEOUT_MS} ms`,
      });
    });
  });
});
