import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { computeNativePasswordReply } from "../../src/auth/native-password";
import { getCertificateSet } from "../../src/certs";
import { CapabilityFlags, Command } from "../../src/protocol/constants";
import { encodeHandshakeResponse41 } from "../../src/protocol/packets/handshake-response-41";
import { BIN, runCli, startCli } from "../helpers/cli-process";
import { CLIENT_CAPABILITIES, RawClient } from "../helpers/raw-client";

/**
 * `serve` against what a hostile client, a hostile path or a careless pipeline gives it: control
 * characters in what it prints, a reader that goes away, files that are not what their flag says.
 */

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-serve-hardening-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function waitFor(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Any C0 control but the newline that ends each line, DEL or a C1 control. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe("serve's text output", () => {
  it("escapes control characters from the client, so a database name can neither forge a line nor retitle the terminal", async () => {
    const forgedLine = "\n12:00:00.000 #1 closed: authenticated session ended (quit) — tls [info] all fine";
    const titleChange = "\x1b]0;pwned\x07";
    const cli = await startCli(["--no-tls"]);
    try {
      const client = await RawClient.connect(cli.port);
      const greeting = await client.readGreeting();
      client.send(
        encodeHandshakeResponse41({
          capabilityFlags: CLIENT_CAPABILITIES | CapabilityFlags.CLIENT_CONNECT_WITH_DB,
          maxPacketSize: 0x1000000,
          characterSet: 33,
          reserved: Buffer.alloc(23),
          username: "root",
          authResponse: computeNativePasswordReply("root", greeting.authPluginData),
          database: `shop${forgedLine}${titleChange}`,
          authPluginName: "mysql_native_password",
        }),
        1,
      );
      expect((await client.read())?.payload[0]).toBe(0x00);
      client.send(
        Buffer.concat([Buffer.from([Command.COM_QUERY]), Buffer.from(`SELECT 1${titleChange}\r\n`)]),
        0,
      );
      await client.read();
      client.send(Buffer.from([Command.COM_QUIT]), 0);
      await client.closed();
      await waitFor(() => cli.output().includes(" closed: "), "the connection-closed line");
    } finally {
      cli.child.kill("SIGTERM");
      await once(cli.child, "exit");
    }
    const out = cli.output();
    expect(out).not.toMatch(RAW_CONTROL);
    expect(out.split("\n").filter((line) => /^\S+ #1 closed: /.test(line))).toHaveLength(1);
    expect(out).toContain(
      "login user=root db=shop\\n12:00:00.000 #1 closed: authenticated session ended (quit) — tls [info] all fine\\x1b]0;pwned\\x07 plugin=mysql_native_password",
    );
    expect(out).toContain("query: SELECT 1\\x1b]0;pwned\\x07\\r\\n");
  });
});

describe("serve when its reader goes away", () => {
  it("exits quietly with status 0 when stdout closes, as in `serve | head -1`", async () => {
    const child = spawn(process.execPath, [BIN, "serve", "--port", "0", "--no-tls"], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = once(child, "exit");
    try {
      await waitFor(() => /listening on [\d.]+:\d+/.test(stdout), "the banner");
      const port = Number(/listening on [\d.]+:(\d+)/.exec(stdout)![1]);
      // head -1 has read its line and exits: the pipe's read end closes.
      child.stdout.destroy();
      // A connection makes serve print a line into the closed pipe.
      const socket = connect(port, "127.0.0.1");
      socket.on("error", () => undefined);
      const [code, signal] = await Promise.race([
        exited,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`serve still running:\n${stderr}`)), 10_000),
        ),
      ]);
      socket.destroy();
      expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: "" });
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  });
});

describe("serve in a real pipeline", () => {
  it("ends with `serve | head -1` once head has gone and there is more to print, status 0 and no message", async () => {
    // pipefail: the pipeline's status is serve's when serve fails.
    const pipeline = spawn(
      "bash",
      ["-c", 'set -o pipefail; "$0" "$1" serve --port 0 --no-tls | head -1', process.execPath, BIN],
      // Its own process group, so a failing test can end the whole pipeline.
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" }, detached: true },
    );
    let stdout = "";
    let stderr = "";
    pipeline.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    pipeline.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = once(pipeline, "exit");
    try {
      await waitFor(() => /listening on [\d.]+:\d+/.test(stdout), "head's line");
      const port = Number(/listening on [\d.]+:(\d+)/.exec(stdout)![1]);
      const socket = connect(port, "127.0.0.1");
      socket.on("error", () => undefined);
      const [code] = await Promise.race([
        exited,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`the pipeline still runs:\n${stderr}`)), 10_000),
        ),
      ]);
      socket.destroy();
      expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
      expect(stdout.split("\n").filter(Boolean)).toHaveLength(1);
    } finally {
      if (pipeline.exitCode === null) process.kill(-pipeline.pid!, "SIGKILL");
    }
  });
});

