import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as mysql2 from "mysql2/promise";
import { computeNativePasswordReply } from "../../src/auth/native-password";
import { computeCachingSha2Reply } from "../../src/auth/plugins";
import { CapabilityFlags, PacketMarker, SCRAMBLE_LENGTH } from "../../src/protocol/constants";
import { encodePacket } from "../../src/protocol/framing";
import { decodeAuthSwitchRequest } from "../../src/protocol/packets/auth-switch-request";
import { encodeHandshakeResponse320 } from "../../src/protocol/packets/handshake-response-320";
import { decodeHandshakeV10 } from "../../src/protocol/packets/handshake-v10";
import type { MockServerEvent } from "../../src/record/events";
import { type MockServer, startMockServer } from "../../src/mock-server";
import { CLIENT_CAPABILITIES, sslRequest } from "../helpers/raw-client";
import { AuthClient, type Credentials } from "./auth-client";

/**
 * No output of the server — the records (what `server.connections` and the JSON reports hold), the
 * events file, the events as `serve --json` prints them — may hold a password, a scramble reply or
 * any other auth data a client sent, whichever plugin, route, sequence id or phase it came by.
 */

/**
 * The shortest run of auth data looked for on its own: 6 bytes, 2^-48 of a chance to turn up by
 * coincidence at any place of an output, and more than enough to check password guesses against.
 */
const FRAGMENT_BYTES = 6;

/** Distinctive, so a match is never a coincidence. */
const PASSWORD = "Pw-7f3a9c-secret";
const ACCOUNTS = [
  { user: "native", password: PASSWORD, plugin: "mysql_native_password" },
  { user: "sha2", password: PASSWORD, plugin: "caching_sha2_password" },
  // Never logged in to over TLS, so its cache stays cold: full authentication with RSA.
  { user: "sha2-rsa", password: PASSWORD, plugin: "caching_sha2_password" },
  { user: "sha256", password: PASSWORD, plugin: "sha256_password" },
  { user: "clear", password: PASSWORD, plugin: "mysql_clear_password" },
];

const as = (user: string, plugin = ACCOUNTS.find((a) => a.user === user)!.plugin): Credentials => ({
  user,
  password: PASSWORD,
  plugin,
});

/**
 * Every nonce the server sent, read back from the greetings and auth switches on the records: the
 * ones of the real driver's connections too, which the test never saw.
 */
function serverScrambles(server: MockServer): Buffer[] {
  const scrambles: Buffer[] = [];
  for (const packet of server.connections.flatMap((r) => r.packets)) {
    if (packet.direction !== "server" || packet.payloadHex === undefined) continue;
    const payload = Buffer.from(packet.payloadHex, "hex");
    if (packet.type === "HandshakeV10") scrambles.push(decodeHandshakeV10(payload).authPluginData);
    if (packet.type === "AuthSwitchRequest") {
      scrambles.push(decodeAuthSwitchRequest(payload).pluginData.subarray(0, SCRAMBLE_LENGTH));
    }
  }
  return scrambles;
}

/** The strings an output must not contain: the password and whatever a client derived from it. */
function forbiddenStrings(clients: readonly AuthClient[], scrambles: readonly Buffer[]): Map<string, string> {
  const forbidden = new Map<string, string>();
  const add = (what: string, bytes: Buffer) => {
    forbidden.set(bytes.toString("hex"), `${what} as hex`);
    forbidden.set(bytes.toString("base64"), `${what} as base64`);
  };
  forbidden.set(PASSWORD, "the password");
  add("the password", Buffer.from(PASSWORD));
  const stage1 = createHash("sha1").update(PASSWORD).digest();
  add("SHA1(password)", stage1);
  add("SHA1(SHA1(password))", createHash("sha1").update(stage1).digest());
  add("SHA256(password)", createHash("sha256").update(PASSWORD).digest());
  for (const scramble of [...scrambles, ...clients.flatMap((c) => c.scrambles)]) {
    add("the native scramble reply", computeNativePasswordReply(PASSWORD, scramble));
    add("the caching_sha2 scramble reply", computeCachingSha2Reply(PASSWORD, scramble));
  }
  for (const client of clients) {
    // Every piece of auth data long enough to mean something (replies, passwords, RSA
    // ciphertexts), and as hex every piece of it: a few bytes of a reply let a guess be checked.
    for (const data of client.authData) {
      if (data.length < FRAGMENT_BYTES) continue;
      add("auth data the client sent", data);
      for (let at = 0; at + FRAGMENT_BYTES <= data.length; at++) {
        const fragment = data.subarray(at, at + FRAGMENT_BYTES).toString("hex");
        if (!forbidden.has(fragment)) forbidden.set(fragment, `${FRAGMENT_BYTES} bytes of auth data as hex`);
      }
    }
  }
  return forbidden;
}

