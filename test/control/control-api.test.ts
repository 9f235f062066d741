import { request as httpRequest } from "node:http";
import * as mysql2 from "mysql2/promise";
import { type MockServer, startMockServer } from "../../src/mock-server";
import { type ControlServer, MAX_BODY_BYTES, startControlServer } from "../../src/control/control-server";
import { MAX_WAIT_MS } from "../../src/control/routes";
import type { ConnectionRecord } from "../../src/record/connection-record";

const PASSWORD = "control-test-secret";

interface Answer {
  status: number;
  type: string | null;
  body: unknown;
  text: string;
  headers: Headers;
}

async function call(
  control: ControlServer,
  method: string,
  path: string,
  options: { body?: string; token?: string } = {},
): Promise<Answer> {
  const response = await fetch(`${control.url}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
  const text = await response.text();
  const type = response.headers.get("content-type");
  return {
    status: response.status,
    type,
    text,
    headers: response.headers,
    body: type === "application/json" ? JSON.parse(text) : undefined,
  };
}

/** A mysql2 login with the server's own URL (no TLS configured: the driver's default). */
async function loginWithMysql2(server: MockServer): Promise<void> {
  const connection = await mysql2.createConnection(server.url);
  await connection.query("SELECT 1");
  await connection.end();
}

describe("the control API", () => {
  let server: MockServer;
  let control: ControlServer;

  beforeEach(async () => {
    server = await startMockServer({ accounts: [{ user: "app", password: PASSWORD }] });
    control = await startControlServer(server, { version: "9.9.9-test" });
  });
  afterEach(async () => {
    await control.close();
    await server.stop();
  });

  it("listens on the loopback address unless told otherwise", () => {
    expect(control.host).toBe("127.0.0.1");
  });

  it("answers GET /health with where the MySQL server listens, as JSON", async () => {
    const answer = await call(control, "GET", "/health");
    expect(answer.status).toBe(200);
    expect(answer.type).toBe("application/json");
    expect(answer.body).toMatchObject({
      status: "ok",
      version: "9.9.9-test",
      host: "127.0.0.1",
      port: server.port,
      tls: true,
      scenario: null,
    });
  });

  it("lists the built-in scenarios with their descriptions", async () => {
    const answer = await call(control, "GET", "/scenarios");
    const scenarios = (answer.body as { scenarios: Array<{ name: string; description: string }> }).scenarios;
    expect(scenarios.map((s) => s.name)).toContain("strip-backronym");
    expect(scenarios.every((s) => s.description.length > 0)).toBe(true);
  });

  it("serves a scenario PUT by name to new connections only", async () => {
    // A connection open before the change keeps the greeting it was sent.
    const before = await mysql2.createConnection(server.url);
    const put = await call(control, "PUT", "/scenario", {
      body: JSON.stringify({ name: "strip-backronym" }),
    });
    expect(put.status).toBe(200);
    expect((put.body as { scenario: { name: string } }).scenario.name).toBe("strip-backronym");
    await before.query("SELECT 1");
    await before.end();
    await loginWithMysql2(server);
    const { connections } = (await call(control, "GET", "/connections")).body as {
      connections: ConnectionRecord[];
    };
    expect(connections.map((c) => c.greeting.tlsOffered)).toEqual([true, false]);
    expect((await call(control, "GET", "/scenario")).body).toMatchObject({
      scenario: { name: "strip-backronym" },
    });
  });

  it('takes a scenario object, and {"name": null} for none', async () => {
    const scenario = {
      description: "an inline scenario",
      server: { version: "5.7.99-inline", tls: false },
    };
    expect((await call(control, "PUT", "/scenario", { body: JSON.stringify(scenario) })).status).toBe(200);
    expect(server.options.serverVersion).toBe("5.7.99-inline");
    expect((await call(control, "PUT", "/scenario", { body: '{"name": null}' })).status).toBe(200);
    expect((await call(control, "GET", "/scenario")).body).toEqual({ scenario: null });
    expect(server.tls).not.toBeNull();
  });

  it("refuses a scenario it cannot serve with 400 and the scenario error, changing nothing", async () => {
    const unknown = await call(control, "PUT", "/scenario", { body: '{"name": "strip-backronim"}' });
    expect(unknown.status).toBe(400);
    expect((unknown.body as { error: string }).error).toMatch(/strip-backronym/);
    const bad = await call(control, "PUT", "/scenario", {
      body: JSON.stringify({ description: "y", server: { tls: { versions: ["TLSv9"] } } }),
    });
    expect(bad.status).toBe(400);
    const path = await call(control, "PUT", "/scenario", { body: '{"name": "../etc/passwd.yaml"}' });
    expect(path.status).toBe(400);
    expect((path.body as { error: string }).error).toMatch(/not a path/);
    // A scenario object names no file on the server's machine: neither a parent nor certificates.
    const parentPath = await call(control, "PUT", "/scenario", {
      body: JSON.stringify({ extends: "/etc/mysql-tls-mock/x.yaml", description: "y" }),
    });
    expect(parentPath.status).toBe(400);
    expect((parentPath.body as { error: string }).error).toMatch(
      /^extends must name a built-in scenario, not a path/,
    );
    const files = await call(control, "PUT", "/scenario", {
      body: JSON.stringify({
        description: "y",
        server: { tls: { files: { cert: "/etc/ssl/x.pem", key: "/etc/ssl/x.key" } } },
      }),
    });
    expect(files.status).toBe(400);
    expect((files.body as { error: string }).error).toMatch(
      /^server\.tls\.files names files on this machine/,
    );
    // Moving the listener to a Unix socket is not something a running server can do.
    const moving = await call(control, "PUT", "/scenario", { body: '{"name": "unix-socket-preferred"}' });
    expect(moving.status).toBe(400);
    expect((moving.body as { error: string }).error).toMatch(/socketPath/);
    expect((await call(control, "GET", "/scenario")).body).toEqual({ scenario: null });
  });

  it("long-polls GET /connections?after=ID for the next record once it is final", async () => {
    const poll = call(control, "GET", `/connections?after=0&wait=${MAX_WAIT_MS}`);
    await loginWithMysql2(server);
    const answer = await poll;
    const { connections } = answer.body as { connections: ConnectionRecord[] };
    expect(connections).toHaveLength(1);
    expect(connections[0]!.endedAt).not.toBeNull();
    expect(connections[0]!.user).toBe("app");
    // Nothing after it: a bounded wait ends with an empty list.
    const next = await call(control, "GET", `/connections?after=${connections[0]!.id}&wait=10`);
    expect(next.body).toMatchObject({ connections: [] });
  });

  it("checks the long poll's parameters", async () => {
    expect((await call(control, "GET", `/connections?after=0&wait=${MAX_WAIT_MS + 1}`)).status).toBe(400);
    expect((await call(control, "GET", "/connections?wait=10")).status).toBe(400);
    expect((await call(control, "GET", "/connections?after=-1")).status).toBe(400);
  });

  it("forgets the records on DELETE /connections", async () => {
    await loginWithMysql2(server);
    expect(
      ((await call(control, "GET", "/connections")).body as { connections: unknown[] }).connections,
    ).toHaveLength(1);
    expect((await call(control, "DELETE", "/connections")).status).toBe(200);
    expect((await call(control, "GET", "/connections")).body).toEqual({ connections: [], dropped: 0 });
  });

  it("hands out the CA and the served set's client certificate and key as PEM", async () => {
    const ca = await call(control, "GET", "/ca.pem");
    expect(ca.status).toBe(200);
    expect(ca.text).toBe(server.ca);
    const cert = await call(control, "GET", "/client-cert.pem");
    expect(cert.text).toBe(server.tls!.certificateSet!.client!.cert);
    const key = await call(control, "GET", "/client-key.pem");
    expect(key.text).toMatch(/PRIVATE KEY/);
  });

  it("lists the accounts without their passwords", async () => {
    const answer = await call(control, "GET", "/accounts");
    expect(answer.body).toEqual({
      accounts: [{ user: "app", host: "%", plugin: "mysql_native_password", require: "NONE" }],
    });
    expect(answer.text).not.toContain(PASSWORD);
  });

  it("answers an unknown path with 404 and a wrong method with 405 naming the allowed ones", async () => {
    const missing = await call(control, "GET", "/nope");
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: "no such path: /nope" });
    const wrong = await call(control, "POST", "/connections", { body: "{}" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET, DELETE");
    expect(wrong.type).toBe("application/json");
  });

  it("refuses a body over the limit with 413 and one that is not JSON with 400", async () => {
    const big = await call(control, "PUT", "/scenario", { body: `"${"x".repeat(MAX_BODY_BYTES)}"` });
    expect(big.status).toBe(413);
    // Sent in chunks, with no length announced: counted as it arrives.
    const chunked = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${control.url}/scenario`, { method: "PUT" }, (response) => {
        response.resume();
        resolve(response.statusCode!);
      });
      request.on("error", reject);
      const chunk = Buffer.alloc(64 * 1024, "x");
      for (let sent = 0; sent <= MAX_BODY_BYTES; sent += chunk.length) request.write(chunk);
      request.end();
    });
    expect(chunked).toBe(413);
    const garbled = await call(control, "PUT", "/scenario", { body: "{name:" });
    expect(garbled.status).toBe(400);
    expect((garbled.body as { error: string }).error).toMatch(/not JSON/);
  });
});

