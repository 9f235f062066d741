import { once } from "node:events";
import { connect } from "node:net";
import { computeNativePasswordReply } from "../../src/auth/native-password";
import { CapabilityFlags, ErrorCode } from "../../src/protocol/constants";
import { encodePacket } from "../../src/protocol/framing";
import { decodeAuthSwitchRequest } from "../../src/protocol/packets/auth-switch-request";
import { decodeErr } from "../../src/protocol/packets/err-packet";
import { decodeOk } from "../../src/protocol/packets/ok-packet";
import { type MockServer, startMockServer } from "../../src/mock-server";
import { CLIENT_CAPABILITIES, handshakeResponse, RawClient, sslRequest } from "../helpers/raw-client";

const ACCOUNT = { user: "app", password: "secret" };

function scrambleOf(greeting: { authPluginData: Buffer }): Buffer {
  return greeting.authPluginData;
}

describe("a connection", () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await startMockServer({ accounts: [ACCOUNT], firstConnectionId: 7 });
  });
  afterAll(() => server.stop());

  it("sends the stock 5.7 greeting in a single write", async () => {
    const client = await RawClient.connect(server.port);
    const greeting = await client.readGreeting();
    expect(client.chunks).toHaveLength(1);
    expect(greeting.protocolVersion).toBe(10);
    expect(greeting.serverVersion).toBe("5.7.41");
    expect(greeting.capabilityFlags >>> 0).toBe(0xc1ffffff);
    expect(greeting.authPluginName).toBe("mysql_native_password");
    // The auth-plugin-data length byte sits 20 bytes after the version string's NUL.
    const chunk = client.chunks[0]!;
    const versionEnd = chunk.indexOf(0, 5);
    expect(chunk[versionEnd + 1 + 20]).toBe(21);
    client.end();
  });

  it("logs in over TLS when the SSLRequest and the ClientHello arrive in one TCP segment", async () => {
    const client = await RawClient.connect(server.port);
    const greeting = await client.readGreeting();
    const tls = await client.startTlsCoalesced();
    expect(tls.getProtocol()).toBe("TLSv1.2");
    client.send(
      handshakeResponse({
        ...ACCOUNT,
        scramble: scrambleOf(greeting),
        capabilities: CLIENT_CAPABILITIES | CapabilityFlags.CLIENT_SSL,
      }),
      2,
    );
    const ok = await client.read();
    expect(ok?.sequenceId).toBe(3);
    expect(ok?.payload[0]).toBe(0x00);
    client.end();
    const record = await server.waitForConnection(server.connections.indexOf(server.connections.at(-1)!) + 1);
    expect(record.sslRequest).toBe(true);
    expect(record.tls).toMatchObject({ outcome: "negotiated", version: "TLSv1.2" });
    expect(record.credentialsInPlaintext).toBe(false);
    expect(record.outcome).toEqual({ kind: "authenticated", ended: "client-closed" });
    expect(record.packets.map((p) => [p.direction, p.type, p.sequenceId, p.encrypted])).toEqual([
      ["server", "HandshakeV10", 0, false],
      ["client", "SSLRequest", 1, false],
      ["client", "HandshakeResponse41", 2, true],
      ["server", "OK", 3, true],
    ]);
  });

  it("upgrades a client that sends its SSLRequest and ClientHello before reading the greeting", async () => {
    const client = await RawClient.connect(server.port);
    // Nothing read yet: the greeting and the ServerHello will arrive in the same stream.
    const raw = client.socket;
    const { connect: tlsConnect } = await import("node:tls");
    const { Duplex } = await import("node:stream");
    let first = true;
    let greetingSkipped = false;
    const carrier = new Duplex({
      read() {},
      write(chunk: Buffer, _e, cb) {
        raw.write(first ? Buffer.concat([encodePacket(sslRequest(), 1), chunk]) : chunk, cb);
        first = false;
      },
    });
    raw.removeAllListeners("data");
    let pending = Buffer.alloc(0);
    raw.on("data", (d: Buffer) => {
      if (greetingSkipped) return void carrier.push(d);
      pending = Buffer.concat([pending, d]);
      if (pending.length < 4) return;
      const end = 4 + pending.readUIntLE(0, 3);
      if (pending.length < end) return;
      greetingSkipped = true;
      if (pending.length > end) carrier.push(pending.subarray(end));
    });
    const tls = tlsConnect({ socket: carrier, rejectUnauthorized: false });
    await once(tls, "secureConnect");
    expect(tls.getProtocol()).toBe("TLSv1.2");
    tls.end();
    const record = await server.waitForConnection(server.connections.length);
    expect(record.tls?.outcome).toBe("negotiated");
  });

  it("logs in when the client's response arrives one byte at a time", async () => {
    const client = await RawClient.connect(server.port);
    const greeting = await client.readGreeting();
    const bytes = encodePacket(handshakeResponse({ ...ACCOUNT, scramble: scrambleOf(greeting) }), 1);
    for (const byte of bytes) {
      client.write(Buffer.from([byte]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const ok = await client.read();
    expect(ok?.payload[0]).toBe(0x00);
    client.end();
    const record = await server.waitForConnection(server.connections.length);
    expect(record.outcome.kind).toBe("authenticated");
    expect(record.credentialsInPlaintext).toBe(true);
    expect(record.connectAttributes).toEqual({ _client_name: "raw-client" });
  });

  it("refuses a wrong password with MySQL's exact 1045 and closes", async () => {
    const client = await RawClient.connect(server.port);
    const greeting = await client.readGreeting();
    client.send(handshakeResponse({ user: "app", password: "wrong", scramble: scrambleOf(greeting) }), 1);
    const reply = await client.read();
    const err = decodeErr(reply!.payload, CLIENT_CAPABILITIES);
    expect(err).toEqual({
      code: ErrorCode.ER_ACCESS_DENIED_ERROR,
      sqlState: "28000",
      message: "Access denied for user 'app'@'localhost' (using password: YES)",
    });
    await client.closed();
    const record = await server.waitForConnection(server.connections.length);
    expect(record.outcome).toMatchObject({ kind: "refused", code: 1045 });
  });

  it("switches a client that answered for another plugin to mysql_native_password", async () => {
    const client = await RawClient.connect(server.port);
    const greeting = await client.readGreeting();
    client.send(
      handshakeResponse({ ...ACCOUNT, scramble: Buffer.alloc(20, 1), plugin: "caching_sha2_password" }),
      1,
    );
    const switchPacket = await client.read();
    expect(switchPacket?.sequenceId).toBe(2);
    const request = decodeAuthSwitchRequest(switchPacket!.payload);
    expect(request.pluginName).toBe("mysql_native_password");
    // 5.7 sends the same nonce again, with a trailing NUL (sql/auth/sql_authentication.cc, MySQL 5.7).
    expect(request.pluginData).toEqual(Buffer.concat([greeting.authPluginData, Buffer.from([0])]));
    client.send(computeNativePasswordReply(ACCOUNT.password, greeting.authPluginData), 3);
    const ok = await client.read();
    expect(ok?.sequenceId).toBe(4);
    expect(decodeOk(ok!.payload, CLIENT_CAPABILITIES).statusFlags).toBe(2);
    client.end();
    const record = await server.waitForConnection(server.connections.length);
    expect(record.clientAuthPlugin).toBe("caching_sha2_password");
    expect(record.authSwitchedTo).toBe("mysql_native_password");
    expect(record.outcome.kind).toBe("authenticated");
  });

  it("answers garbage with Bad handshake, closes only that connection and keeps serving", async () => {
    const client = await RawClient.connect(server.port);
    await client.readGreeting();
    client.write(Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    await client.closed();
    const record = await server.waitForConnection(server.connections.length);
    expect(record.outcome.kind).toBe("protocol-error");

    const next = await RawClient.connect(server.port);
    const greeting = await next.readGreeting();
    next.send(handshakeResponse({ ...ACCOUNT, scramble: greeting.authPluginData }), 1);
    expect((await next.read())?.payload[0]).toBe(0x00);
    next.end();
  });

  it("rejects a length claim beyond max_allowed_packet without waiting for the payload", async () => {
    const client = await RawClient.connect(server.port);
    await client.readGreeting();
    client.write(Buffer.from([0xff, 0xff, 0xff, 0x01]));
    const reply = await client.read();
    expect(decodeErr(reply!.payload, 0).code).toBe(ErrorCode.ER_NET_PACKET_TOO_LARGE);
    await client.closed();
    const record = await server.waitForConnection(server.connections.length);
    expect(record.outcome).toMatchObject({ kind: "protocol-error" });
  });

  it("answers a response with the wrong sequence id with Bad handshake", async () => {
    const client = await RawClient.connect(server.port);
    const greeting = await client.readGreeting();
    client.send(handshakeResponse({ ...ACCOUNT, scramble: greeting.authPluginData }), 5);
    const err = decodeErr((await client.read())!.payload, 0);
    expect(err).toMatchObject({ code: ErrorCode.ER_HANDSHAKE_ERROR, message: "Bad handshake" });
    const record = await server.waitForConnection(server.connections.length);
    expect(record.outcome).toMatchObject({
      kind: "protocol-error",
      message: expect.stringContaining("sequence id 5"),
    });
  });

  it("records a client that goes away right after the greeting", async () => {
    const socket = connect(server.port, "127.0.0.1");
    await once(socket, "data");
    socket.destroy();
    const record = await server.waitForConnection(server.connections.length);
    expect(record.outcome).toMatchObject({ kind: "client-went-away" });
    expect(record.user).toBeNull();
  });
});

describe("a server without TLS", () => {
  it("greets without CLIENT_SSL and answers an SSLRequest with a plaintext Bad handshake", async () => {
    await using server = await startMockServer({ tls: false, accounts: [ACCOUNT] });
    const client = await RawClient.connect(server.port);
    const greeting = await client.readGreeting();
    expect(greeting.capabilityFlags >>> 0).toBe(0x81fff7ff);
    client.send(sslRequest(), 1);
    const err = decodeErr((await client.read())!.payload, CLIENT_CAPABILITIES);
    expect(err).toEqual({ code: 1043, sqlState: "08S01", message: "Bad handshake" });
    const [record] = await server.settled();
    expect(record?.sslRequest).toBe(true);
    expect(record?.outcome.kind).toBe("protocol-error");
  });
});

describe("stopping", () => {
  it("closes live connections and is safe to call twice", async () => {
    const server = await startMockServer({ accounts: [ACCOUNT] });
    const client = await RawClient.connect(server.port);
    const greeting = await client.readGreeting();
    client.send(handshakeResponse({ ...ACCOUNT, scramble: greeting.authPluginData }), 1);
    await client.read();
    await Promise.all([server.stop(), server.stop()]);
    await client.closed();
    expect(server.connections[0]?.outcome).toEqual({ kind: "authenticated", ended: "server-stopped" });
  });

  it("still says where it listened once stopped", async () => {
    const server = await startMockServer();
    const { host, port, url } = server;
    await server.stop();
    expect({ host: server.host, port: server.port, url: server.url }).toEqual({ host, port, url });
    expect(port).toBeGreaterThan(0);
  });
});
