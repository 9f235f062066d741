import { CapabilityFlags, Command, ErrorCode, PacketMarker } from "../../src/protocol/constants";
import { encodePacket } from "../../src/protocol/framing";
import { decodeErr } from "../../src/protocol/packets/err-packet";
import { decodeHandshakeResponse41 } from "../../src/protocol/packets/handshake-response-41";
import type { ConnectionRecord } from "../../src/record/connection-record";
import type { MockServerEvent } from "../../src/record/events";
import { type MockServer, startMockServer } from "../../src/mock-server";
import { CLIENT_CAPABILITIES, handshakeResponse, RawClient, sslRequest } from "../helpers/raw-client";
import { AuthClient } from "./auth-client";

/**
 * Facts the session writes on a record that only one path of the login leads to: capabilities
 * resent inside TLS, an auth switch during COM_CHANGE_USER, bytes stuffed into an SSLRequest, and
 * a command out of sequence after login.
 */

const APP = { user: "app", password: "app-password" };
const SHA2 = { user: "sha2", password: "sha2-password", plugin: "caching_sha2_password" };
const NATIVE = "mysql_native_password";
const SSL_CAPABILITIES = (CLIENT_CAPABILITIES | CapabilityFlags.CLIENT_SSL) >>> 0;

describe("what a record says of", () => {
  let server: MockServer;
  const events: MockServerEvent[] = [];
  beforeAll(async () => {
    server = await startMockServer({ accounts: [APP, SHA2] });
    server.on("event", (event) => events.push(event));
  });
  afterAll(() => server.stop());

  /** The record of the connection whose greeting `connectionId` announced, once it has closed. */
  async function closedRecord(connectionId: number): Promise<ConnectionRecord> {
    await server.settled();
    const record = server.connections.find((r) => r.id === connectionId);
    if (!record) throw new Error(`no record of connection ${connectionId}`);
    return record;
  }

  describe("a handshake response inside TLS whose capabilities differ from the SSLRequest's", () => {
    /**
     * Logs in over TLS with `resent` in the response, runs SELECT 1, quits; the resultset's packet
     * types and the record.
     */
    async function loginResending(
      resent: number,
    ): Promise<{ resultset: number[]; record: ConnectionRecord }> {
      const client = await RawClient.connect(server.port);
      const greeting = await client.readGreeting();
      await client.startTlsCoalesced(1);
      client.send(handshakeResponse({ ...APP, scramble: greeting.authPluginData, capabilities: resent }), 2);
      expect((await client.read())?.payload[0]).toBe(PacketMarker.OK);
      client.send(Buffer.concat([Buffer.from([Command.COM_QUERY]), Buffer.from("SELECT 1")]), 0);
      // Column count, column definition, then an EOF (classic) or the row (CLIENT_DEPRECATE_EOF).
      const resultset: number[] = [];
      for (let i = 0; i < 3; i++) resultset.push((await client.read())!.payload[0]!);
      client.send(Buffer.from([Command.COM_QUIT]), 0);
      await client.closed();
      return { resultset, record: await closedRecord(greeting.connectionId) };
    }

    it("are recorded as resent, while the session keeps the SSLRequest's, as 5.7's parse_client_handshake_packet does", async () => {
      // sql/auth/sql_authentication.cc (5.7): "After the SSL handshake is performed the client
      // resends the handshake packet but because of legacy reasons we chose not to parse the
      // packet fields a second time". CLIENT_DEPRECATE_EOF resent alone must not drop the EOFs.
      const resent =
        (SSL_CAPABILITIES |
          CapabilityFlags.CLIENT_DEPRECATE_EOF |
          CapabilityFlags.CLIENT_MULTI_STATEMENTS) >>>
        0;
      const { resultset, record } = await loginResending(resent);
      expect(resultset[2]).toBe(PacketMarker.EOF);
      expect(record.outcome).toEqual({ kind: "authenticated", ended: "quit" });
      expect(record.clientCapabilityFlags).toBe(SSL_CAPABILITIES);
      expect(record.clientCapabilities).not.toContain("CLIENT_DEPRECATE_EOF");
      expect(record.capabilitiesChangedAfterTls).toBe(resent);
    });

    it("are not recorded when the response resends the SSLRequest's exactly (null)", async () => {
      const { record } = await loginResending(SSL_CAPABILITIES);
      expect(record.outcome).toEqual({ kind: "authenticated", ended: "quit" });
      expect(record.clientCapabilityFlags).toBe(SSL_CAPABILITIES);
      expect(record.capabilitiesChangedAfterTls).toBeNull();
    });
  });

  describe("an auth switch during COM_CHANGE_USER", () => {
    /*
     * `authSwitchedTo` belongs with `user` and `clientAuthPlugin`: the login's facts, which a
     * COM_CHANGE_USER leaves as they were (the record's `user` stays the login's). 5.7 sends every
     * CLIENT_PLUGIN_AUTH client an AuthSwitchRequest on COM_CHANGE_USER, to whichever plugin the
     * new account has; the auth-switch event tells of it.
     */

    it("leaves authSwitchedTo null after a login without a switch; the event names the plugin", async () => {
      const client = await AuthClient.connect(server.port);
      expect((await client.login(APP))?.payload[0]).toBe(PacketMarker.OK);
      // Auth data for mysql_native_password, to an account of caching_sha2_password: a switch.
      expect((await client.changeUser({ ...SHA2, plugin: NATIVE }))?.payload[0]).toBe(PacketMarker.OK);
      client.quit();
      await client.closed();
      const id = client.greeting.connectionId;
      const record = await closedRecord(id);
      expect(record).toMatchObject({
        user: APP.user,
        clientAuthPlugin: NATIVE,
        authSwitchedTo: null,
        outcome: { kind: "authenticated", ended: "quit" },
      });
      const switches = events.filter((e) => e.connectionId === id && e.type === "auth-switch");
      expect(switches).toMatchObject([{ type: "auth-switch", plugin: "caching_sha2_password" }]);
    });

    it("keeps the login's switch in authSwitchedTo when a COM_CHANGE_USER switches to another plugin", async () => {
      const client = await AuthClient.connect(server.port);
      // A response for mysql_native_password to a caching_sha2_password account: the login switches.
      expect((await client.login({ ...SHA2, plugin: NATIVE }))?.payload[0]).toBe(PacketMarker.OK);
      expect((await client.changeUser(APP))?.payload[0]).toBe(PacketMarker.OK);
      client.quit();
      await client.closed();
      const id = client.greeting.connectionId;
      const record = await closedRecord(id);
      expect(record).toMatchObject({
        user: SHA2.user,
        clientAuthPlugin: NATIVE,
        authSwitchedTo: "caching_sha2_password",
      });
      const switches = events.filter((e) => e.connectionId === id && e.type === "auth-switch");
      expect(switches).toMatchObject([
        { type: "auth-switch", plugin: "caching_sha2_password" },
        { type: "auth-switch", plugin: NATIVE },
      ]);
    });
  });

  describe("an SSLRequest followed in its packet by bytes that are no handshake response", () => {
    it("counts them as credentials sent in plaintext and withholds the packet's payload", async () => {
      // No NUL ends the "user name": whatever these bytes are, they do not decode as a response.
      const stuffing = Buffer.from("Pw-7f3a9c-secret", "latin1");
      const payload = Buffer.concat([sslRequest(), stuffing]);
      expect(() => decodeHandshakeResponse41(payload)).toThrow();
      const client = await AuthClient.connect(server.port);
      await client.startTls(encodePacket(payload, 1));
      // TLS goes ahead; the login inside it does not undo what crossed before it.
      expect((await client.login(APP))?.payload[0]).toBe(PacketMarker.OK);
      client.quit();
      await client.closed();
      const record = await closedRecord(client.greeting.connectionId);
      expect(record).toMatchObject({
        sslRequest: true,
        credentialsInPlaintext: true,
        user: APP.user,
        outcome: { kind: "authenticated", ended: "quit" },
      });
      const packet = record.packets.find((p) => p.type === "SSLRequest");
      expect(packet).toEqual({
        atMs: expect.any(Number),
        direction: "client",
        phase: "handshake-response",
        sequenceId: 1,
        length: payload.length,
        type: "SSLRequest",
        encrypted: false,
        redacted: true,
      });
      const json = JSON.stringify(record);
      expect(json).not.toContain(stuffing.toString("hex"));
      expect(json).not.toContain(stuffing.toString("latin1"));
    });
  });

  describe("a command packet out of sequence after login", () => {
    it("gets ERR 1156 Got packets out of order (08S01), and the session ends with the error on the record", async () => {
      const client = await AuthClient.connect(server.port);
      expect((await client.login(APP))?.payload[0]).toBe(PacketMarker.OK);
      // A command starts a new exchange at 0; 1 is out of order (sql/net_serv.cc, my_net_read).
      client.send(Buffer.concat([Buffer.from([Command.COM_QUERY]), Buffer.from("SELECT 1")]), 1);
      const reply = await client.read();
      expect(reply?.payload[0]).toBe(PacketMarker.ERR);
      expect(decodeErr(reply!.payload, CLIENT_CAPABILITIES)).toEqual({
        code: ErrorCode.ER_NET_PACKETS_OUT_OF_ORDER,
        sqlState: "08S01",
        message: "Got packets out of order",
      });
      expect(ErrorCode.ER_NET_PACKETS_OUT_OF_ORDER).toBe(1156);
      await client.closed();
      const record = await closedRecord(client.greeting.connectionId);
      expect(record.outcome).toEqual({
        kind: "authenticated",
        ended: "error",
        error: "packet sequence id 1 where 0 was expected",
      });
      // Out of turn, it may be auth data: recorded without its payload, and not as a command.
      expect(record.packets.at(-2)).toMatchObject({
        direction: "client",
        type: "unknown",
        sequenceId: 1,
        redacted: true,
      });
      expect(record.packets.at(-1)).toMatchObject({ direction: "server", type: "ERR" });
      expect(record.commands).toEqual([]);
    });
  });
});
