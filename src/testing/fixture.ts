import type { ConnectionRecord } from "../record/connection-record";
import { type MockServer, type StartOptions, startMockServer } from "../mock-server";
import { jestGlobal } from "./jest-globals";

/** How {@link useMockServer} shares its server. */
export interface FixtureOptions {
  /**
   * `"test"` (default): a fresh server for every test (beforeEach / afterEach), so each test sees
   * only its own connections. `"file"`: one server for the file, or for the `describe` block the
   * call is in (beforeAll / afterAll); `connections` still lists only the current test's.
   */
  per?: "test" | "file";
  /** Timeout of the start and stop hooks, in ms; jest's default hook timeout when omitted. */
  timeoutMs?: number;
}

/** The current server of a {@link useMockServer} call. Every member throws outside a test or hook. */
export interface MockServerFixture {
  /** The running server. */
  readonly server: MockServer;
  readonly host: string;
  readonly port: number;
  /** `mysql://host:port`. */
  readonly url: string;
  /** The CA (PEM) a correctly configured client trusts; undefined when the server offers no TLS. */
  readonly ca: string | undefined;
  /**
   * The connections made during the current test (with `per: "file"`, those of earlier tests are
   * left out; `server.connections` has them all). The matchers accept the fixture itself:
   * `expect(mock).toHaveNegotiatedTls()`.
   */
  readonly connections: readonly ConnectionRecord[];
  /** Waits until every connection so far has closed; resolves with the current test's connections. */
  settled(): Promise<readonly ConnectionRecord[]>;
}

/**
 * Starts a mock server around each test (or once for the file) and stops it afterwards. Call it at
 * the top of a test file or `describe` block; read the server from the returned object inside tests.
 *
 * @param options what {@link startMockServer} takes (e.g. `{ scenario: "cert-expired" }`), or a
 *   function returning them, called at every start.
 *
 * @example
 * ```ts
 * const mock = useMockServer({ scenario: "cert-untrusted-ca" });
 *
 * test("refuses a server whose CA it does not trust", async () => {
 *   await expect(connect({ port: mock.port, ca: goodCa })).rejects.toThrow();
 *   await mock.settled();
 *   expect(mock).toHaveRejectedCertificate();
 *   expect(mock).not.toHaveExposedCredentials();
 * });
 * ```
 */
export function useMockServer(
  options: StartOptions | (() => StartOptions | Promise<StartOptions>) = {},
  fixtureOptions: FixtureOptions = {},
): MockServerFixture {
  const per = fixtureOptions.per ?? "test";
  if (per !== "test" && per !== "file") {
    throw new Error(`useMockServer(): per must be "test" or "file", not ${JSON.stringify(per)}`);
  }
  const usedBy = "useMockServer()";
  const timeout = fixtureOptions.timeoutMs;
  let server: MockServer | null = null;
  let state: "not started" | "running" | "stopped" = "not started";
  /**
   * The records listed before the current test began (with `per: "file"`): identity, not a count,
   * so `server.reset()`, `setScenario()` and dropped records cannot shift the current test's window.
   */
  let earlier = new WeakSet<ConnectionRecord>();

  const start = async () => {
    const resolved = typeof options === "function" ? await options() : options;
    server = await startMockServer(resolved);
    state = "running";
    earlier = new WeakSet();
  };
  const stop = async () => {
    const running = server;
    server = null;
    state = "stopped";
    await running?.stop();
  };

  if (per === "file") {
    jestGlobal("beforeAll", usedBy)(start, timeout);
    jestGlobal(
      "beforeEach",
      usedBy,
    )(() => {
      earlier = new WeakSet(server?.connections ?? []);
    });
    jestGlobal("afterAll", usedBy)(stop, timeout);
  } else {
    jestGlobal("beforeEach", usedBy)(start, timeout);
    jestGlobal("afterEach", usedBy)(stop, timeout);
  }

  const current = (): MockServer => {
    if (server) return server;
    const when =
      per === "file"
        ? "It starts in beforeAll and stops in afterAll of the file (or describe block) that called useMockServer()"
        : "It starts in beforeEach and stops in afterEach of every test";
    throw new Error(
      `useMockServer(): no server is running here (${state}). ${when}: read mock.server, mock.port, ` +
        "mock.ca or mock.connections inside a test or a hook, not in the describe body or at the top of the file.",
    );
  };
  const ofTest = (records: readonly ConnectionRecord[]) => records.filter((record) => !earlier.has(record));

  return {
    get server() {
      return current();
    },
    get host() {
      return current().host;
    },
    get port() {
      return current().port;
    },
    get url() {
      return current().url;
    },
    get ca() {
      return current().ca;
    },
    get connections() {
      return ofTest(current().connections);
    },
    async settled() {
      return ofTest(await current().settled());
    },
  };
}
