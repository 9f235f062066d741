import * as mysql2 from "mysql2/promise";
import { startMockServer } from "../../src/mock-server";
import { connectWithMysql2 } from "../helpers/drivers";
import { runMariadbCli } from "../helpers/mariadb-cli";

const TLS = { rejectUnauthorized: false };

describe("caching_sha2_password", () => {
  it("takes full authentication on a cold cache, then the fast path, over TLS", async () => {
    await using server = await startMockServer({
      defaultAuthPlugin: "caching_sha2_password",
      accounts: [{ user: "app", password: "secret", plugin: "caching_sha2_password" }],
    });
    await connectWithMysql2({ port: server.port, user: "app", password: "secret", ssl: TLS });
    const first = await server.waitForConnection(1);
    // Full auth over TLS: 0x04 (perform full authentication), then the password itself, inside TLS.
    expect(first.packets.filter((p) => p.type === "AuthMoreData").map((p) => p.payloadHex)).toEqual(["0104"]);
    expect(first.credentialExposure).toBe("cleartext-password");
    expect(first.credentialsInPlaintext).toBe(false);

    await connectWithMysql2({ port: server.port, user: "app", password: "secret", ssl: TLS });
    const second = await server.waitForConnection(2);
    expect(second.packets.filter((p) => p.type === "AuthMoreData").map((p) => p.payloadHex)).toEqual([
      "0103",
    ]);
    expect(second.credentialExposure).toBe("scramble-reply");
  });

  it("serves the RSA public key over plaintext and decrypts the password", async () => {
    await using server = await startMockServer({
      tls: false,
      defaultAuthPlugin: "caching_sha2_password",
      accounts: [{ user: "app", password: "secret", plugin: "caching_sha2_password" }],
    });
    const view = await connectWithMysql2({ port: server.port, user: "app", password: "secret" });
    expect(Number(view.selectOne)).toBe(1);
    const [record] = await server.settled();
    expect(record?.credentialExposure).toBe("encrypted-password");
    // The fast-path scramble reply went out before full authentication, in plaintext.
    expect(record?.credentialsInPlaintext).toBe(true);
    const moreData = record!.packets.filter((p) => p.type === "AuthMoreData");
    expect(moreData[1]?.payloadHex).toMatch(/^01/);
    expect(Buffer.from(moreData[1]!.payloadHex!.slice(2), "hex").toString()).toContain(
      "-----BEGIN PUBLIC KEY-----",
    );
  });

  it("refuses a wrong password", async () => {
    await using server = await startMockServer({
      tls: false,
      defaultAuthPlugin: "caching_sha2_password",
      accounts: [{ user: "app", password: "secret", plugin: "caching_sha2_password" }],
    });
    await expect(
      connectWithMysql2({ port: server.port, user: "app", password: "nope" }),
    ).rejects.toMatchObject({
      errno: 1045,
    });
  });
});

describe("sha256_password", () => {
  it("receives the password in the clear inside TLS", async () => {
    await using server = await startMockServer({
      accounts: [{ user: "app", password: "secret", plugin: "sha256_password" }],
    });
    await connectWithMysql2({ port: server.port, user: "app", password: "secret", ssl: TLS });
    const [record] = await server.settled();
    expect(record?.authSwitchedTo).toBe("sha256_password");
    expect(record?.credentialExposure).toBe("cleartext-password");
    expect(record?.credentialsInPlaintext).toBe(false);
    expect(record?.outcome.kind).toBe("authenticated");
  });

  it("answers a public-key request over plaintext and decrypts the RSA-OAEP password", async () => {
    await using server = await startMockServer({
      tls: false,
      accounts: [{ user: "app", password: "secret", plugin: "sha256_password" }],
    });
    await connectWithMysql2({ port: server.port, user: "app", password: "secret" });
    const [record] = await server.settled();
    expect(record?.credentialExposure).toBe("encrypted-password");
    expect(record?.outcome.kind).toBe("authenticated");
  });

  it("refuses plaintext logins when the server has no RSA keys, as yaSSL builds do", async () => {
    await using server = await startMockServer({
      tls: false,
      rsaKeys: false,
      accounts: [{ user: "app", password: "secret", plugin: "sha256_password" }],
    });
    await expect(
      connectWithMysql2({ port: server.port, user: "app", password: "secret" }),
    ).rejects.toMatchObject({
      errno: 1045,
    });
    const [record] = await server.settled();
    expect(record?.outcome).toMatchObject({
      kind: "refused",
      reason: "Authentication requires either RSA keys or SSL encryption",
    });
  });
});

describe("a rogue switch to mysql_clear_password", () => {
  const rogue = {
    tls: false as const,
    accounts: [{ user: "app", password: "secret", plugin: "mysql_clear_password" }],
  };

  it("is refused by mysql2 unless the cleartext plugin is enabled, so no password crosses", async () => {
    await using server = await startMockServer(rogue);
    await expect(
      connectWithMysql2({ port: server.port, user: "app", password: "secret" }),
    ).rejects.toMatchObject({
      code: "MYSQL_CLEAR_PASSWORD_NOT_ENABLED",
    });
    const [record] = await server.settled();
    expect(record?.authSwitchedTo).toBe("mysql_clear_password");
    expect(record?.credentialExposure).toBe("scramble-reply");
  });

  it("gets the password in plaintext from a client that enabled it, and the record says so", async () => {
    await using server = await startMockServer(rogue);
    const connection = await mysql2.createConnection({
      host: "127.0.0.1",
      port: server.port,
      user: "app",
      password: "secret",
      authPlugins: { mysql_clear_password: () => () => Buffer.from("secret\0") },
    });
    await connection.end();
    const [record] = await server.settled();
    expect(record?.credentialExposure).toBe("cleartext-password");
    expect(record?.credentialsInPlaintext).toBe(true);
    expect(JSON.stringify(record)).not.toContain(Buffer.from("secret").toString("hex"));
  });

  it("gets the password in plaintext from the mariadb CLI, which follows the switch without opt-in", async () => {
    // Observed: Debian's mariadb 10.11 client (libmariadb) answers a server-initiated switch to
    // mysql_clear_password over plaintext with the password — unlike libmysqlclient, which needs
    // MYSQL_ENABLE_CLEARTEXT_PLUGIN (MySQL 5.7 manual 6.4.1.6 Client-Side Cleartext Pluggable Authentication). The record exists to catch exactly this.
    await using server = await startMockServer(rogue);
    const result = await runMariadbCli({
      port: server.port,
      user: "app",
      password: "secret",
      flags: ["--skip-ssl"],
    });
    expect(result.code).toBe(0);
    const [record] = await server.settled();
    expect(record?.credentialExposure).toBe("cleartext-password");
    expect(record?.credentialsInPlaintext).toBe(true);
  });
});
