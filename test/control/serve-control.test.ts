import * as mysql2 from "mysql2/promise";
import { BIN, runCli, startCli, type RunningCli } from "../helpers/cli-process";
import { runProcess } from "../helpers/processes";
import type { ConnectionRecord } from "../../src/record/connection-record";

const CONTROL = /control API on (http:\/\/\S+)/;

/** Starts `serve` with these environment variables added to the test's own. */
async function serveWithEnv(env: Record<string, string>, args: string[] = []): Promise<RunningCli> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return await startCli(args);
  } finally {
    for (const name of Object.keys(env)) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  }
}

async function getJson(url: string, token?: string): Promise<unknown> {
  const response = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  expect(response.status).toBe(200);
  return response.json();
}

describe("serve --control-port", () => {
  let cli: RunningCli | null = null;
  afterEach(() => {
    cli?.child.kill("SIGKILL");
    cli = null;
  });

  it("is configured by MYSQL_TLS_MOCK_* variables alone: scenario, account, control port and token", async () => {
    cli = await serveWithEnv({
      MYSQL_TLS_MOCK_SCENARIO: "strip-backronym",
      MYSQL_TLS_MOCK_USER: "envuser",
      MYSQL_TLS_MOCK_PASSWORD: "env-password",
      MYSQL_TLS_MOCK_CONTROL_PORT: "0",
      MYSQL_TLS_MOCK_CONTROL_TOKEN: "env-token",
    });
    const control = CONTROL.exec(cli.output())![1]!;
    expect(await getJson(`${control}/health`, "env-token")).toMatchObject({
      scenario: "strip-backronym",
      port: cli.port,
    });
    expect((await fetch(`${control}/health`)).status).toBe(401);
    const poll = getJson(`${control}/connections?after=0&wait=60000`, "env-token");
    // mysql2 without TLS options goes on in plaintext, as PREFERRED does, when the greeting lacks CLIENT_SSL.
    const connection = await mysql2.createConnection({
      host: "127.0.0.1",
      port: cli.port,
      user: "envuser",
      password: "env-password",
    });
    await connection.end();
    const { connections } = (await poll) as { connections: ConnectionRecord[] };
    expect(connections).toHaveLength(1);
    expect(connections[0]).toMatchObject({ user: "envuser", greeting: { tlsOffered: false } });
    expect(connections[0]!.outcome.kind).toBe("authenticated");
  });

  it("lets a flag win over its variable", async () => {
    cli = await serveWithEnv({ MYSQL_TLS_MOCK_SCENARIO: "strip-backronym" }, [
      "--scenario",
      "mysql-5.7.41-notls",
      "--control-port",
      "0",
    ]);
    const control = CONTROL.exec(cli.output())![1]!;
    expect(await getJson(`${control}/health`)).toMatchObject({ scenario: "mysql-5.7.41-notls" });
  });

  it("serves a scenario PUT over the API to new connections, its own flags still overriding it", async () => {
    cli = await startCli(["--server-version", "5.7.99-flag", "--control-port", "0"]);
    const control = CONTROL.exec(cli.output())![1]!;
    const put = await fetch(`${control}/scenario`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "strip-backronym" }),
    });
    expect(put.status).toBe(200);
    const poll = getJson(`${control}/connections?after=0&wait=60000`);
    const connection = await mysql2.createConnection({
      host: "127.0.0.1",
      port: cli.port,
      user: "root",
      password: "root",
    });
    await connection.end();
    const { connections } = (await poll) as { connections: ConnectionRecord[] };
    expect(connections[0]!.greeting).toMatchObject({ tlsOffered: false, serverVersion: "5.7.99-flag" });
  });

  it("refuses a bad value from a variable, naming the variable", async () => {
    const result = await runProcess(process.execPath, [BIN, "serve", "--port", "0"], {
      env: { NO_COLOR: "1", MYSQL_TLS_MOCK_CONTROL_PORT: "99999" },
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("MYSQL_TLS_MOCK_CONTROL_PORT");
    expect(result.stderr).toMatch(/0 to 65535/);
  });

  it("refuses --control-token without --control-port", async () => {
    const result = await runCli(["serve", "--port", "0", "--control-token", "t"]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/--control-token need --control-port/);
  });

  it("lists each flag's variable in serve --help", async () => {
    const { stdout } = await runCli(["serve", "--help"]);
    const text = stdout.replace(/\s+/g, " ");
    for (const name of [
      "PORT",
      "HOST",
      "SCENARIO",
      "USER",
      "PASSWORD",
      "CONTROL_PORT",
      "CONTROL_TOKEN",
      "NO_TLS",
    ]) {
      expect(text).toContain(`MYSQL_TLS_MOCK_${name}`);
    }
  });
});
