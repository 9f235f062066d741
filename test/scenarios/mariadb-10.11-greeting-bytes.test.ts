import { createConnection } from "node:net";
import { type MockServer, startMockServer } from "../../src/mock-server";
import { CapabilityFlags, PACKET_HEADER_LENGTH } from "../../src/protocol/constants";
import { loadScenario } from "../../src/scenarios/load-scenario";
import { scenarioToOptions } from "../../src/scenarios/scenario-options";
import { runMariadbCli } from "../helpers/mariadb-cli";
import type { ProcessResult } from "../helpers/processes";
import { type MariadbServer, sslFilesOf, startMariadbServers } from "../helpers/mariadb-server";

/**
 * The MariaDB 10.11 profiles greet byte for byte as Debian 12's mariadbd 10.11.19 does, with TLS
 * (`mariadb-10.11-greeting`) and without (`mariadb-10.11-notls`, and the TLS profile served with
 * `tls: false`): the real server and the mock are started side by side and their first packets
 * compared whole, header included. Only what changes per connection is masked: the connection id
 * and the 20 scramble bytes. The version string is compared as sent.
 *
 * The extended capabilities are compared too (10.11 sends 0x1d: progress reporting, bulk
 * statements, extended metadata and metadata caching), and the last test has the mariadb CLI,
 * which takes up extended metadata and metadata caching, read a resultset from both.
 */

const VERSION = "5.5.5-10.11.19-MariaDB-0+deb12u1";

let realTls: MariadbServer;
let realPlain: MariadbServer;
let mockTls: MockServer;
let mockPlain: MockServer;
let mockTlsOff: MockServer;

beforeAll(async () => {
  // The certificate the TLS profile serves; the greeting does not depend on it, but both servers
  // then start with the same material.
  const ssl = await sslFilesOf("good");
  [realTls, realPlain] = await startMariadbServers([{ ssl }, { ssl: null }]);
  // The account the mock serves, so one client command runs against both.
  const created = await realPlain.admin("CREATE OR REPLACE USER 'root'@'127.0.0.1' IDENTIFIED BY 'root'");
  if (created.code !== 0) throw new Error(`CREATE USER failed: ${created.stderr}`);
  mockTls = await startMockServer({ scenario: "mariadb-10.11-greeting" });
  mockPlain = await startMockServer({ scenario: "mariadb-10.11-notls" });
  // `serve --scenario mariadb-10.11-greeting --no-tls`: the TLS profile's pinned word, TLS off.
  mockTlsOff = await startMockServer({
    ...scenarioToOptions(loadScenario("mariadb-10.11-greeting")),
    tls: false,
  });
}, 180_000);

afterAll(async () => {
  await Promise.all([mockTls?.stop(), mockPlain?.stop(), mockTlsOff?.stop()]);
  await Promise.all([realTls?.stop(), realPlain?.stop()]);
}, 60_000);

/** The server's first packet as it crossed the wire: 4-byte header and payload. */
function firstPacket(port: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let bytes = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      bytes = Buffer.concat([bytes, chunk]);
      if (bytes.length < PACKET_HEADER_LENGTH) return;
      const length = PACKET_HEADER_LENGTH + bytes.readUIntLE(0, 3);
      if (bytes.length < length) return;
      socket.destroy();
      resolve(bytes.subarray(0, length));
    });
    socket.once("error", reject);
    socket.once("close", () => reject(new Error(`port ${port} closed before a whole greeting`)));
  });
}

/** Offsets in a wire greeting (header included) of the fields this test reads or masks. */
function layout(wire: Buffer) {
  const versionEnd = wire.indexOf(0, PACKET_HEADER_LENGTH + 1);
  const connectionId = versionEnd + 1;
  const scramble1 = connectionId + 4;
  const capsLow = scramble1 + 8 + 1;
  const capsHigh = capsLow + 2 + 1 + 2;
  const reserved = capsHigh + 2 + 1;
  return {
    version: wire.toString("latin1", PACKET_HEADER_LENGTH + 1, versionEnd),
    connectionId,
    scramble1,
    capsLow,
    capsHigh,
    extendedCapabilities: reserved + 6,
    scramble2: reserved + 10,
  };
}

