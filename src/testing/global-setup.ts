import { appendFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConnectionRecord } from "../record/connection-record";
import { resolveScenarioReference } from "../scenarios/load-scenario";
import { type MockServer, type StartOptions, startMockServer } from "../mock-server";
import { SHARED_ENV } from "./shared";

/**
 * Jest globalSetup: starts ONE mock server for the whole run. Use it with its teardown:
 *
 * ```js
 * // jest.config.js
 * globalSetup: "mysql-tls-mock/jest-global-setup",
 * globalTeardown: "mysql-tls-mock/jest-global-teardown",
 * globals: { "mysql-tls-mock": { scenario: "mysql-5.7.41-good-ca" } }, // optional: startMockServer options
 * ```
 *
 * Options: the `"mysql-tls-mock"` entry of the jest config's `globals` (JSON: what
 * `startMockServer` takes), then the `MYSQL_TLS_MOCK_SCENARIO` environment variable (a built-in
 * scenario name or a scenario file, relative to jest's rootDir), which replaces its `scenario`.
 *
 * It publishes, in environment variables every test worker inherits ({@link SHARED_ENV}): the host,
 * the port, a CA file (mode 0600, in a private temporary directory) and a records file where each
 * connection's final record is appended as one JSON line when it closes. jest runs globalSetup in
 * its parent process, so tests cannot reach the server object; `sharedMockServer()` and
 * `readSharedRecords()` read what was published.
 */
export default async function globalSetup(
  _globalConfig?: unknown,
  projectConfig?: { rootDir?: string; globals?: Record<string, unknown> },
): Promise<void> {
  const options = sharedServerOptions(projectConfig);
  const dir = await mkdtemp(join(tmpdir(), "mysql-tls-mock-shared-")); // 0700
  try {
    const recordsFile = privateFile(join(dir, "records.jsonl"), "");
    const server = await startMockServer(options);
    server.on("connection-closed", (event) => {
      const record = latestWithId(server.connections, event.connectionId);
      if (record) appendFileSync(recordsFile, `${JSON.stringify(record)}\n`);
    });
    const ca = server.ca;
    process.env[SHARED_ENV.host] = server.host;
    process.env[SHARED_ENV.port] = String(server.port);
    process.env[SHARED_ENV.caFile] = ca === undefined ? "" : privateFile(join(dir, "ca.pem"), ca);
    process.env[SHARED_ENV.recordsFile] = recordsFile;
    process.env[SHARED_ENV.user] = server.user;
    process.env[SHARED_ENV.password] = server.password;
    (globalThis as SetupGlobals)[STATE] = { server, dir };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Where the setup keeps its state for the teardown (jest runs both in its parent process). */
export const STATE = Symbol.for("mysql-tls-mock.jest-global-setup");

export interface SharedSetupState {
  server: MockServer;
  /** Temporary directory holding the CA and records files; removed by the teardown. */
  dir: string;
}

export type SetupGlobals = { [STATE]?: SharedSetupState };

function sharedServerOptions(projectConfig?: { rootDir?: string; globals?: Record<string, unknown> }) {
  const configured = projectConfig?.globals?.["mysql-tls-mock"];
  if (configured !== undefined && (typeof configured !== "object" || configured === null)) {
    throw new Error(
      'mysql-tls-mock globalSetup: globals["mysql-tls-mock"] must be an object of startMockServer options',
    );
  }
  const options: StartOptions = { ...(configured as StartOptions | undefined) };
  const scenario = process.env.MYSQL_TLS_MOCK_SCENARIO || options.scenario;
  if (scenario !== undefined) {
    options.scenario =
      typeof scenario === "string"
        ? resolveScenarioReference(scenario, projectConfig?.rootDir ?? process.cwd())
        : scenario;
  }
  return options;
}

/**
 * Creates a file only its owner can read (0600). It is new, in the setup's own 0700 directory, so
 * the mode it is created with is the mode it has.
 */
function privateFile(path: string, content: string): string {
  writeFileSync(path, content, { mode: 0o600, flag: "wx" });
  return path;
}

function latestWithId(records: readonly ConnectionRecord[], id: number): ConnectionRecord | undefined {
  for (let i = records.length - 1; i >= 0; i--) if (records[i]!.id === id) return records[i];
  return undefined;
}
