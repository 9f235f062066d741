import { X509Certificate } from "node:crypto";
import * as mysql2 from "mysql2/promise";
import { mariadbCliSslFlags } from "../../src/audit/client-presets";
import { type CertificateSet, type CertificateSetName, listCertificateSets } from "../../src/certs";
import type { ConnectionRecord } from "../../src/record/connection-record";
import { factsOf } from "../../src/record/facts";
import { flawsCheckedBy, type SslMode } from "../../src/record/findings";
import { judgeRun } from "../../src/record/judgement";
import { type MockServer, startMockServer } from "../../src/mock-server";
import { pemFile, runMariadbCli } from "../helpers/mariadb-cli";
import { runOpensslStartTls } from "../helpers/openssl-client";
import { type ProbeClient, runProbe } from "../helpers/probe-client";
import { runPromiseDriver } from "../helpers/ssl-modes";
import {
  CHAIN_ALERT_OF_CLIENT,
  type ChainFailure,
  type Client,
  CLIENT_CHECK_MODES,
  type ClientCertificateDeviation,
  CLIENTS,
  type Deviation,
  deviationFor,
  EXPECTATIONS,
  HOST_MISMATCH_ALERT,
  type ModeExpectation,
  REFUSAL_STAGE,
  type ServerCheckMode,
  type Verdict,
} from "./certificate-expectations";

/**
 * Every certificate-catalogue set against real clients over real TLS handshakes: each client accepts or refuses as
 * its verification mode should (certificate-expectations.ts says which, and why), and when it refuses, the server's
 * record shows how — an alert inside the handshake, or a close right after it — and that no credentials were sent.
 *
 * One server per set; each set's cases run one after another so the nth connection is the nth case's, while sets
 * run side by side. All clients run in `beforeAll`; each case is then a named test over what was observed.
 */

const ACCOUNT = { user: "app", password: "secret" };
/** Sets driven at once. Client-certificate sets go first: the server lingers ~2 s on each connection it drops. */
const SETS_AT_ONCE = 4;

type Mode = ServerCheckMode | "client-certificate";

interface ServerCase {
  kind: "server";
  title: string;
  set: CertificateSetName;
  client: Client;
  mode: ServerCheckMode;
  expectation: ModeExpectation;
  deviation: Deviation | undefined;
  observed: Verdict;
  chainFailure: ChainFailure | undefined;
}

interface ClientCertificateCase {
  kind: "client-certificate";
  title: string;
  set: CertificateSetName;
  client: Client;
  mode: "client-certificate";
  expected: "let-in" | "dropped";
  deviation: ClientCertificateDeviation | undefined;
}

type Case = ServerCase | ClientCertificateCase;

/** What the client itself reported. */
interface ClientView {
  /** Logged in and ran SELECT 1 (for `s_client`: finished a handshake whose verification passed). */
  connected: boolean;
  /** stderr, the error message, or the verify lines: what the client said. */
  says: string;
  exitCode?: number | null;
  errorCode?: string;
}

interface Observation {
  view: ClientView;
  /** How many connections the server saw during the case. */
  connections: number;
  record: ConnectionRecord | null;
}

const CLIENT_LABEL: Record<Client, string> = {
  "mariadb-cli": "mariadb CLI",
  mysql2: "mysql2",
  openssl: "openssl s_client",
  pymysql: "PyMySQL",
  "php-mysqli": "PHP mysqli",
  "go-sql-driver": "go-sql-driver",
};

