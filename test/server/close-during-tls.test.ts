import { once } from "node:events";
import type { Socket } from "node:net";
import { type ConnectionOptions, connect as tlsConnect } from "node:tls";
import { getCertificateSet } from "../../src/certs";
import { encodePacket } from "../../src/protocol/framing";
import { type MockServer, startMockServer, type StartOptions } from "../../src/mock-server";
import { TlsAcceptor } from "../../src/tls/tls-acceptor";
import { newConnections } from "../helpers/new-connections";
import { RawClient, sslRequest } from "../helpers/raw-client";

/**
 * A client whose TCP connection closes while the server is still busy with the TLS handshake:
 * whatever then ends the session — a client certificate refused, a fault — its record is
 * finished, so `settled()` and `stop()` resolve. A session whose record is never finished holds
 * `stop()` for ever: these tests fail by their own timeout.
 */

/** Far longer than any of these connections takes; a record that is never finished runs into it. */
const NEVER_FINISHED_MS = 15_000;

/**
 * The real acceptor, whose result the session gets only once the TCP socket has closed. On
 * loopback node reports a completed handshake to the session before it sees the client's FIN;
 * holding the result back is how the close can reach the session first, as it does when the
 * result is late for any reason — the case the session guards with `socketClosed`.
 */
function deliverHandshakeResultsAfterTheSocketCloses(): jest.SpyInstance {
  const accept = TlsAcceptor.prototype.accept;
  return jest.spyOn(TlsAcceptor.prototype, "accept").mockImplementation(async function (
    this: TlsAcceptor,
    socket: Socket,
  ) {
    const result = await accept.call(this, socket);
    if (!socket.closed) await once(socket, "close");
    return result;
  });
}

/** An SSLRequest, a real TLS handshake, and the TCP connection dropped as soon as it completes. */
async function completeTlsAndHangUp(port: number, tlsOptions: ConnectionOptions = {}): Promise<void> {
  const client = await RawClient.connect(port);
  await client.readGreeting();
  const raw = client.socket as Socket;
  raw.removeAllListeners("data");
  raw.write(encodePacket(sslRequest(), 1));
  const tls = tlsConnect({ socket: raw, rejectUnauthorized: false, ...tlsOptions });
  tls.on("error", () => {});
  await once(tls, "secureConnect");
  raw.destroy();
}

describe("a client whose TCP connection closes during the TLS handshake", () => {
  let spy: jest.SpyInstance | null = null;
  afterEach(() => {
    spy?.mockRestore();
    spy = null;
  });

  async function serverWith(options: StartOptions): Promise<MockServer> {
    return startMockServer({ accounts: [{ user: "app", password: "app-password" }], ...options });
  }

  it(
    "has its record finished when the completed handshake shows no client certificate and one is required",
    async () => {
      const server = await serverWith({ tls: { clientCertificates: "require" } });
      spy = deliverHandshakeResultsAfterTheSocketCloses();
      const connections = newConnections(server);
      await completeTlsAndHangUp(server.port);
      const record = await connections.only();
      expect(record.endedAt).not.toBeNull();
      expect(record.tls?.outcome).toBe("negotiated");
      expect(record.outcome).toEqual({
        kind: "protocol-error",
        phase: "tls-handshake",
        message: "client presented no certificate, and this server requires one",
      });
      expect(record.verdict).not.toBeNull();
      await server.stop();
    },
    NEVER_FINISHED_MS,
  );

  it(
    "has its record finished when the completed handshake shows a client certificate that does not verify",
    async () => {
      const set = await getCertificateSet("client-untrusted");
      const server = await serverWith({
        tls: { certificates: "client-untrusted", clientCertificates: "require" },
      });
      spy = deliverHandshakeResultsAfterTheSocketCloses();
      const connections = newConnections(server);
      await completeTlsAndHangUp(server.port, { cert: set.client!.cert, key: set.client!.key });
      const record = await connections.only();
      expect(record.endedAt).not.toBeNull();
      expect(record.tls).toMatchObject({ outcome: "negotiated", clientCertificateVerified: false });
      expect(record.outcome).toMatchObject({
        kind: "protocol-error",
        phase: "tls-handshake",
        message: expect.stringMatching(/^client certificate rejected: /),
      });
      await server.stop();
    },
    NEVER_FINISHED_MS,
  );

  it(
    "has its record finished when a fault resets the connection after the client's FIN (mid-tls-handshake reset)",
    async () => {
      // No stand-in here: the client half-closes inside its ClientHello, node ends the server's
      // side in turn, and a TCP socket that is shutting down cannot be reset (libuv's
      // uv_tcp_close_reset refuses with EINVAL) — it must still close.
      const server = await serverWith({
        faults: { breakAt: { point: "mid-tls-handshake", action: "reset" } },
      });
      const connections = newConnections(server);
      const client = await RawClient.connect(server.port);
      await client.readGreeting();
      // The SSLRequest and the first bytes of a TLS handshake record (a ClientHello of 200 bytes).
      client.write(
        Buffer.concat([encodePacket(sslRequest(), 1), Buffer.from([0x16, 0x03, 0x01, 0x00, 0xc8, 0x01])]),
      );
      client.end();
      const record = await connections.only();
      expect(record.endedAt).not.toBeNull();
      expect(record.outcome).toEqual({ kind: "fault", point: "mid-tls-handshake", action: "reset" });
      await client.closed();
      await server.stop();
    },
    NEVER_FINISHED_MS,
  );
});
