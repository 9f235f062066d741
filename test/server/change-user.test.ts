import * as mysql2 from "mysql2/promise";
import { CapabilityFlags, Command, ErrorCode, PacketMarker } from "../../src/protocol/constants";
import { decodeAuthSwitchRequest } from "../../src/protocol/packets/auth-switch-request";
import { encodeComChangeUser } from "../../src/protocol/packets/com-change-user";
import { decodeErr } from "../../src/protocol/packets/err-packet";
import { decodeTextResultset } from "../../src/protocol/packets/text-resultset";
import { computeNativePasswordReply } from "../../src/auth/native-password";
import { type MockServer, startMockServer } from "../../src/mock-server";
import { runProcess } from "../helpers/processes";
import { CLIENT_CAPABILITIES } from "../helpers/raw-client";
import { AuthClient } from "./auth-client";

/**
 * COM_CHANGE_USER as MySQL 5.7 answers it (sql/auth/sql_authentication.cc): an AuthSwitchRequest to
 * the account's plugin with the greeting's nonce for a client with CLIENT_PLUGIN_AUTH, the auth
 * data checked as sent for one without, OK into the new user's session, and for a refusal an ERR
 * after which the server closes the connection.
 */

const APP = { user: "app", password: "app-password" };
const OTHER = { user: "other", password: "other-password" };
const SHA2 = { user: "sha2", password: "sha2-password", plugin: "caching_sha2_password" };
const CLEAR = { user: "clear", password: "clear-password", plugin: "mysql_clear_password" };

async function readRows(client: AuthClient, sql: string): Promise<string[][]> {
  const packets = [await client.query(sql)];
  // Column count, definitions, EOF, rows, EOF: read until the final EOF.
  while (packets.filter((p) => p?.payload[0] === PacketMarker.EOF).length < 2)
    packets.push(await client.read());
  const resultset = decodeTextResultset(
    packets.map((p) => p!.payload),
    CLIENT_CAPABILITIES,
  );
  return resultset.rows.map((row) => row.map((v) => (v === null ? "NULL" : v.toString())));
}

