import { encodePacket } from "../../src/protocol/framing";
import type { ConnectionOutcome, ConnectionRecord, Phase } from "../../src/record/connection-record";
import { type MockServer, startMockServer } from "../../src/mock-server";
import { captureClientHello } from "../helpers/client-hello";
import { LoginClient } from "../helpers/login-client";
import { openTcpSockets } from "../helpers/memory";
import { handshakeResponse, sslRequest } from "../helpers/raw-client";

const ACCOUNT = { user: "app", password: "secret" };

interface LoggedIn {
  client: LoginClient;
  tls: boolean;
  connectionId: number;
  localPort: number;
  tlsVersion: string | null;
}

/** One client's whole login, TLS or not; it quits afterwards unless told to stay. */
async function logIn(server: MockServer, tls: boolean, stay: boolean): Promise<LoggedIn> {
  const client = await LoginClient.connect(server.port);
  const greeting = await client.readGreeting();
  if (tls) await client.startTls();
  await client.login(ACCOUNT.user, ACCOUNT.password);
  const result = {
    client,
    tls,
    connectionId: greeting.connectionId,
    localPort: client.socket.localPort!,
    tlsVersion: client.tlsVersion,
  };
  if (!stay) {
    client.quit();
    await client.closed;
  }
  return result;
}

/** Settles every promise and fails with the reasons of those that rejected, by index. */
async function allOrReasons<T>(promises: Array<Promise<T>>): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const failures = results.flatMap((r, i) => (r.status === "rejected" ? [`#${i}: ${String(r.reason)}`] : []));
  expect(failures).toEqual([]);
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/**
 * More connections at once than 5.7's max_connections default (151) lets in, and a listen queue
 * for all of them arriving together, so every one is served.
 */
const MANY_AT_ONCE = { maxConnections: 2000, backlog: 2000 };

function isFinal(record: ConnectionRecord): boolean {
  const { outcome } = record;
  if (outcome.kind === "pending") return false;
  return outcome.kind !== "authenticated" || outcome.ended !== null;
}

describe("a thousand concurrent clients against one server", () => {
  const CLIENTS = 1000;
  /** Every tenth client stays logged in, idle in the command phase, until the server stops. */
  const staysIdle = (i: number) => i % 10 === 9;
  const wantsTls = (i: number) => i % 2 === 0;

  it("mixed TLS and plaintext, all started at once: every connection recorded, none lost, none left open after stop", async () => {
    const socketsBefore = openTcpSockets();
    const server = await startMockServer({ accounts: [ACCOUNT], ...MANY_AT_ONCE });
    let stopped = false;
    try {
      const clients = await allOrReasons(
        Array.from({ length: CLIENTS }, (_, i) => logIn(server, wantsTls(i), staysIdle(i))),
      );

      // Every client got its own connection id, and the server recorded each one exactly once.
      expect(new Set(clients.map((c) => c.connectionId)).size).toBe(CLIENTS);
      expect(server.connections).toHaveLength(CLIENTS);
      const records = new Map(server.connections.map((r) => [r.id, r]));
      expect(records.size).toBe(CLIENTS);

      for (const c of clients) {
        const record = records.get(c.connectionId)!;
        // The record is this client's: same connection id, same client port.
        expect(record.client.port).toBe(c.localPort);
        expect(record.user).toBe(ACCOUNT.user);
        expect(c.tlsVersion).toBe(c.tls ? "TLSv1.2" : null);
        expect(record.sslRequest).toBe(c.tls);
        if (c.tls) expect(record.tls).toMatchObject({ outcome: "negotiated", version: "TLSv1.2" });
        else expect(record.tls).toBeNull();
        expect(record.credentialsInPlaintext).toBe(!c.tls);
        expect(record.packets.filter((p) => p.type === "HandshakeResponse41")).toEqual([
          expect.objectContaining({ encrypted: c.tls }),
        ]);
      }
      const idle = clients.filter((c) => !c.client.socket.destroyed);
      expect(idle).toHaveLength(CLIENTS / 10);
      for (const c of idle) {
        expect(records.get(c.connectionId)!.outcome).toEqual({ kind: "authenticated", ended: null });
      }

      await server.stop();
      stopped = true;
      // The idle clients see the server close their connections.
      await Promise.all(idle.map((c) => c.client.closed));

      for (const c of clients) {
        const record = records.get(c.connectionId)!;
        expect(record.outcome).toEqual({
          kind: "authenticated",
          ended: idle.includes(c) ? "server-stopped" : "quit",
        });
        expect(record.endedAt).not.toBeNull();
      }
      expect(server.connections.filter((r) => !isFinal(r))).toEqual([]);
      // At most the sockets open before: one left over from an earlier file in this worker may close meanwhile.
      expect(openTcpSockets()).toBeLessThanOrEqual(socketsBefore);
    } finally {
      if (!stopped) await server.stop();
    }
  }, 90_000);
});

/** Checks `done` every few milliseconds until it holds; the jest timeout bounds the wait. */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 10));
}

/**
 * Ways to leave a connection part-way through the login, each with the phase the server is then
 * in. `setUp` resolves once the client has done its part.
 */
interface LivePhase {
  name: string;
  phase: Phase;
  setUp(client: LoginClient, clientHello: Buffer): Promise<void>;
}

