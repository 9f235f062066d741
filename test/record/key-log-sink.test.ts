import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMockServer } from "../../src/mock-server";
import { runOpensslStartTls } from "../helpers/openssl-client";

/**
 * `keylogFile` writes the TLS secrets of every connection in the SSLKEYLOGFILE format. The proof
 * that Wireshark could decrypt with it: the server logs exactly the secrets that a real client,
 * `openssl s_client -keylogfile`, logged for the same handshakes.
 */

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-keylog-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function lines(file: string): string[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"))
    .sort();
}

describe("the key log", () => {
  it("holds the same TLSv1.2 secret lines the client logged", async () => {
    const serverLog = join(dir, "server.keys");
    const clientLog = join(dir, "client.keys");
    await using server = await startMockServer({ keylogFile: serverLog });
    await runOpensslStartTls(server.port, ["-tls1_2", "-keylogfile", clientLog]);
    await runOpensslStartTls(server.port, ["-tls1_2", "-keylogfile", clientLog]);
    await server.settled();
    await server.stop();
    const logged = lines(serverLog);
    expect(logged).toHaveLength(2);
    expect(logged.every((line) => /^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$/.test(line))).toBe(true);
    expect(logged).toEqual(lines(clientLog));
  });

  it("holds every TLSv1.3 traffic secret the client logged", async () => {
    const serverLog = join(dir, "server.keys");
    const clientLog = join(dir, "client.keys");
    await using server = await startMockServer({
      keylogFile: serverLog,
      serverVersion: "8.0.36",
      tls: { maxVersion: "TLSv1.3" },
    });
    await runOpensslStartTls(server.port, ["-tls1_3", "-keylogfile", clientLog]);
    await server.settled();
    await server.stop();
    const labels = lines(serverLog).map((line) => line.split(" ")[0]);
    expect(labels).toEqual(
      expect.arrayContaining([
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
        "SERVER_HANDSHAKE_TRAFFIC_SECRET",
        "CLIENT_TRAFFIC_SECRET_0",
        "SERVER_TRAFFIC_SECRET_0",
      ]),
    );
    expect(lines(serverLog)).toEqual(lines(clientLog));
  });

  it("is readable by its owner only, also when it existed with wider permissions", async () => {
    const fresh = join(dir, "fresh.keys");
    const existing = join(dir, "existing.keys");
    writeFileSync(existing, "");
    chmodSync(existing, 0o644);
    await using first = await startMockServer({ keylogFile: fresh });
    await using second = await startMockServer({ keylogFile: existing });
    expect(statSync(fresh).mode & 0o777).toBe(0o600);
    expect(statSync(existing).mode & 0o777).toBe(0o600);
    await first.stop();
    await second.stop();
  });
});