describe("COM_CHANGE_USER", () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await startMockServer({ accounts: [APP, OTHER, SHA2] });
  });
  afterAll(() => server.stop());

  async function settledRecord(client: AuthClient) {
    await client.closed();
    const index = server.connections.findIndex((r) => r.id === client.greeting.connectionId);
    return server.waitForConnection(index + 1);
  }

  it("switches a CLIENT_PLUGIN_AUTH client to the account's plugin with the greeting's nonce, then runs as the new user", async () => {
    const client = await AuthClient.connect(server.port);
    expect((await client.login(APP))?.payload[0]).toBe(PacketMarker.OK);
    client.send(client.changeUserPayload({ ...OTHER, database: "shop" }), 0);
    const switchRequest = await client.read();
    expect(switchRequest?.sequenceId).toBe(1);
    const request = decodeAuthSwitchRequest(switchRequest!.payload);
    expect(request.pluginName).toBe("mysql_native_password");
    expect(request.pluginData).toEqual(Buffer.concat([client.greeting.authPluginData, Buffer.from([0])]));
    client.send(computeNativePasswordReply(OTHER.password, client.greeting.authPluginData), 2);
    const ok = await client.read();
    expect(ok).toMatchObject({ sequenceId: 3 });
    expect(ok?.payload[0]).toBe(PacketMarker.OK);
    expect(await readRows(client, "SELECT USER(), DATABASE()")).toEqual([["other@localhost", "shop"]]);
    client.quit();
    const record = await settledRecord(client);
    expect(record).toMatchObject({
      user: APP.user,
      database: "shop",
      outcome: { kind: "authenticated", ended: "quit" },
    });
    expect(record.commands.map((c) => c.command)).toEqual(["COM_CHANGE_USER", "COM_QUERY", "COM_QUIT"]);
    const change = record.packets.findIndex((p) => p.type === "COM_CHANGE_USER");
    expect(record.packets.slice(change, change + 4).map((p) => [p.direction, p.type, p.phase])).toEqual([
      ["client", "COM_CHANGE_USER", "command"],
      ["server", "AuthSwitchRequest", "authentication"],
      ["client", "AuthData", "authentication"],
      ["server", "OK", "authentication"],
    ]);
  });

  it("switches to caching_sha2_password for such an account and takes its full authentication", async () => {
    const client = await AuthClient.connect(server.port);
    expect((await client.login(APP))?.payload[0]).toBe(PacketMarker.OK);
    // The auth client answers the switch, the "perform full authentication" and the RSA key request.
    expect((await client.changeUser(SHA2))?.payload[0]).toBe(PacketMarker.OK);
    expect(await readRows(client, "SELECT CURRENT_USER()")).toEqual([["sha2@%"]]);
    client.quit();
    const record = await settledRecord(client);
    expect(record.credentialExposure).toBe("encrypted-password");
    expect(record.outcome).toEqual({ kind: "authenticated", ended: "quit" });
  });

  it("names the plugin whose data revealed the most: a COM_CHANGE_USER to a cleartext account after a native login", async () => {
    await using plain = await startMockServer({ tls: false, accounts: [APP, CLEAR] });
    const client = await AuthClient.connect(plain.port);
    expect((await client.login(APP))?.payload[0]).toBe(PacketMarker.OK);
    expect((await client.changeUser(CLEAR))?.payload[0]).toBe(PacketMarker.OK);
    client.quit();
    await client.closed();
    const [record] = await plain.settled();
    expect(record).toMatchObject({
      clientAuthPlugin: "mysql_native_password",
      credentialExposure: "cleartext-password",
      credentialExposurePlugin: "mysql_clear_password",
    });
    expect(record!.verdict?.exposure).toEqual({ plugin: "mysql_clear_password", what: "cleartext-password" });
  });

  it.each([
    { who: "an unknown user", user: "nobody", password: OTHER.password },
    { who: "a wrong password", user: OTHER.user, password: "wrong" },
  ])(
    "to $who gets 1045 Access denied after the auth exchange, and the server closes the connection",
    async ({ user, password }) => {
      const client = await AuthClient.connect(server.port);
      expect((await client.login(APP))?.payload[0]).toBe(PacketMarker.OK);
      const err = await client.changeUser({ user, password });
      expect(err?.payload[0]).toBe(PacketMarker.ERR);
      expect(decodeErr(err!.payload, CLIENT_CAPABILITIES)).toMatchObject({
        code: ErrorCode.ER_ACCESS_DENIED_ERROR,
        sqlState: "28000",
        message: `Access denied for user '${user}'@'localhost' (using password: YES)`,
      });
      const record = await settledRecord(client);
      expect(record.outcome).toMatchObject({
        kind: "authenticated",
        ended: "error",
        error: expect.stringMatching(new RegExp(`^COM_CHANGE_USER to '${user}' refused with 1045`)),
      });
    },
  );

  it("checks an old client's auth data as sent, without a switch (no CLIENT_PLUGIN_AUTH)", async () => {
    const client = await AuthClient.connect(server.port);
    const caps =
      (CLIENT_CAPABILITIES & ~CapabilityFlags.CLIENT_PLUGIN_AUTH & ~CapabilityFlags.CLIENT_CONNECT_ATTRS) >>>
      0;
    client.send(client.handshakeResponse(APP, caps), 1);
    expect((await client.read())?.payload[0]).toBe(PacketMarker.OK);
    const payload = encodeComChangeUser(
      {
        username: OTHER.user,
        authResponse: computeNativePasswordReply(OTHER.password, client.greeting.authPluginData),
        database: "",
        characterSet: 33,
      },
      caps,
    );
    client.send(payload, 0);
    const ok = await client.read();
    expect(ok).toMatchObject({ sequenceId: 1 });
    expect(ok?.payload[0]).toBe(PacketMarker.OK);
    client.quit();
    expect((await settledRecord(client)).outcome).toEqual({ kind: "authenticated", ended: "quit" });
  });

  it("refuses an old client whose new account needs another plugin with 1251, as 5.7's find_mpvio_user", async () => {
    const client = await AuthClient.connect(server.port);
    const caps =
      (CLIENT_CAPABILITIES & ~CapabilityFlags.CLIENT_PLUGIN_AUTH & ~CapabilityFlags.CLIENT_CONNECT_ATTRS) >>>
      0;
    client.send(client.handshakeResponse(APP, caps), 1);
    expect((await client.read())?.payload[0]).toBe(PacketMarker.OK);
    client.send(
      encodeComChangeUser({ username: SHA2.user, authResponse: Buffer.alloc(20, 1), database: "" }, caps),
      0,
    );
    const err = await client.read();
    expect(decodeErr(err!.payload, caps).code).toBe(ErrorCode.ER_NOT_SUPPORTED_AUTH_MODE);
    expect((await settledRecord(client)).outcome).toMatchObject({ kind: "authenticated", ended: "error" });
  });

  it("answers a COM_CHANGE_USER cut off before its database name with 1047 Unknown command and closes", async () => {
    const client = await AuthClient.connect(server.port);
    expect((await client.login(APP))?.payload[0]).toBe(PacketMarker.OK);
    client.send(Buffer.concat([Buffer.from([Command.COM_CHANGE_USER]), Buffer.from("other\0")]), 0);
    const err = await client.read();
    expect(decodeErr(err!.payload, CLIENT_CAPABILITIES)).toMatchObject({
      code: ErrorCode.ER_UNKNOWN_COM_ERROR,
      message: "Unknown command",
    });
    const record = await settledRecord(client);
    expect(record.outcome).toMatchObject({ kind: "authenticated", ended: "error" });
    expect(record.packets.find((p) => p.type === "COM_CHANGE_USER")).toMatchObject({ redacted: true });
  });

  it("answers a CLIENT_PLUGIN_AUTH client's COM_CHANGE_USER without a plugin name with 1047, as 5.7 does", async () => {
    const client = await AuthClient.connect(server.port);
    expect((await client.login(APP))?.payload[0]).toBe(PacketMarker.OK);
    // Ends after the database name: no character set, no plugin name.
    const reply = computeNativePasswordReply(OTHER.password, client.greeting.authPluginData);
    client.send(
      encodeComChangeUser({ username: OTHER.user, authResponse: reply, database: "" }, CLIENT_CAPABILITIES),
      0,
    );
    expect(decodeErr((await client.read())!.payload, CLIENT_CAPABILITIES).code).toBe(
      ErrorCode.ER_UNKNOWN_COM_ERROR,
    );
    expect((await settledRecord(client)).outcome).toMatchObject({ kind: "authenticated", ended: "error" });
  });

  it("refuses a COM_CHANGE_USER whose connect attributes do not decode as a failed login (1045), as 5.7 does", async () => {
    const client = await AuthClient.connect(server.port);
    expect((await client.login(APP))?.payload[0]).toBe(PacketMarker.OK);
    const valid = client.changeUserPayload(OTHER);
    // The attribute block's length claims 200 bytes more than follow.
    const attributesAt = valid.length - ("_client_name".length + "auth-client".length + 3);
    const broken = Buffer.from(valid);
    broken[attributesAt] = broken[attributesAt]! + 200;
    client.send(broken, 0);
    const err = decodeErr((await client.read())!.payload, CLIENT_CAPABILITIES);
    expect(err).toMatchObject({ code: ErrorCode.ER_ACCESS_DENIED_ERROR, sqlState: "28000" });
    const record = await settledRecord(client);
    expect(record.outcome).toMatchObject({
      kind: "authenticated",
      ended: "error",
      error: "COM_CHANGE_USER to 'other' refused with 1045: the connect attributes do not decode",
    });
  });

  it("lets mysql2 change user and go on as the new user", async () => {
    const connection = await mysql2.createConnection({ host: "127.0.0.1", port: server.port, ...APP });
    await connection.changeUser({ ...OTHER, database: "shop" });
    const [rows] = await connection.query("SELECT USER() AS u, DATABASE() AS d");
    await connection.end();
    expect(rows).toEqual([{ u: "other@localhost", d: "shop" }]);
  });

  it("lets PHP's mysqli (mysqlnd) change user, and refuses a wrong password the way it expects", async () => {
    const script = `
      mysqli_report(MYSQLI_REPORT_OFF);
      $db = new mysqli("127.0.0.1", "${APP.user}", "${APP.password}", "", ${server.port});
      $changed = $db->change_user("${OTHER.user}", "${OTHER.password}", "shop");
      $row = $db->query("SELECT USER() AS u, DATABASE() AS d")->fetch_assoc();
      $refused = $db->change_user("${OTHER.user}", "wrong", "");
      echo json_encode(["changed" => $changed, "row" => $row, "refused" => $refused, "errno" => $db->errno]);
    `;
    const result = await runProcess("php", ["-r", script]);
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({
      changed: true,
      row: { u: "other@localhost", d: "shop" },
      refused: false,
      errno: ErrorCode.ER_ACCESS_DENIED_ERROR,
    });
  });
});

