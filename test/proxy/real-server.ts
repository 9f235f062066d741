import { type MariadbServer, sslFilesOf, startMariadbServer } from "../helpers/mariadb-server";

/** The account each proxy test logs in with through the proxy (mysql_native_password). */
export const ACCOUNT = { user: "app", password: "Proxy-pa55word" };

/** A second account, on MariaDB's ed25519 plugin (the server switches the client to client_ed25519). */
export const ED25519_ACCOUNT = { user: "app_ed", password: "Proxy-ed-pa55word" };

/**
 * Debian's mariadbd with TLS (the catalogue's `good` set), {@link ACCOUNT} and {@link ED25519_ACCOUNT}
 * (auth_ed25519 installed, as `INSTALL SONAME 'auth_ed25519'` does), started once for the
 * test file (beforeAll) and stopped after it: the real server behind the proxy.
 */
export function useRealMariadb(): { readonly port: number; readonly caFile: string } {
  let server: MariadbServer | undefined;
  let caFile = "";
  beforeAll(async () => {
    const ssl = await sslFilesOf("good");
    caFile = ssl.ca;
    server = await startMariadbServer({ ssl });
    const created = await server.admin(
      [
        `CREATE OR REPLACE USER '${ACCOUNT.user}'@'127.0.0.1' IDENTIFIED BY '${ACCOUNT.password}'`,
        "INSTALL SONAME 'auth_ed25519'",
        `CREATE OR REPLACE USER '${ED25519_ACCOUNT.user}'@'127.0.0.1' IDENTIFIED VIA ed25519 USING PASSWORD('${ED25519_ACCOUNT.password}')`,
      ].join("; "),
    );
    if (created.code !== 0) throw new Error(created.stderr);
  }, 120_000);
  afterAll(() => server?.stop());
  return {
    get port() {
      if (!server) throw new Error("the real server starts in beforeAll: read its port inside a test");
      return server.port;
    },
    get caFile() {
      return caFile;
    },
  };
}
