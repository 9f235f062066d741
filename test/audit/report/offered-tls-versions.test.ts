import type { AuditConnection, AuditReport } from "../../../src/audit/audit-report";
import { auditConnectionOfRecord } from "../../../src/audit/observe-outcome";
import { renderHtml } from "../../../src/audit/report/html";
import { renderJson } from "../../../src/audit/report/json";
import { renderJunit } from "../../../src/audit/report/junit";
import { renderMarkdown } from "../../../src/audit/report/markdown";
import { startMockServer } from "../../../src/mock-server";
import { runOpensslStartTls } from "../../helpers/openssl-client";
import { sampleCells, sampleReport } from "./sample-report";

/**
 * The TLS versions a client offered, from its ClientHello to the audit's reports, with a real
 * client that offers four: every one must reach the reader, in the client's order.
 */

const OFFERED = ["TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1"];

let connection: AuditConnection;
let report: AuditReport;
beforeAll(async () => {
  await using server = await startMockServer({
    serverVersion: "8.0.36",
    tls: { minVersion: "TLSv1", maxVersion: "TLSv1.3" },
  });
  await runOpensslStartTls(server.port, ["-min_protocol", "TLSv1", "-cipher", "DEFAULT:@SECLEVEL=0"]);
  const [record] = await server.settled();
  if (!record) throw new Error("the client made no connection");
  connection = auditConnectionOfRecord(record);
  // A deviation, so that every format shows its connections in full.
  report = {
    ...sampleReport,
    cells: [{ ...sampleCells.deviation, connections: [connection] }],
  };
});

it("the audit's view of the connection lists the four versions the client offered, highest first", () => {
  expect(connection.offeredTlsVersions).toEqual(OFFERED);
});

it("the JSON report carries all four", () => {
  const parsed = JSON.parse(renderJson(report)) as AuditReport;
  expect(parsed.cells[0]?.connections[0]?.offeredTlsVersions).toEqual(OFFERED);
});

it("the Markdown report's connections table shows all four in the offered-versions column", () => {
  const lines = renderMarkdown(report).split("\n");
  const head = lines.findIndex((line) => line.startsWith("| # |"));
  expect(head).toBeGreaterThanOrEqual(0);
  const cells = (line: string) => line.replace(/^\|\s*|\s*\|$/g, "").split(/\s*(?<!\\)\|\s*/);
  const column = cells(lines[head]!).indexOf("Offered TLS versions");
  expect(column).toBeGreaterThanOrEqual(0);
  expect(cells(lines[head + 2]!)[column]).toBe(OFFERED.join(", "));
});

it("the JUnit and HTML reports show all four too", () => {
  expect(renderJunit(report)).toContain(`Offered TLS versions: ${OFFERED.join(", ")}`);
  expect(renderHtml(report)).toContain(`>${OFFERED.join(", ")}<`);
});
