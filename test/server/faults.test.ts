import { Command, ErrorCode, PacketMarker } from "../../src/protocol/constants";
import { PacketFramer } from "../../src/protocol/framing";
import { decodeErr } from "../../src/protocol/packets/err-packet";
import { type MockServer, ServerConfigurationError, startMockServer } from "../../src/index";
import { connectWithMysql2 } from "../helpers/drivers";
import { runMariadbCli } from "../helpers/mariadb-cli";
import { runOpensslStartTls } from "../helpers/openssl-client";
import { handshakeResponse, RawClient, sslRequest } from "../helpers/raw-client";
import { advanceServerClock, settleIo, until, withServerClock } from "../helpers/server-clock";

describe("faults at protocol points", () => {
  it("answers the SSLRequest with yaSSL's plaintext Bad handshake, and the client does not retry in plaintext", async () => {
    await using server = await startMockServer({
      faults: { breakAt: { point: "after-ssl-request", action: "bad-handshake-error" } },
    });
    const result = await runMariadbCli({ port: server.port, flags: ["--ssl"] });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/ERROR 20(26|13)/);
    const records = await server.settled();
    expect(records).toHaveLength(1);
    expect(records[0]?.sslRequest).toBe(true);
    expect(records[0]?.user).toBeNull();
    expect(records[0]?.outcome).toEqual({
      kind: "fault",
      point: "after-ssl-request",
      action: "bad-handshake-error",
    });
    expect(records[0]?.packets.at(-1)).toMatchObject({
      direction: "server",
      type: "ERR",
      sequenceId: 2,
      encrypted: false,
    });
  });

  it("sends the Bad handshake ERR with sequence id 2, in plaintext", async () => {
    await using server = await startMockServer({
      faults: { breakAt: { point: "after-ssl-request", action: "bad-handshake-error" } },
    });
    const client = await RawClient.connect(server.port);
    await client.readGreeting();
    client.send(sslRequest(), 1);
    const reply = await client.read();
    expect(reply?.sequenceId).toBe(2);
    expect(decodeErr(reply!.payload, 0x200)).toEqual({
      code: ErrorCode.ER_HANDSHAKE_ERROR,
      sqlState: "08S01",
      message: "Bad handshake",
    });
  });

  it("records the ClientHello before resetting mid-handshake", async () => {
    await using server = await startMockServer({
      faults: { breakAt: { point: "mid-tls-handshake", action: "reset" } },
    });
    const result = await runOpensslStartTls(server.port, ["-servername", "db.example"]);
    expect(result.code).not.toBe(0);
    const [record] = await server.settled();
    expect(record?.tls).toMatchObject({
      outcome: "failed",
      failure: { cause: "server-fault" },
      clientHello: { sni: "db.example" },
    });
    expect(record?.outcome).toEqual({ kind: "fault", point: "mid-tls-handshake", action: "reset" });
  });

  it("closes before the greeting, and the client reports a lost connection", async () => {
    await using server = await startMockServer({
      faults: { breakAt: { point: "before-greeting", action: "close" } },
    });
    const result = await runMariadbCli({ port: server.port });
    expect(result.stderr).toMatch(/ERROR 2013|Lost connection|reading initial communication packet/);
    const [record] = await server.settled();
    expect(record?.packets).toEqual([]);
  });

  it("stalls after the greeting until the connect timeout ends it", async () => {
    await using server = await startMockServer({
      connectTimeoutMs: 300,
      faults: { breakAt: { point: "after-greeting", action: "stall" } },
    });
    const client = await RawClient.connect(server.port);
    await client.readGreeting();
    await client.closed();
    const [record] = await server.settled();
    expect(record?.outcome).toEqual({ kind: "fault", point: "after-greeting", action: "stall" });
  });

  it("slices the greeting into several writes, which a buffering driver still reads", async () => {
    await using server = await startMockServer({ tls: false, faults: { greetingWrites: 3 } });
    const client = await RawClient.connect(server.port);
    const greeting = await client.readGreeting();
    expect(greeting.serverVersion).toBe("5.7.41");
    expect(client.chunks.length).toBeGreaterThanOrEqual(2);
    client.end();
    const view = await connectWithMysql2({ port: server.port });
    expect(Number(view.selectOne)).toBe(1);
  });

  it("delays every server packet, and a driver still logs in and queries through them", async () => {
    await using server = await startMockServer({ tls: false, faults: { delayMs: 40 } });
    const view = await connectWithMysql2({ port: server.port });
    expect(Number(view.selectOne)).toBe(1);
  });

  describe("on the server's clock", () => {
    const DELAY_MS = 40;
    const ACCOUNT = { user: "root", password: "root" };

    /** How many whole packets the client has received so far. */
    const received = (client: RawClient) => new PacketFramer().push(Buffer.concat(client.chunks)).length;
    /** How many packets the server has queued for the client so far (recorded as it sends them). */
    const queued = (server: MockServer) =>
      server.connections[0]?.packets.filter((p) => p.direction === "server").length ?? 0;

    /** The next packet the server queues reaches the client at DELAY_MS on its clock, not a millisecond sooner. */
    async function expectNextPacketHeldBack(server: MockServer, client: RawClient): Promise<void> {
      const before = received(client);
      await until(() => queued(server) > before);
      await settleIo();
      expect(received(client)).toBe(before);
      await advanceServerClock(DELAY_MS - 1);
      await settleIo();
      expect(received(client)).toBe(before);
      await advanceServerClock(1);
      await until(() => received(client) === before + 1);
    }

    it("holds each server packet back for delayMs after the one before it, in order", async () => {
      const server = await startMockServer({ tls: false, faults: { delayMs: DELAY_MS } });
      await withServerClock(server, async () => {
        const client = await RawClient.connect(server.port);
        await expectNextPacketHeldBack(server, client);
        const greeting = await client.readGreeting();
        client.send(handshakeResponse({ ...ACCOUNT, scramble: greeting.authPluginData }), 1);
        await expectNextPacketHeldBack(server, client);
        expect((await client.read())?.payload[0]).toBe(PacketMarker.OK);
        // SELECT 1: column count, column definition, EOF, row, EOF — one delay each, one by one.
        client.send(Buffer.concat([Buffer.from([Command.COM_QUERY]), Buffer.from("SELECT 1")]), 0);
        for (let i = 0; i < 5; i++) await expectNextPacketHeldBack(server, client);
        const replies = await Promise.all(Array.from({ length: 5 }, () => client.read()));
        expect(replies.map((p) => p?.sequenceId)).toEqual([1, 2, 3, 4, 5]);
        expect(replies.map((p) => p?.payload[0])).toEqual([
          0x01,
          0x03,
          PacketMarker.EOF,
          0x01,
          PacketMarker.EOF,
        ]);
        client.end();
      });
    });
  });

  it("answers every login with the attacker's error (Riddle), recording that credentials crossed in plaintext", async () => {
    await using server = await startMockServer({
      capabilityFlags: 0xc1fff7ff,
      faults: { refuseLoginWith: { code: 1045, sqlState: "28000", message: "attacker text" } },
    });
    await expect(connectWithMysql2({ port: server.port })).rejects.toMatchObject({
      errno: 1045,
      message: "attacker text",
    });
    const [record] = await server.settled();
    expect(record?.credentialsInPlaintext).toBe(true);
    expect(record?.outcome).toMatchObject({
      kind: "refused",
      code: 1045,
      reason: expect.stringContaining("fault"),
    });
  });

  it("rejects a fault that cannot work before listening", async () => {
    await expect(
      startMockServer({ faults: { breakAt: { point: "after-quit" as never, action: "close" } } }),
    ).rejects.toBeInstanceOf(ServerConfigurationError);
  });
});