const MODE_LABEL: Record<Client, Record<Mode, string>> = {
  "mariadb-cli": {
    "verify-ca": "--ssl --ssl-ca",
    "verify-identity-ip": "--ssl-verify-server-cert to 127.0.0.1",
    "verify-identity-name": "--ssl-verify-server-cert to localhost",
    "client-certificate": "--ssl-cert",
  },
  mysql2: {
    "verify-ca": "{ ca, rejectUnauthorized }",
    "verify-identity-ip": "verifyIdentity to 127.0.0.1",
    "verify-identity-name": "verifyIdentity to localhost",
    "client-certificate": "ssl.cert",
  },
  openssl: {
    "verify-ca": "-verify_return_error -CAfile",
    "verify-identity-ip": "-verify_ip 127.0.0.1",
    "verify-identity-name": "-verify_hostname localhost",
    "client-certificate": "-cert",
  },
  pymysql: {
    "verify-ca": "ssl_ca, ssl_verify_cert",
    "verify-identity-ip": "ssl_verify_identity to 127.0.0.1",
    "verify-identity-name": "ssl_verify_identity to localhost",
    "client-certificate": "ssl_cert",
  },
  "php-mysqli": {
    "verify-ca": "(not expressible)",
    "verify-identity-ip": "MYSQLI_OPT_SSL_VERIFY_SERVER_CERT to 127.0.0.1",
    "verify-identity-name": "(not expressible)",
    "client-certificate": "ssl_set(key, cert, ca) with MYSQLI_OPT_SSL_VERIFY_SERVER_CERT",
  },
  "go-sql-driver": {
    "verify-ca": "VerifyPeerCertificate (chain only)",
    "verify-identity-ip": "RootCAs, ServerName 127.0.0.1",
    "verify-identity-name": "RootCAs, ServerName localhost",
    "client-certificate": "tls.Config Certificates",
  },
};

/**
 * The ssl-mode a probe presents its client certificate in: VERIFY_CA, or VERIFY_IDENTITY (to 127.0.0.1) where the
 * client has no VERIFY_CA (mysqli).
 */
function probeSslMode(client: ProbeClient, mode: Mode): "VERIFY_CA" | "VERIFY_IDENTITY" {
  if (mode === "verify-ca") return "VERIFY_CA";
  if (mode === "client-certificate") {
    return CLIENT_CHECK_MODES[client].includes("verify-ca") ? "VERIFY_CA" : "VERIFY_IDENTITY";
  }
  return "VERIFY_IDENTITY";
}

/** The alert an OpenSSL client sends when `check` fails for this case. */
function alertOf(c: ServerCase, check: "chain" | "host"): string {
  if (check === "host") return HOST_MISMATCH_ALERT;
  const clientAlert = CHAIN_ALERT_OF_CLIENT[c.client];
  if (clientAlert) return clientAlert;
  if (!c.chainFailure) throw new Error(`${c.set}: a chain rejection needs chainFailure in the table`);
  return c.chainFailure.alert;
}

function refusalCheck(c: ServerCase): "chain" | "host" {
  if (c.expectation.expected === "reject") return c.expectation.check;
  if (c.deviation?.check) return c.deviation.check;
  throw new Error(`${c.set}: a deviation observed as reject needs its own check in the table`);
}

function buildCases(): Case[] {
  const cases: Case[] = [];
  for (const { name: set } of listCertificateSets()) {
    const expectation = EXPECTATIONS[set];
    const server = expectation.serverCertificate;
    if (server) {
      for (const client of CLIENTS) {
        for (const mode of CLIENT_CHECK_MODES[client]) {
          const modeExpectation = server.modes[mode];
          const deviation = deviationFor(set, client, mode);
          const c: ServerCase = {
            kind: "server",
            title: "",
            set,
            client,
            mode,
            expectation: modeExpectation,
            deviation,
            observed: deviation?.observed ?? modeExpectation.expected,
            chainFailure: server.chainFailure,
          };
          let title = `${CLIENT_LABEL[client]} with ${MODE_LABEL[client][mode]} `;
          if (c.observed === "accept") {
            title += `accepts ${set}`;
          } else {
            const check = refusalCheck(c);
            title +=
              REFUSAL_STAGE[client][check] === "alert"
                ? `rejects ${set} with alert ${alertOf(c, check)}`
                : `rejects ${set} after the handshake, without an alert`;
          }
          if (deviation) title += ` (known deviation: a correct client would ${modeExpectation.expected})`;
          c.title = title;
          cases.push(c);
        }
      }
    }
    const clientCertificate = expectation.clientCertificate;
    if (clientCertificate) {
      for (const client of CLIENTS) {
        const verb = clientCertificate.expected === "let-in" ? "is let in" : "is dropped";
        const deviation = clientCertificate.deviations?.find((d) => d.client === client);
        const how = MODE_LABEL[client]["client-certificate"];
        cases.push({
          kind: "client-certificate",
          title: deviation
            ? `${CLIENT_LABEL[client]} given ${set}'s client certificate (${how}) sends none and logs in on its password (known deviation: a correct client presents it and ${verb})`
            : `${CLIENT_LABEL[client]} presenting ${set}'s client certificate (${how}) ${verb} by the server, which records clientCertificateVerified ${clientCertificate.expected === "let-in"}`,
          set,
          client,
          mode: "client-certificate",
          expected: clientCertificate.expected,
          deviation,
        });
      }
    }
  }
  return cases;
}

