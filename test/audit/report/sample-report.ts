import type { AuditCell, AuditReport } from "../../../src/audit/audit-report";

/**
 * A small audit with one of everything a renderer must show: passes, a critical deviation, an
 * error, runs not made (with their reason), a scenario with no run in one mode, a client that named
 * itself and one that did not get as far, an inferred finding, and hostile strings (`<script>`,
 * quotes, `&`, `|`, line breaks, an ANSI escape, backticks) where client output and scenario files
 * can put them.
 */

/** What the client named itself in its connect attributes, in every run that got that far. */
export const CLIENT_NAME = "libmysql 8.0.36";

/** Why the socket scenario's runs were not made. */
export const NOT_RUN_REASON = "the scenario listens on a Unix socket and the client template has no {socket}";

/** Markup that must come out as text in every format. */
export const HOSTILE = `<script>alert("pwned & 'owned'")</script>`;

const passTls: AuditCell = {
  scenario: "mysql-5.7.41-autocert",
  mode: "PREFERRED",
  status: "pass",
  expected: "tls",
  observed: "tls",
  verdict: "tls",
  severity: "info",
  clientName: CLIENT_NAME,
  detail: "logged in over TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384",
  command: "mysql --ssl-mode=PREFERRED -h 127.0.0.1 -P 40001 -u root -p*** -e 'SELECT 1'",
  exitCode: 0,
  timedOut: false,
  durationMs: 412,
  stderrTail: "mysql: [Warning] Using a password on the command line interface can be insecure.\n",
  connections: [
    {
      id: 1,
      sslRequest: true,
      tls: "TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384",
      offeredTlsVersions: ["TLSv1.3", "TLSv1.2"],
      user: "root",
      authPlugin: "mysql_native_password",
      credentialsInPlaintext: false,
      outcome: "authenticated",
      verdict: "tls",
      severity: "info",
      findings: [{ kind: "tls", severity: "info", evidence: "observed" }],
      summary: "logged in as root over TLSv1.2",
      clientName: CLIENT_NAME,
    },
  ],
};

const passRefused: AuditCell = {
  scenario: "mysql-5.7.41-autocert",
  mode: "VERIFY_CA",
  status: "pass",
  expected: "refuse-before-credentials",
  why: "auto-generated certificates are signed by a CA the client does not trust",
  observed: "refuse-before-credentials",
  verdict: "tls-verified-refused",
  severity: "info",
  clientName: null,
  detail: "rejected the server certificate (unknown_ca) before sending credentials",
  command:
    "mysql --ssl-mode=VERIFY_CA --ssl-ca=/tmp/good-ca.pem -h 127.0.0.1 -P 40002 -u root -p*** -e 'SELECT 1'",
  exitCode: 1,
  timedOut: false,
  durationMs: 388,
  stderrTail:
    "ERROR 2026 (HY000): SSL connection error: error:0A000086:SSL routines::certificate verify failed\n",
  connections: [
    {
      id: 1,
      sslRequest: true,
      tls: "failed: cert-rejected (unknown_ca)",
      offeredTlsVersions: ["TLSv1.3", "TLSv1.2"],
      user: null,
      authPlugin: null,
      credentialsInPlaintext: false,
      outcome: "tls-failed",
      verdict: "tls-verified-refused",
      severity: "info",
      findings: [{ kind: "tls-verified-refused", severity: "info", evidence: "inferred" }],
      summary: "gave up during the TLS handshake: unknown_ca",
      clientName: null,
    },
  ],
};

const passPlaintext: AuditCell = {
  scenario: "strip-backronym",
  mode: "PREFERRED",
  status: "pass",
  expected: "plaintext",
  why: "PREFERRED falls back to plaintext when the server offers no TLS",
  observed: "plaintext",
  verdict: "plaintext-fallback",
  severity: "info",
  clientName: CLIENT_NAME,
  detail: "logged in without TLS, as PREFERRED allows",
  command: "mysql --ssl-mode=PREFERRED -h 127.0.0.1 -P 40003 -u root -p*** -e 'SELECT 1'",
  exitCode: 0,
  timedOut: false,
  durationMs: 97,
  stderrTail: "",
  connections: [
    {
      id: 1,
      sslRequest: false,
      tls: null,
      offeredTlsVersions: null,
      user: "root",
      authPlugin: "mysql_native_password",
      credentialsInPlaintext: true,
      outcome: "authenticated",
      verdict: "plaintext-fallback",
      severity: "info",
      findings: [
        { kind: "plaintext-fallback", severity: "info", evidence: "observed" },
        { kind: "credentials-exposed", severity: "info", evidence: "observed" },
      ],
      summary: "logged in as root without TLS",
      clientName: CLIENT_NAME,
    },
  ],
};

