import * as mysql from "mysql2/promise";
import { getCertificateSet } from "../../src/certs";
import { startMockProxy } from "../../src/mock-proxy";
import { runMariadbCli } from "../helpers/mariadb-cli";
import { ACCOUNT, useRealMariadb } from "./real-server";

/**
 * `riddle` (CVE-2017-3305) in front of Debian's mariadbd: the client's SSLRequest is answered with
 * the real server's own ERR, in plaintext. A correct client shows the error and stops without
 * sending its credentials.
 */

const real = useRealMariadb();

const riddle = () => startMockProxy({ upstream: { host: "127.0.0.1", port: real.port }, attack: "riddle" });

describe("the riddle attack in front of mariadbd", () => {
  it("the mariadb CLI, reading TLS where the ERR came, stops with a TLS error and sends no credentials", async () => {
    await using proxy = await riddle();
    const cli = await runMariadbCli({ port: proxy.port, ...ACCOUNT, flags: ["--ssl"] });
    expect(cli.code).not.toBe(0);
    // Connector/C starts TLS right after its SSLRequest, without reading an answer: the ERR's
    // bytes are no TLS record to it.
    expect(cli.stderr).toMatch(/^ERROR 2026 \(HY000\): TLS\/SSL error: wrong version number/);
    const [record] = await proxy.settled();
    expect(record).toMatchObject({
      sslRequest: true,
      tls: null,
      user: null,
      credentialsInPlaintext: false,
      outcome: { kind: "refused", code: 1045 },
      relay: { attack: "riddle" },
    });
  });

  it("mysql2 fails on the plaintext error, sending no credentials", async () => {
    await using proxy = await riddle();
    await expect(
      mysql.createConnection({
        host: "127.0.0.1",
        port: proxy.port,
        ...ACCOUNT,
        ssl: { ca: (await getCertificateSet("good")).ca, rejectUnauthorized: true },
      }),
    ).rejects.toThrow();
    const [record] = await proxy.settled();
    expect(record).toMatchObject({ sslRequest: true, credentialsInPlaintext: false, user: null });
  });

  it("relays a client that asks for no TLS as it is", async () => {
    await using proxy = await riddle();
    const cli = await runMariadbCli({ port: proxy.port, ...ACCOUNT, flags: ["--skip-ssl"], sql: "SELECT 7" });
    expect(cli.stdout).toBe("7\n7\n");
    const [record] = await proxy.settled();
    expect(record).toMatchObject({
      sslRequest: false,
      user: ACCOUNT.user,
      outcome: { kind: "authenticated" },
    });
  });
});
