import { existsSync, readFileSync, statSync } from "node:fs";
import * as mysql2 from "mysql2/promise";
import * as library from "../../src/index";
import { startMockServer } from "../../src/mock-server";
import { ConnectionRecordDroppedError } from "../../src/server/server-core";
import { ScenarioError } from "../../src/scenarios/load-scenario";
import { ServerConfigurationError } from "../../src/options/configuration-error";
import { toHaveBehavedAsExpected } from "../../src/testing/matchers";
import { loadScenario } from "../../src/scenarios/load-scenario";

expect.extend({ toHaveBehavedAsExpected });

async function login(url: string): Promise<void> {
  const connection = await mysql2.createConnection(url);
  await connection.query("SELECT 1");
  await connection.end();
}

describe("server.url, user and password", () => {
  it("carry the first account's credentials, URL-encoded, so mysql2 logs in with the URL alone", async () => {
    await using server = await startMockServer({ accounts: [{ user: "app user", password: "p@ss:w/rd%" }] });
    expect(server.user).toBe("app user");
    expect(server.password).toBe("p@ss:w/rd%");
    expect(server.url).toBe(`mysql://app%20user:p%40ss%3Aw%2Frd%25@127.0.0.1:${server.port}/`);
    await login(server.url);
    const [record] = await server.settled();
    expect(record!.outcome.kind).toBe("authenticated");
  });

  it("are root / root without accounts", async () => {
    await using server = await startMockServer();
    expect(server.url).toBe(`mysql://root:root@127.0.0.1:${server.port}/`);
  });
});

describe("server.caFile", () => {
  it("holds server.ca in a private file while the server runs, and is gone after stop", async () => {
    const server = await startMockServer();
    const file = server.caFile!;
    expect(readFileSync(file, "utf8")).toBe(server.ca);
    expect(statSync(file).mode & 0o077).toBe(0);
    await server.stop();
    expect(existsSync(file)).toBe(false);
    expect(server.caFile).toBeUndefined();
  });

  it("is undefined without TLS", async () => {
    await using server = await startMockServer({ tls: false });
    expect(server.caFile).toBeUndefined();
    expect(server.ca).toBeUndefined();
  });
});

describe("server.reset()", () => {
  it("forgets the records and the dropped count, and refuses to wait for a forgotten connection", async () => {
    await using server = await startMockServer({ keepConnections: 1 });
    await login(server.url);
    await login(server.url);
    await server.settled();
    expect(server.droppedConnections).toBe(1);
    server.reset();
    expect(server.connections).toEqual([]);
    expect(server.droppedConnections).toBe(0);
    await expect(server.waitForConnection(2)).rejects.toThrow(ConnectionRecordDroppedError);
    await expect(server.waitForConnection(2)).rejects.toThrow(/forgotten by reset/);
    // Numbering goes on: the next connection is the third, and its record is found.
    const third = server.waitForConnection();
    await login(server.url);
    expect((await third).id).toBe(server.connections[0]!.id);
    expect(server.totalConnections).toBe(3);
  });

  it("leaves a wait in progress its record", async () => {
    await using server = await startMockServer();
    const connection = await mysql2.createConnection(server.url);
    const waiting = server.waitForConnection(1);
    // Let the wait look its record up before the reset.
    await new Promise((resolve) => setImmediate(resolve));
    server.reset();
    await connection.end();
    expect((await waiting).outcome.kind).toBe("authenticated");
  });
});

describe("server.setScenario()", () => {
  it("serves the scenario to new connections only, the start's options still overriding it", async () => {
    await using server = await startMockServer({ serverVersion: "5.7.99-mine" });
    const open = await mysql2.createConnection(server.url);
    await server.setScenario("mysql-5.7.41-notls");
    expect(server.scenario?.name).toBe("mysql-5.7.41-notls");
    expect(server.caFile).toBeUndefined();
    await open.query("SELECT 1");
    await open.end();
    await login(server.url);
    const records = await server.settled();
    expect(records.map((r) => r.greeting.tlsOffered)).toEqual([true, false]);
    expect(records[1]!.greeting.serverVersion).toBe("5.7.99-mine");
    await server.setScenario(null);
    expect(server.scenario).toBeNull();
    expect(readFileSync(server.caFile!, "utf8")).toBe(server.ca);
  });

  it("refuses a scenario that would move the listener, changing nothing", async () => {
    await using server = await startMockServer();
    const error = await server.setScenario("unix-socket-preferred").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerConfigurationError);
    expect((error as ServerConfigurationError).option).toBe("socketPath");
    expect(server.scenario).toBeNull();
    expect(server.options.socketPath).toBeNull();
  });

  it("refuses to serve a scenario once stopped, leaving no CA file behind", async () => {
    const server = await startMockServer({ tls: false });
    await server.stop();
    await expect(server.setScenario("mysql-5.7.41-autocert")).rejects.toThrow(/stopped/);
    expect(server.caFile).toBeUndefined();
  });

  it("refuses a scenario it cannot load with a ScenarioError", async () => {
    await using server = await startMockServer();
    await expect(server.setScenario("strip-backronim")).rejects.toThrow(ScenarioError);
    await expect(server.setScenario(42 as never)).rejects.toThrow(/expected a scenario name/);
  });
});

describe("startMockServer's option names", () => {
  it("refuses a misspelt key, suggesting the right one", async () => {
    await expect(startMockServer({ scenaro: "strip-backronym" } as never)).rejects.toThrow(
      /did you mean scenario/,
    );
  });
});

describe("the public exports", () => {
  it("include runAudit", () => {
    expect(typeof library.runAudit).toBe("function");
  });
});

describe("toHaveBehavedAsExpected", () => {
  it("passes when the run did what the scenario expects in that mode, and fails otherwise", async () => {
    await using server = await startMockServer({ scenario: "mysql-5.7.41-notls" });
    await login(server.url);
    await server.settled();
    // A plaintext login against a server without TLS: what DISABLED expects, never what REQUIRED does.
    expect(server).toHaveBehavedAsExpected("mysql-5.7.41-notls", "DISABLED");
    expect(server).not.toHaveBehavedAsExpected(loadScenario("mysql-5.7.41-notls"), "REQUIRED");
    expect(() => expect(server).toHaveBehavedAsExpected(server.scenario!, "REQUIRED")).toThrow(
      /refuse-before-credentials/,
    );
  });

  it("refuses an unknown mode", async () => {
    await using server = await startMockServer();
    expect(() => expect(server).toHaveBehavedAsExpected("mysql-5.7.41-notls", "SOMETIMES" as never)).toThrow(
      /mode must be one of/,
    );
  });
});
