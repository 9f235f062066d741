import { auditConnection, auditConnectionOfRecord, clientNameOf } from "../../src/audit/observe-outcome";
import type { ConnectionRecord } from "../../src/record/connection-record";
import { judgeRun } from "../../src/record/judgement";
import type { ClientOutcome, SslMode } from "../../src/scenarios/scenario-schema";
import { type MockServer, startMockServer } from "../../src/mock-server";
import { connectWithMysql } from "../helpers/drivers";
import { LoginClient } from "../helpers/login-client";
import { pemFile, runMariadbCli } from "../helpers/mariadb-cli";
import { runProcess } from "../helpers/processes";
import { runProbe } from "../helpers/probe-client";

/**
 * What the audit shows of one connection, from records the server made of real clients: the
 * mariadb CLI (libmariadb), PyMySQL, the mysqljs driver and a hand-rolled login.
 */

const ACCOUNT = { user: "app", password: "secret" };

let server: MockServer;
let caFile: string;
beforeAll(async () => {
  server = await startMockServer({ accounts: [ACCOUNT] });
  caFile = pemFile(server.ca!);
});
afterAll(() => server.stop());

/** Runs `client` and returns the one record the server made of it. */
async function recordOf(client: () => Promise<unknown>): Promise<ConnectionRecord> {
  const before = server.connections.length;
  await client();
  const record = await server.waitForConnection(before + 1);
  expect(server.connections).toHaveLength(before + 1);
  return record;
}

function mariadb(flags: string[]): () => Promise<unknown> {
  return () => runMariadbCli({ port: server.port, ...ACCOUNT, flags });
}

/** The record's connection judged as the audit judges a run in `mode`. */
function judged(record: ConnectionRecord, mode: SslMode, expected: ClientOutcome) {
  return judgeRun([record], mode, expected).connections[0]!;
}

/** What a command prints on stdout, trimmed: here, the version of a driver as installed. */
async function installedVersion(command: string, args: string[]): Promise<string> {
  const result = await runProcess(command, args, { timeoutMs: 20_000 });
  return result.stdout.trim();
}

describe("clientNameOf", () => {
  it("names the mariadb CLI as libmariadb and its version, from its connect attributes", async () => {
    const record = await recordOf(mariadb(["--ssl", `--ssl-ca=${caFile}`]));
    expect(record.connectAttributes?.["_client_name"]).toBe("libmariadb");
    expect(clientNameOf(record)).toBe(`libmariadb ${record.connectAttributes!["_client_version"]}`);
    expect(clientNameOf(record)).toMatch(/^libmariadb \d+\.\d+\.\d+$/);
  });

  it("names PyMySQL as pymysql and the version installed", async () => {
    const version = await installedVersion("/usr/bin/python3", [
      "-c",
      "import pymysql; print(pymysql.__version__)",
    ]);
    const record = await recordOf(() =>
      runProbe("pymysql", { port: server.port, ...ACCOUNT, mode: "VERIFY_CA", caFile }),
    );
    expect(clientNameOf(record)).toBe(`pymysql ${version}`);
  });

  it("gives the name alone when the client sends no version", async () => {
    // The test suite's raw login sends `_client_name` and nothing else.
    const record = await recordOf(async () => {
      const client = await LoginClient.connect(server.port);
      await client.readGreeting();
      await client.login(ACCOUNT.user, ACCOUNT.password);
      client.quit();
      await client.closed;
    });
    expect(record.connectAttributes).toEqual({ _client_name: "raw-client" });
    expect(clientNameOf(record)).toBe("raw-client");
  });

  it("is null for a driver that sends no connect attributes", async () => {
    const record = await recordOf(() => connectWithMysql({ port: server.port, ...ACCOUNT }));
    expect(record.user).toBe(ACCOUNT.user);
    expect(record.connectAttributes).toBeNull();
    expect(clientNameOf(record)).toBeNull();
  });

  it("is null for a client that refused before its handshake response, where the attributes travel", async () => {
    // No CA given: the CLI checks the mock's certificate against the system store and refuses it.
    const record = await recordOf(mariadb(["--ssl-verify-server-cert"]));
    expect(record.user).toBeNull();
    expect(clientNameOf(record)).toBeNull();
  });
});

