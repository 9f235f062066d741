import { type MockServer, startMockServer } from "../../src/mock-server";
import {
  connectWithMariadb,
  connectWithMysql,
  connectWithMysql2,
  type DriverConnectOptions,
  type DriverView,
} from "../helpers/drivers";
import { newConnections } from "../helpers/new-connections";

const ACCOUNT = { user: "app", password: "secret" };

/** Each driver's own error when it demands TLS and the greeting lacks CLIENT_SSL (mysql2 lib/commands/client_handshake.js, mysql lib/protocol/sequences/Handshake.js, mariadb lib/cmd/handshake/auth/handshake.js). */
const drivers: Array<[string, (o: DriverConnectOptions) => Promise<DriverView>, object]> = [
  ["mysql2", connectWithMysql2, { code: "HANDSHAKE_NO_SSL_SUPPORT" }],
  ["mysql", connectWithMysql, { code: "HANDSHAKE_NO_SSL_SUPPORT" }],
  ["mariadb", connectWithMariadb, { errno: 45023, code: "ER_SERVER_SSL_DISABLED" }],
];

describe.each(drivers)("the %s driver", (_name, connectWith, noTlsError) => {
  describe("against a server that offers TLS", () => {
    let server: MockServer;
    beforeAll(async () => {
      server = await startMockServer({ accounts: [ACCOUNT] });
    });
    afterAll(() => server.stop());

    it("negotiates TLSv1.2 when asked to, and both sides agree on the version", async () => {
      const connection = newConnections(server);
      const view = await connectWith({
        port: server.port,
        ...ACCOUNT,
        ssl: { ca: server.ca!, rejectUnauthorized: false },
      });
      expect(Number(view.selectOne)).toBe(1);
      if (view.socketTlsVersion !== undefined) expect(view.socketTlsVersion).toBe("TLSv1.2");
      expect(view.sslVersion).toBe("TLSv1.2");
      const record = await connection.only();
      expect(record.sslRequest).toBe(true);
      expect(record.tls).toMatchObject({ outcome: "negotiated", version: "TLSv1.2" });
      expect(record.credentialsInPlaintext).toBe(false);
      expect(record.user).toBe("app");
      expect(record.commands.map((c) => c.query)).toEqual(
        expect.arrayContaining(["SELECT 1 AS one", "SHOW SESSION STATUS LIKE 'Ssl_version'"]),
      );
      expect(record.outcome).toMatchObject({ kind: "authenticated", ended: "quit" });
    });

    it("logs in without TLS when not asked for it, and the record says the credentials crossed in plaintext", async () => {
      const connection = newConnections(server);
      const view = await connectWith({ port: server.port, ...ACCOUNT });
      if (view.socketTlsVersion !== undefined) expect(view.socketTlsVersion).toBeNull();
      expect(view.sslVersion).toBe("");
      const record = await connection.only();
      expect(record.sslRequest).toBe(false);
      expect(record.tls).toBeNull();
      expect(record.credentialsInPlaintext).toBe(true);
      expect(record.outcome.kind).toBe("authenticated");
    });

    it("gets MySQL's access-denied error for a wrong password", async () => {
      const connection = newConnections(server);
      await expect(connectWith({ port: server.port, user: "app", password: "nope" })).rejects.toMatchObject({
        errno: 1045,
        sqlState: "28000",
      });
      const record = await connection.only();
      expect(record.outcome).toMatchObject({ kind: "refused", code: 1045 });
    });
  });

  describe("against a server that does not offer TLS", () => {
    let server: MockServer;
    beforeAll(async () => {
      server = await startMockServer({ tls: false, accounts: [ACCOUNT] });
    });
    afterAll(() => server.stop());

    it("logs in in plaintext when TLS is not asked for", async () => {
      const connection = newConnections(server);
      const view = await connectWith({ port: server.port, ...ACCOUNT });
      expect(Number(view.selectOne)).toBe(1);
      expect(view.sslVersion).toBe("");
      const record = await connection.only();
      expect(record.greeting.tlsOffered).toBe(false);
      expect(record.outcome.kind).toBe("authenticated");
    });

    it("refuses when TLS is required, before sending any handshake response", async () => {
      const connection = newConnections(server);
      await expect(
        connectWith({ port: server.port, ...ACCOUNT, ssl: { rejectUnauthorized: false } }),
      ).rejects.toMatchObject(noTlsError);
      const record = await connection.only();
      expect(record.sslRequest).toBe(false);
      expect(record.user).toBeNull();
      expect(record.credentialsInPlaintext).toBe(false);
      expect(record.packets.filter((p) => p.direction === "client")).toEqual([]);
      expect(record.outcome).toMatchObject({ kind: "client-went-away" });
    });
  });
});
