import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as mysql2 from "mysql2/promise";
import { ServerConfigurationError } from "../../src/options/configuration-error";
import { ServerStoppedError, startMockServer } from "../../src/mock-server";
import { RawClient } from "../helpers/raw-client";

/**
 * Starting fails cleanly (nothing left listening or open), a broken output file does not take the
 * server down, and nothing waits forever on a stopped server.
 */

const ACCOUNT = { user: "app", password: "secret" };
const REPO = join(__dirname, "..", "..");

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-start-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address() as { port: number };
  probe.close();
  await once(probe, "close");
  return port;
}

/** Listens on `port` and closes again: proof that nothing else holds it. */
async function bindAndRelease(port: number): Promise<void> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once("error", reject);
    probe.listen(port, "127.0.0.1", resolve);
  });
  probe.close();
  await once(probe, "close");
}

describe("a start that fails", () => {
  it.each(["eventsFile", "keylogFile"] as const)(
    "refuses to start when %s cannot be opened, naming it, and leaves the port free",
    async (option) => {
      const port = await freePort();
      const path = join(dir, "missing-folder", "out.log");
      const error = await startMockServer({ port, [option]: path }).then(
        (server) => server.stop().then(() => null),
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ServerConfigurationError);
      expect(error).toMatchObject({ option });
      const message = (error as Error).message;
      expect(message.startsWith(`invalid option ${option}: `)).toBe(true);
      expect(message).toContain(path);
      expect(message).toMatch(/no such file or directory/);
      await bindAndRelease(port);
    },
  );

  it("leaves no Unix socket behind", async () => {
    const socketPath = join(dir, "mysqld.sock");
    await expect(
      startMockServer({ socketPath, eventsFile: join(dir, "no", "events.jsonl") }),
    ).rejects.toThrow(ServerConfigurationError);
    expect(existsSync(socketPath)).toBe(false);
  });
});

/** A server in a process of its own, whose file size limit the test can lower once it listens. */
async function startServerProcess(
  eventsFile: string,
): Promise<{ child: ChildProcessWithoutNullStreams; port: number; stderr: () => string }> {
  const script = join(dir, "server.ts");
  writeFileSync(
    script,
    `import { startMockServer } from ${JSON.stringify(join(REPO, "src", "mock-server"))};
startMockServer({ tls: false, accounts: [${JSON.stringify(ACCOUNT)}], eventsFile: ${JSON.stringify(eventsFile)} }).then((server) => {
  console.log("port " + server.port);
  process.once("SIGTERM", () => void server.stop().then(() => process.exit(0)));
});
`,
  );
  // node itself, not the tsx launcher, so that the limit set on this pid is the server's.
  const child = spawn(process.execPath, ["--import", "tsx", script], { cwd: REPO });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 20_000;
  while (!/port \d+/.test(stdout)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill("SIGKILL");
      throw new Error(`the server process did not start:\n${stdout}${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, port: Number(/port (\d+)/.exec(stdout)![1]), stderr: () => stderr };
}

async function logIn(port: number): Promise<void> {
  const connection = await mysql2.createConnection({ host: "127.0.0.1", port, ...ACCOUNT });
  await connection.query("SELECT 1");
  await connection.end();
}

describe("an events file that can no longer be written", () => {
  // RLIMIT_FSIZE makes every write past the limit fail with EFBIG, as a full disk fails with ENOSPC.
  const LIMIT_BYTES = 4096;

  it("is reported once, and the server keeps serving", async () => {
    const eventsFile = join(dir, "events.jsonl");
    const server = await startServerProcess(eventsFile);
    try {
      execFileSync("prlimit", ["--pid", String(server.child.pid), `--fsize=${LIMIT_BYTES}:${LIMIT_BYTES}`]);
      for (let i = 0; i < 6; i++) await logIn(server.port);
      expect(statSync(eventsFile).size).toBeLessThanOrEqual(LIMIT_BYTES);
      // Still serving after the failure, and the failure reported once.
      await logIn(server.port);
      expect(server.child.exitCode).toBeNull();
      const warnings =
        server.stderr().match(/SinkWriteError: writing the events file .* failed \(EFBIG\)/g) ?? [];
      expect(warnings).toHaveLength(1);
    } finally {
      server.child.kill("SIGTERM");
      await once(server.child, "exit");
    }
    expect(server.child.exitCode).toBe(0);
  }, 60_000);
});

describe("waitForConnection and stop()", () => {
  it("rejects a wait for a connection that has not come when the server stops", async () => {
    const server = await startMockServer();
    const waiting = server.waitForConnection();
    await server.stop();
    await expect(waiting).rejects.toBeInstanceOf(ServerStoppedError);
    await expect(waiting).rejects.toThrow("the mock server was stopped before connection 1 arrived");
  });

  it("rejects at once after stop()", async () => {
    const server = await startMockServer();
    await server.stop();
    await expect(server.waitForConnection()).rejects.toBeInstanceOf(ServerStoppedError);
    await expect(server.waitForConnection(5)).rejects.toBeInstanceOf(ServerStoppedError);
  });

  it("resolves a wait for a live connection with its record once stop() has closed it", async () => {
    const server = await startMockServer();
    const client = await RawClient.connect(server.port);
    await client.readGreeting();
    const waiting = server.waitForConnection(1);
    await server.stop();
    await expect(waiting).resolves.toMatchObject({
      id: 1,
      outcome: { kind: "server-stopped", phase: "handshake-response" },
    });
    await client.closed();
  });
});
