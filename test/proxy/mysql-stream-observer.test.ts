import { connect, createServer, type Server } from "node:net";
import fc from "fast-check";
import { startMockServer } from "../../src/mock-server";
import { type MysqlObservations, MysqlStreamObserver } from "../../src/proxy/mysql-stream-observer";
import { runMariadbCli } from "../helpers/mariadb-cli";
import { type MariadbServer, startMariadbServer } from "../helpers/mariadb-server";

/**
 * The relay's reading of a MySQL connection it does not take part in, checked against real peers:
 * real clients talk to a real server (the mock, whose own record says what happened, and
 * Debian's mariadbd) through a TCP relay in the test that copies every byte and shows it to the
 * observer.
 */

type Observation = [string, ...unknown[]];

/** Observations as plain tuples, in order. */
function collector(): { seen: Observation[]; report: MysqlObservations } {
  const seen: Observation[] = [];
  return {
    seen,
    report: {
      greeting: (g) => seen.push(["greeting", g.serverVersion, g.authPluginName]),
      serverRefused: (err, phase) => seen.push(["refused", phase, err.code]),
      sslRequest: () => seen.push(["ssl-request"]),
      handshakeResponse: (r, plugin) => seen.push(["response", r.username, plugin]),
      authData: (plugin, exposure) => seen.push(["auth-data", plugin, exposure]),
      authSwitch: (plugin) => seen.push(["auth-switch", plugin]),
      authenticated: () => seen.push(["authenticated"]),
      command: (name, query) => seen.push(query === undefined ? ["command", name] : ["command", name, query]),
      unreadable: (direction, message) => seen.push(["unreadable", direction, message]),
    },
  };
}

/** Bytes each way, in the order they crossed, with what came after an SSLRequest. */
interface Capture {
  chunks: Array<["client" | "server", Buffer]>;
  seen: Observation[];
  tlsHead: Buffer;
}

/** A relay to `port` that copies bytes unchanged and shows each direction to an observer. */
async function relayTo(port: number): Promise<{ port: number; captures: Capture[]; server: Server }> {
  const captures: Capture[] = [];
  const server = createServer((client) => {
    const { seen, report } = collector();
    const capture: Capture = { chunks: [], seen, tlsHead: Buffer.alloc(0) };
    captures.push(capture);
    const observer = new MysqlStreamObserver(report);
    const upstream = connect(port, "127.0.0.1");
    client.on("data", (chunk: Buffer) => {
      capture.chunks.push(["client", chunk]);
      // Once the client has asked for TLS, every byte it sends is TLS.
      const tls = observer.tls ? chunk : observer.fromClient(chunk);
      if (tls.length > 0 && capture.tlsHead.length === 0) capture.tlsHead = Buffer.from(tls);
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      capture.chunks.push(["server", chunk]);
      observer.fromServer(chunk);
      client.write(chunk);
    });
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as { port: number }).port, captures, server };
}

