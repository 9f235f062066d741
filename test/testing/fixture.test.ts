import { connect } from "node:net";
import type { MockServer } from "../../src/mock-server";
import { useMockServer } from "../../src/testing/jest";
import { mysql2Login } from "./clients";

/** Resolves with the error code of a TCP connection attempt, or "connected". */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

describe("useMockServer() per test (the default)", () => {
  const mock = useMockServer();
  const seen: Array<{ server: MockServer; port: number }> = [];

  it("starts a server before the test, listening at mock.port, with its host, url and CA", async () => {
    seen.push({ server: mock.server, port: mock.port });
    expect(mock.host).toBe("127.0.0.1");
    expect(mock.url).toBe(`mysql://root:root@127.0.0.1:${mock.port}/`);
    expect(mock.ca).toContain("BEGIN CERTIFICATE");
    expect(await tryConnect(mock.port)).toBe("connected");
  });

  it("gives the next test a fresh server, having stopped the previous one", async () => {
    const previous = seen[0]!;
    expect(mock.server).not.toBe(previous.server);
    expect(await tryConnect(previous.port)).toBe("ECONNREFUSED");
  });

  it("shows each test only its own connections", async () => {
    expect(mock.connections).toHaveLength(0);
    await mysql2Login({ port: mock.port });
    const records = await mock.settled();
    expect(records).toHaveLength(1);
    expect(mock.connections).toEqual(records);
  });
});

describe("useMockServer(…, { per: 'file' })", () => {
  const mock = useMockServer({}, { per: "file" });
  let first: MockServer | undefined;

  it("starts one server for the file (or describe block)", async () => {
    first = mock.server;
    await mysql2Login({ port: mock.port });
    await mock.settled();
    expect(mock.connections).toHaveLength(1);
  });

  it("keeps it for the next test, whose connections start empty while server.connections has all", async () => {
    expect(mock.server).toBe(first);
    expect(mock.connections).toHaveLength(0);
    await mysql2Login({ port: mock.port, ssl: { rejectUnauthorized: false } });
    const records = await mock.settled();
    expect(records).toHaveLength(1);
    expect(mock.server.connections).toHaveLength(2);
    expect(mock).toHaveNegotiatedTls();
    expect(mock).not.toHaveExposedCredentials();
    expect(mock.server).toHaveExposedCredentials();
  });

  it("still shows the current test's connections after server.reset() forgets the earlier ones", async () => {
    await mysql2Login({ port: mock.port });
    await mock.settled();
    mock.server.reset();
    await mysql2Login({ port: mock.port });
    await mysql2Login({ port: mock.port });
    const records = await mock.settled();
    expect(mock.server.connections).toHaveLength(2);
    expect(records).toHaveLength(2);
    expect(mock.connections).toEqual(mock.server.connections);
  });

  it("starts the next test empty after a reset in the previous one", () => {
    expect(mock.server.connections).toHaveLength(2);
    expect(mock.connections).toHaveLength(0);
  });
});

describe("useMockServer() options", () => {
  describe("a scenario by name", () => {
    const mock = useMockServer({ scenario: "mysql-5.7.41-notls" });

    it("serves it: here a greeting without TLS, so there is no CA", () => {
      expect(mock.server.scenario?.name).toBe("mysql-5.7.41-notls");
      expect(mock.server.tls).toBeNull();
      expect(mock.ca).toBeUndefined();
    });
  });

  describe("a function", () => {
    let calls = 0;
    const mock = useMockServer(() => {
      calls++;
      return { serverVersion: `5.7.${40 + calls}` };
    });

    it("is called at every start", () => {
      expect(mock.server.options.serverVersion).toBe("5.7.41");
    });

    it("so each test may get other options", () => {
      expect(calls).toBe(2);
      expect(mock.server.options.serverVersion).toBe("5.7.42");
    });
  });

  it("rejects a `per` it does not know", () => {
    expect(() => useMockServer({}, { per: "suite" as "file" })).toThrow(/per must be "test" or "file"/);
  });
});

describe("useMockServer() outside a test", () => {
  const perTest = useMockServer();
  const perFile = useMockServer({}, { per: "file" });
  // Read in the describe body, while jest collects tests: no server runs yet.
  const errors = [() => perTest.port, () => perFile.connections].map((read) => {
    try {
      read();
      return null;
    } catch (error) {
      return (error as Error).message;
    }
  });

  it("throws, saying where to read the server instead", () => {
    expect(errors[0]).toMatch(
      /^useMockServer\(\): no server is running here \(not started\)\. It starts in beforeEach/,
    );
    expect(errors[0]).toContain("inside a test or a hook, not in the describe body");
    expect(errors[1]).toMatch(/It starts in beforeAll and stops in afterAll/);
  });
});
