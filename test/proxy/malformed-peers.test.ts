import { connect, createServer, type Server } from "node:net";
import { startMockProxy } from "../../src/mock-proxy";
import { startMockServer } from "../../src/mock-server";
import type { ProxyAttack } from "../../src/options/proxy-options";
import { encodePacket } from "../../src/protocol/framing";

/**
 * Bytes the proxy cannot read, from either peer, end that connection with the reason on its
 * record — never the proxy: a greeting that is not one, from a server; a handshake response too
 * short for its fields, from a client. Each attack reads different packets, so each is tried.
 */

const ATTACKS: ProxyAttack[] = [
  "passthrough",
  "strip",
  "riddle",
  "cert:good",
  "tls-version:TLSv1.2",
  "cleartext-switch",
  "local-infile:/etc/hostname",
];

/** A "server" whose greeting is a protocol-10 byte and a version without its NUL. */
async function brokenServer(): Promise<Server> {
  const server = createServer((socket) => {
    socket.on("error", () => undefined);
    socket.end(encodePacket(Buffer.from([0x0a, 0x41, 0x42]), 0));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

/** Connects, waits for the greeting, answers it with `response` (sequence id 1), and waits for the close. */
function answerGreeting(port: number, response: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const client = connect(port, "127.0.0.1");
    client.on("error", () => undefined);
    client.once("data", () => client.write(encodePacket(response, 1)));
    client.on("close", () => resolve());
    client.setTimeout(5_000, () => client.destroy());
  });
}

describe.each(ATTACKS)("the proxy under %s", (attack) => {
  it("ends a connection whose server greets with a malformed packet, and goes on serving", async () => {
    const server = await brokenServer();
    try {
      await using proxy = await startMockProxy({
        upstream: { host: "127.0.0.1", port: (server.address() as { port: number }).port },
        attack,
      });
      await answerGreeting(proxy.port, Buffer.alloc(40, 1));
      const [record] = await proxy.settled();
      expect(record!.outcome).toMatchObject({ kind: "server-error", phase: "greeting" });
      expect((record!.outcome as { message: string }).message).toMatch(
        /^the server's bytes could not be read.*: malformed HandshakeV10/,
      );
      // The proxy still takes connections.
      await answerGreeting(proxy.port, Buffer.alloc(40, 1));
      expect(await proxy.settled()).toHaveLength(2);
    } finally {
      server.close();
    }
  });

  it("ends a connection whose client answers with a response too short for its fields, saying why", async () => {
    await using server = await startMockServer();
    await using proxy = await startMockProxy({ upstream: { host: "127.0.0.1", port: server.port }, attack });
    await answerGreeting(proxy.port, Buffer.from([0x05, 0xa6]));
    const [record] = await proxy.settled();
    // Read by the proxy (strip, cleartext-switch) or relayed to the server, which refuses it.
    const outcome = record!.outcome as { kind: string; code?: number; message?: string };
    if (outcome.kind === "refused") expect(outcome).toMatchObject({ code: 1043, message: "Bad handshake" });
    else {
      expect(outcome).toMatchObject({ kind: "server-error", phase: "handshake-response" });
      expect(outcome.message).toMatch(/^the client's bytes could not be read/);
    }
  });
});