describe("MysqlStreamObserver between real clients and the mock server", () => {
  it("reads a plaintext login and its queries as the server recorded them", async () => {
    await using mock = await startMockServer();
    const relay = await relayTo(mock.port);
    try {
      const cli = await runMariadbCli({ port: relay.port, flags: ["--skip-ssl"], sql: "SELECT 1; SELECT 2" });
      expect(cli.code).toBe(0);
      const [record] = await mock.settled();
      expect(relay.captures[0]!.seen).toEqual([
        ["greeting", "5.7.41", "mysql_native_password"],
        ["response", "root", "mysql_native_password"],
        ["auth-data", "mysql_native_password", "scramble-reply"],
        ["authenticated"],
        ...record!.commands.map((c) =>
          c.query === undefined ? ["command", c.command] : ["command", c.command, c.query],
        ),
      ]);
      expect(record!.commands.map((c) => c.query)).toContain("SELECT 2");
      expect(record!.credentialExposure).toBe("scramble-reply");
    } finally {
      relay.server.close();
    }
  });

  it("stops at an SSLRequest and hands back the ClientHello that follows it", async () => {
    await using mock = await startMockServer();
    const relay = await relayTo(mock.port);
    try {
      expect((await runMariadbCli({ port: relay.port, flags: ["--ssl"] })).code).toBe(0);
      await mock.settled();
      const capture = relay.captures[0]!;
      expect(capture.seen).toEqual([["greeting", "5.7.41", "mysql_native_password"], ["ssl-request"]]);
      // A TLS handshake record (0x16) carrying a ClientHello (handshake type 1).
      expect(capture.tlsHead[0]).toBe(0x16);
      expect(capture.tlsHead[5]).toBe(0x01);
      // The SSLRequest and the ClientHello in one chunk: the ClientHello comes back whole.
      const { report } = collector();
      const observer = new MysqlStreamObserver(report);
      const [greeting, sslRequest, clientHello] = [
        capture.chunks.find(([d]) => d === "server")![1],
        ...capture.chunks.filter(([d]) => d === "client").map(([, chunk]) => chunk),
      ];
      observer.fromServer(greeting);
      expect(observer.fromClient(Buffer.concat([sslRequest!, clientHello!]))).toEqual(clientHello);
      expect(observer.tls).toBe(true);
    } finally {
      relay.server.close();
    }
  });

  it("follows a switch to mysql_clear_password and sees the password cross in the clear", async () => {
    await using mock = await startMockServer({ scenario: "rogue-cleartext-switch" });
    const relay = await relayTo(mock.port);
    try {
      await runMariadbCli({ port: relay.port, flags: ["--skip-ssl"] });
      const [record] = await mock.settled();
      expect(record!.credentialExposure).toBe("cleartext-password");
      expect(relay.captures[0]!.seen.slice(1, 5)).toEqual([
        ["response", "root", "mysql_native_password"],
        ["auth-data", "mysql_native_password", "scramble-reply"],
        ["auth-switch", "mysql_clear_password"],
        ["auth-data", "mysql_clear_password", "cleartext-password"],
      ]);
    } finally {
      relay.server.close();
    }
  });

  it("sees an RSA-encrypted password after the server sent its public key", async () => {
    await using mock = await startMockServer({ scenario: "sha256-rsa-plaintext" });
    const relay = await relayTo(mock.port);
    try {
      await runMariadbCli({ port: relay.port, flags: ["--skip-ssl"] });
      const [record] = await mock.settled();
      const exposures = relay.captures[0]!.seen.filter((o) => o[0] === "auth-data").map((o) => o[2]);
      expect(exposures.at(-1)).toBe(record!.credentialExposure);
      expect(record!.credentialExposure).toBe("encrypted-password");
    } finally {
      relay.server.close();
    }
  });

  it("reads a refused login", async () => {
    await using mock = await startMockServer();
    const relay = await relayTo(mock.port);
    try {
      await runMariadbCli({ port: relay.port, password: "wrong", flags: ["--skip-ssl"] });
      await mock.settled();
      expect(relay.captures[0]!.seen.at(-1)).toEqual(["refused", "login", 1045]);
    } finally {
      relay.server.close();
    }
  });

  it("makes the same observations however the bytes are cut into chunks", async () => {
    await using mock = await startMockServer();
    const relay = await relayTo(mock.port);
    let capture: Capture;
    try {
      await runMariadbCli({ port: relay.port, flags: ["--skip-ssl"], sql: "SELECT 1" });
      await mock.settled();
      capture = relay.captures[0]!;
    } finally {
      relay.server.close();
    }
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 20 }), (sizes) => {
        const { seen, report } = collector();
        const observer = new MysqlStreamObserver(report);
        let turn = 0;
        for (const [direction, chunk] of capture.chunks) {
          for (let at = 0; at < chunk.length;) {
            const size = sizes[turn++ % sizes.length]!;
            const piece = chunk.subarray(at, at + size);
            if (direction === "client") observer.fromClient(piece);
            else observer.fromServer(piece);
            at += size;
          }
        }
        expect(seen).toEqual(capture.seen);
      }),
      { seed: 20261206, numRuns: 50 },
    );
  });
});

describe("MysqlStreamObserver between the mariadb CLI and Debian's mariadbd", () => {
  let real: MariadbServer;
  beforeAll(async () => {
    real = await startMariadbServer({ ssl: null });
    const created = await real.admin(
      [
        "CREATE OR REPLACE USER 'app'@'127.0.0.1' IDENTIFIED BY 'app-pw'",
        "INSTALL SONAME 'auth_ed25519'",
        "CREATE OR REPLACE USER 'app_ed'@'127.0.0.1' IDENTIFIED VIA ed25519 USING PASSWORD('app-ed-pw')",
      ].join("; "),
    );
    if (created.code !== 0) throw new Error(created.stderr);
  }, 120_000);
  afterAll(() => real?.stop());

  it("reads MariaDB's greeting, the login and the query", async () => {
    const relay = await relayTo(real.port);
    try {
      const cli = await runMariadbCli({
        port: relay.port,
        user: "app",
        password: "app-pw",
        sql: "SELECT 42",
      });
      expect(cli.stdout).toBe("42\n42\n");
      await new Promise((resolve) => setTimeout(resolve, 50));
      const seen = relay.captures[0]!.seen;
      expect(seen.slice(0, 4)).toEqual([
        ["greeting", "5.5.5-10.11.19-MariaDB-0+deb12u1", "mysql_native_password"],
        ["response", "app", "mysql_native_password"],
        ["auth-data", "mysql_native_password", "scramble-reply"],
        ["authenticated"],
      ]);
      expect(seen).toContainEqual(["command", "COM_QUERY", "SELECT 42"]);
    } finally {
      relay.server.close();
    }
  });

  it("takes an ed25519 signature for a challenge's answer, even when its last byte is 0", async () => {
    // One signature in sixteen ends in 0, which a NUL-terminated password also does: 40 logins
    // meet such a signature with a probability above 92%.
    const relay = await relayTo(real.port);
    try {
      for (let login = 0; login < 40; login++) {
        const cli = await runMariadbCli({
          port: relay.port,
          user: "app_ed",
          password: "app-ed-pw",
          sql: "DO 1",
        });
        expect(cli.code).toBe(0);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      const exposures = relay.captures.flatMap(({ seen }) => seen.filter(([what]) => what === "auth-data"));
      expect(exposures).toHaveLength(80); // the response (native, answered by a switch), then the signature
      expect(new Set(exposures.map((seen) => JSON.stringify(seen)))).toEqual(
        new Set([
          JSON.stringify(["auth-data", "mysql_native_password", "scramble-reply"]),
          JSON.stringify(["auth-data", "client_ed25519", "scramble-reply"]),
        ]),
      );
    } finally {
      relay.server.close();
    }
  });
});