const LIVE_PHASES: LivePhase[] = [
  {
    name: "greeted, silent",
    phase: "handshake-response",
    setUp: async () => {},
  },
  {
    name: "half a HandshakeResponse sent",
    phase: "handshake-response",
    setUp: async (client) => {
      const bytes = encodePacket(
        handshakeResponse({ ...ACCOUNT, scramble: client.greeting!.authPluginData }),
        1,
      );
      client.write(bytes.subarray(0, bytes.length >> 1));
    },
  },
  {
    name: "authentication switched, unanswered",
    phase: "authentication",
    setUp: async (client) => {
      const reply = await client.sendLogin(ACCOUNT.user, ACCOUNT.password, "caching_sha2_password");
      expect(reply.payload[0]).toBe(0xfe);
    },
  },
  {
    name: "logged in over plaintext, idle",
    phase: "command",
    setUp: (client) => client.login(ACCOUNT.user, ACCOUNT.password),
  },
];

/** The same, mid-TLS: the server must end these too, though its TLS acceptor is at work. */
const LIVE_TLS_PHASES: LivePhase[] = [
  {
    name: "SSLRequest sent, no ClientHello",
    phase: "tls-handshake",
    setUp: async (client) => client.write(encodePacket(sslRequest(), 1)),
  },
  {
    name: "ClientHello cut off mid-record",
    phase: "tls-handshake",
    setUp: async (client, hello) =>
      client.write(Buffer.concat([encodePacket(sslRequest(), 1), hello.subarray(0, hello.length >> 1)])),
  },
  {
    name: "ClientHello answered, client silent",
    phase: "tls-handshake",
    setUp: (client) => client.stallInTlsHandshake(),
  },
  {
    name: "TLS up, no HandshakeResponse",
    phase: "tls-handshake-response",
    setUp: async (client) => {
      await client.startTls();
    },
  },
  {
    name: "logged in over TLS, idle",
    phase: "command",
    setUp: async (client) => {
      await client.startTls();
      await client.login(ACCOUNT.user, ACCOUNT.password);
    },
  },
];

/** What stop() must leave in the record of a connection it ended in `phase`. */
function stoppedIn(phase: Phase): ConnectionOutcome {
  return phase === "command"
    ? { kind: "authenticated", ended: "server-stopped" }
    : { kind: "server-stopped", phase };
}

/** Opens `perPhase` connections in each of `phases`, all at once; resolves when each is in place. */
async function openLive(
  server: MockServer,
  phases: LivePhase[],
  perPhase: number,
): Promise<Array<{ client: LoginClient; phase: LivePhase; connectionId: number }>> {
  const hello = await captureClientHello();
  const live = await allOrReasons(
    phases.flatMap((phase) =>
      Array.from({ length: perPhase }, async () => {
        const client = await LoginClient.connect(server.port);
        const greeting = await client.readGreeting();
        await phase.setUp(client, hello);
        return { client, phase, connectionId: greeting.connectionId };
      }),
    ),
  );
  // The server has read what each client sent: every record is in its phase.
  const records = new Map(server.connections.map((r) => [r.id, r]));
  await until(() => live.every((l) => records.get(l.connectionId)?.phase === l.phase.phase));
  return live;
}

describe("stopping a server with live connections in every phase", () => {
  const PER_PHASE = 22;

  it("resolves, closes every socket, and leaves every record with a final outcome", async () => {
    const socketsBefore = openTcpSockets();
    const server = await startMockServer({ accounts: [ACCOUNT], ...MANY_AT_ONCE });
    try {
      const live = await openLive(server, [...LIVE_PHASES, ...LIVE_TLS_PHASES], PER_PHASE);
      expect(live).toHaveLength(PER_PHASE * 9);
      expect(server.connections.filter(isFinal)).toEqual([]);
      expect(openTcpSockets()).toBeGreaterThanOrEqual(2 * live.length);

      await server.stop();
      await Promise.all(live.map((l) => l.client.closed));

      expect(server.connections).toHaveLength(live.length);
      expect(server.connections.filter((r) => !isFinal(r) || r.endedAt === null)).toEqual([]);
      const records = new Map(server.connections.map((r) => [r.id, r]));
      expect(
        live.map(({ phase, connectionId }) => ({
          phase: phase.name,
          outcome: records.get(connectionId)!.outcome,
        })),
      ).toEqual(live.map(({ phase }) => ({ phase: phase.name, outcome: stoppedIn(phase.phase) })));
      // At most the sockets open before: one left over from an earlier file in this worker may close meanwhile.
      expect(openTcpSockets()).toBeLessThanOrEqual(socketsBefore);
    } finally {
      await server.stop();
    }
  }, 60_000);

  // stop() closes the session first, so the acceptor's failure for the closed socket cannot be
  // blamed on the client.
  it("records connections it ends mid-TLS-handshake as stopped by the server, not as failed TLS", async () => {
    await using server = await startMockServer({ accounts: [ACCOUNT], ...MANY_AT_ONCE });
    const live = await openLive(
      server,
      LIVE_TLS_PHASES.filter((p) => p.phase === "tls-handshake"),
      4,
    );
    await server.stop();
    await Promise.all(live.map((l) => l.client.closed));
    const records = new Map(server.connections.map((r) => [r.id, r]));
    expect(
      live.map(({ phase, connectionId }) => ({
        phase: phase.name,
        outcome: records.get(connectionId)!.outcome,
      })),
    ).toEqual(live.map(({ phase }) => ({ phase: phase.name, outcome: stoppedIn(phase.phase) })));
  });
});
