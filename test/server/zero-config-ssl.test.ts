import * as mariadb from "mariadb";
import { startMockServer } from "../../src/server/mock-server";
import { connectWithMysql2 } from "../helpers/drivers";

/** The mariadb driver's zero-configuration mode: TLS on, no CA, a password set (facts sheet §5.4). */
function zeroConfigConnect(port: number) {
  return mariadb.createConnection({
    host: "127.0.0.1",
    port,
    user: "root",
    password: "root",
    ssl: true,
    connectTimeout: 5000,
  });
}

describe("MariaDB 11.4 zero-configuration SSL", () => {
  it("lets the mariadb driver accept a self-signed certificate when the OK packet's hash matches", async () => {
    await using server = await startMockServer({ scenario: "mariadb-11.4-zero-config" });
    const connection = await zeroConfigConnect(server.port);
    const rows = await connection.query("SHOW STATUS LIKE 'Ssl_version'");
    expect(rows[0].Value).toMatch(/^TLSv1\.[23]$/);
    await connection.end();
    const [record] = await server.settled();
    const ok = record?.packets.find((p) => p.type === "OK");
    // 00 00 00 | status 02 00 | warnings 00 00 | lenenc(65) 41 | 01 ...
    expect(ok?.payloadHex).toMatch(/^000000020000004101[0-9a-f]{128}$/);
  });

  it("makes the mariadb driver refuse when the hash does not match, after its credentials went to the unverified server", async () => {
    await using server = await startMockServer({ scenario: "mariadb-11.4-zero-config-wrong-hash" });
    await expect(zeroConfigConnect(server.port)).rejects.toMatchObject({ code: "ER_SELF_SIGNED" });
    const [record] = await server.settled();
    expect(record?.tls?.outcome).toBe("negotiated");
    expect(record?.user).toBe("root");
    expect(record?.credentialsInPlaintext).toBe(false);
  });

  it("means nothing to mysql2, which verifies the chain and refuses the self-signed certificate", async () => {
    await using server = await startMockServer({ scenario: "mariadb-11.4-zero-config" });
    await expect(
      connectWithMysql2({ port: server.port, ssl: { rejectUnauthorized: true } }),
    ).rejects.toThrow();
    const [record] = await server.settled();
    expect(record?.user).toBeNull();
  });
});
