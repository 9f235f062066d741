import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getCertificateSet } from "../../src/certs";
import { pemFile, runMariadbCli } from "../helpers/mariadb-cli";
import { type MariadbServer, startMariadbServer } from "../helpers/mariadb-server";
import { runOpensslStartTls } from "../helpers/openssl-client";
import { type ProcessResult, runProcess } from "../helpers/processes";
import { pemBlocks } from "./openssl-cli";

/**
 * `mysql-tls-mock certs write mysql-ssl-rsa-setup` writes files MySQL tooling accepts: a real MariaDB server
 * (Debian's mariadb-server 10.11) started with --ssl-ca/--ssl-cert/--ssl-key pointing at them serves TLS with
 * exactly those files, verifies client certificates against that ca.pem, and logs no SSL error.
 */

const CLI = join(__dirname, "..", "..", "bin", "mysql-tls-mock.js");
const SERVER_CN = "MySQL_Server_5.7.41_Auto_Generated_Server_Certificate";
const CLIENT_SUBJECT = "/CN=MySQL_Server_5.7.41_Auto_Generated_Client_Certificate";
const CA_SUBJECT = "/CN=MySQL_Server_5.7.41_Auto_Generated_CA_Certificate";
const TLS_ACCOUNT = { user: "tls", password: "tls-secret" };
const X509_ACCOUNT = { user: "x509", password: "x509-secret" };

let work: string;
let certs: string;
let cli: ProcessResult;
let server: MariadbServer;
const file = (name: string) => join(certs, name);

/** The PEM certificates in `openssl s_client -showcerts` output, leaf first. */
function presentedCertificates(output: string): X509Certificate[] {
  return pemBlocks(output).map((pem) => new X509Certificate(pem));
}

/** `SHOW …` output of the mariadb CLI in batch mode as name → value. */
function rows(stdout: string): Record<string, string> {
  const entries = stdout
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => line.split("\t") as [string, string?]);
  return Object.fromEntries(entries.map(([name, value]) => [name, value ?? ""]));
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "mysql-tls-mock-mariadb-server-"));
  certs = join(work, "certs");
  // As a user would run it (with the shared certificate cache: what is checked is the files it writes).
  cli = await runProcess(process.execPath, [CLI, "certs", "write", "mysql-ssl-rsa-setup", "--out", certs], {
    timeoutMs: 60_000,
  });
  if (cli.code !== 0) throw new Error(`certs write failed (${cli.code}):\n${cli.stdout}${cli.stderr}`);

  server = await startMariadbServer({
    ssl: { ca: file("ca.pem"), cert: file("server-cert.pem"), key: file("server-key.pem") },
  });
  const setup = await server.admin(
    [
      `CREATE USER '${TLS_ACCOUNT.user}'@'127.0.0.1' IDENTIFIED BY '${TLS_ACCOUNT.password}' REQUIRE SSL`,
      `CREATE USER '${X509_ACCOUNT.user}'@'127.0.0.1' IDENTIFIED BY '${X509_ACCOUNT.password}'` +
        ` REQUIRE SUBJECT '${CLIENT_SUBJECT}' AND ISSUER '${CA_SUBJECT}'`,
    ].join("; "),
  );
  if (setup.code !== 0) throw new Error(`account setup failed: ${setup.stderr}`);
}, 180_000);

afterAll(async () => {
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
}, 60_000);

