/**
 * @jest-environment ./test/fuzz/host-process-environment.ts
 */
import * as mysql2 from "mysql2/promise";
import { PacketMarker } from "../../src/protocol/constants";
import { decodeErr } from "../../src/protocol/packets/err-packet";
import type { ConnectionRecord } from "../../src/record/connection-record";
import type { QueryAnswer } from "../../src/sql";
import { type MockServer, type StartOptions, startMockServer } from "../../src/mock-server";
import { encodePacket } from "../../src/protocol/framing";
import { EscapeWatch, hostProcess } from "../fuzz/pre-auth-harness";
import { CLIENT_CAPABILITIES, sslRequest } from "../helpers/raw-client";
import { AuthClient } from "./auth-client";

/**
 * The host program's own code — the `unknownQuery` callback, event listeners — may throw or answer
 * nonsense: that ends the one connection it was working for, with the reason on the record, never
 * the process, and other clients go on logging in meanwhile.
 */

const ACCOUNT = { user: "app", password: "app-password" };
/** MySQL's ER_UNKNOWN_ERROR, which the client gets where the callback failed. */
const ER_UNKNOWN_ERROR = 1105;

/** A whole mysql2 session: login, a query, quit. */
async function bystanderSession(server: MockServer): Promise<void> {
  const connection = await mysql2.createConnection({ host: "127.0.0.1", port: server.port, ...ACCOUNT });
  const [rows] = await connection.query("SELECT 1 AS one");
  await connection.end();
  expect(rows).toEqual([{ one: 1 }]);
}

/** The record once the connection has closed; fails after `ms` if it never does. */
async function closedRecord(server: MockServer, client: AuthClient, ms = 5000): Promise<ConnectionRecord> {
  const index = server.connections.findIndex((r) => r.id === client.greeting.connectionId);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`connection still open after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([server.waitForConnection(index + 1), expired]);
  } finally {
    clearTimeout(timer);
    client.destroy();
  }
}

describe("a host program's code that fails", () => {
  let watch: EscapeWatch;
  beforeEach(() => {
    watch = new EscapeWatch().install();
  });
  afterEach(() => {
    watch.dispose();
  });

  async function serverWith(options: StartOptions): Promise<MockServer> {
    return startMockServer({ accounts: [ACCOUNT], ...options });
  }

  it.each<{ what: string; callback: () => unknown; error: RegExp }>([
    {
      what: "throws",
      callback: () => {
        throw new Error("boom");
      },
      error: /^the unknownQuery callback threw: boom \(query: "SELECT nothing_known\(\)"\)$/,
    },
    {
      what: "returns nothing",
      callback: () => undefined,
      error: /^the unknownQuery callback returned nothing/,
    },
    {
      what: "returns a Promise",
      callback: async () => ({ kind: "ok" }),
      error: /^the unknownQuery callback returned a Promise \(it must answer synchronously\)/,
    },
    {
      what: "returns an answer of no known kind",
      callback: () => ({ kind: "rows" }),
      error: /^the unknownQuery callback returned an answer of unknown kind "rows"/,
    },
    {
      what: "returns a resultset that cannot be encoded",
      callback: () => ({ kind: "resultset" }),
      error: /^the unknownQuery callback returned an answer that cannot be sent: /,
    },
  ])(
    "an unknownQuery callback that $what ends only that connection, with an ERR and the reason on the record",
    async ({ callback, error }) => {
      await using server = await serverWith({
        unknownQuery: callback as (sql: string) => QueryAnswer,
      });
      const client = await AuthClient.connect(server.port);
      expect((await client.login(ACCOUNT))?.payload[0]).toBe(PacketMarker.OK);
      const [reply] = await Promise.all([client.query("SELECT nothing_known()"), bystanderSession(server)]);
      expect(reply?.payload[0]).toBe(PacketMarker.ERR);
      const err = decodeErr(reply!.payload, CLIENT_CAPABILITIES);
      expect(err.code).toBe(ER_UNKNOWN_ERROR);
      expect(err.message).toMatch(/^mysql-tls-mock: the unknownQuery callback /);
      const record = await closedRecord(server, client);
      expect(record.outcome).toMatchObject({
        kind: "authenticated",
        ended: "error",
        error: expect.stringMatching(error),
      });
      await bystanderSession(server);
      watch.throwIfEscaped();
    },
  );

  it("an event listener that throws on a command ends only that connection, recorded; the others go on", async () => {
    await using server = await serverWith({});
    server.on("command", (event) => {
      if (event.query === "SELECT 'trip'") throw new Error("listener bug");
    });
    const client = await AuthClient.connect(server.port);
    expect((await client.login(ACCOUNT))?.payload[0]).toBe(PacketMarker.OK);
    await Promise.all([client.query("SELECT 'trip'"), bystanderSession(server)]);
    const record = await closedRecord(server, client);
    expect(record.outcome).toEqual({
      kind: "authenticated",
      ended: "error",
      error: 'an event listener threw on "command": listener bug',
    });
    await bystanderSession(server);
    watch.throwIfEscaped();
  });

  it("an event listener that throws before login ends that connection as a server error in its phase", async () => {
    await using server = await serverWith({});
    // The bystander logs in without TLS: only the client that asks for TLS trips the listener.
    server.on("event", (event) => {
      if (event.type === "ssl-request") throw new TypeError("undefined is not a function");
    });
    const client = await AuthClient.connect(server.port);
    await Promise.all([
      client.startTls(encodePacket(sslRequest(), 1)).catch(() => undefined),
      bystanderSession(server),
    ]);
    const record = await closedRecord(server, client);
    expect(record.outcome).toEqual({
      kind: "server-error",
      phase: "tls-handshake",
      message: 'an event listener threw on "ssl-request": undefined is not a function',
    });
    expect(record.verdict?.summary).toMatch(/the server failed/);
    await bystanderSession(server);
    watch.throwIfEscaped();
  });

  it("an event listener that throws on connection-closed leaves the record as it was and warns once", async () => {
    await using server = await serverWith({});
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    hostProcess().on("warning", onWarning);
    server.on("connection-closed", () => {
      throw new Error("late listener bug");
    });
    try {
      await bystanderSession(server);
      const [record] = await server.settled();
      expect(record?.outcome).toEqual({ kind: "authenticated", ended: "quit" });
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([
        `mysql-tls-mock: an event listener threw on "connection-closed": late listener bug (connection ${record!.id})`,
      ]);
    } finally {
      hostProcess().off("warning", onWarning);
    }
    watch.throwIfEscaped();
  });
});
