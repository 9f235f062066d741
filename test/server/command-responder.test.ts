import { Command, ErrorCode } from "../../src/protocol/constants";
import { encodeCommand } from "../../src/protocol/packets/command";
import { decodeEof } from "../../src/protocol/packets/eof-packet";
import { decodeErr } from "../../src/protocol/packets/err-packet";
import { decodeTextRow } from "../../src/protocol/packets/text-row";
import { type MockServerOptions, startMockServer } from "../../src/index";
import { CLIENT_CAPABILITIES, handshakeResponse, RawClient } from "../helpers/raw-client";

const ACCOUNT = { user: "app", password: "secret" };

/** Logs in over plaintext and returns a client in the command phase. */
async function loggedIn(port: number): Promise<RawClient> {
  const client = await RawClient.connect(port);
  const greeting = await client.readGreeting();
  client.send(handshakeResponse({ ...ACCOUNT, scramble: greeting.authPluginData }), 1);
  const ok = await client.read();
  if (ok?.payload[0] !== 0x00) throw new Error("login failed");
  return client;
}

async function withServer(options: MockServerOptions, run: (client: RawClient) => Promise<void>) {
  const server = await startMockServer({ accounts: [ACCOUNT], tls: false, ...options });
  try {
    const client = await loggedIn(server.port);
    await run(client);
    client.end();
  } finally {
    await server.stop();
  }
}

function query(client: RawClient, sql: string): void {
  client.send(encodeCommand(Command.COM_QUERY, Buffer.from(sql)), 0);
}

describe("the command phase", () => {
  it("answers COM_PING with OK at sequence id 1", () =>
    withServer({}, async (client) => {
      client.send(encodeCommand(Command.COM_PING), 0);
      const ok = await client.read();
      expect(ok?.sequenceId).toBe(1);
      expect(ok?.payload[0]).toBe(0x00);
    }));

  it("records the database a client selects with COM_INIT_DB", async () => {
    await using server = await startMockServer({ accounts: [ACCOUNT], tls: false });
    const client = await loggedIn(server.port);
    client.send(encodeCommand(Command.COM_INIT_DB, Buffer.from("shop")), 0);
    expect((await client.read())?.payload[0]).toBe(0x00);
    client.send(encodeCommand(Command.COM_QUIT), 0);
    await client.closed();
    const [record] = await server.settled();
    expect(record?.database).toBe("shop");
    expect(record?.commands).toEqual([{ command: "COM_INIT_DB" }, { command: "COM_QUIT" }]);
    expect(record?.outcome).toEqual({ kind: "authenticated", ended: "quit" });
  });

  it("answers an unknown command byte with 1047 Unknown command", () =>
    withServer({}, async (client) => {
      client.send(Buffer.from([0x7f]), 0);
      const err = decodeErr((await client.read())!.payload, CLIENT_CAPABILITIES);
      expect(err).toEqual({
        code: ErrorCode.ER_UNKNOWN_COM_ERROR,
        sqlState: "08S01",
        message: "Unknown command",
      });
    }));

  it("answers a query it does not know with an ERR that names the query, by default", () =>
    withServer({}, async (client) => {
      query(client, "SELECT * FROM orders");
      const err = decodeErr((await client.read())!.payload, CLIENT_CAPABILITIES);
      expect(err.code).toBe(ErrorCode.ER_NOT_SUPPORTED_YET);
      expect(err.message).toContain("SELECT * FROM orders");
    }));

  it("answers unknown queries with OK when configured to", () =>
    withServer({ unknownQuery: "ok" }, async (client) => {
      query(client, "INSERT INTO t VALUES (1)");
      expect((await client.read())?.payload[0]).toBe(0x00);
    }));

  it("lets a function answer unknown queries with a resultset", () =>
    withServer(
      {
        unknownQuery: (sql) => ({
          kind: "resultset",
          columns: [{ name: "echo", type: "string" }],
          rows: [[sql]],
        }),
      },
      async (client) => {
        query(client, "SELECT secret_sauce()");
        const columnCount = await client.read();
        expect(columnCount?.payload).toEqual(Buffer.from([1]));
        await client.read(); // column definition
        const eof = await client.read();
        expect(decodeEof(eof!.payload).statusFlags).toBe(2);
        const row = await client.read();
        expect(decodeTextRow(row!.payload, 1)[0]?.toString()).toBe("SELECT secret_sauce()");
      },
    ));

  it("answers SHOW STATUS LIKE 'Ssl_version' with an empty value on a plaintext connection", () =>
    withServer({}, async (client) => {
      query(client, "SHOW SESSION STATUS LIKE 'Ssl_version'");
      const packets = [];
      for (let i = 0; i < 6; i++) packets.push(await client.read());
      const row = decodeTextRow(packets[4]!.payload, 2).map((v) => v?.toString());
      expect(row).toEqual(["Ssl_version", ""]);
    }));
});