describe("the control API of a server without TLS", () => {
  it("answers the PEM paths with 404 and a JSON error", async () => {
    await using server = await startMockServer({ tls: false });
    const control = await startControlServer(server, { version: "0" });
    try {
      for (const path of ["/ca.pem", "/client-cert.pem", "/client-key.pem"]) {
        const answer = await call(control, "GET", path);
        expect({ path, status: answer.status, type: answer.type }).toEqual({
          path,
          status: 404,
          type: "application/json",
        });
        expect((answer.body as { error: string }).error).toEqual(expect.any(String));
      }
    } finally {
      await control.close();
    }
  });
});

describe("the control API with a token", () => {
  it("answers 401 without the bearer token or with a wrong one, and serves with it", async () => {
    await using server = await startMockServer();
    const control = await startControlServer(server, { version: "0", token: "s3cret" });
    try {
      const none = await call(control, "GET", "/health");
      expect(none.status).toBe(401);
      expect(none.headers.get("www-authenticate")).toBe("Bearer");
      expect((await call(control, "GET", "/health", { token: "s3cres" })).status).toBe(401);
      // Even a path that does not exist says nothing before the token is right.
      expect((await call(control, "GET", "/nope")).status).toBe(401);
      expect((await call(control, "GET", "/health", { token: "s3cret" })).status).toBe(200);
    } finally {
      await control.close();
    }
  });
});