const CASES = buildCases();

// ---- the clients ------------------------------------------------------------------------------

interface SetFiles {
  ca: string;
  clientCert?: string;
  clientKey?: string;
}

function writeSetFiles(set: CertificateSet): SetFiles {
  return {
    ca: pemFile(set.ca),
    ...(set.client
      ? {
          clientCert: pemFile(set.client.cert, "client-cert.pem"),
          clientKey: pemFile(set.client.key, "client-key.pem"),
        }
      : {}),
  };
}

function hostFor(mode: Mode): string {
  return mode === "verify-identity-name" ? "localhost" : "127.0.0.1";
}

async function runCli(port: number, files: SetFiles, mode: Mode): Promise<ClientView> {
  const sslMode = mode === "verify-ca" || mode === "client-certificate" ? "VERIFY_CA" : "VERIFY_IDENTITY";
  const flags = mariadbCliSslFlags(sslMode, files.ca);
  if (mode === "client-certificate")
    flags.push(`--ssl-cert=${files.clientCert}`, `--ssl-key=${files.clientKey}`);
  const result = await runMariadbCli({ port, host: hostFor(mode), ...ACCOUNT, flags, sql: "SELECT 1" });
  return {
    connected: result.code === 0 && result.stdout === "1\n1\n",
    says: (result.stderr || result.stdout).trim(),
    exitCode: result.code,
  };
}

async function runMysql2(
  port: number,
  set: CertificateSet,
  files: SetFiles,
  mode: Mode,
): Promise<ClientView> {
  // A fresh ssl object per connection: mysql2 keys its TLS session cache on it, so nothing is resumed.
  const ssl: Record<string, unknown> = { ca: set.ca, rejectUnauthorized: true };
  if (mode === "verify-identity-ip" || mode === "verify-identity-name") ssl.verifyIdentity = true;
  if (mode === "client-certificate") {
    ssl.cert = set.client!.cert;
    ssl.key = set.client!.key;
  }
  const target = { port, host: hostFor(mode), ...ACCOUNT, ca: set.ca, caFile: files.ca };
  const result = await runPromiseDriver(mysql2.createConnection, target, ssl);
  return {
    connected: result.queried,
    says: result.error ?? "",
    ...(result.errorCode ? { errorCode: result.errorCode } : {}),
  };
}

async function runOpenssl(port: number, files: SetFiles, mode: Mode): Promise<ClientView> {
  const args = ["-verify_return_error", "-CAfile", files.ca];
  if (mode === "verify-identity-ip") args.push("-verify_ip", "127.0.0.1");
  if (mode === "verify-identity-name") args.push("-verify_hostname", "localhost");
  if (mode === "client-certificate") args.push("-cert", files.clientCert!, "-key", files.clientKey!);
  const result = await runOpensslStartTls(port, args);
  const verifyLines = `${result.stderr}\n${result.stdout}`
    .split("\n")
    .filter((line) => /verify error|Verify return code/.test(line));
  return {
    connected: result.code === 0 && /Verify return code: 0 \(ok\)/.test(result.stdout),
    says: verifyLines.join("\n"),
    exitCode: result.code,
  };
}

async function runProbeClient(
  client: ProbeClient,
  port: number,
  files: SetFiles,
  mode: Mode,
): Promise<ClientView> {
  const result = await runProbe(client, {
    host: hostFor(mode),
    port,
    ...ACCOUNT,
    mode: probeSslMode(client, mode),
    caFile: files.ca,
    ...(mode === "client-certificate" ? { certFile: files.clientCert!, keyFile: files.clientKey! } : {}),
  });
  return {
    connected: result.queried,
    says: result.error ?? "",
    exitCode: result.exitCode,
    ...(result.errorCode ? { errorCode: result.errorCode } : {}),
  };
}

