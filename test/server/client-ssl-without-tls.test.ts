import { CapabilityFlags } from "../../src/protocol/constants";
import { encodePacket } from "../../src/protocol/framing";
import { decodeErr } from "../../src/protocol/packets/err-packet";
import { type MockServer, startMockServer } from "../../src/mock-server";
import { type MockServerOptions, resolveOptions } from "../../src/server/options";
import { CLIENT_CAPABILITIES, handshakeResponse, RawClient, sslRequest } from "../helpers/raw-client";

/**
 * A client may set CLIENT_SSL in a whole HandshakeResponse41 although the greeting did not offer
 * TLS (PyMySQL does whenever it is given `ssl=`). MySQL 5.7/8.0 answer 1043 after the credentials
 * crossed; MariaDB and MySQL 5.6 mask the bit and log the client in; a stripping proxy clears the
 * bit and the plaintext login succeeds.
 */

const ACCOUNT = { user: "app", password: "secret" };
const ASKS_FOR_TLS = CLIENT_CAPABILITIES | CapabilityFlags.CLIENT_SSL;

/** ERR 1043 "Bad handshake" at sequence id 2, as 5.7 writes it to a CLIENT_PROTOCOL_41 client. */
const BAD_HANDSHAKE_BYTES = Buffer.concat([
  Buffer.from([0x16, 0x00, 0x00, 0x02, 0xff, 0x13, 0x04]),
  Buffer.from("#08S01Bad handshake", "latin1"),
]);

async function sendResponseAskingForTls(server: MockServer): Promise<{ reply: Buffer; client: RawClient }> {
  const client = await RawClient.connect(server.port);
  const greeting = await client.readGreeting();
  expect(greeting.capabilityFlags & CapabilityFlags.CLIENT_SSL).toBe(0);
  client.send(
    handshakeResponse({ ...ACCOUNT, scramble: greeting.authPluginData, capabilities: ASKS_FOR_TLS }),
    1,
  );
  const packet = (await client.read())!;
  return { reply: encodePacket(packet.payload, packet.sequenceId), client };
}

async function startWith(options: MockServerOptions): Promise<MockServer> {
  return startMockServer({ accounts: [ACCOUNT], ...options });
}

describe("a handshake response that asks for TLS the greeting did not offer", () => {
  it("gets MySQL 5.7's Bad handshake after its credentials crossed, and the record says so", async () => {
    await using server = await startWith({ tls: false });
    const { reply } = await sendResponseAskingForTls(server);
    expect(reply).toEqual(BAD_HANDSHAKE_BYTES);
    const [record] = await server.settled();
    expect(record).toMatchObject({
      sslRequest: false,
      tlsAskedInResponse: true,
      user: "app",
      credentialsInPlaintext: true,
      credentialExposure: "scramble-reply",
      outcome: { kind: "refused", code: 1043 },
    });
    // Its payload carried the scramble reply: withheld from the record.
    expect(record!.packets.find((p) => p.direction === "client")).toMatchObject({
      type: "HandshakeResponse41",
      redacted: true,
    });
    expect(record!.verdict).toMatchObject({ kind: "plaintext-fallback", severity: "critical" });
  });

  it("logs in in plaintext on MariaDB, which masks the client's bits with the server's", async () => {
    await using server = await startWith({ tls: false, serverVersion: "5.5.5-10.11.6-MariaDB" });
    const { reply, client } = await sendResponseAskingForTls(server);
    expect(reply.subarray(3)).toEqual(Buffer.from([0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00]));
    client.end();
    const [record] = await server.settled();
    expect(record).toMatchObject({
      sslRequest: false,
      tlsAskedInResponse: true,
      credentialsInPlaintext: true,
      outcome: { kind: "authenticated" },
    });
    expect(record!.verdict).toMatchObject({ kind: "plaintext-fallback", severity: "critical" });
  });

  it("logs in in plaintext through a stripping proxy, which clears the bit on its way", async () => {
    await using server = await startWith({ capabilityFlags: 0xc1fff7ff });
    expect(server.options.clientSslWithoutTls).toBe("strip");
    const { reply, client } = await sendResponseAskingForTls(server);
    expect(reply[4]).toBe(0x00);
    client.end();
    const [record] = await server.settled();
    expect(record).toMatchObject({ tlsAskedInResponse: true, outcome: { kind: "authenticated" } });
  });
});

describe("a bare SSLRequest to a greeting without CLIENT_SSL", () => {
  it("gets Bad handshake from MariaDB too: it carries no user to log in", async () => {
    await using server = await startWith({ tls: false, serverVersion: "5.5.5-10.11.6-MariaDB" });
    const client = await RawClient.connect(server.port);
    await client.readGreeting();
    client.send(sslRequest(), 1);
    const err = decodeErr((await client.read())!.payload, CLIENT_CAPABILITIES);
    expect(err).toMatchObject({ code: 1043, message: "Bad handshake" });
    const [record] = await server.settled();
    expect(record).toMatchObject({ sslRequest: true, tlsAskedInResponse: false, user: null });
  });

  it("reaches the TLS server behind a stripping proxy, which completes the handshake", async () => {
    await using server = await startWith({ capabilityFlags: 0xc1fff7ff });
    const client = await RawClient.connect(server.port);
    const greeting = await client.readGreeting();
    const tls = await client.startTlsCoalesced();
    expect(tls.getProtocol()).toBe("TLSv1.2");
    client.send(
      handshakeResponse({ ...ACCOUNT, scramble: greeting.authPluginData, capabilities: ASKS_FOR_TLS }),
      2,
    );
    expect((await client.read())?.payload[0]).toBe(0x00);
    client.end();
    const [record] = await server.settled();
    expect(record).toMatchObject({
      sslRequest: true,
      tls: { outcome: "negotiated" },
      credentialsInPlaintext: false,
      outcome: { kind: "authenticated" },
    });
  });
});

describe("the server family's default answer", () => {
  it.each([
    [{ tls: false as const }, "bad-handshake"],
    [{ tls: false as const, serverVersion: "8.0.36" }, "bad-handshake"],
    [{ tls: false as const, serverVersion: "5.6.51" }, "mask"],
    [{ tls: false as const, serverVersion: "5.5.5-10.11.6-MariaDB-0+deb12u1" }, "mask"],
    [{ tls: false as const, serverVersion: "11.4.2-MariaDB" }, "mask"],
    [{ capabilityFlags: 0xc1fff7ff }, "strip"],
    [{}, "bad-handshake"],
  ])("%j answers %s", async (options, answer) => {
    const resolved = await resolveOptions(options);
    expect(resolved.clientSslWithoutTls).toBe(answer);
  });

  it("is refused at start when it names no answer, with the option's name", async () => {
    await expect(resolveOptions({ clientSslWithoutTls: "ignore" as never })).rejects.toThrow(
      /clientSslWithoutTls/,
    );
  });
});
