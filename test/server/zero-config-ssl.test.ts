import * as mariadb from "mariadb";
import { startMockServer } from "../../src/mock-server";
import { connectWithMysql2 } from "../helpers/drivers";

/**
 * The mariadb driver's zero-configuration mode: TLS on, no CA, a password set (MariaDB 11.4 release
 * notes, "SSL by default"; MDEV-31855).
 */
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
    // 00 00 00 | status 02 00 | warnings 00 00 | lenenc(65) 41 | 01 | 64 hex digits
    expect(ok?.length).toBe(73);
  });

  it("keeps the OK's hash out of the record: with the public scramble and certificate it is a password-guessing oracle", async () => {
    await using server = await startMockServer({ scenario: "mariadb-11.4-zero-config" });
    const connection = await zeroConfigConnect(server.port);
    await connection.end();
    const [record] = await server.settled();
    const ok = record?.packets.find((p) => p.type === "OK");
    expect(ok).toMatchObject({ direction: "server", length: 73, redacted: true });
    expect(ok).not.toHaveProperty("payloadHex");
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