async function observe(
  server: MockServer,
  set: CertificateSet,
  files: SetFiles,
  c: Case,
): Promise<Observation> {
  const before = server.connections.length;
  const view =
    c.client === "mariadb-cli"
      ? await runCli(server.port, files, c.mode)
      : c.client === "mysql2"
        ? await runMysql2(server.port, set, files, c.mode)
        : c.client === "openssl"
          ? await runOpenssl(server.port, files, c.mode)
          : await runProbeClient(c.client, server.port, files, c.mode);
  // The client has finished, and any connection it made reached the server's accept.
  const connections = server.connections.length - before;
  const record = connections > 0 ? await server.waitForConnection(before + 1) : null;
  return { view, connections, record };
}

async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

// ---- running them ---------------------------------------------------------------------------

const observations = new Map<Case, Observation>();
/** The set each server served, as the server itself resolved it. */
const served = new Map<CertificateSetName, CertificateSet>();
const servers: MockServer[] = [];

beforeAll(async () => {
  const bySet = new Map<CertificateSetName, Case[]>();
  for (const c of CASES) bySet.set(c.set, [...(bySet.get(c.set) ?? []), c]);
  const order = [...bySet.keys()].sort(
    (a, b) =>
      Number(EXPECTATIONS[b].clientCertificate?.expected === "dropped") -
      Number(EXPECTATIONS[a].clientCertificate?.expected === "dropped"),
  );
  await inParallel(order, SETS_AT_ONCE, async (name) => {
    const server = await startMockServer({ tls: { certificates: name }, accounts: [ACCOUNT] });
    servers.push(server);
    const set = server.tls?.certificateSet;
    if (!set) throw new Error(`${name}: the server serves no catalogue set`);
    served.set(name, set);
    const files = writeSetFiles(set);
    for (const c of bySet.get(name)!) observations.set(c, await observe(server, set, files, c));
  });
}, 120_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
});

function observed(c: Case): Observation & { record: ConnectionRecord } {
  const observation = observations.get(c);
  if (!observation) throw new Error(`no observation for ${c.title}`);
  expect(observation.connections).toBe(1);
  return observation as Observation & { record: ConnectionRecord };
}

// ---- what each observation must show ------------------------------------------------------------

/** The client logged in and ran SELECT 1 (`s_client`: verified and closed before any MySQL packet). */
function expectConnected(client: Client, view: ClientView, record: ConnectionRecord): void {
  expect(view).toMatchObject({ connected: true });
  expect(record.sslRequest).toBe(true);
  expect(record.tls).toMatchObject({ outcome: "negotiated" });
  expect(record.credentialsInPlaintext).toBe(false);
  if (client === "openssl") {
    expect(record.user).toBeNull();
    expect(record.outcome).toMatchObject({ kind: "client-went-away", phase: "tls-handshake-response" });
  } else {
    expect(record.user).toBe(ACCOUNT.user);
    expect(record.outcome).toMatchObject({ kind: "authenticated" });
    expect(record.commands.map((command) => command.query)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^SELECT 1\b/)]),
    );
  }
}

