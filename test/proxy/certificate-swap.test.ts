import * as mysql from "mysql2/promise";
import { getCertificateSet } from "../../src/certs";
import { startMockProxy } from "../../src/mock-proxy";
import { runMariadbCli } from "../helpers/mariadb-cli";
import { ACCOUNT, useRealMariadb } from "./real-server";

/**
 * `cert:SET` in front of Debian's mariadbd with TLS: the proxy terminates the client's TLS with a
 * catalogue certificate and re-encrypts to the real server. A client that accepts the certificate
 * logs in through a man in the middle — its query is answered by the real server — and the record
 * says so; a client that verifies refuses before its credentials.
 */

const real = useRealMariadb();

const swap = (attack: `cert:${string}`) =>
  startMockProxy({ upstream: { host: "127.0.0.1", port: real.port }, attack: attack as "cert:good" });

describe("the certificate-swap attack in front of mariadbd", () => {
  it("the mariadb CLI with an advisory --ssl logs in through the man in the middle, who reads its login", async () => {
    await using proxy = await swap("cert:untrusted-root");
    const cli = await runMariadbCli({
      port: proxy.port,
      ...ACCOUNT,
      flags: ["--ssl"],
      sql: "SELECT @@version",
    });
    expect({ code: cli.code, stderr: cli.stderr }).toEqual({ code: 0, stderr: "" });
    expect(cli.stdout).toMatch(/^@@version\n10\.11\.\d+-MariaDB/);
    const [record] = await proxy.settled();
    expect(record).toMatchObject({
      sslRequest: true,
      tls: { outcome: "negotiated" },
      user: ACCOUNT.user,
      credentialsInPlaintext: false,
      credentialExposure: "scramble-reply",
      outcome: { kind: "authenticated", ended: "quit" },
      verdict: { kind: "accepted-bad-certificate", severity: "critical" },
    });
    expect(record!.serverCertificate?.flaws).toContain("untrusted-issuer");
    expect(record!.commands).toContainEqual({ command: "COM_QUERY", query: "SELECT @@version" });
    expect(JSON.stringify(record)).not.toContain(ACCOUNT.password);
  });

  it("the mariadb CLI verifying against the real CA refuses the swapped certificate before its credentials", async () => {
    await using proxy = await swap("cert:untrusted-root");
    const cli = await runMariadbCli({
      port: proxy.port,
      ...ACCOUNT,
      flags: [`--ssl-ca=${real.caFile}`, "--ssl-verify-server-cert"],
    });
    expect(cli.code).not.toBe(0);
    const [record] = await proxy.settled();
    expect(record).toMatchObject({ user: null, credentialsInPlaintext: false, credentialExposure: null });
    expect(record!.verdict?.kind).toMatch(/^tls-verified-refused$/);
  });

  it("mysql2 verifying the host name refuses a certificate for another host from the right CA", async () => {
    await using proxy = await swap("cert:wrong-host");
    await expect(
      mysql.createConnection({
        host: "127.0.0.1",
        port: proxy.port,
        ...ACCOUNT,
        // mysql2 checks the name only when told to (verifyIdentity); the chain is the good CA's.
        ssl: { ca: (await getCertificateSet("good")).ca, verifyIdentity: true },
      }),
    ).rejects.toThrow();
    const [record] = await proxy.settled();
    expect(record).toMatchObject({ user: null, verdict: { kind: "tls-verified-refused" } });
    expect(record!.serverCertificate?.flaws).toContain("host-mismatch");
  });

  it("mysql2 without verification logs in through it", async () => {
    await using proxy = await swap("cert:self-signed");
    const connection = await mysql.createConnection({
      host: "127.0.0.1",
      port: proxy.port,
      ...ACCOUNT,
      ssl: { rejectUnauthorized: false },
    });
    const [rows] = await connection.query("SELECT @@version AS version");
    await connection.end();
    expect((rows as Array<{ version: string }>)[0]!.version).toMatch(/MariaDB/);
    const [record] = await proxy.settled();
    expect(record).toMatchObject({ user: ACCOUNT.user, verdict: { kind: "accepted-bad-certificate" } });
  });
});
