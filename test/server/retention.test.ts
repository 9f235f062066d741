import * as mysql2 from "mysql2/promise";
import type { ConnectionRecord } from "../../src/record/connection-record";
import {
  ConnectionRecordDroppedError,
  type MockServer,
  type StartOptions,
  startMockServer,
} from "../../src/mock-server";
import { RECORDED_QUERY_CHARS } from "../../src/record/retention";
import {
  DEFAULT_KEEP_CONNECTIONS,
  DEFAULT_RECORD_PAYLOAD_BYTES,
  resolveOptions,
} from "../../src/server/options";
import { useMockServer } from "../../src/testing/fixture";
import { RawClient } from "../helpers/raw-client";

/**
 * What a long-running server keeps is bounded: the newest `keepConnections` records, the newest
 * `keepPackets` packets and `keepCommands` commands of each, and `recordPayloadBytes` of each
 * packet's payload; what is left out is counted.
 */

const ACCOUNT = { user: "app", password: "secret" };

/** Connects, reads the greeting and hangs up: the cheapest connection that leaves a record. */
async function touch(server: MockServer): Promise<void> {
  const client = await RawClient.connect(server.port);
  await client.readGreeting();
  client.end();
  await client.closed();
}

/** Logs in over TLS with mysql2, runs the queries and quits; returns the record of the connection. */
async function session(server: MockServer, queries: string[]): Promise<ConnectionRecord> {
  const connection = await mysql2.createConnection({
    host: "127.0.0.1",
    port: server.port,
    ...ACCOUNT,
    ssl: { ca: server.ca!, rejectUnauthorized: true },
  });
  for (const sql of queries) await connection.query(sql);
  await connection.end();
  const records = await server.settled();
  return records[records.length - 1]!;
}

async function withServer<T>(options: StartOptions, use: (server: MockServer) => Promise<T>): Promise<T> {
  await using server = await startMockServer({ accounts: [ACCOUNT], ...options });
  return await use(server);
}

describe("records kept by a long-running server", () => {
  it("keeps the newest keepConnections records, counting the ones dropped", async () => {
    await withServer({ keepConnections: 3 }, async (server) => {
      for (let i = 0; i < 5; i++) await touch(server);
      await server.settled();
      expect(server.totalConnections).toBe(5);
      expect(server.droppedConnections).toBe(2);
      expect(server.connections.map((r) => r.id)).toEqual([3, 4, 5]);
      // The newest is still reachable by its overall number; a dropped one says so.
      await expect(server.waitForConnection(5)).resolves.toMatchObject({ id: 5 });
      await expect(server.waitForConnection(1)).rejects.toBeInstanceOf(ConnectionRecordDroppedError);
    });
  });

  it(`levels off at ${DEFAULT_KEEP_CONNECTIONS} records by default`, async () => {
    expect((await resolveOptions()).keepConnections).toBe(DEFAULT_KEEP_CONNECTIONS);
    const batch = 50;
    const extra = batch;
    await withServer({ tls: false }, async (server) => {
      for (let done = 0; done < DEFAULT_KEEP_CONNECTIONS + extra; done += batch) {
        await Promise.all(Array.from({ length: batch }, () => touch(server)));
      }
      await server.settled();
      expect(server.totalConnections).toBe(DEFAULT_KEEP_CONNECTIONS + extra);
      expect(server.connections).toHaveLength(DEFAULT_KEEP_CONNECTIONS);
      expect(server.droppedConnections).toBe(extra);
    });
  }, 60_000);

  it("keeps the newest keepPackets packets of a connection: the same tail an unbounded trail ends with", async () => {
    const queries = Array.from({ length: 12 }, (_, i) => `SELECT ${i}`);
    const whole = await withServer({ keepPackets: 10_000 }, (server) => session(server, queries));
    const kept = await withServer({ keepPackets: 10 }, (server) => session(server, queries));
    expect(whole.packetsDropped).toBe(0);
    expect(kept.packets).toHaveLength(10);
    expect(kept.packetsDropped).toBe(whole.packets.length - 10);
    const shape = (r: ConnectionRecord) => r.packets.map((p) => [p.direction, p.type, p.sequenceId]);
    expect(shape(kept)).toEqual(shape(whole).slice(-10));
    expect(kept.packets.at(-1)?.type).toBe("COM_QUIT");
  });

  it("keeps the newest keepCommands commands, and a long query cut to RECORDED_QUERY_CHARS with its length", async () => {
    const long = `SELECT '${"x".repeat(5000)}' AS long_one`;
    const record = await withServer({ keepCommands: 3 }, (server) =>
      session(server, ["SELECT 1", "SELECT 2", "SELECT 3", long]),
    );
    expect(record.commandsDropped).toBe(2);
    expect(record.commands).toHaveLength(3);
    expect(record.commands.map((c) => c.query?.slice(0, 10))).toEqual([
      "SELECT 3",
      long.slice(0, 10),
      undefined,
    ]);
    expect(record.commands[1]).toEqual({
      command: "COM_QUERY",
      query: long.slice(0, RECORDED_QUERY_CHARS),
      queryLength: long.length,
    });
  });

  it(`keeps ${DEFAULT_RECORD_PAYLOAD_BYTES} payload bytes of a packet by default`, async () => {
    const long = `SELECT '${"y".repeat(1000)}'`;
    const record = await withServer({}, (server) => session(server, [long]));
    const query = record.packets.find((p) => p.type === "COM_QUERY")!;
    expect(query.length).toBe(long.length + 1);
    expect(query.payloadHex).toHaveLength(2 * DEFAULT_RECORD_PAYLOAD_BYTES);
  });
});

describe("useMockServer({ per: 'file' }) past keepConnections", () => {
  const mock = useMockServer({ accounts: [ACCOUNT], keepConnections: 2 }, { per: "file" });

  it("an earlier test fills and overflows what is kept", async () => {
    for (let i = 0; i < 3; i++) await touch(mock.server);
    expect((await mock.settled()).map((r) => r.id)).toEqual([2, 3]);
  });

  it("a later test still sees exactly its own connections", async () => {
    await touch(mock.server);
    expect((await mock.settled()).map((r) => r.id)).toEqual([4]);
  });
});
