import { readFileSync } from "node:fs";
import type { ConnectionRecord } from "../record/connection-record";

/**
 * The environment variables the jest globalSetup (`mysql-tls-mock/jest-global-setup`) publishes.
 * globalSetup runs in jest's parent process before any test worker starts, and workers inherit its
 * environment, so every test file can read them.
 */
export const SHARED_ENV = {
  // `SHARED_` keeps them apart from the variables `serve` reads (MYSQL_TLS_MOCK_PORT, …), so a
  // `serve` started from a test run does not inherit the shared server's port.
  /** Address the shared server listens on. */
  host: "MYSQL_TLS_MOCK_SHARED_HOST",
  /** Its TCP port. */
  port: "MYSQL_TLS_MOCK_SHARED_PORT",
  /** File holding the CA (PEM) a correctly configured client trusts; empty when TLS is off. */
  caFile: "MYSQL_TLS_MOCK_SHARED_CA_FILE",
  /** JSON-lines file with one final ConnectionRecord per closed connection. */
  recordsFile: "MYSQL_TLS_MOCK_SHARED_RECORDS_FILE",
  /** The first account's user name. */
  user: "MYSQL_TLS_MOCK_SHARED_USER",
  /** The first account's password: a test account's, which the workers need to log in. */
  password: "MYSQL_TLS_MOCK_SHARED_PASSWORD",
} as const;

/** Where the shared server listens and what a client needs to trust it. */
export interface SharedMockServer {
  host: string;
  port: number;
  /** The first account's user name (`root` unless `accounts` says otherwise). */
  user: string;
  /** The first account's password. */
  password: string;
  /**
   * A connection URL with the first account's credentials, URL-encoded, as `server.url` is:
   * `mysql://root:root@127.0.0.1:40123/`.
   */
  url: string;
  /** Path of the CA file (mode 0600), for command-line clients; null when the server offers no TLS. */
  caFile: string | null;
  /** The CA (PEM), for drivers; undefined when the server offers no TLS. */
  ca: string | undefined;
  /** Path of the records file {@link readSharedRecords} reads. */
  recordsFile: string;
}

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined) {
    throw new Error(
      `${name} is not set: the shared mock server is started by jest's globalSetup. Add ` +
        '`globalSetup: "mysql-tls-mock/jest-global-setup"` and `globalTeardown: ' +
        '"mysql-tls-mock/jest-global-teardown"` to the jest config.',
    );
  }
  return value;
}

/** The shared server the jest globalSetup started, read from the environment it published. */
export function sharedMockServer(): SharedMockServer {
  const host = env(SHARED_ENV.host);
  const port = Number(env(SHARED_ENV.port));
  const caFile = env(SHARED_ENV.caFile) || null;
  const user = env(SHARED_ENV.user);
  const password = env(SHARED_ENV.password);
  const credentials = `${encodeURIComponent(user)}:${encodeURIComponent(password)}`;
  return {
    host,
    port,
    user,
    password,
    url: `mysql://${credentials}@${host.includes(":") ? `[${host}]` : host}:${port}/`,
    caFile,
    ca: caFile === null ? undefined : readFileSync(caFile, "utf8"),
    recordsFile: env(SHARED_ENV.recordsFile),
  };
}

/**
 * The records of every connection to the shared server that has closed so far, oldest first, from
 * every test file (workers run in parallel: tell yours apart, e.g. by `user`). A connection appears
 * once it has closed, so its record is final; use {@link waitForSharedRecord} right after a client
 * disconnects.
 */
export function readSharedRecords(): ConnectionRecord[] {
  const text = readFileSync(env(SHARED_ENV.recordsFile), "utf8");
  // A line is complete once its newline is written; a half-written last line is left for next time.
  const complete = text.slice(0, text.lastIndexOf("\n") + 1);
  return complete
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as ConnectionRecord);
}

/**
 * Waits until a closed connection's record satisfies `predicate` and returns it (the latest such);
 * rejects after `timeoutMs` (default 10 s) with the records seen.
 */
export async function waitForSharedRecord(
  predicate: (record: ConnectionRecord) => boolean,
  { timeoutMs = 10_000, intervalMs = 20 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<ConnectionRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const records = readSharedRecords();
    for (let i = records.length - 1; i >= 0; i--) {
      if (predicate(records[i]!)) return records[i]!;
    }
    if (Date.now() >= deadline) {
      const seen = records.map((r) => `#${r.id} user=${r.user ?? "-"} verdict=${r.verdict?.kind ?? "-"}`);
      throw new Error(
        `waitForSharedRecord(): no closed connection matched within ${timeoutMs} ms; ` +
          `${records.length} record(s) so far${seen.length ? `:\n  ${seen.join("\n  ")}` : ""}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