/**
 * MySQL 8.4 starts without mysql_native_password. COM_CHANGE_USER runs the same `do_auth_once` as a
 * login (sql/auth/sql_authentication.cc), so a change to an account on that plugin is refused with
 * 1524 "Plugin '…' is not loaded" before any AuthSwitchRequest, and the connection closes.
 */
describe("COM_CHANGE_USER to an account on a plugin the server has not loaded (MySQL 8.4)", () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await startMockServer({
      scenario: "mysql-8.4.3-lts",
      accounts: [SHA2, { ...APP, plugin: "mysql_native_password" }],
    });
  });
  afterAll(() => server.stop());

  it("answers with 1524 naming the plugin, sends no AuthSwitchRequest, and closes", async () => {
    const client = await AuthClient.connect(server.port);
    expect((await client.login(SHA2))?.payload[0]).toBe(PacketMarker.OK);
    client.send(client.changeUserPayload(APP), 0);
    const err = await client.read();
    expect(err?.sequenceId).toBe(1);
    expect(err?.payload[0]).toBe(PacketMarker.ERR);
    const decoded = decodeErr(err!.payload, CLIENT_CAPABILITIES);
    expect(decoded.code).toBe(ErrorCode.ER_PLUGIN_IS_NOT_LOADED);
    expect(decoded.message).toBe("Plugin 'mysql_native_password' is not loaded");
    await client.closed();
    const index = server.connections.findIndex((r) => r.id === client.greeting.connectionId);
    const record = await server.waitForConnection(index + 1);
    expect(record.outcome).toEqual({
      kind: "authenticated",
      ended: "error",
      error:
        "COM_CHANGE_USER to 'app' refused with 1524: the account uses mysql_native_password, which the server has not loaded",
    });
  });

  it("makes mysql2's changeUser fail with 1524, and the server ends the connection", async () => {
    const { user, password } = SHA2;
    const connection = await mysql2.createConnection({
      host: "127.0.0.1",
      port: server.port,
      user,
      password,
    });
    const id = connection.threadId;
    await expect(connection.changeUser({ user: APP.user, password: APP.password })).rejects.toMatchObject({
      errno: ErrorCode.ER_PLUGIN_IS_NOT_LOADED,
      message: "Plugin 'mysql_native_password' is not loaded",
    });
    const index = server.connections.findIndex((r) => r.id === id);
    const record = await server.waitForConnection(index + 1);
    connection.destroy();
    expect(record.outcome).toMatchObject({ kind: "authenticated", ended: "error" });
  });
});
