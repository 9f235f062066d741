import { once } from "node:events";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as mysql2 from "mysql2/promise";
import { runCli, startCli } from "../helpers/cli-process";
import { runMariadbCli } from "../helpers/mariadb-cli";
import { RawClient } from "../helpers/raw-client";

async function waitFor(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("mysql-tls-mock serve", () => {
  it("serves TLS by default, prints a line per event, writes JSON lines and exits cleanly on SIGTERM", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-cli-"));
    const eventsFile = join(dir, "events.jsonl");
    const cli = await startCli(["--user", "app", "--password", "secret", "--events", eventsFile]);
    try {
      expect(cli.output()).toContain("MySQL 5.7.41, TLS TLSv1–TLSv1.2");
      const result = await runMariadbCli({
        port: cli.port,
        user: "app",
        password: "secret",
        flags: ["--ssl"],
      });
      expect(result.code).toBe(0);
      await waitFor(() => cli.output().includes("closed:"), "the connection-closed line");
      const out = cli.output();
      expect(out).toMatch(/#1 SSLRequest: client asks for TLS/);
      expect(out).toMatch(/#1 TLS TLSv1\.2 \S+ sni=none/);
      expect(out).toMatch(/#1 login user=app db=- plugin=mysql_native_password over TLS/);
      expect(out).toMatch(/#1 query: SELECT 1/);
      expect(out).not.toContain("secret");
    } finally {
      cli.child.kill("SIGTERM");
      const [code] = await once(cli.child, "exit");
      expect(code).toBe(0);
    }
    const events = readFileSync(eventsFile, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string });
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        "connection-opened",
        "ssl-request",
        "tls-negotiated",
        "authenticated",
        "connection-closed",
      ]),
    );
    expect(readFileSync(eventsFile, "utf8")).not.toContain("secret");
    expect(statSync(eventsFile).mode & 0o777).toBe(0o600);
  });

  it("writes TLS secrets with --keylog (mode 0600) and prints each connection's verdict", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-cli-"));
    const keylog = join(dir, "keys.log");
    const cli = await startCli(["--keylog", keylog, "--connect-timeout", "5", "--wait-timeout", "60"]);
    try {
      const result = await runMariadbCli({ port: cli.port, flags: ["--ssl"] });
      expect(result.code).toBe(0);
      await waitFor(() => cli.output().includes("closed:"), "the connection-closed line");
      expect(cli.output()).toMatch(
        /closed: authenticated session ended \(quit\) — accepted-bad-certificate /,
      );
    } finally {
      cli.child.kill("SIGTERM");
      await once(cli.child, "exit");
    }
    expect(readFileSync(keylog, "utf8")).toMatch(/^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$/m);
    expect(statSync(keylog).mode & 0o777).toBe(0o600);
  });

  it("exits cleanly on SIGINT with a client still connected, recording it as stopped by the server", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-cli-"));
    const eventsFile = join(dir, "events.jsonl");
    const cli = await startCli(["--events", eventsFile]);
    const connection = await mysql2.createConnection({
      host: "127.0.0.1",
      port: cli.port,
      user: "root",
      password: "root",
      ssl: { rejectUnauthorized: false },
    });
    const lost = once(connection, "error");
    cli.child.kill("SIGINT");
    const [code] = await once(cli.child, "exit");
    expect(code).toBe(0);
    expect(((await lost)[0] as NodeJS.ErrnoException).code).toBe("PROTOCOL_CONNECTION_LOST");
    const closed = readFileSync(eventsFile, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; outcome?: unknown })
      .filter((event) => event.type === "connection-closed");
    expect(closed.map((event) => event.outcome)).toEqual([
      { kind: "authenticated", ended: "server-stopped" },
    ]);
  });

  it("greets without CLIENT_SSL with --no-tls", async () => {
    const cli = await startCli(["--no-tls"]);
    try {
      expect(cli.output()).toContain("TLS off");
      const result = await runMariadbCli({ port: cli.port, flags: ["--skip-ssl"] });
      expect(result.code).toBe(0);
      await waitFor(() => cli.output().includes("closed:"), "the connection-closed line");
      expect(cli.output()).toMatch(/greeting 5\.7\.41, TLS not offered/);
      expect(cli.output()).toMatch(/in plaintext — credentials crossed without TLS/);
    } finally {
      cli.child.kill("SIGTERM");
      await once(cli.child, "exit");
    }
  });

  it("serves a profile that pins its capability word with --no-tls, greeting with that word minus CLIENT_SSL", async () => {
    const cli = await startCli(["--scenario", "mariadb-10.11-greeting", "--no-tls"]);
    try {
      expect(cli.output()).toContain("TLS off");
      const client = await RawClient.connect(cli.port);
      const greeting = await client.readGreeting();
      client.end();
      // What Debian 12's mariadbd 10.11.19 sends when started without certificates.
      expect(greeting.capabilityFlags.toString(16)).toBe("81fff7fe");
      const login = await runMariadbCli({ port: cli.port, flags: ["--skip-ssl"] });
      expect(login.code).toBe(0);
    } finally {
      cli.child.kill("SIGTERM");
      await once(cli.child, "exit");
    }
  });

  it("rejects a TLS version list with a gap, naming the problem", async () => {
    const { code, stderr } = await runCli(["serve", "--tls-version", "TLSv1,TLSv1.2"]);
    expect(code).not.toBe(0);
    expect(stderr).toContain("range without gaps");
  });
});