describe("serve's files", () => {
  it("refuses an --events path that is a symbolic link, naming the flag and the path, leaving the target untouched", async () => {
    const target = join(dir, "target.txt");
    writeFileSync(target, "keep me\n");
    chmodSync(target, 0o644);
    const link = join(dir, "events-link.jsonl");
    symlinkSync(target, link);
    const result = await runCli(["serve", "--port", "0", "--events", link], { timeoutMs: 20_000 });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `mysql-tls-mock: --events ${link}: is a symbolic link; refusing to follow it\n`,
    );
    expect(readFileSync(target, "utf8")).toBe("keep me\n");
    expect(statSync(target).mode & 0o777).toBe(0o644);
  });

  it("refuses a --keylog path that is a FIFO, leaving its mode", async () => {
    const fifo = join(dir, "keys.fifo");
    execFileSync("mkfifo", ["-m", "0644", fifo]);
    const result = await runCli(["serve", "--port", "0", "--keylog", fifo], { timeoutMs: 20_000 });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `mysql-tls-mock: --keylog ${fifo}: is a FIFO, not a regular file; refusing to write to it\n`,
    );
    expect(statSync(fifo).mode & 0o777).toBe(0o644);
  });

  it("refuses a --key that is not a regular file, or is missing, naming the flag and the file", async () => {
    const fifo = join(dir, "key.fifo");
    execFileSync("mkfifo", [fifo]);
    const cert = join(dir, "any-cert.pem");
    writeFileSync(cert, "");
    const onFifo = await runCli(["serve", "--port", "0", "--cert", cert, "--key", fifo], {
      timeoutMs: 20_000,
    });
    expect(onFifo.code).toBe(1);
    expect(onFifo.stderr).toBe(`mysql-tls-mock: --key ${fifo}: is a FIFO, not a regular file\n`);
    const missing = join(dir, "missing-key.pem");
    const absent = await runCli(["serve", "--port", "0", "--cert", cert, "--key", missing], {
      timeoutMs: 20_000,
    });
    expect(absent.code).toBe(1);
    expect(absent.stderr).toBe(
      `mysql-tls-mock: --key ${missing}: cannot read it: no such file or directory (ENOENT)\n`,
    );
  });

  it("refuses a --ca file that holds no certificate, naming the flag and the file", async () => {
    const garbage = join(dir, "garbage-ca.pem");
    writeFileSync(garbage, "this is not a certificate\n");
    const result = await runCli(["serve", "--port", "0", "--ca", garbage], { timeoutMs: 20_000 });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^mysql-tls-mock: --ca ${escapeRegExp(garbage)}: \\S.*\\n$`));
    expect(result.stderr).not.toContain("tls.ca");
  });

  it("refuses a --key that does not match the --cert, naming both files", async () => {
    const set = await getCertificateSet("good", { cacheDir: false });
    const cert = join(dir, "server-cert.pem");
    const key = join(dir, "client-key.pem");
    writeFileSync(cert, set.files["server-cert.pem"]!);
    writeFileSync(key, set.files["client-key.pem"]!);
    const result = await runCli(["serve", "--port", "0", "--cert", cert, "--key", key], {
      timeoutMs: 20_000,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^mysql-tls-mock: --key ${escapeRegExp(key)}: \\S.*\\n$`));
    expect(result.stderr).toContain(`--cert ${cert}`);
    expect(result.stderr).not.toMatch(/tls\.(key|cert)\b/);
  });
});

describe("serve's TLS flags", () => {
  it("refuses a --ciphers list OpenSSL cannot use, naming the flag and the list", async () => {
    const result = await runCli(["serve", "--port", "0", "--ciphers", "NO-SUCH-CIPHER"], {
      timeoutMs: 20_000,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^mysql-tls-mock: --ciphers NO-SUCH-CIPHER: \S.*\n$/);
    expect(result.stderr).not.toContain("tls.ciphers");
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