/** What the client says when it refuses: the OpenSSL/Node verify error, or its host-name failure. */
function expectClientRefusal(c: ServerCase, view: ClientView, check: "chain" | "host"): void {
  expect(view.connected).toBe(false);
  const chainError = (node: boolean) => {
    if (!c.chainFailure) throw new Error(`${c.set}: a chain rejection needs chainFailure in the table`);
    return node ? (c.chainFailure.nodeVerifyError ?? c.chainFailure.verifyError) : c.chainFailure.verifyError;
  };
  switch (c.client) {
    case "mariadb-cli":
      expect(view.exitCode).not.toBe(0);
      expect(view.says).toBe(
        `ERROR 2026 (HY000): TLS/SSL error: ${check === "chain" ? chainError(false) : "Validation of SSL server certificate failed"}`,
      );
      break;
    case "mysql2":
      expect(view.errorCode).toBe("HANDSHAKE_SSL_ERROR");
      expect(view.says).toContain(
        check === "chain" ? chainError(true) : "Hostname/IP does not match certificate's altnames",
      );
      break;
    case "pymysql":
      // Python's ssl module: OpenSSL's verify error, for a host mismatch too (checked inside the handshake).
      expect(view.errorCode).toBe("2003");
      expect(view.says).toContain(
        check === "chain"
          ? `certificate verify failed: ${chainError(false)}`
          : c.mode === "verify-identity-ip"
            ? "certificate verify failed: IP address mismatch"
            : "certificate verify failed: Hostname mismatch",
      );
      break;
    case "php-mysqli":
      // PHP's OpenSSL streams name no chain reason; the peer name is checked after the handshake.
      expect(view.errorCode).toBe("2002");
      expect(view.says).toMatch(
        check === "chain"
          ? /Cannot connect to MySQL using SSL .*certificate verify failed/
          : /Cannot connect to MySQL using SSL .*Peer certificate .* did not match expected .*127\.0\.0\.1/,
      );
      break;
    case "go-sql-driver":
      expect(view.errorCode).toBe(
        check === "host"
          ? "x509.HostnameError"
          : /expired|not yet valid/.test(chainError(false))
            ? "x509.CertificateInvalidError"
            : "x509.UnknownAuthorityError",
      );
      break;
    case "openssl": {
      expect(view.exitCode).not.toBe(0);
      const reason =
        check === "chain"
          ? chainError(false)
          : c.mode === "verify-identity-ip"
            ? "IP address mismatch"
            : "hostname mismatch";
      expect(view.says).toMatch(new RegExp(`verify error:num=\\d+:${reason}`));
      break;
    }
  }
}

function expectRefusalRecorded(c: ServerCase, record: ConnectionRecord, check: "chain" | "host"): void {
  // In every refusal: TLS was asked for, and no handshake response — no user, no credentials — was sent.
  expect(record.sslRequest).toBe(true);
  expect(record.user).toBeNull();
  expect(record.credentialsInPlaintext).toBe(false);
  expect(record.commands).toEqual([]);
  if (REFUSAL_STAGE[c.client][check] === "after-handshake") {
    expect(record.tls).toMatchObject({ outcome: "negotiated" });
    expect(record.outcome).toMatchObject({ kind: "client-went-away", phase: "tls-handshake-response" });
    return;
  }
  const failure = { cause: "cert-rejected", alert: alertOf(c, check) };
  expect(record.tls).toMatchObject({ outcome: "failed", failure });
  expect(record.outcome).toMatchObject({ kind: "tls-failed", failure });
}

/** The ssl-mode a server-check mode is. */
function sslModeOf(mode: ServerCheckMode): SslMode {
  return mode === "verify-ca" ? "VERIFY_CA" : "VERIFY_IDENTITY";
}

/**
 * How the audit weighs a client that went on: a login to a certificate the mode must refuse is
 * critical (its scramble reply went to an unverified peer), to a weak one medium; s_client sends
 * no login, so it has nothing to weigh.
 */
function expectAcceptanceJudged(c: ServerCase, record: ConnectionRecord): void {
  const mode = sslModeOf(c.mode);
  const facts = factsOf(record);
  const severity =
    c.client === "openssl"
      ? "info"
      : flawsCheckedBy(mode, facts.trustFlaws).length > 0
        ? "critical"
        : facts.weakFlaws.length > 0
          ? "medium"
          : "info";
  const judged = judgeRun([record], mode, "tls");
  expect({ severity: judged.severity, verdict: record.verdict?.kind }).toEqual({
    severity,
    verdict:
      c.client === "openssl"
        ? "tls-abandoned"
        : facts.trustFlaws.length > 0
          ? "accepted-bad-certificate"
          : facts.weakFlaws.length > 0
            ? "accepted-weak-tls"
            : "tls",
  });
}

/**
 * A refusal weighs nothing; the verdict calls it one where the wire shows it — an alert (observed),
 * or a close without close_notify right after a TLS 1.2 handshake (inferred) — and otherwise
 * claims only that the client left.
 */