describe("auditConnection", () => {
  it("shows a TLS login: the negotiated version and cipher, the versions offered, user, plugin and client", async () => {
    // The mock's auto-generated certificate names no host: VERIFY_CA does not check that, so the
    // finding is there but weighs nothing in this mode.
    const record = await recordOf(mariadb(["--ssl", `--ssl-ca=${caFile}`]));
    if (record.tls?.outcome !== "negotiated") throw new Error(`no TLS: ${JSON.stringify(record.tls)}`);
    expect(record.serverCertificate?.flaws).toEqual(["host-mismatch"]);
    const shown = auditConnection(judged(record, "VERIFY_CA", "tls"));
    expect(shown).toEqual({
      id: record.id,
      sslRequest: true,
      tls: `${record.tls.version} ${record.tls.cipher}`,
      offeredTlsVersions: expect.arrayContaining(["TLSv1.2"]),
      user: ACCOUNT.user,
      authPlugin: "mysql_native_password",
      credentialsInPlaintext: false,
      outcome: "authenticated",
      verdict: "accepted-bad-certificate",
      severity: "info",
      findings: [{ kind: "accepted-bad-certificate", severity: "info", evidence: "observed" }],
      summary: expect.any(String),
      clientName: clientNameOf(record),
    });
    expect(shown.tls).toMatch(/^TLSv1\.[23] \S+$/);
    expect(shown.clientName).toMatch(/^libmariadb /);
    // VERIFY_IDENTITY checks the host name: the same login sent a password to an unverified peer.
    expect(auditConnection(judged(record, "VERIFY_IDENTITY", "tls")).severity).toBe("critical");
  });

  it("carries the findings and severity weighed for the run's mode, not the record's own verdict", async () => {
    const record = await recordOf(mariadb(["--skip-ssl"]));
    const required = auditConnection(judged(record, "REQUIRED", "refuse-before-credentials"));
    expect(required).toMatchObject({
      sslRequest: false,
      tls: null,
      offeredTlsVersions: null,
      user: ACCOUNT.user,
      credentialsInPlaintext: true,
      severity: "critical",
    });
    expect(required.findings).toContainEqual({
      kind: "credentials-exposed",
      severity: "critical",
      evidence: "observed",
    });
    // The same connection is what DISABLED asks for.
    const disabled = auditConnection(judged(record, "DISABLED", "plaintext"));
    expect(disabled.severity).toBe("info");
    expect(disabled.findings.every((finding) => finding.severity === "info")).toBe(true);
    expect(disabled.findings.map((f) => f.kind)).toEqual(required.findings.map((f) => f.kind));
  });

  it("shows a certificate refused by hanging up after the handshake as an inferred finding", async () => {
    // libmariadb verifies once the handshake is done, then closes without an alert: the server
    // infers the refusal from the pattern, and the report must say so.
    const record = await recordOf(mariadb(["--ssl-verify-server-cert", `--ssl-ca=${caFile}`]));
    const shown = auditConnection(judged(record, "VERIFY_IDENTITY", "refuse-before-credentials"));
    expect(shown).toMatchObject({
      sslRequest: true,
      user: null,
      authPlugin: null,
      clientName: null,
      outcome: "client-went-away",
      verdict: "tls-verified-refused",
      severity: "info",
      findings: [{ kind: "tls-verified-refused", severity: "info", evidence: "inferred" }],
    });
    expect(shown.tls).toMatch(/^TLSv1\.2 /);
  });

  it("shows a failed handshake as `failed:` with its cause, and the versions the client offered", async () => {
    // The mock speaks TLS 1.2 at most unless told otherwise.
    const record = await recordOf(mariadb(["--ssl", "--tls-version=TLSv1.3"]));
    const shown = auditConnection(judged(record, "REQUIRED", "refuse-before-credentials"));
    if (record.tls?.outcome !== "failed") throw new Error(`TLS did not fail: ${JSON.stringify(record.tls)}`);
    const alert = record.tls.failure.alert ? ` (${record.tls.failure.alert})` : "";
    expect(shown.tls).toBe(`failed: ${record.tls.failure.cause}${alert}`);
    expect(shown.offeredTlsVersions).toEqual(["TLSv1.3"]);
    expect(shown).toMatchObject({ user: null, authPlugin: null, credentialsInPlaintext: false });
  });

  it("weighs a record outside any run as its own verdict does, for a client that meant to verify", async () => {
    const record = await recordOf(mariadb(["--skip-ssl"]));
    const shown = auditConnectionOfRecord(record);
    expect(shown.severity).toBe(judged(record, "VERIFY_IDENTITY", "tls").severity);
    expect(shown.findings).toEqual(judged(record, "VERIFY_IDENTITY", "tls").findings);
    expect(shown.severity).toBe("critical");
  });
});
