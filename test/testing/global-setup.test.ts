import { existsSync, statSync } from "node:fs";
import { connect } from "node:net";
import { dirname, resolve } from "node:path";
import globalSetup, { STATE, type SetupGlobals } from "../../src/testing/global-setup";
import globalTeardown from "../../src/testing/global-teardown";
import * as mysql from "mysql2/promise";
import { readSharedRecords, SHARED_ENV, sharedMockServer, waitForSharedRecord } from "../../src/testing/jest";
import { mysql2Login } from "./clients";

/**
 * The globalSetup / globalTeardown pair, called in-process the way jest calls them (the jest run
 * itself is in no-open-handles.test.ts). jest gives each test file its own copy of process.env,
 * so what the setup publishes here stays in this file.
 */

const ROOT = resolve(__dirname, "..", "..");
const VARS = [...Object.values(SHARED_ENV), "MYSQL_TLS_MOCK_SCENARIO"];

function refused(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      done(false);
    });
    socket.once("error", () => done(true));
  });
}

afterEach(async () => {
  await globalTeardown();
  for (const name of VARS) delete process.env[name];
});

describe("the jest globalSetup", () => {
  it("starts a server and publishes host, port, a 0600 CA file and the records file", async () => {
    await globalSetup(undefined, {
      rootDir: ROOT,
      globals: { "mysql-tls-mock": { scenario: "mysql-5.7.41-good-ca" } },
    });
    const shared = sharedMockServer();
    expect(process.env[SHARED_ENV.host]).toBe("127.0.0.1");
    expect(shared.port).toBeGreaterThan(0);
    expect(shared).toMatchObject({ user: "root", password: "root" });
    expect(shared.url).toBe(`mysql://root:root@127.0.0.1:${shared.port}/`);
    expect(shared.ca).toContain("BEGIN CERTIFICATE");
    expect(statSync(shared.caFile!).mode & 0o777).toBe(0o600);
    expect(statSync(shared.recordsFile).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(shared.caFile!)).mode & 0o777).toBe(0o700);
    expect(readSharedRecords()).toEqual([]);
  });

  it("appends each connection's final record when it closes, which the matchers take", async () => {
    await globalSetup(undefined, {
      rootDir: ROOT,
      globals: { "mysql-tls-mock": { scenario: "mysql-5.7.41-good-ca" } },
    });
    const shared = sharedMockServer();
    await mysql2Login({ port: shared.port, ssl: { ca: shared.ca!, rejectUnauthorized: true } });
    await mysql2Login({ port: shared.port, password: "wrong" });
    const record = await waitForSharedRecord((r) => r.outcome.kind === "refused");
    const records = readSharedRecords();
    expect(records).toHaveLength(2);
    expect(record.verdict?.kind).toBe("credentials-exposed");
    expect(records[0]).toHaveNegotiatedTls("TLSv1.2");
    expect(records[0]).toHaveAuthenticated("root");
    expect(records).toHaveExposedCredentials();
    expect(records[0]?.serverCertificate?.flaws).toEqual([]);
  });

  it("publishes the configured account, so the url logs a driver in as it", async () => {
    await globalSetup(undefined, {
      rootDir: ROOT,
      globals: { "mysql-tls-mock": { accounts: [{ user: "app", password: "p@ss:w/rd" }] } },
    });
    const shared = sharedMockServer();
    expect(shared).toMatchObject({ user: "app", password: "p@ss:w/rd" });
    expect(shared.url).toBe(`mysql://app:p%40ss%3Aw%2Frd@127.0.0.1:${shared.port}/`);
    const connection = await mysql.createConnection(shared.url);
    await connection.end();
    expect(await waitForSharedRecord(() => true)).toHaveAuthenticated("app");
  });

  it("takes the scenario from MYSQL_TLS_MOCK_SCENARIO, a path relative to jest's rootDir, over the config", async () => {
    process.env.MYSQL_TLS_MOCK_SCENARIO = "scenarios/mysql-5.7.41-notls.yaml";
    await globalSetup(undefined, {
      rootDir: ROOT,
      globals: { "mysql-tls-mock": { scenario: "cert-expired" } },
    });
    const shared = sharedMockServer();
    expect(process.env[SHARED_ENV.caFile]).toBe("");
    expect(shared.caFile).toBeNull();
    expect(shared.ca).toBeUndefined();
    const attempt = await mysql2Login({ port: shared.port, ssl: { rejectUnauthorized: false } });
    expect(attempt.error).toMatch(/does not support secure connection/);
    expect(await waitForSharedRecord(() => true)).not.toHaveSentSslRequest();
  });

  it("fails with the scenario's error and publishes nothing when the server cannot start", async () => {
    await expect(
      globalSetup(undefined, { globals: { "mysql-tls-mock": { scenario: "no-such-scenario" } } }),
    ).rejects.toThrow(/no built-in scenario named "no-such-scenario"/);
    expect(process.env[SHARED_ENV.port]).toBeUndefined();
    expect((globalThis as SetupGlobals)[STATE]).toBeUndefined();
  });
});

describe("the jest globalTeardown", () => {
  it("stops the server and removes the CA and records files", async () => {
    await globalSetup(undefined, { rootDir: ROOT });
    const shared = sharedMockServer();
    await globalTeardown();
    expect(await refused(shared.port)).toBe(true);
    expect(existsSync(dirname(shared.recordsFile))).toBe(false);
    expect((globalThis as SetupGlobals)[STATE]).toBeUndefined();
  });

  it("does nothing when the setup did not run", async () => {
    await expect(globalTeardown()).resolves.toBeUndefined();
  });
});

describe("the shared-server helpers without the globalSetup", () => {
  it("say which jest options start the shared server", () => {
    expect(() => sharedMockServer()).toThrow(
      /MYSQL_TLS_MOCK_SHARED_HOST is not set: .*globalSetup: "mysql-tls-mock\/jest-global-setup"/,
    );
    expect(() => readSharedRecords()).toThrow(/MYSQL_TLS_MOCK_SHARED_RECORDS_FILE is not set/);
  });
});
