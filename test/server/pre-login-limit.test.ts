import type { Socket } from "node:net";
import { CapabilityFlags, Command, ErrorCode, PacketMarker } from "../../src/protocol/constants";
import { decodeErr } from "../../src/protocol/packets/err-packet";
import { encodeHandshakeResponse41 } from "../../src/protocol/packets/handshake-response-41";
import { computeNativePasswordReply } from "../../src/auth/native-password";
import { type MockServer, startMockServer } from "../../src/mock-server";
import { PRE_AUTH_MAX_PACKET_BYTES } from "../../src/server/session-limits";
import { MiB } from "../helpers/memory";
import { CLIENT_CAPABILITIES, RawClient } from "../helpers/raw-client";
import { AuthClient } from "./auth-client";

/**
 * Before its login completes a client may send only what a login needs: a packet bigger than the
 * pre-login cap gets ERR 1153 on its length header, unread, and the connection closes. After the
 * OK, max_allowed_packet applies.
 */

const ACCOUNT = { user: "app", password: "app-password" };
/** 5.7 refuses a connect-attribute block above this (`read_client_connect_attrs`). */
const MAX_CONNECT_ATTRIBUTES = 65535;

function header(length: number, sequenceId: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUIntLE(length, 0, 3);
  bytes[3] = sequenceId;
  return bytes;
}

/** Attributes whose encoded block is just under 5.7's 64 KiB limit. */
function bulkyAttributes(): Array<[string, string]> {
  const attributes: Array<[string, string]> = [];
  // Each pair: 1-byte key length, 6-byte key, 3-byte value length, 1000-byte value.
  for (let i = 0; i < 64; i++) attributes.push([`k${String(i).padStart(5, "0")}`, "v".repeat(1000)]);
  return attributes;
}

/** ERR 1153; without a SQL state until the client has said it speaks 4.1 (`capabilities`). */
async function expectPacketTooLarge(client: RawClient, capabilities = 0): Promise<void> {
  const reply = await client.read();
  expect(reply?.payload[0]).toBe(PacketMarker.ERR);
  expect(decodeErr(reply!.payload, capabilities)).toMatchObject({
    code: ErrorCode.ER_NET_PACKET_TOO_LARGE,
    message: "Got a packet bigger than 'max_allowed_packet' bytes",
  });
}

describe("before login", () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await startMockServer({ accounts: [ACCOUNT] });
  });
  afterAll(() => server.stop());

  it("takes a handshake response with 64 KiB of connect attributes, the most 5.7 accepts", async () => {
    const client = await AuthClient.connect(server.port);
    const attributes = bulkyAttributes();
    const response = encodeHandshakeResponse41({
      capabilityFlags: CLIENT_CAPABILITIES,
      maxPacketSize: 0x1000000,
      characterSet: 33,
      reserved: Buffer.alloc(23),
      username: ACCOUNT.user,
      authResponse: computeNativePasswordReply(ACCOUNT.password, client.greeting.authPluginData),
      authPluginName: "mysql_native_password",
      connectAttributes: attributes,
    });
    expect(response.length).toBeGreaterThan(64 * 1024 - 1024);
    expect(response.length).toBeLessThan(MAX_CONNECT_ATTRIBUTES + 200);
    client.send(response, 1);
    expect((await client.read())?.payload[0]).toBe(PacketMarker.OK);
    client.quit();
    await client.closed();
    const record = server.connections.find((r) => r.id === client.greeting.connectionId);
    expect(Object.keys(record?.connectAttributes ?? {})).toHaveLength(attributes.length);
  });

  it.each([
    { where: "in plaintext", tls: false },
    { where: "inside TLS", tls: true },
  ])(
    "answers a header one byte over the cap with ERR 1153 at once, before any payload, and closes ($where)",
    async ({ tls }) => {
      const client = await RawClient.connect(server.port);
      const greeting = await client.readGreeting();
      if (tls) await client.startTlsCoalesced();
      // The header alone: an answer now means the server judged it by its length.
      client.write(header(PRE_AUTH_MAX_PACKET_BYTES + 1, tls ? 2 : 1));
      await expectPacketTooLarge(client, tls ? CLIENT_CAPABILITIES : 0);
      await client.closed();
      const index = server.connections.findIndex((r) => r.id === greeting.connectionId);
      expect((await server.waitForConnection(index + 1)).outcome).toEqual({
        kind: "protocol-error",
        phase: tls ? "tls-handshake-response" : "handshake-response",
        message: `packet of ${PRE_AUTH_MAX_PACKET_BYTES + 1} bytes exceeds the ${PRE_AUTH_MAX_PACKET_BYTES} accepted before login`,
      });
    },
  );

  it("applies max_allowed_packet alone where it is below the cap", async () => {
    await using small = await startMockServer({ accounts: [ACCOUNT], maxPacketSize: 1024 });
    const client = await RawClient.connect(small.port);
    await client.readGreeting();
    client.write(header(1025, 1));
    await expectPacketTooLarge(client);
    await client.closed();
    const [record] = await small.settled();
    expect(record?.outcome).toMatchObject({ message: "packet of 1025 bytes exceeds the maximum of 1024" });
  });

  // What the server holds meanwhile (under max_allowed_packet alone it once buffered every one of
  // them: 100 MiB) is measured by the benchmark, not here.
  it("answers each of 100 clients that send all but the last byte of a 1 MiB packet with ERR 1153", async () => {
    const CLIENTS = 100;
    // One buffer for every client: the clients' own memory does not grow with their number.
    const body = Buffer.alloc(MiB - 1, 0x41);
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        const client = await RawClient.connect(server.port);
        await client.readGreeting();
        client.write(header(MiB, 1));
        // Resolves once the bytes left this process (or the server closed on them).
        await new Promise<void>((resolve) => (client.socket as Socket).write(body, () => resolve()));
        return client;
      }),
    );
    await Promise.all(clients.map((c) => expectPacketTooLarge(c)));
    for (const client of clients) client.socket.destroy();
  });
});

describe("after login", () => {
  it("takes packets up to max_allowed_packet, and answers one over it with ERR 1153", async () => {
    await using server = await startMockServer({ accounts: [ACCOUNT], maxPacketSize: 2 * MiB });
    const client = await AuthClient.connect(server.port);
    expect((await client.login(ACCOUNT))?.payload[0]).toBe(PacketMarker.OK);
    // COM_PING with a 1 MiB body, far over the pre-login cap: answered.
    client.send(Buffer.concat([Buffer.from([Command.COM_PING]), Buffer.alloc(MiB)]), 0);
    expect((await client.read())?.payload[0]).toBe(PacketMarker.OK);
    client.socket.write(header(2 * MiB + 1, 0));
    const err = await client.read();
    expect(decodeErr(err!.payload, CLIENT_CAPABILITIES | CapabilityFlags.CLIENT_PROTOCOL_41)).toMatchObject({
      code: ErrorCode.ER_NET_PACKET_TOO_LARGE,
    });
    await client.closed();
    const [record] = await server.settled();
    expect(record?.outcome).toEqual({
      kind: "authenticated",
      ended: "error",
      error: `packet of ${2 * MiB + 1} bytes exceeds the maximum of ${2 * MiB}`,
    });
  });
});