describe("certs write mysql-ssl-rsa-setup, served by a real mariadbd", () => {
  it("writes mysql_ssl_rsa_setup's files, private keys mode 0600", async () => {
    expect(cli.stdout).toContain("mysql-ssl-rsa-setup:");
    for (const name of ["ca-key.pem", "server-key.pem", "client-key.pem", "private_key.pem"]) {
      expect({ name, mode: (await stat(file(name))).mode & 0o777 }).toEqual({ name, mode: 0o600 });
      expect(cli.stdout).toContain(file(name));
    }
    for (const name of ["ca.pem", "server-cert.pem", "client-cert.pem", "public_key.pem"]) {
      expect({ name, mode: (await stat(file(name))).mode & 0o777 }).toEqual({ name, mode: 0o644 });
    }
  });

  it("starts with TLS on, configured from our paths, and serves TLS to an account that requires it", async () => {
    const variables = await runMariadbCli({
      port: server.port,
      ...TLS_ACCOUNT,
      flags: ["--ssl", `--ssl-ca=${file("ca.pem")}`],
      sql: "SHOW VARIABLES LIKE 'ssl_%'; SHOW VARIABLES LIKE 'have_ssl'",
    });
    expect(variables.stderr).toBe("");
    expect(rows(variables.stdout)).toMatchObject({
      ssl_ca: file("ca.pem"),
      ssl_cert: file("server-cert.pem"),
      ssl_key: file("server-key.pem"),
      have_ssl: "YES",
    });

    const status = await runMariadbCli({
      port: server.port,
      ...TLS_ACCOUNT,
      flags: ["--ssl", `--ssl-ca=${file("ca.pem")}`],
      sql: "SHOW STATUS LIKE 'Ssl_version'; SHOW STATUS LIKE 'Ssl_cipher'; SHOW STATUS LIKE 'Ssl_server_not_%'",
    });
    expect(status.stderr).toBe("");
    const values = rows(status.stdout);
    expect(values.Ssl_version).toMatch(/^TLSv1\.[23]$/);
    expect(values.Ssl_cipher).not.toBe("");
    // The validity the server reports is the one of our server-cert.pem (both in ASN1_TIME_print's format).
    const served = new X509Certificate(await readFile(file("server-cert.pem")));
    expect(values.Ssl_server_not_before).toBe(served.validFrom);
    expect(values.Ssl_server_not_after).toBe(served.validTo);

    // The account REQUIREs SSL: the same login without TLS is refused.
    const plaintext = await runMariadbCli({ port: server.port, ...TLS_ACCOUNT, flags: ["--skip-ssl"] });
    expect(plaintext.code).not.toBe(0);
    expect(plaintext.stderr).toContain("ERROR 1045 (28000): Access denied for user 'tls'@'127.0.0.1'");
  });

  it("presents exactly server-cert.pem (and ca.pem as its chain)", async () => {
    const result = await runOpensslStartTls(server.port, ["-showcerts"]);
    expect(result.code).toBe(0);
    const presented = presentedCertificates(result.stdout);
    const leaf = new X509Certificate(await readFile(file("server-cert.pem")));
    const ca = new X509Certificate(await readFile(file("ca.pem")));
    expect(presented.map((c) => c.fingerprint256)).toEqual([leaf.fingerprint256, ca.fingerprint256]);
    expect(presented[0]?.raw.equals(leaf.raw)).toBe(true);
    expect(presented[0]?.subject).toBe(`CN=${SERVER_CN}`);
  });

  it("verifies against ca.pem as a chain: openssl and the mariadb CLI with --ssl-ca accept it", async () => {
    const chain = await runOpensslStartTls(server.port, ["-CAfile", file("ca.pem"), "-verify_return_error"]);
    expect(chain.code).toBe(0);
    expect(chain.stdout).toContain("Verify return code: 0 (ok)");

    const client = await runMariadbCli({
      port: server.port,
      ...TLS_ACCOUNT,
      flags: ["--ssl", `--ssl-ca=${file("ca.pem")}`],
      sql: "SHOW STATUS LIKE 'Ssl_version'",
    });
    expect(client.stderr).toBe("");
    expect(client.code).toBe(0);
  });

  it("fails chain verification against another CA: --ssl-ca without --ssl-verify-server-cert really checks", async () => {
    // An unrelated CA (the catalogue's good set's): a client that checks the chain must refuse the server.
    const otherCa = pemFile((await getCertificateSet("good")).ca);
    const client = await runMariadbCli({
      port: server.port,
      ...TLS_ACCOUNT,
      flags: ["--ssl", `--ssl-ca=${otherCa}`],
    });
    expect(client.code).not.toBe(0);
    expect(client.stderr).toContain(
      "ERROR 2026 (HY000): TLS/SSL error: self-signed certificate in certificate chain",
    );
  });

  it("fails host-name verification, and only that: the certificate names no host", async () => {
    for (const host of ["127.0.0.1", "localhost"]) {
      const client = await runMariadbCli({
        host,
        port: server.port,
        ...TLS_ACCOUNT,
        flags: ["--ssl-verify-server-cert", `--ssl-ca=${file("ca.pem")}`],
      });
      expect({ host, code: client.code }).toEqual({ host, code: 1 });
      // Connector/C's host-name step (ma_tls_verify_server_cert); a chain failure reads as in the test above.
      expect(client.stderr).toContain(
        "ERROR 2026 (HY000): TLS/SSL error: Validation of SSL server certificate failed",
      );
    }

    const verify = (...args: string[]) =>
      runOpensslStartTls(server.port, ["-CAfile", file("ca.pem"), "-verify_return_error", ...args]);
    const ip = await verify("-verify_ip", "127.0.0.1");
    expect(ip.code).not.toBe(0);
    expect(ip.stdout).toContain("Verify return code: 64 (IP address mismatch)");
    const name = await verify("-verify_hostname", "localhost");
    expect(name.code).not.toBe(0);
    expect(name.stdout).toContain("Verify return code: 62 (hostname mismatch)");
    // The only identity in it is the CN (no SAN): that name verifies.
    const cn = await verify("-verify_hostname", SERVER_CN);
    expect(cn.code).toBe(0);
    expect(cn.stdout).toContain("Verify return code: 0 (ok)");
  });

  it("accepts client-cert.pem/client-key.pem: mariadbd verifies them against ca.pem for REQUIRE SUBJECT/ISSUER", async () => {
    const withCert = await runMariadbCli({
      port: server.port,
      ...X509_ACCOUNT,
      flags: [
        `--ssl-ca=${file("ca.pem")}`,
        `--ssl-cert=${file("client-cert.pem")}`,
        `--ssl-key=${file("client-key.pem")}`,
      ],
      sql: "SELECT CURRENT_USER()",
    });
    expect(withCert.stderr).toBe("");
    expect(withCert.stdout).toContain("x509@127.0.0.1");

    const withoutCert = await runMariadbCli({
      port: server.port,
      ...X509_ACCOUNT,
      flags: ["--ssl", `--ssl-ca=${file("ca.pem")}`],
    });
    expect(withoutCert.code).not.toBe(0);
    expect(withoutCert.stderr).toContain("ERROR 1045 (28000): Access denied for user 'x509'@'127.0.0.1'");
  });

  it("logged no SSL error", async () => {
    const log = await server.readErrorLog();
    expect(log).toContain("ready for connections");
    expect(log).not.toMatch(/SSL error|Failed to setup SSL|\[ERROR\]/i);
  });
});