/** The greeting with the connection id and scramble zeroed, and the fields a failure message should name. */
function masked(wire: Buffer) {
  const at = layout(wire);
  const copy = Buffer.from(wire);
  copy.fill(0, at.connectionId, at.connectionId + 4);
  copy.fill(0, at.scramble1, at.scramble1 + 8);
  copy.fill(0, at.scramble2, at.scramble2 + 12);
  return {
    version: at.version,
    capabilityFlags: ((copy.readUInt16LE(at.capsHigh) << 16) | copy.readUInt16LE(at.capsLow)) >>> 0,
    extendedCapabilities: copy.readUInt32LE(at.extendedCapabilities),
    bytes: copy.toString("hex"),
  };
}

describe("the MariaDB 10.11 profiles beside Debian 12's mariadbd 10.11.19", () => {
  it("mariadb-10.11-greeting sends the TLS-enabled server's greeting, byte for byte", async () => {
    const real = masked(await firstPacket(realTls.port));
    const mock = masked(await firstPacket(mockTls.port));
    expect(real.version).toBe(VERSION);
    expect(real.capabilityFlags.toString(16)).toBe("81fffffe");
    expect(mock.bytes).toBe(real.bytes);
  });

  it("mariadb-10.11-notls sends the server-without-TLS greeting, byte for byte", async () => {
    const real = masked(await firstPacket(realPlain.port));
    const mock = masked(await firstPacket(mockPlain.port));
    expect(real.version).toBe(VERSION);
    expect(real.capabilityFlags.toString(16)).toBe("81fff7fe");
    expect(mock.bytes).toBe(real.bytes);
  });

  it("the TLS profile served without TLS derives the same greeting: only CLIENT_SSL goes", async () => {
    const real = masked(await firstPacket(realPlain.port));
    const mock = masked(await firstPacket(mockTlsOff.port));
    expect(mock.bytes).toBe(real.bytes);
    const withTls = masked(await firstPacket(realTls.port));
    expect((withTls.capabilityFlags ^ real.capabilityFlags) >>> 0).toBe(CapabilityFlags.CLIENT_SSL);
  });

  it("announces 10.11's extended capabilities, and answers a client that takes them up as 10.11 does", async () => {
    for (const [realServer, mockServer] of [
      [realTls, mockTls],
      [realPlain, mockPlain],
    ] as const) {
      expect(masked(await firstPacket(realServer.port)).extendedCapabilities).toBe(0x1d);
      expect(masked(await firstPacket(mockServer.port)).extendedCapabilities).toBe(0x1d);
    }
    // Connector/C 3.3 takes up extended metadata and metadata caching: it must read the mock's
    // resultset as it reads the real server's (a wrong layout fails with 2027 "Received malformed packet").
    const [real, mock] = (await Promise.all(
      [realPlain.port, mockPlain.port].map((port) =>
        runMariadbCli({
          port,
          user: "root",
          password: "root",
          flags: ["--skip-ssl", "--column-type-info"],
          sql: "SELECT 1",
        }),
      ),
    )) as [ProcessResult, ProcessResult];
    expect({ code: real.code, stderr: real.stderr }).toEqual({ code: 0, stderr: "" });
    expect({ code: mock.code, stderr: mock.stderr }).toEqual({ code: 0, stderr: "" });
    // The column's name, flags and value as the client read them (10.11 types SELECT 1 as LONG,
    // the mock's 5.7 answer as LONGLONG: the type line is left out).
    const described = (stdout: string) => stdout.split("\n").filter((line) => !/^Type:/.test(line));
    expect(described(mock.stdout)).toEqual(described(real.stdout));
  });

  it("answers @@server_id, session and global, as mariadbd started without options does", async () => {
    const ask = (port: number) =>
      runMariadbCli({
        port,
        user: "root",
        password: "root",
        flags: ["--skip-ssl"],
        sql: "SELECT @@server_id, @@GLOBAL.server_id",
      });
    const [real, mock] = await Promise.all([ask(realPlain.port), ask(mockPlain.port)]);
    expect({ code: mock.code, stderr: mock.stderr }).toEqual({ code: 0, stderr: "" });
    expect(real.stdout).toContain("1\t1");
    expect(mock.stdout).toBe(real.stdout);
  });
});
