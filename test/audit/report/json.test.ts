import type { AuditReport } from "../../../src/audit/audit-report";
import { renderJson } from "../../../src/audit/report/json";
import { sampleReport } from "./sample-report";

/** The same value with every object's keys in reverse order. */
function reverseKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reverseKeys) as T;
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reverseKeys(v)]),
  ) as T;
}

describe("renderJson", () => {
  const json = renderJson(sampleReport);

  it("parses back to the report", () => {
    expect(JSON.parse(json)).toEqual(sampleReport);
  });

  it("is indented by two spaces and ends with a newline", () => {
    expect(json.startsWith('{\n  "tool": {\n    "name": "mysql-tls-mock",')).toBe(true);
    expect(json.endsWith("}\n")).toBe(true);
  });

  it("writes keys in the order the report type declares them, whatever order they came in", () => {
    expect(renderJson(reverseKeys(sampleReport))).toBe(json);
    const parsed = JSON.parse(json) as AuditReport;
    expect(Object.keys(parsed)).toEqual([
      "tool",
      "clientTemplate",
      "startedAt",
      "finishedAt",
      "timeoutMs",
      "modes",
      "scenarios",
      "cells",
      "totals",
      "failOn",
      "failing",
    ]);
    expect(Object.keys(parsed.cells[3]!)).toEqual([
      "scenario",
      "mode",
      "status",
      "expected",
      "why",
      "observed",
      "verdict",
      "severity",
      "clientName",
      "detail",
      "command",
      "exitCode",
      "timedOut",
      "durationMs",
      "stderrTail",
      "connections",
    ]);
    expect(Object.keys(parsed.cells[3]!.connections[0]!)).toEqual([
      "id",
      "sslRequest",
      "tls",
      "offeredTlsVersions",
      "user",
      "authPlugin",
      "credentialsInPlaintext",
      "outcome",
      "verdict",
      "severity",
      "findings",
      "summary",
      "clientName",
    ]);
    expect(Object.keys(parsed.cells[3]!.connections[0]!.findings[0]!)).toEqual([
      "kind",
      "severity",
      "evidence",
    ]);
    expect(Object.keys(parsed.totals)).toEqual(["pass", "deviation", "error", "not-run"]);
  });

  it("carries each run's severity and client name, and each connection's findings with their evidence", () => {
    const parsed = JSON.parse(json) as AuditReport;
    expect(parsed.cells[3]).toMatchObject({ severity: "critical", clientName: "libmysql 8.0.36" });
    expect(parsed.cells[1]!.connections[0]).toMatchObject({
      severity: "info",
      clientName: null,
      findings: [{ kind: "tls-verified-refused", severity: "info", evidence: "inferred" }],
    });
    expect(parsed).toMatchObject({ failOn: "high", failing: 1 });
  });

  it("writes a run that was not made with its status and reason", () => {
    const parsed = JSON.parse(json) as AuditReport;
    expect(parsed.cells[5]).toMatchObject({
      scenario: "mysql-8.0-socket-only",
      status: "not-run",
      detail: "the scenario listens on a Unix socket and the client template has no {socket}",
      connections: [],
    });
    expect(parsed.totals["not-run"]).toBe(2);
  });

  it("omits a missing `why` and keeps nulls", () => {
    const parsed = JSON.parse(json) as AuditReport;
    expect(parsed.cells[0]).not.toHaveProperty("why");
    expect(parsed.cells[4]).toMatchObject({ observed: null, verdict: null, exitCode: null });
  });

  it("keeps fields the type does not know, after the known ones", () => {
    const extended = { ...sampleReport, engine: "next", tool: { ...sampleReport.tool, build: "abc" } };
    const parsed = JSON.parse(renderJson(extended as AuditReport)) as Record<string, unknown>;
    expect(Object.keys(parsed).at(-1)).toBe("engine");
    expect(Object.keys(parsed.tool as object)).toEqual(["name", "version", "build"]);
  });
});
