import { type MockServer, startMockServer } from "../../src/mock-server";
import { type MariadbServer, sslFilesOf, startMariadbServer } from "../helpers/mariadb-server";
import { runOpensslStartTls } from "../helpers/openssl-client";
import { runProcess } from "../helpers/processes";

/**
 * The `mariadb-10.11-greeting` profile negotiates TLS as Debian 12's mariadbd 10.11.19 does: the
 * same `openssl s_client -starttls mysql` commands are run against both in the same run and must
 * end the same way — the protocol version and cipher chosen, or no handshake at all. Measured on
 * the real server: TLSv1.3 with TLS_AES_256_GCM_SHA384 by default, ECDHE-RSA-AES256-GCM-SHA384
 * for a TLSv1.2 client with OpenSSL's default list, the client's order honoured (no server
 * preference), TLSv1 and TLSv1.1 refused even from a client at security level 0 (tls_version is
 * TLSv1.2,TLSv1.3), and OpenSSL's DEFAULT list as the TLSv1.2 suites served.
 */

let real: MariadbServer;
let mock: MockServer;

beforeAll(async () => {
  // The same key and certificate on both: which RSA suites a server can serve depends on its key.
  real = await startMariadbServer({
    ssl: await sslFilesOf("good"),
  });
  mock = await startMockServer({ scenario: "mariadb-10.11-greeting" });
}, 180_000);

afterAll(async () => {
  await mock?.stop();
  await real?.stop();
}, 60_000);

/** What a handshake ended with, as s_client reports it: "TLSv1.3 TLS_AES_256_GCM_SHA384", or "none". */
async function negotiated(port: number, args: string[]): Promise<string> {
  // -brief: "CONNECTION ESTABLISHED", "Protocol version: …", "Ciphersuite: …" once a handshake completed.
  const result = await runOpensslStartTls(port, ["-brief", ...args]);
  const output = result.stdout + result.stderr;
  const protocol = /^Protocol version: (\S+)$/m.exec(output)?.[1];
  const cipher = /^Ciphersuite: (\S+)$/m.exec(output)?.[1];
  if (result.code !== 0 || !output.includes("CONNECTION ESTABLISHED")) return "none";
  if (protocol === undefined || cipher === undefined)
    throw new Error(`no session summary from s_client:\n${output}`);
  return `${protocol} ${cipher}`;
}

/** Both servers' answers to the same client command. */
async function both(args: string[]): Promise<{ real: string; mock: string }> {
  return { real: await negotiated(real.port, args), mock: await negotiated(mock.port, args) };
}

/** The TLSv1.2 suites OpenSSL knows for an RSA certificate, lowest security level so none is left out client-side. */
async function rsaTls12Suites(): Promise<string[]> {
  const listed = await runProcess("openssl", ["ciphers", "-s", "-tls1_2", "aRSA:@SECLEVEL=0"]);
  return listed.stdout
    .trim()
    .split(":")
    .filter((name) => !name.startsWith("TLS_"));
}

describe("TLS of the MariaDB 10.11 profile beside Debian 12's mariadbd 10.11.19", () => {
  it.each([
    ["a client with OpenSSL's defaults", [], "TLSv1.3 TLS_AES_256_GCM_SHA384"],
    ["a TLSv1.2 client with OpenSSL's default list", ["-tls1_2"], "TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384"],
    ["a TLSv1.3 client", ["-tls1_3"], "TLSv1.3 TLS_AES_256_GCM_SHA384"],
  ])("negotiates the same version and cipher with %s", async (_client, args, expected) => {
    expect(await both(args)).toEqual({ real: expected, mock: expected });
  });

  it.each([
    ["TLSv1.1", ["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"]],
    ["TLSv1", ["-tls1", "-cipher", "DEFAULT@SECLEVEL=0"]],
    [
      "TLSv1.3 with only CCM suites",
      ["-tls1_3", "-ciphersuites", "TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256"],
    ],
  ])("refuses %s, as the real server does", async (_what, args) => {
    expect(await both(args)).toEqual({ real: "none", mock: "none" });
  });

  it.each([
    ["TLSv1.2", ["-tls1_2", "-cipher", "AES128-SHA:ECDHE-RSA-AES256-GCM-SHA384"], "TLSv1.2 AES128-SHA"],
    [
      "TLSv1.3",
      ["-tls1_3", "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384"],
      "TLSv1.3 TLS_CHACHA20_POLY1305_SHA256",
    ],
  ])("follows the client's order in %s (no server preference)", async (_version, args, expected) => {
    expect(await both(args)).toEqual({ real: expected, mock: expected });
  });

  it("serves the same TLSv1.2 suites: each RSA suite offered alone is accepted by both or by neither", async () => {
    const suites = await rsaTls12Suites();
    expect(suites.length).toBeGreaterThan(20);
    const accepted = { real: [] as string[], mock: [] as string[] };
    for (const suite of suites) {
      const answers = await both(["-tls1_2", "-cipher", `${suite}@SECLEVEL=0`]);
      if (answers.real !== "none") accepted.real.push(suite);
      if (answers.mock !== "none") accepted.mock.push(suite);
    }
    expect(accepted.mock).toEqual(accepted.real);
    // OpenSSL's DEFAULT: no CBC-SHA1 without forward secrecy left out, but no CAMELLIA, ARIA, or 3DES.
    expect(accepted.real).toContain("AES128-SHA");
    expect(accepted.real).not.toContain("DES-CBC3-SHA");
    expect(accepted.real.some((suite) => /CAMELLIA|ARIA/.test(suite))).toBe(false);
  }, 120_000);
});