function expectRefusalJudged(c: ServerCase, record: ConnectionRecord, check: "chain" | "host"): void {
  expect(judgeRun([record], sslModeOf(c.mode), "refuse-before-credentials")).toMatchObject({
    status: "pass",
    severity: "info",
  });
  const finding = record.verdict?.findings[0];
  if ((record.serverCertificate?.flaws.length ?? 0) === 0) {
    // Refusing a certificate without flaw for the name it verified (a known deviation) is a TLS failure.
    expect(c.deviation).toBeDefined();
    expect(finding).toEqual({ kind: "tls-failed", severity: "info", evidence: "observed" });
    return;
  }
  if (REFUSAL_STAGE[c.client][check] !== "after-handshake") {
    expect(finding).toEqual({ kind: "tls-verified-refused", severity: "info", evidence: "observed" });
    return;
  }
  const closed = record.tls?.outcome === "negotiated" ? record.tls.clientClosed : undefined;
  expect(finding).toEqual(
    closed?.closeNotify === false
      ? { kind: "tls-verified-refused", severity: "info", evidence: "inferred" }
      : { kind: "tls-abandoned", severity: "info", evidence: "observed" },
  );
}

function fingerprintOf(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

describe("the certificate expectations table", () => {
  it("has an entry for every catalogue set, and only those", () => {
    expect(Object.keys(EXPECTATIONS).sort()).toEqual(
      listCertificateSets()
        .map(({ name }) => name)
        .sort(),
    );
  });

  it("records a deviation only where the observed verdict differs from the correct one", () => {
    const stale = CASES.filter(
      (c) => c.kind === "server" && c.deviation !== undefined && c.observed === c.expectation.expected,
    );
    expect(stale.map((c) => c.title)).toEqual([]);
  });
});

describe.each(listCertificateSets().map(({ name }) => name))("certificate set %s", (set) => {
  const serverCases = CASES.filter((c): c is ServerCase => c.set === set && c.kind === "server");
  const clientCertificateCases = CASES.filter(
    (c): c is ClientCertificateCase => c.set === set && c.kind === "client-certificate",
  );

  if (serverCases.length > 0) {
    test.each(serverCases)("$title", (c) => {
      const { view, record } = observed(c);
      if (c.observed === "accept") {
        expectConnected(c.client, view, record);
        expectAcceptanceJudged(c, record);
        return;
      }
      const check = refusalCheck(c);
      expectClientRefusal(c, view, check);
      expectRefusalRecorded(c, record, check);
      expectRefusalJudged(c, record, check);
    });
  }

  if (clientCertificateCases.length > 0) {
    test.each(clientCertificateCases)("$title", (c) => {
      const { view, record } = observed(c);
      const clientPem = served.get(c.set)?.client?.cert;
      if (!clientPem) throw new Error(`${c.set} has no client certificate`);
      if (c.deviation) {
        expect(record.tls).toMatchObject({
          outcome: "negotiated",
          clientCertificate: null,
          clientCertificateVerified: false,
        });
        expectConnected(c.client, view, record);
        return;
      }
      expect(record.tls).toMatchObject({ outcome: "negotiated", clientCertificate: expect.anything() });
      if (record.tls?.outcome !== "negotiated") return;
      expect(record.tls.clientCertificate?.fingerprint256).toBe(fingerprintOf(clientPem));
      if (c.expected === "let-in") {
        expect(record.tls.clientCertificateVerified).toBe(true);
        expectConnected(c.client, view, record);
        return;
      }
      expect(record.tls.clientCertificateVerified).toBe(false);
      expect(record.user).toBeNull();
      expect(record.credentialsInPlaintext).toBe(false);
      expect(record.commands).toEqual([]);
      expect(record.outcome).toMatchObject({
        kind: "protocol-error",
        message: expect.stringContaining("client certificate"),
      });
      // The client verified the server and finished its handshake; it learns of the drop only from the close.
      if (c.client === "mariadb-cli") expect(view.says).toMatch(/^ERROR 2013 \(HY000\): Lost connection/);
      if (c.client === "mysql2") expect(view.errorCode).toBe("PROTOCOL_CONNECTION_LOST");
      if (c.client === "pymysql") expect(view.errorCode).toBe("2013");
      if (c.client === "php-mysqli") expect(view.errorCode).toBe("2006");
      if (c.client === "go-sql-driver") expect(view.errorCode).toBe("ErrInvalidConn");
      if (c.client === "openssl") expect(view).toMatchObject({ connected: true, exitCode: 0 });
    });
  }
});
