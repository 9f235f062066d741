import { once } from "node:events";
import * as mysql2 from "mysql2/promise";
import { encodePacket } from "../../src/protocol/framing";
import { startMockServer } from "../../src/mock-server";
import { RawClient, sslRequest } from "../helpers/raw-client";
import { advanceServerClock, withServerClock } from "../helpers/server-clock";

/**
 * connect_timeout ends a client that stalls anywhere before the OK packet; wait_timeout closes a
 * logged-in connection left idle between commands, as 5.7 does (without a packet).
 */

describe("connect_timeout", () => {
  it("ends a client that reads the greeting and says nothing, recorded as a timeout in that phase", async () => {
    await using server = await startMockServer({ connectTimeoutMs: 200 });
    const client = await RawClient.connect(server.port);
    await client.readGreeting();
    await client.closed();
    const [record] = await server.settled();
    expect(record?.outcome).toEqual({ kind: "timeout", phase: "handshake-response" });
    expect(record?.verdict?.kind).toBe("incomplete");
  });

  it("ends a client that sends an SSLRequest and no ClientHello, recorded as a TLS timeout", async () => {
    await using server = await startMockServer({ connectTimeoutMs: 200 });
    const client = await RawClient.connect(server.port);
    await client.readGreeting();
    client.write(encodePacket(sslRequest(), 1));
    await client.closed();
    const [record] = await server.settled();
    expect(record?.sslRequest).toBe(true);
    expect(record?.outcome).toMatchObject({ kind: "tls-failed", failure: { cause: "timeout" } });
  });

  it("shows its length in seconds in @@connect_timeout", async () => {
    await using server = await startMockServer({ connectTimeoutMs: 2500 });
    const connection = await mysql2.createConnection({
      host: "127.0.0.1",
      port: server.port,
      user: "root",
      password: "root",
    });
    const [rows] = await connection.query("SELECT @@connect_timeout AS t");
    await connection.end();
    expect(rows).toEqual([{ t: 3 }]);
  });
});

describe("wait_timeout", () => {
  it("closes a logged-in connection left idle, recorded as an authenticated session ended by timeout", async () => {
    await using server = await startMockServer({ waitTimeoutMs: 200 });
    const connection = await mysql2.createConnection({
      host: "127.0.0.1",
      port: server.port,
      user: "root",
      password: "root",
    });
    const lost = once(connection, "error");
    const [error] = (await lost) as [NodeJS.ErrnoException];
    expect(error.code).toBe("PROTOCOL_CONNECTION_LOST");
    const [record] = await server.settled();
    expect(record?.outcome).toEqual({ kind: "authenticated", ended: "timeout" });
  });

  it("counts from the last command on the server's clock: in use the connection stays open, idle that long it closes", async () => {
    const WAIT_MS = 300;
    const server = await startMockServer({ waitTimeoutMs: WAIT_MS });
    await withServerClock(server, async () => {
      const connection = await mysql2.createConnection({
        host: "127.0.0.1",
        port: server.port,
        user: "root",
        password: "root",
      });
      const lost = once(connection, "error");
      // A millisecond short of the timeout before each command: five times over it in all.
      for (let i = 0; i < 5; i++) {
        await advanceServerClock(WAIT_MS - 1);
        await connection.query("SELECT 1");
      }
      const [rows] = await connection.query("SELECT @@wait_timeout AS t");
      expect(rows).toEqual([{ t: 1 }]);
      await advanceServerClock(WAIT_MS);
      const [error] = (await lost) as [NodeJS.ErrnoException];
      expect(error.code).toBe("PROTOCOL_CONNECTION_LOST");
      const [record] = await server.settled();
      expect(record?.commands.map((c) => c.query)).toEqual([
        ...Array(5).fill("SELECT 1"),
        "SELECT @@wait_timeout AS t",
      ]);
      expect(record?.outcome).toEqual({ kind: "authenticated", ended: "timeout" });
    });
  });

  it("rejects a timeout that is not a positive number of milliseconds", async () => {
    await expect(startMockServer({ waitTimeoutMs: 0 })).rejects.toThrow(
      /waitTimeoutMs.*expected milliseconds/,
    );
    await expect(startMockServer({ connectTimeoutMs: Number.NaN })).rejects.toThrow(/connectTimeoutMs/);
  });
});