describe("an old (pre-4.1) client", () => {
  it("is recorded and refused with 1251, as 5.7 refuses pre-4.1 authentication", async () => {
    await using server = await startMockServer({ accounts: [ACCOUNT], tls: false });
    const client = await RawClient.connect(server.port);
    await client.readGreeting();
    // HandshakeResponse320: caps int<2> without PROTOCOL_41, max packet int<3>, user NUL, auth data.
    client.send(
      Buffer.concat([
        Buffer.from([0x85, 0x00, 0x00, 0x00, 0x01]),
        Buffer.from("old\0"),
        Buffer.from("12345678"),
      ]),
      1,
    );
    const err = decodeErr((await client.read())!.payload, 0);
    expect(err.code).toBe(ErrorCode.ER_NOT_SUPPORTED_AUTH_MODE);
    const [record] = await server.settled();
    expect(record?.user).toBe("old");
    expect(record?.credentialsInPlaintext).toBe(true);
    expect(record?.outcome).toMatchObject({ kind: "refused", code: 1251 });
  });
});

/** Sends `sql` and reads a one-column, one-row text resultset's value (without CLIENT_DEPRECATE_EOF). */
async function singleValue(client: RawClient, sql: string): Promise<string | undefined> {
  query(client, sql);
  const packets = [];
  // ColumnCount, ColumnDefinition41, EOF, TextRow, EOF.
  for (let i = 0; i < 5; i++) packets.push(await client.read());
  return decodeTextRow(packets[3]!.payload, 1)[0]?.toString();
}

describe("replies to the same query from several sessions", () => {
  it("answers a query that reads the session (CONNECTION_ID(), USER(), DATABASE()) for each session", async () => {
    await using server = await startMockServer({
      accounts: [ACCOUNT, { user: "other", password: "pw" }],
      tls: false,
    });
    const first = await loggedIn(server.port);
    const second = await loggedIn(server.port);
    const firstId = await singleValue(first, "SELECT CONNECTION_ID()");
    const secondId = await singleValue(second, "SELECT CONNECTION_ID()");
    expect(Number(secondId)).toBe(Number(firstId) + 1);
    first.send(encodeCommand(Command.COM_INIT_DB, Buffer.from("shop")), 0);
    await first.read();
    expect(await singleValue(first, "SELECT DATABASE()")).toBe("shop");
    expect(await singleValue(second, "SELECT DATABASE()")).toBeUndefined();
    const third = await RawClient.connect(server.port);
    const greeting = await third.readGreeting();
    third.send(handshakeResponse({ user: "other", password: "pw", scramble: greeting.authPluginData }), 1);
    await third.read();
    expect(await singleValue(first, "SELECT USER()")).toMatch(/^app@/);
    expect(await singleValue(third, "SELECT USER()")).toMatch(/^other@/);
    for (const client of [first, second, third]) client.end();
  });

  it("gives every session the same reply to a query that reads nothing of the session", async () => {
    await using server = await startMockServer({ accounts: [ACCOUNT], tls: false });
    const values = [];
    for (let i = 0; i < 3; i++) {
      const client = await loggedIn(server.port);
      values.push(await singleValue(client, "SELECT 1"));
      client.end();
    }
    expect(values).toEqual(["1", "1", "1"]);
  });

  it("asks the unknownQuery callback each time a query comes, even one it leaves to the default", async () => {
    const asked: string[] = [];
    await using server = await startMockServer({
      accounts: [ACCOUNT],
      tls: false,
      unknownQuery: (sql) => {
        asked.push(sql);
        return { kind: "unhandled" };
      },
    });
    for (let i = 0; i < 2; i++) {
      const client = await loggedIn(server.port);
      query(client, "SELECT * FROM orders");
      expect(decodeErr((await client.read())!.payload, CLIENT_CAPABILITIES).code).toBe(
        ErrorCode.ER_NOT_SUPPORTED_YET,
      );
      client.end();
    }
    expect(asked).toEqual(["SELECT * FROM orders", "SELECT * FROM orders"]);
  });

  it("answers after a reconfigure from the new options (system variables)", async () => {
    await using server = await startMockServer({
      accounts: [ACCOUNT],
      tls: false,
      systemVariables: { max_connections: 100 },
    });
    const before = await loggedIn(server.port);
    expect(await singleValue(before, "SELECT @@max_connections")).toBe("100");
    before.end();
    server.reconfigure({ ...server.options, systemVariables: { max_connections: 200 } });
    const after = await loggedIn(server.port);
    expect(await singleValue(after, "SELECT @@max_connections")).toBe("200");
    after.end();
  });
});
