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
    ]);
    expect(Object.keys(parsed.cells[3]!)).toEqual([
      "scenario",
      "mode",
      "status",
      "expected",
      "why",
      "observed",
      "verdict",
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
      "summary",
    ]);
    expect(Object.keys(parsed.totals)).toEqual(["pass", "deviation", "error"]);
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
