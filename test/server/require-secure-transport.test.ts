import { startMockServer } from "../../src/mock-server";
import { connectWithMysql2 } from "../helpers/drivers";
import { runMariadbCli } from "../helpers/mariadb-cli";

const ACCOUNT = { user: "app", password: "secret" };

describe("require_secure_transport=ON", () => {
  it("refuses a plaintext login with 3159 only after the password was checked", async () => {
    await using server = await startMockServer({ accounts: [ACCOUNT], requireSecureTransport: true });
    await expect(connectWithMysql2({ port: server.port, ...ACCOUNT })).rejects.toMatchObject({
      errno: 3159,
      sqlState: "HY000",
      message: "Connections using insecure transport are prohibited while --require_secure_transport=ON.",
    });
    const refused = await server.waitForConnection(1);
    // The scramble reply crossed in plaintext before the refusal: the record says so.
    expect(refused.credentialsInPlaintext).toBe(true);
    expect(refused.outcome).toMatchObject({ kind: "refused", code: 3159 });

    await expect(
      connectWithMysql2({ port: server.port, user: "app", password: "wrong" }),
    ).rejects.toMatchObject({
      errno: 1045,
    });
  });

  it("lets TLS clients in, and reports the variable", async () => {
    await using server = await startMockServer({ accounts: [ACCOUNT], requireSecureTransport: true });
    const result = await runMariadbCli({
      port: server.port,
      ...ACCOUNT,
      flags: ["--ssl"],
      sql: "SHOW VARIABLES LIKE 'require_secure_transport'",
    });
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/require_secure_transport\tON/);
  });
});