const deviation: AuditCell = {
  scenario: "strip-backronym",
  mode: "VERIFY_CA",
  status: "deviation",
  expected: "refuse-before-credentials",
  why: 'VERIFY_CA requires TLS; a server without "CLIENT_SSL" must be refused',
  observed: "plaintext",
  verdict: "credentials-exposed",
  severity: "critical",
  clientName: CLIENT_NAME,
  detail: `sent user "root" & its password <without TLS>\nafter the proxy stripped CLIENT_SSL | ${HOSTILE}`,
  command: "mysql --ssl-mode=VERIFY_CA -h 127.0.0.1 -P 40004 -u root -p*** -e \"SELECT '<b>' | 1\"",
  exitCode: 0,
  timedOut: false,
  durationMs: 1234,
  stderrTail: `\u001b[31mWARNING\u001b[0m: ssl requested | server has no TLS & "that's ok"\n\`\`\`\n${HOSTILE}\n`,
  connections: [
    {
      id: 7,
      sslRequest: false,
      tls: null,
      offeredTlsVersions: null,
      user: "root",
      authPlugin: "mysql_native_password",
      credentialsInPlaintext: true,
      outcome: "authenticated",
      verdict: "credentials-exposed",
      severity: "critical",
      findings: [
        { kind: "plaintext-fallback", severity: "high", evidence: "observed" },
        { kind: "credentials-exposed", severity: "critical", evidence: "observed" },
      ],
      summary: `sent credentials for "root" <in plaintext> & logged in`,
      clientName: CLIENT_NAME,
    },
  ],
};

const error: AuditCell = {
  scenario: "tls-handshake-broken",
  mode: "PREFERRED",
  status: "error",
  expected: "tls",
  observed: null,
  verdict: null,
  severity: "info",
  clientName: null,
  detail: "the command timed out after 10 s without connecting",
  command: "mysql --ssl-mode=PREFERRED -h 127.0.0.1 -P 40005 -u root -p*** -e 'SELECT 1'",
  exitCode: null,
  timedOut: true,
  durationMs: 10_000,
  stderrTail: "",
  connections: [],
};

/** A run the template cannot make: the scenario listens on a Unix socket. */
function notRun(mode: "PREFERRED" | "VERIFY_CA"): AuditCell {
  return {
    scenario: "mysql-8.0-socket-only",
    mode,
    status: "not-run",
    expected: "tls",
    observed: null,
    verdict: null,
    severity: "info",
    clientName: null,
    detail: NOT_RUN_REASON,
    command: "mysql --ssl-mode={mode} -h {host} -P {port} -u {user} -p{password} -e \"SELECT '<b>' | 1\"",
    exitCode: null,
    timedOut: false,
    durationMs: 0,
    stderrTail: "",
    connections: [],
  };
}

const notRunPreferred = notRun("PREFERRED");
const notRunVerifyCa = notRun("VERIFY_CA");

/**
 * Four scenarios × two modes; `tls-handshake-broken` × VERIFY_CA has no run, and
 * `mysql-8.0-socket-only` was not run in either mode. The deviation fails the audit at `high`.
 */
export const sampleReport: AuditReport = {
  tool: { name: "mysql-tls-mock", version: "0.1.0" },
  clientTemplate:
    "mysql --ssl-mode={mode} -h {host} -P {port} -u {user} -p{password} -e \"SELECT '<b>' | 1\"",
  startedAt: "2025-11-24T09:00:00.000Z",
  finishedAt: "2025-11-24T09:00:12.500Z",
  timeoutMs: 10_000,
  modes: ["PREFERRED", "VERIFY_CA"],
  scenarios: [
    { name: "mysql-5.7.41-autocert", description: "MySQL 5.7.41 with auto-generated certificates" },
    {
      name: "strip-backronym",
      description: 'A proxy strips CLIENT_SSL | "BACKRONYM" & <friends>\nsecond line',
    },
    { name: "tls-handshake-broken", description: "The server breaks the TLS handshake" },
    { name: "mysql-8.0-socket-only", description: "MySQL 8.0 listening on a Unix socket only" },
  ],
  cells: [passTls, passRefused, passPlaintext, deviation, error, notRunPreferred, notRunVerifyCa],
  totals: { pass: 3, deviation: 1, error: 1, "not-run": 2 },
  failOn: "high",
  failing: 1,
};

/** The sample's cells by status, for tests that look one up. */
export const sampleCells = {
  passTls,
  passRefused,
  passPlaintext,
  deviation,
  error,
  notRunPreferred,
  notRunVerifyCa,
};
