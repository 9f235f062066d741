import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
import * as mysql2 from "mysql2/promise";
import type { ListeningLine } from "../../src/cli/serve-json";
import { BIN } from "../helpers/cli-process";

/** The first JSON line `serve --json` prints (the documented shape). */
type Listening = ListeningLine;

/** A process whose stdout is read line by line, each line handed to `parse` as it arrives. */
interface LineReader {
  lines: string[];
  stderr: () => string;
  next: (predicate: (line: string) => boolean, what: string) => Promise<string>;
}

function readLines(child: ChildProcessWithoutNullStreams): LineReader {
  const lines: string[] = [];
  let partial = "";
  let stderr = "";
  child.stdout.on("data", (data: Buffer) => {
    partial += data.toString();
    const complete = partial.split("\n");
    partial = complete.pop()!;
    lines.push(...complete);
  });
  child.stderr.on("data", (data: Buffer) => {
    stderr += data.toString();
  });
  return {
    lines,
    stderr: () => stderr,
    next: async (predicate, what) => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const found = lines.find(predicate);
        if (found !== undefined) return found;
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`no ${what}; stdout:\n${lines.join("\n")}\nstderr:\n${stderr}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

const hasJq = (() => {
  try {
    execFileSync("jq", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe("mysql-tls-mock serve --json", () => {
  it("names the control API's address in the listening line when --control-port is given", async () => {
    const child = spawn(process.execPath, [BIN, "serve", "--port", "0", "--control-port", "0", "--json"], {
      env: { ...process.env, NO_COLOR: "1" },
    });
    const out = readLines(child);
    try {
      const listening = JSON.parse(await out.next(() => true, "first line")) as Listening;
      expect(listening.control).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await fetch(`${listening.control}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ port: listening.port });
    } finally {
      child.kill("SIGTERM");
    }
    await once(child, "exit");
  });

  it("prints only JSON lines on stdout, the first announcing pid, address and a CA file a verifying client trusts", async () => {
    const child = spawn(process.execPath, [BIN, "serve", "--port", "0", "--certs", "good", "--json"], {
      env: { ...process.env, NO_COLOR: "1" },
    });
    const out = readLines(child);
    let listening: Listening;
    try {
      listening = JSON.parse(await out.next(() => true, "first line")) as Listening;
      expect(listening).toEqual({
        type: "listening",
        pid: child.pid,
        host: "127.0.0.1",
        port: expect.any(Number) as number,
        socketPath: null,
        caFile: expect.any(String) as string,
        scenario: null,
        serverVersion: "5.7.41",
        tls: { offered: true, minVersion: "TLSv1", maxVersion: "TLSv1.2", certificates: "good" },
        user: "root",
        control: null,
        version: expect.any(String) as string,
      });
      expect(statSync(listening.caFile!).mode & 0o777).toBe(0o600);
      // VERIFY_IDENTITY with nothing but what the line gave: the CA file verifies the server.
      const connection = await mysql2.createConnection({
        host: listening.host,
        port: listening.port,
        user: "root",
        password: "root",
        ssl: { ca: readFileSync(listening.caFile!, "utf8"), rejectUnauthorized: true },
      });
      const [rows] = await connection.query("SELECT 1 AS one");
      expect(rows).toEqual([{ one: 1 }]);
      await connection.end();
      await out.next((line) => line.includes('"connection-closed"'), "connection-closed event");
      // The banner and the hint are for people, on stderr.
      expect(out.stderr()).toContain(`listening on 127.0.0.1:${listening.port}`);
      expect(out.stderr()).toContain("try: mariadb");
    } finally {
      child.kill("SIGTERM");
    }
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
    const parsed = out.lines.map((line) => JSON.parse(line) as { type: string });
    expect(parsed[0]!.type).toBe("listening");
    expect(parsed.map((event) => event.type)).toEqual(
      expect.arrayContaining(["connection-opened", "tls-negotiated", "authenticated", "connection-closed"]),
    );
    // A CA file written for this run lives as long as the server.
    expect(existsSync(listening.caFile!)).toBe(false);
    expect(existsSync(dirname(listening.caFile!))).toBe(false);
  });

  it("announces no CA file and no TLS with --no-tls, and names the scenario served", async () => {
    const child = spawn(
      process.execPath,
      [BIN, "serve", "--port", "0", "--scenario", "mysql-5.7.41-notls", "--json"],
      { env: { ...process.env, NO_COLOR: "1" } },
    );
    const out = readLines(child);
    try {
      const listening = JSON.parse(await out.next(() => true, "first line")) as Listening;
      expect(listening).toMatchObject({ caFile: null, tls: null, scenario: "mysql-5.7.41-notls" });
    } finally {
      child.kill("SIGTERM");
    }
    await once(child, "exit");
  });

  (hasJq ? it : it.skip)("pipes through jq while a real client connects", async () => {
    // jq fails on the first line that is not JSON, so its exit status checks every line.
    const child = spawn(
      "sh",
      ["-c", `"${process.execPath}" "${BIN}" serve --port 0 --json | jq --unbuffered -c '{type, port, pid}'`],
      { env: { ...process.env, NO_COLOR: "1" } },
    );
    const out = readLines(child);
    const first = JSON.parse(await out.next(() => true, "first line")) as { port: number; pid: number };
    const connection = await mysql2.createConnection({
      host: "127.0.0.1",
      port: first.port,
      user: "root",
      password: "root",
      ssl: { rejectUnauthorized: false },
    });
    await connection.query("SELECT 1");
    await connection.end();
    await out.next((line) => line.includes('"connection-closed"'), "connection-closed through jq");
    // The pid on the first line is serve's own: stopping it ends the pipeline.
    process.kill(first.pid, "SIGTERM");
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
    expect(out.lines[0]).toMatch(/^\{"type":"listening","port":\d+,"pid":\d+\}$/);
  });
});
