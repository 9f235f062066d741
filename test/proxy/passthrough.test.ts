import "../../src/testing/jest"; // the matchers, which take a proxy as they take a server
import * as mysql from "mysql2/promise";
import { getCertificateSet } from "../../src/certs";
import { startMockProxy } from "../../src/mock-proxy";
import { runMariadbCli } from "../helpers/mariadb-cli";
import { pemFile } from "../helpers/mariadb-cli";
import { ACCOUNT, useRealMariadb } from "./real-server";

/**
 * `passthrough`: the proxy between real clients and Debian's mariadbd copies every byte, TLS
 * included, so the client's TLS session is with the real server and a query gets the real
 * server's answer — and the proxy's record says what it could see.
 */

const real = useRealMariadb();

const upstream = () => ({ host: "127.0.0.1", port: real.port });

describe("the passthrough proxy in front of mariadbd", () => {
  it("relays a plaintext login: the real server answers, and the record shows the credentials crossing", async () => {
    await using proxy = await startMockProxy({ upstream: upstream() });
    const cli = await runMariadbCli({
      port: proxy.port,
      ...ACCOUNT,
      flags: ["--skip-ssl"],
      sql: "SELECT @@version, @@have_ssl",
    });
    expect({ code: cli.code, stderr: cli.stderr }).toEqual({ code: 0, stderr: "" });
    expect(cli.stdout).toMatch(/^@@version\t@@have_ssl\n10\.11\.\d+-MariaDB\S*\tYES\n$/);

    const [record] = await proxy.settled();
    expect(record).toMatchObject({
      greeting: { serverVersion: expect.stringMatching(/^5\.5\.5-10\.11/) as string, tlsOffered: true },
      sslRequest: false,
      user: ACCOUNT.user,
      clientAuthPlugin: "mysql_native_password",
      credentialsInPlaintext: true,
      credentialExposure: "scramble-reply",
      outcome: { kind: "authenticated", ended: "quit" },
      relay: { upstream: `127.0.0.1:${real.port}`, attack: "passthrough", dataInsideTls: false },
      verdict: { kind: "credentials-exposed" },
    });
    // The greeting offered TLS and the client logged in without it.
    expect(record!.verdict?.findings.map((finding) => finding.kind)).toContain("plaintext");
    expect(record!.commands).toContainEqual({ command: "COM_QUERY", query: "SELECT @@version, @@have_ssl" });
    expect(JSON.stringify(record)).not.toContain(ACCOUNT.password);
  });

  it("relays TLS untouched: VERIFY_IDENTITY with the real server's CA logs in, and the record has the ClientHello and the suite", async () => {
    await using proxy = await startMockProxy({ upstream: upstream() });
    const cli = await runMariadbCli({
      port: proxy.port,
      ...ACCOUNT,
      flags: [`--ssl-ca=${real.caFile}`, "--ssl-verify-server-cert"],
      sql: "SHOW STATUS LIKE 'Ssl_version'; SHOW STATUS LIKE 'Ssl_cipher'",
    });
    expect({ code: cli.code, stderr: cli.stderr }).toEqual({ code: 0, stderr: "" });
    const [, version] = /Ssl_version\t(\S+)/.exec(cli.stdout)!;
    const [, cipher] = /Ssl_cipher\t(\S+)/.exec(cli.stdout)!;

    const [record] = await proxy.settled();
    // What the real server says it negotiated is what the proxy read off the wire.
    expect(record!.tls).toMatchObject({ outcome: "negotiated", version, cipher });
    expect(proxy).toHaveNegotiatedTls(version);
    expect(proxy).not.toHaveExposedCredentials();
    expect(
      record!.tls?.outcome === "negotiated" && record!.tls.clientHello?.cipherSuites.length,
    ).toBeGreaterThan(0);
    expect(record).toMatchObject({
      sslRequest: true,
      user: null,
      credentialsInPlaintext: false,
      relay: { dataInsideTls: true },
      // After COM_QUIT (unreadable inside TLS) the client and the server each close: either may be first.
      outcome: { kind: "relayed", ended: expect.stringMatching(/^(client|server)-closed$/) },
      verdict: { kind: "tls" },
    });
  });

  it("relays TLS for mysql2 verifying the server, whose query gets the real server's answer", async () => {
    await using proxy = await startMockProxy({ upstream: upstream() });
    const connection = await mysql.createConnection({
      host: "127.0.0.1",
      port: proxy.port,
      ...ACCOUNT,
      ssl: { ca: (await getCertificateSet("good")).ca, rejectUnauthorized: true },
    });
    const [rows] = await connection.query("SELECT @@version AS version");
    await connection.end();
    expect((rows as Array<{ version: string }>)[0]!.version).toMatch(/MariaDB/);
    const [record] = await proxy.settled();
    expect(record).toMatchObject({
      sslRequest: true,
      tls: { outcome: "negotiated" },
      verdict: { kind: "tls" },
    });
  });

  it("records a client that refuses the real server's certificate as a refusal before credentials", async () => {
    await using proxy = await startMockProxy({ upstream: upstream() });
    // A CA that did not sign the server's certificate.
    const otherCa = pemFile((await getCertificateSet("mysql-auto")).ca, "other-ca.pem");
    const cli = await runMariadbCli({
      port: proxy.port,
      ...ACCOUNT,
      flags: [`--ssl-ca=${otherCa}`, "--ssl-verify-server-cert"],
    });
    expect(cli.code).not.toBe(0);
    const [record] = await proxy.settled();
    expect(record!.tls).toMatchObject({ outcome: "failed" });
    expect(record!.credentialsInPlaintext).toBe(false);
    expect(record!.relay?.dataInsideTls).toBe(false);
    expect(record!.verdict?.kind).toMatch(/^(tls-verified-refused|tls-failed)$/);
  });

  it("says so when the real server cannot be reached", async () => {
    await using proxy = await startMockProxy({ upstream: { host: "127.0.0.1", port: 1 } });
    const cli = await runMariadbCli({ port: proxy.port, ...ACCOUNT });
    expect(cli.code).not.toBe(0);
    const [record] = await proxy.settled();
    expect(record!.outcome).toMatchObject({ kind: "upstream-failed" });
    expect((record!.outcome as { message: string }).message).toMatch(/ECONNREFUSED/);
  });
});