function leaks(output: string, forbidden: Map<string, string>): string[] {
  const lower = output.toLowerCase();
  const found: string[] = [];
  for (const [needle, what] of forbidden) {
    const haystack = /^[0-9a-f]+$/.test(needle) ? lower : output;
    if (haystack.includes(needle)) found.push(what);
  }
  return [...new Set(found)];
}

/** Logs in, expects OK, and quits. */
async function logIn(
  server: MockServer,
  credentials: Credentials,
  clients: AuthClient[],
  tls: boolean,
): Promise<AuthClient> {
  const client = await AuthClient.connect(server.port);
  clients.push(client);
  if (tls) await client.startTls(encodePacket(sslRequest(), 1));
  const reply = await client.login(credentials);
  expect(reply?.payload[0]).toBe(PacketMarker.OK);
  return client;
}

async function quit(client: AuthClient): Promise<void> {
  client.quit();
  await client.closed();
}

describe("auth data in the server's outputs", () => {
  let dir: string;
  let server: MockServer;
  const events: MockServerEvent[] = [];
  const clients: AuthClient[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "secrets-"));
    server = await startMockServer({
      accounts: ACCOUNTS,
      recordPackets: true,
      eventsFile: join(dir, "events.jsonl"),
    });
    server.on("event", (event) => events.push(event));
  });

  afterAll(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function expectNothingLeaked(): Promise<void> {
    await server.settled();
    await server.stop();
    const scrambles = serverScrambles(server);
    // Every connection's greeting, so the driver's replies are looked for too.
    expect(scrambles.length).toBeGreaterThanOrEqual(server.connections.length);
    const forbidden = forbiddenStrings(clients, scrambles);
    const outputs = {
      records: JSON.stringify(server.connections),
      "events file": await readFile(join(dir, "events.jsonl"), "utf8"),
      "--json events": events.map((e) => JSON.stringify(e)).join("\n"),
    };
    for (const [name, output] of Object.entries(outputs)) {
      expect({ output: name, leaks: leaks(output, forbidden) }).toEqual({ output: name, leaks: [] });
    }
  }

  it("hold no password, scramble reply or other auth data, for every plugin and every route to a login", async () => {
    // mysql_native_password, in plaintext and inside TLS.
    await quit(await logIn(server, as("native"), clients, false));
    await quit(await logIn(server, as("native"), clients, true));
    // caching_sha2_password: full authentication inside TLS (the password in the clear), which
    // fills the cache; then the fast path in plaintext; full authentication with RSA in plaintext.
    await quit(await logIn(server, as("sha2"), clients, true));
    await quit(await logIn(server, as("sha2"), clients, false));
    await quit(await logIn(server, as("sha2-rsa"), clients, false));
    // sha256_password: the password in the clear inside TLS; RSA-encrypted in plaintext.
    await quit(await logIn(server, as("sha256"), clients, true));
    await quit(await logIn(server, as("sha256"), clients, false));
    // mysql_clear_password, as the client's own plugin and after an auth switch from native.
    await quit(await logIn(server, as("clear"), clients, false));
    await quit(await logIn(server, as("clear", "mysql_native_password"), clients, false));
    // An auth switch from native to caching_sha2_password.
    await quit(await logIn(server, as("sha2", "mysql_native_password"), clients, false));

    // A handshake response with an unexpected sequence id (2 where 1 belongs): Bad handshake.
    const misSequenced = await AuthClient.connect(server.port);
    clients.push(misSequenced);
    misSequenced.send(misSequenced.handshakeResponse(as("native")), 2);
    expect((await misSequenced.read())?.payload[0]).toBe(PacketMarker.ERR);
    await misSequenced.closed();

    // An SSLRequest that carries a whole handshake response with a cleartext password, then TLS
    // and a proper login inside it.
    const stuffed = await AuthClient.connect(server.port);
    clients.push(stuffed);
    const caps = (CLIENT_CAPABILITIES | CapabilityFlags.CLIENT_SSL) >>> 0;
    await stuffed.startTls(encodePacket(stuffed.handshakeResponse(as("clear"), caps), 1));
    expect((await stuffed.login(as("native")))?.payload[0]).toBe(PacketMarker.OK);
    await quit(stuffed);

    // A handshake response in plaintext where the ClientHello belongs.
    const plaintextAfterSsl = await AuthClient.connect(server.port);
    clients.push(plaintextAfterSsl);
    const response = plaintextAfterSsl.handshakeResponse(as("native"), caps);
    plaintextAfterSsl.socket.write(Buffer.concat([encodePacket(sslRequest(), 1), encodePacket(response, 2)]));
    await plaintextAfterSsl.closed();

    // An old client: a pre-4.1 SSLRequest, then its pre-4.1 response in plaintext where the
    // ClientHello belongs, its auth data 5 bytes into the payload (the user name is empty).
    const oldAfterSsl = await AuthClient.connect(server.port);
    clients.push(oldAfterSsl);
    const oldCaps = (CapabilityFlags.CLIENT_LONG_PASSWORD | CapabilityFlags.CLIENT_SSL) >>> 0;
    const oldSslRequest = Buffer.from([oldCaps & 0xff, oldCaps >> 8, 0xff, 0xff, 0xff]);
    const oldAuth = Buffer.from(
      computeNativePasswordReply(PASSWORD, oldAfterSsl.greeting.authPluginData).map((b) => b || 1),
    );
    oldAfterSsl.authData.push(oldAuth);
    const oldFields = { capabilityFlags: oldCaps, maxPacketSize: 0xffffff, username: "" };
    const oldResponse = encodeHandshakeResponse320({ ...oldFields, authResponse: oldAuth });
    oldAfterSsl.socket.write(Buffer.concat([encodePacket(oldSslRequest, 1), encodePacket(oldResponse, 2)]));
    await oldAfterSsl.closed();
    // The same with a sequence id out of turn.
    const misSequencedAfterSsl = await AuthClient.connect(server.port);
    clients.push(misSequencedAfterSsl);
    const misSequencedAuth = Buffer.from(
      computeNativePasswordReply(PASSWORD, misSequencedAfterSsl.greeting.authPluginData).map((b) => b || 1),
    );
    misSequencedAfterSsl.authData.push(misSequencedAuth);
    misSequencedAfterSsl.socket.write(
      Buffer.concat([
        encodePacket(oldSslRequest, 1),
        encodePacket(encodeHandshakeResponse320({ ...oldFields, authResponse: misSequencedAuth }), 7),
      ]),
    );
    await misSequencedAfterSsl.closed();

    // A pre-4.1 response, whose auth data starts a dozen bytes in.
    const old = await AuthClient.connect(server.port);
    clients.push(old);
    // NUL-terminated on the wire: a NUL inside would cut it short.
    const oldReply = Buffer.from(
      computeNativePasswordReply(PASSWORD, old.greeting.authPluginData).map((b) => b || 1),
    );
    old.authData.push(oldReply);
    old.send(
      encodeHandshakeResponse320({
        capabilityFlags: CapabilityFlags.CLIENT_LONG_PASSWORD,
        maxPacketSize: 0xffffff,
        username: "n",
        authResponse: oldReply,
      }),
      1,
    );
    expect((await old.read())?.payload[0]).toBe(PacketMarker.ERR);
    await old.closed();

    // COM_CHANGE_USER: to a known account (native, then caching_sha2's fast path after a switch),
    // and to an unknown user, which ends the session.
    const changer = await logIn(server, as("native"), clients, false);
    expect((await changer.changeUser(as("native")))?.payload[0]).toBe(PacketMarker.OK);
    expect((await changer.changeUser(as("sha2", "mysql_native_password")))?.payload[0]).toBe(PacketMarker.OK);
    expect((await changer.changeUser({ user: "nobody", password: PASSWORD }))?.payload[0]).toBe(
      PacketMarker.ERR,
    );
    await changer.closed();
    // COM_CHANGE_USER with the sequence id of an auth reply, not a command's: out of order.
    const outOfOrder = await logIn(server, as("native"), clients, false);
    outOfOrder.send(outOfOrder.changeUserPayload(as("native")), 1);
    expect((await outOfOrder.read())?.payload[0]).toBe(PacketMarker.ERR);
    await outOfOrder.closed();
    // The same inside TLS.
    const tlsChanger = await logIn(server, as("native"), clients, true);
    expect((await tlsChanger.changeUser(as("sha256")))?.payload[0]).toBe(PacketMarker.OK);
    await quit(tlsChanger);

    // A real driver: mysql2 logs in and changes user (its COM_CHANGE_USER computed by mysql2 itself).
    const connection = await mysql2.createConnection({
      host: "127.0.0.1",
      port: server.port,
      user: "native",
      password: PASSWORD,
    });
    await connection.changeUser({ user: "native", password: PASSWORD });
    await connection.query("SELECT 1");
    await connection.end();

    await expectNothingLeaked();

    // The records show the packets all the same: by type and length, the payload withheld.
    const changed = server.connections.find((r) => r.commands.some((c) => c.command === "COM_CHANGE_USER"));
    expect(changed?.packets.find((p) => p.type === "COM_CHANGE_USER")).toMatchObject({
      direction: "client",
      redacted: true,
      length: expect.any(Number),
    });
    const stuffedRecord = server.connections.find((r) =>
      r.packets.some((p) => p.type === "SSLRequest" && p.length > 32),
    );
    expect(stuffedRecord?.packets.find((p) => p.type === "SSLRequest")).toMatchObject({ redacted: true });
    expect(stuffedRecord?.credentialsInPlaintext).toBe(true);
    // A bare SSLRequest has nothing secret: it keeps its payload.
    const bare = server.connections[1]?.packets.find((p) => p.type === "SSLRequest");
    expect(bare?.payloadHex).toHaveLength(64);
    const unknown = server.connections.flatMap((r) => r.packets).find((p) => p.type === "unknown");
    expect(unknown).toMatchObject({ redacted: true });
    expect(unknown?.payloadHex).toBeUndefined();
  });
});
