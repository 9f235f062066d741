import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { startMockServer } from "../../src/mock-server";
import { BIN, runCli } from "../helpers/cli-process";
import { runMariadbCli } from "../helpers/mariadb-cli";

/** `mysql-tls-mock proxy`: the relay as a command, its JSON lines read as a test suite in any language would. */

describe("mysql-tls-mock proxy", () => {
  it("relays to --upstream and prints a listening line, then each event as a JSON line", async () => {
    await using upstream = await startMockServer({ scenario: "mysql-5.7.41-good-ca" });
    const child = spawn(
      process.execPath,
      [BIN, "proxy", "--port", "0", "--upstream", `127.0.0.1:${upstream.port}`, "--json"],
      {
        env: { ...process.env, NO_COLOR: "1" },
      },
    );
    try {
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      const listening = JSON.parse((await lines.next()).value as string) as Record<string, unknown>;
      expect(listening).toMatchObject({
        type: "listening",
        host: "127.0.0.1",
        upstream: `127.0.0.1:${upstream.port}`,
        attack: "passthrough",
        pid: child.pid,
      });
      const cli = await runMariadbCli({
        port: listening["port"] as number,
        flags: ["--skip-ssl"],
        sql: "SELECT 1",
      });
      expect(cli.code).toBe(0);
      const events: Array<Record<string, unknown>> = [];
      for (let line = await lines.next(); !line.done; line = await lines.next()) {
        const event = JSON.parse(line.value as string) as Record<string, unknown>;
        events.push(event);
        if (event["type"] === "connection-closed") break;
      }
      expect(events.map((e) => e["type"])).toEqual(
        expect.arrayContaining([
          "connection-opened",
          "greeting-sent",
          "handshake-response",
          "authenticated",
          "command",
        ]),
      );
      expect(events.at(-1)).toMatchObject({
        type: "connection-closed",
        outcome: { kind: "authenticated", ended: "quit" },
        verdict: { kind: "credentials-exposed" },
      });
      // What the proxy relayed to is the server that recorded the same login.
      const [record] = await upstream.settled();
      expect(record).toMatchObject({ user: "root", credentialsInPlaintext: true });
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  });

  it("serves its health and records over the control API with --control-port", async () => {
    await using upstream = await startMockServer();
    const child = spawn(
      process.execPath,
      [
        BIN,
        "proxy",
        "--port",
        "0",
        "--upstream",
        `127.0.0.1:${upstream.port}`,
        "--json",
        "--control-port",
        "0",
      ],
      { env: { ...process.env, NO_COLOR: "1" } },
    );
    try {
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      const listening = JSON.parse((await lines.next()).value as string) as { port: number; control: string };
      expect(listening.control).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const health = (await (await fetch(`${listening.control}/health`)).json()) as Record<string, unknown>;
      expect(health).toMatchObject({
        status: "ok",
        port: listening.port,
        upstream: `127.0.0.1:${upstream.port}`,
        attack: "passthrough",
      });
      expect((await runMariadbCli({ port: listening.port, flags: ["--skip-ssl"] })).code).toBe(0);
      const polled = (await (await fetch(`${listening.control}/connections?after=0&wait=10000`)).json()) as {
        connections: Array<{ user: string; relay: { attack: string } }>;
      };
      expect(polled.connections).toMatchObject([{ user: "root", relay: { attack: "passthrough" } }]);
      expect((await fetch(`${listening.control}/connections`, { method: "DELETE" })).status).toBe(200);
      expect((await fetch(`${listening.control}/scenario`)).status).toBe(404);
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  });

  it("refuses an attack it does not know, listing the ones it does", async () => {
    const result = await runCli(["proxy", "--upstream", "127.0.0.1:3306", "--attack", "cert:no-such-set"]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("--attack <name>");
    expect(result.stderr).toMatch(
      /expected passthrough, strip, riddle, cleartext-switch, local-infile:PATH, tls-version:V/,
    );
    expect(result.stderr).toContain('got "cert:no-such-set"');
  });

  it("refuses an --upstream that is not HOST:PORT, naming the flag", async () => {
    const result = await runCli(["proxy", "--upstream", "localhost"]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("--upstream <host:port>");
    expect(result.stderr).toContain('expected HOST:PORT (e.g. 127.0.0.1:3306), got "localhost"');
  });
});
