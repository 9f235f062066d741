import {
  renderHtml,
  renderJson,
  renderJunit,
  renderMarkdown,
  renderReport,
  renderTerminalTable,
  REPORT_FORMATS,
} from "../../../src/audit/report";
import { sampleReport } from "./sample-report";

describe("renderReport", () => {
  it("offers table, markdown, json, junit and html", () => {
    expect(REPORT_FORMATS).toEqual(["table", "markdown", "json", "junit", "html"]);
  });

  it.each([
    ["markdown", renderMarkdown],
    ["json", renderJson],
    ["junit", renderJunit],
    ["html", renderHtml],
  ] as const)("renders %s with its renderer", (format, render) => {
    expect(renderReport(format, sampleReport)).toBe(render(sampleReport));
  });

  it("renders the table without colour unless asked for it", () => {
    expect(renderReport("table", sampleReport)).toBe(renderTerminalTable(sampleReport, { colour: false }));
    expect(renderReport("table", sampleReport, { colour: true })).toBe(
      renderTerminalTable(sampleReport, { colour: true }),
    );
  });
});
