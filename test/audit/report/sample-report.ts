import type { AuditCell, AuditReport } from "../../../src/audit/audit-report";

/**
 * A small audit with one of everything a renderer must show: passes, a deviation, an error, a
 * scenario with no run in one mode, and hostile strings (`<script>`, quotes, `&`, `|`, line breaks,
 * an ANSI escape, backticks) where client output and scenario files can put them.
 */

/** Markup that must come out as text in every format. */
export const HOSTILE = `<script>alert("pwned & 'owned'")</script>`;

const passTls: AuditCell = {
  scenario: "mysql-5.7.41-autocert",
  mode: "PREFERRED",
  status: "pass",
  expected: "tls",
  observed: "tls",
  verdict: "tls",
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
      summary: "logged in as root over TLSv1.2",
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
  verdict: "refused-before-credentials",
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
      verdict: "refused-before-credentials",
      summary: "gave up during the TLS handshake: unknown_ca",
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
      summary: "logged in as root without TLS",
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
      summary: `sent credentials for "root" <in plaintext> & logged in`,
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
  detail: "the command timed out after 10 s without connecting",
  command: "mysql --ssl-mode=PREFERRED -h 127.0.0.1 -P 40005 -u root -p*** -e 'SELECT 1'",
  exitCode: null,
  timedOut: true,
  durationMs: 10_000,
  stderrTail: "",
  connections: [],
};

/** Three scenarios × two modes; `tls-handshake-broken` × VERIFY_CA has no run. */
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
  ],
  cells: [passTls, passRefused, passPlaintext, deviation, error],
  totals: { pass: 3, deviation: 1, error: 1 },
};

/** The sample's cells by status, for tests that look one up. */
export const sampleCells = { passTls, passRefused, passPlaintext, deviation, error };
