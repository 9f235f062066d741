import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { create } from "xmlbuilder2";
import { renderJunit } from "../../../src/audit/report/junit";
import { CHROMIUM_TIMEOUT_MS, runHeadlessChromium } from "../../helpers/chromium";
import { CLIENT_NAME, HOSTILE, NOT_RUN_REASON, sampleCells, sampleReport } from "./sample-report";

/** The few DOM members these tests read (xmlbuilder2 parses into a DOM of its own). */
interface XmlElement {
  tagName: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
  getElementsByTagName(name: string): ArrayLike<XmlElement>;
}

function parse(xml: string): XmlElement {
  return create(xml).root().node as unknown as XmlElement;
}

function elements(parent: XmlElement, tag: string): XmlElement[] {
  return Array.from(parent.getElementsByTagName(tag));
}

function attributes(element: XmlElement, names: string[]): Record<string, string | null> {
  return Object.fromEntries(names.map((name) => [name, element.getAttribute(name)]));
}

const COUNTS = ["tests", "failures", "errors", "skipped"];

describe("renderJunit", () => {
  const xml = renderJunit(sampleReport);
  const root = parse(xml);

  it("is an XML document with a UTF-8 declaration and <testsuites> at the root", () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')).toBe(true);
    expect(root.tagName).toBe("testsuites");
    expect(xml.endsWith("</testsuites>\n")).toBe(true);
  });

  it("counts tests, failures (deviations), errors and skipped (not run) on <testsuites>", () => {
    expect(attributes(root, [...COUNTS, "time", "timestamp"])).toEqual({
      tests: "7",
      failures: "1",
      errors: "1",
      skipped: "2",
      time: "12.131",
      timestamp: "2025-11-24T09:00:00",
    });
  });

  it("has one <testsuite> per scenario, counted, timed in seconds", () => {
    const suites = elements(root, "testsuite");
    expect(suites.map((s) => attributes(s, ["name", ...COUNTS, "time"]))).toEqual([
      { name: "mysql-5.7.41-autocert", tests: "2", failures: "0", errors: "0", skipped: "0", time: "0.800" },
      { name: "strip-backronym", tests: "2", failures: "1", errors: "0", skipped: "0", time: "1.331" },
      { name: "tls-handshake-broken", tests: "1", failures: "0", errors: "1", skipped: "0", time: "10.000" },
      { name: "mysql-8.0-socket-only", tests: "2", failures: "0", errors: "0", skipped: "2", time: "0.000" },
    ]);
  });

  it("has one <testcase> per run, named by mode, with the scenario in the classname", () => {
    const cases = elements(root, "testcase").map((c) => attributes(c, ["name", "classname", "time"]));
    expect(cases).toEqual([
      { name: "PREFERRED", classname: "mysql-tls-mock.audit.mysql-5_7_41-autocert", time: "0.412" },
      { name: "VERIFY_CA", classname: "mysql-tls-mock.audit.mysql-5_7_41-autocert", time: "0.388" },
      { name: "PREFERRED", classname: "mysql-tls-mock.audit.strip-backronym", time: "0.097" },
      { name: "VERIFY_CA", classname: "mysql-tls-mock.audit.strip-backronym", time: "1.234" },
      { name: "PREFERRED", classname: "mysql-tls-mock.audit.tls-handshake-broken", time: "10.000" },
      { name: "PREFERRED", classname: "mysql-tls-mock.audit.mysql-8_0-socket-only", time: "0.000" },
      { name: "VERIFY_CA", classname: "mysql-tls-mock.audit.mysql-8_0-socket-only", time: "0.000" },
    ]);
  });

  it("gives every <testcase> the run's severity as a property, and the client's name when it gave one", () => {
    const properties = elements(root, "testcase").map((testcase) =>
      Object.fromEntries(
        elements(testcase, "property").map((p) => [p.getAttribute("name"), p.getAttribute("value")]),
      ),
    );
    expect(properties).toEqual([
      { severity: "info", clientName: CLIENT_NAME },
      { severity: "info" },
      { severity: "info", clientName: CLIENT_NAME },
      { severity: "critical", clientName: CLIENT_NAME },
      { severity: "info" },
      { severity: "info" },
      { severity: "info" },
    ]);
  });

  it("reports a run that was not made as <skipped> with its reason, neither failure nor error", () => {
    const notRun = elements(root, "testcase").slice(5);
    for (const testcase of notRun) {
      const skipped = elements(testcase, "skipped");
      expect(skipped).toHaveLength(1);
      expect(skipped[0]!.getAttribute("message")).toBe(NOT_RUN_REASON);
      expect(elements(testcase, "failure")).toHaveLength(0);
      expect(elements(testcase, "error")).toHaveLength(0);
    }
    expect(elements(root, "skipped")).toHaveLength(2);
  });

  it("reports the deviation as a <failure type=deviation> holding the run's whole record", () => {
    const failures = elements(root, "failure");
    expect(failures).toHaveLength(1);
    const failure = failures[0]!;
    expect(failure.getAttribute("type")).toBe("deviation");
    expect(failure.getAttribute("message")).toBe(
      'critical: expected refuse-before-credentials, observed plaintext: sent user "root" & its password <without TLS> after the proxy stripped CLIENT_SSL | ' +
        HOSTILE,
    );
    const text = failure.textContent ?? "";
    expect(text).toContain("expected: refuse-before-credentials (VERIFY_CA requires TLS;");
    expect(text).toContain("observed: plaintext");
    expect(text).toContain("verdict: credentials-exposed");
    expect(text).toContain("severity: CRITICAL");
    expect(text).toContain(`client: ${CLIENT_NAME}`);
    expect(text).toContain(`command: ${sampleCells.deviation.command}`);
    expect(text).toContain("exit code: 0, took 1.2 s");
    expect(text).toContain(`connection #7:\n  Client: ${CLIENT_NAME}\n  SSLRequest: no\n  TLS: none`);
    expect(text).toContain("  Credentials in plaintext: YES");
    expect(text).toContain("  Findings: plaintext-fallback (high); credentials-exposed (critical)");
    expect(text).toContain(`stderr (last lines):\n\uFFFD[31mWARNING\uFFFD[0m: ssl requested`);
    expect(text).toContain(HOSTILE);
  });

  it("reports the error as an <error type=error> and a pass with neither", () => {
    const errors = elements(root, "error");
    expect(errors).toHaveLength(1);
    expect(attributes(errors[0]!, ["type", "message"])).toEqual({
      type: "error",
      message: "the command timed out after 10 s without connecting",
    });
    expect(errors[0]!.textContent).toContain("connections: none reached the server");
    const passing = elements(root, "testcase")[0]!;
    expect(elements(passing, "failure")).toHaveLength(0);
    expect(elements(passing, "error")).toHaveLength(0);
    expect(elements(passing, "system-out")[0]!.textContent).toContain("observed: tls");
  });

  it("marks an inferred finding in the record of the run", () => {
    const refused = elements(root, "testcase")[1]!;
    expect(elements(refused, "system-out")[0]!.textContent).toContain(
      "  Findings: tls-verified-refused (info, inferred)",
    );
  });

  it("carries the run's stderr in <system-err>", () => {
    const deviation = elements(root, "testcase")[3]!;
    expect(elements(deviation, "system-err")[0]!.textContent).toContain(`${HOSTILE}\n`);
  });

  it("keeps the scenario's description and the client template as suite properties", () => {
    // The suite's own <properties> comes first; each test case has its own after it.
    const suiteProperties = elements(elements(root, "testsuite")[1]!, "properties")[0]!;
    const properties = elements(suiteProperties, "property").map((p) => attributes(p, ["name", "value"]));
    expect(properties).toEqual([
      { name: "description", value: 'A proxy strips CLIENT_SSL | "BACKRONYM" & <friends> second line' },
      { name: "client", value: sampleReport.clientTemplate },
      { name: "timeoutMs", value: "10000" },
    ]);
  });

  it("escapes markup and replaces characters XML cannot carry", () => {
    expect(xml).not.toContain("<script>");
    expect(xml).toContain("&lt;script&gt;");
    expect(xml).not.toContain("\u001b");
  });

  describe("read by a strict parser", () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-junit-"));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it(
      "is well-formed for Chromium's XML parser (libxml2, which rejects what lenient readers let by)",
      async () => {
        const file = join(dir, "audit.xml");
        writeFileSync(file, xml);
        const { stdout } = await runHeadlessChromium(["--dump-dom", pathToFileURL(file).href]);
        expect(stdout).not.toContain("parsererror");
        expect(stdout).toContain('id="webkit-xml-viewer-source-xml"');
        expect(stdout).toContain(
          '<testcase name="VERIFY_CA" classname="mysql-tls-mock.audit.strip-backronym"',
        );
      },
      CHROMIUM_TIMEOUT_MS + 10_000,
    );
  });
});
