import { connect } from "node:net";
import * as mysql2 from "mysql2/promise";
import { startMockServer } from "../../src/mock-server";
import { defaultBacklog, resolveOptions } from "../../src/server/options";
import { runMariadbCli } from "../helpers/mariadb-cli";
import { runProcess } from "../helpers/processes";
import { RawClient } from "../helpers/raw-client";

/**
 * The limits a real 5.7 server has on connections: max_connections (ERR 1040 in place of the
 * greeting past it) and back_log (the listen queue), checked over real sockets and with real clients.
 */

const ACCOUNT = { user: "app", password: "secret" };

/**
 * What 5.7 writes past max_connections (`net_send_error` on a fresh NET, no client capabilities):
 * sequence id 0, 0xFF, error 1040 little-endian, the text — and no `#SQLSTATE`.
 */
const TOO_MANY_CONNECTIONS_ON_THE_WIRE = Buffer.concat([
  Buffer.from([23, 0, 0, 0, 0xff, 0x10, 0x04]),
  Buffer.from("Too many connections"),
]);

/** Opens `n` connections that read their greeting and stay open. */
async function occupy(port: number, n: number): Promise<RawClient[]> {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const client = await RawClient.connect(port);
      await client.readGreeting();
      return client;
    }),
  );
}

/**
 * Long enough for a client whose SYN was dropped to retry (1 s, then 3 s) and be greeted: a client
 * still silent after this was connected by the kernel and never accepted.
 */
const GIVE_UP_MS = 8_000;

/** Connects and reports what came first: a greeting, an ERR, or nothing before `giveUpMs`. */
function firstPacketOrSilence(port: number, giveUpMs: number): Promise<"greeting" | "error" | "silence"> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const done = (what: "greeting" | "error" | "silence") => {
      clearTimeout(timer);
      socket.destroy();
      resolve(what);
    };
    const timer = setTimeout(() => done("silence"), giveUpMs);
    socket.once("data", (bytes) => done(bytes[4] === 0xff ? "error" : "greeting"));
    socket.once("error", () => done("error"));
  });
}

describe("maxConnections (max_connections)", () => {
  it("defaults to 5.7's 151", async () => {
    const options = await resolveOptions();
    expect(options.maxConnections).toBe(151);
    expect(options.systemVariables.max_connections).toBe(151);
  });

  it("past the limit, sends ERR 1040 without SQLSTATE as the first packet, closes, and records the refusal", async () => {
    await using server = await startMockServer({ accounts: [ACCOUNT], maxConnections: 2 });
    const held = await occupy(server.port, 2);
    const refused = await RawClient.connect(server.port);
    await refused.closed();
    expect(Buffer.concat(refused.chunks)).toEqual(TOO_MANY_CONNECTIONS_ON_THE_WIRE);

    const record = await server.waitForConnection(3);
    expect(record.outcome).toEqual({
      kind: "refused",
      code: 1040,
      sqlState: "08004",
      message: "Too many connections",
      reason: "max_connections (2) reached",
    });
    expect(record.packets.map((p) => [p.direction, p.type, p.sequenceId])).toEqual([["server", "ERR", 0]]);
    expect(record.endedAt).not.toBeNull();
    expect(server.openConnections).toBe(2);

    // A place freed is a place taken again.
    held[0]!.end();
    await held[0]!.closed();
    await server.waitForConnection(1);
    const next = await RawClient.connect(server.port);
    await expect(next.readGreeting()).resolves.toMatchObject({ protocolVersion: 10 });
    for (const client of [...held, next]) client.end();
  });

  it("is what mysql2 and the mariadb client report as error 1040 Too many connections", async () => {
    await using server = await startMockServer({ accounts: [ACCOUNT], maxConnections: 1 });
    const held = await occupy(server.port, 1);
    const error = await mysql2.createConnection({ host: "127.0.0.1", port: server.port, ...ACCOUNT }).then(
      (c) => c.end().then(() => null),
      (e: unknown) => e as { errno?: number; message: string },
    );
    expect(error).toMatchObject({ errno: 1040, message: "Too many connections" });

    const login = { port: server.port, user: ACCOUNT.user, password: ACCOUNT.password };
    // HY000 is the client's own default: the packet carried no SQLSTATE (with one it would show 08004).
    const plaintext = await runMariadbCli({ ...login, flags: ["--skip-ssl"] });
    expect(plaintext.code).not.toBe(0);
    expect(plaintext.stderr.trim()).toBe("ERROR 1040 (HY000): Too many connections");
    // A client that wants TLS reports the same ERR, read before any TLS could vouch for it.
    const wantsTls = await runMariadbCli({ ...login, flags: ["--ssl"] });
    expect(wantsTls.code).not.toBe(0);
    expect(wantsTls.stderr).toContain("1040 - Too many connections");
    held[0]!.end();
    await server.settled();
    expect(server.connections.slice(1).map((r) => r.outcome.kind)).toEqual(["refused", "refused", "refused"]);
  });
});

/** The accept queue of the socket listening on `port`, as the kernel reports it (`ss`: Send-Q). */
async function listenQueue(port: number): Promise<number> {
  const { stdout } = await runProcess("ss", ["-Hltn", `sport = :${port}`]);
  const fields = stdout.trim().split(/\s+/);
  expect(fields[0]).toBe("LISTEN");
  return Number(fields[2]);
}

describe("backlog (back_log)", () => {
  it("defaults to 5.7's autosized 50 + max_connections / 5 (capped at 900), but never below Node's 511", () => {
    expect(defaultBacklog(151)).toBe(511);
    expect(defaultBacklog(2305)).toBe(511);
    expect(defaultBacklog(3000)).toBe(650);
    expect(defaultBacklog(100_000)).toBe(900);
  });

  it.each([
    [{}, 511],
    [{ maxConnections: 3000 }, 650],
    [{ backlog: 80 }, 80],
    [{ backlog: 7 }, 7],
  ])("with %j, listens with a queue of %i", async (options, queue) => {
    await using server = await startMockServer(options);
    expect(await listenQueue(server.port)).toBe(queue);
    expect(server.options.systemVariables.back_log).toBe(queue);
  });

  it("greets every one of 300 clients that connect at once with the default queue", async () => {
    await using server = await startMockServer({ maxConnections: 400 });
    const firstBytes = await Promise.all(
      Array.from({ length: 300 }, () => firstPacketOrSilence(server.port, GIVE_UP_MS)),
    );
    // A queue of 80 leaves dozens connected by the kernel but never accepted: silent forever.
    expect(firstBytes.filter((b) => b === "silence")).toEqual([]);
    expect(firstBytes.every((b) => b === "greeting")).toBe(true);
  });
});
