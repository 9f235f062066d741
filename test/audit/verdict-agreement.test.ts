import { create } from "xmlbuilder2";
import type { AuditReport } from "../../src/audit/audit-report";
import { renderReport } from "../../src/audit/report";
import { SEVERITY_WORD, STATUS_WORD } from "../../src/audit/report/cell-text";
import { judgedCell, tally } from "../../src/audit/run-audit";
import type { ConnectionRecord } from "../../src/record/connection-record";
import {
  findingsOf,
  SSL_MODES,
  type SslMode,
  type VerdictKind,
  worstSeverity,
} from "../../src/record/findings";
import { verdictOf } from "../../src/record/verdict";
// Registers the matchers, as a user's setupFilesAfterEnv does.
import "../../src/testing/jest";
import { aRecord, flawed, NO_TLS_GREETING, negotiated, PLAINTEXT_LOGIN, TLS_LOGIN } from "../helpers/records";
import { gridCells, gridSeverities } from "./report/html-cells";

/**
 * One record per verdict kind, judged in every ssl-mode: the record's verdict, the audit cell, the
 * matchers and every report format must say the same thing — the same headline, the same severity,
 * the same status. Each reads the one judgement (src/record/judgement.ts); this proves none of them
 * re-derives it differently.
 */

const FAILED = { cause: "protocol-version" as const, message: "no shared version" };

const RECORD_OF_KIND: Record<VerdictKind, Partial<ConnectionRecord>> = {
  "local-infile-sent": {
    ...TLS_LOGIN,
    localInfile: {
      requested: "/etc/hostname",
      askedByQuery: false,
      sent: true,
      bytes: 9,
      sha256: "0".repeat(64),
      refused: null,
      complete: true,
      encrypted: true,
    },
  },
  "plaintext-fallback": { ...NO_TLS_GREETING, ...PLAINTEXT_LOGIN },
  "accepted-bad-certificate": { ...TLS_LOGIN, ...flawed("untrusted-issuer") },
  "credentials-exposed": { ...PLAINTEXT_LOGIN },
  plaintext: { ...PLAINTEXT_LOGIN, credentialExposure: null, credentialsInPlaintext: false },
  "accepted-weak-tls": { ...TLS_LOGIN, tls: negotiated({ version: "TLSv1" }) },
  "tls-verified-refused": {
    ...flawed("expired"),
    sslRequest: true,
    tls: {
      outcome: "failed",
      failure: { cause: "cert-rejected", alert: "certificate_expired", message: "alert" },
      clientHello: null,
    },
    outcome: {
      kind: "tls-failed",
      failure: { cause: "cert-rejected", alert: "certificate_expired", message: "alert" },
    },
  },
  "refused-plaintext": { ...NO_TLS_GREETING },
  "tls-abandoned": {
    sslRequest: true,
    tls: negotiated({ clientClosed: { closeNotify: true, bytesAfterHandshake: 31, afterMs: 0.2 } }),
    outcome: { kind: "client-went-away", phase: "tls-handshake-response", how: "closed" },
  },
  "tls-failed": {
    sslRequest: true,
    tls: { outcome: "failed", failure: FAILED, clientHello: null },
    outcome: { kind: "tls-failed", failure: FAILED },
  },
  tls: { ...TLS_LOGIN },
  incomplete: { outcome: { kind: "protocol-error", phase: "handshake-response", message: "bad bytes" } },
};

function recordOf(kind: VerdictKind): ConnectionRecord {
  const record = aRecord(RECORD_OF_KIND[kind]);
  record.verdict = verdictOf(record);
  return record;
}

function reportOf(record: ConnectionRecord, mode: SslMode): AuditReport {
  const cell = judgedCell({
    about: { scenario: "the-scenario", mode, expected: "tls" },
    records: [record],
    run: { exitCode: 1, timedOut: false, durationMs: 5, spawnError: null, stderrTail: "" },
    command: "client",
    timeoutMs: 1000,
  });
  return {
    tool: { name: "mysql-tls-mock", version: "0.0.0" },
    clientTemplate: "client",
    startedAt: "2026-12-05T00:00:00.000Z",
    finishedAt: "2026-12-05T00:00:01.000Z",
    timeoutMs: 1000,
    modes: [mode],
    scenarios: [{ name: "the-scenario", description: "one record" }],
    cells: [cell],
    ...tally([cell], "high"),
  };
}

/** What a matcher says of a record: pass or not, without throwing. */
function matches(assertion: () => void): boolean {
  try {
    assertion();
    return true;
  } catch {
    return false;
  }
}

const CASES = (Object.keys(RECORD_OF_KIND) as VerdictKind[]).flatMap((kind) =>
  SSL_MODES.map((mode) => ({ kind, mode })),
);

describe.each(CASES)("a $kind record in $mode", ({ kind, mode }) => {
  const record = recordOf(kind);
  const findings = findingsOf(record, mode);
  const severity = worstSeverity(findings.map((f) => f.severity));
  const report = reportOf(record, mode);
  const cell = report.cells[0]!;

  it("has that verdict, and the audit cell names it with the severity of its findings in that mode", () => {
    expect(record.verdict?.kind).toBe(kind);
    expect(cell).toMatchObject({ verdict: kind, severity });
    expect(cell.connections[0]).toMatchObject({ verdict: kind, severity, findings });
    // A leak is never a pass.
    if (severity === "critical" || severity === "high") expect(cell.status).toBe("deviation");
  });

  it("is matched exactly where its findings say so", () => {
    const has = (k: VerdictKind) => record.verdict!.findings.some((f) => f.kind === k);
    expect({
      fallback: matches(() => expect(record).toHaveFallenBackToPlaintext()),
      exposed: matches(() => expect(record).toHaveExposedCredentials()),
      rejected: matches(() => expect(record).toHaveRejectedCertificate()),
    }).toEqual({
      fallback: has("plaintext-fallback"),
      exposed: has("credentials-exposed"),
      rejected: has("tls-verified-refused"),
    });
  });

  it("reads the same in JSON, JUnit, HTML, Markdown and the terminal", () => {
    const json = JSON.parse(renderReport("json", report)) as AuditReport;
    expect(json.cells[0]).toMatchObject({ status: cell.status, verdict: kind, severity });
    expect(json.cells[0]!.connections[0]!.findings).toEqual(findings);

    const junit = create(renderReport("junit", report)).end({ format: "object" }) as unknown as {
      testsuites: {
        testsuite: { testcase: Record<string, unknown> & { properties: { property: unknown } } };
      };
    };
    const testcase = junit.testsuites.testsuite.testcase;
    const properties = [testcase.properties.property].flat() as Array<{ "@name": string; "@value": string }>;
    expect(properties.find((p) => p["@name"] === "severity")?.["@value"]).toBe(severity);
    expect("failure" in testcase).toBe(cell.status === "deviation");

    const html = renderReport("html", report);
    expect(gridCells(html)).toEqual([expect.objectContaining({ status: cell.status })]);
    expect(gridSeverities(html)).toEqual([severity]);

    const row = (text: string) =>
      text
        .split("\n")
        .find((line) => line.includes("the-scenario") && line.includes(STATUS_WORD[cell.status]))!;
    const word = SEVERITY_WORD[severity];
    expect(row(renderReport("markdown", report))).toContain(word);
    expect(row(renderReport("table", report))).toContain(word);
  });
});
