import {
  cellFacts,
  clientNameText,
  connectionFacts,
  exitText,
  failingText,
  findingsText,
  formatDuration,
  notRunGroups,
  oneLine,
  outcomeParts,
  plural,
  reportClientNames,
  reportClientText,
  severityText,
  shortOutcome,
  totalsText,
} from "../../../src/audit/report/cell-text";
import { CLIENT_NAME, NOT_RUN_REASON, sampleCells, sampleReport } from "./sample-report";

describe("report wording", () => {
  it("writes durations in the unit a reader expects", () => {
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(1234)).toBe("1.2 s");
    expect(formatDuration(10_000)).toBe("10 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
    expect(formatDuration(Number.NaN)).toBe("unknown");
  });

  it("counts statuses in words, singular and plural, saying not-run only when a run was not made", () => {
    expect(totalsText({ pass: 3, deviation: 1, error: 1, "not-run": 0 })).toBe(
      "3 passed, 1 deviation, 1 error",
    );
    expect(totalsText({ pass: 0, deviation: 2, error: 0, "not-run": 0 })).toBe(
      "0 passed, 2 deviations, 0 errors",
    );
    expect(totalsText({ pass: 1, deviation: 0, error: 2, "not-run": 3 })).toBe(
      "1 passed, 0 deviations, 2 errors, 3 not run",
    );
  });

  it("says how many runs fail the audit at its --fail-on severity", () => {
    expect(failingText({ failing: 0, failOn: "high" })).toBe("no run fails at --fail-on high");
    expect(failingText({ failing: 1, failOn: "critical" })).toBe("1 run fails at --fail-on critical");
    expect(failingText({ failing: 2, failOn: "high" })).toBe("2 runs fail at --fail-on high");
  });

  it("shows the verdict beside the observed outcome only when it says something more", () => {
    expect(shortOutcome(sampleCells.passTls)).toBe("tls");
    expect(shortOutcome(sampleCells.deviation)).toBe("plaintext · credentials-exposed");
    expect(shortOutcome(sampleCells.error)).toBe("no connection");
    expect(shortOutcome(sampleCells.notRunPreferred)).toBe("not run");
  });

  it("says why there is no exit code", () => {
    expect(exitText(sampleCells.passRefused)).toBe("1");
    expect(exitText(sampleCells.error)).toBe("none (killed after the timeout)");
    expect(exitText({ ...sampleCells.error, timedOut: false })).toBe("none (the command did not start)");
    expect(exitText(sampleCells.notRunPreferred)).toBe("none (not run)");
  });

  it("gives a judged run's severity, critical in capitals, and none to a run with nothing to judge", () => {
    expect(severityText(sampleCells.deviation)).toBe("CRITICAL");
    expect(severityText({ ...sampleCells.passTls, severity: "medium" })).toBe("medium");
    expect(severityText(sampleCells.passTls)).toBe("info");
    expect(severityText(sampleCells.error)).toBe("none (no connection to judge)");
    expect(severityText(sampleCells.notRunPreferred)).toBe("none (not run)");
  });

  it("names the client as it named itself, or says why it is unnamed", () => {
    expect(clientNameText(sampleCells.passTls)).toBe(CLIENT_NAME);
    expect(clientNameText(sampleCells.passRefused)).toBe(
      "not named (no connect attributes reached the server)",
    );
    expect(clientNameText(sampleCells.error)).toBe("unknown (no connection)");
    expect(clientNameText(sampleCells.notRunPreferred)).toBe("unknown (not run)");
  });

  it("names the client in the header when one name covers the report, ignoring runs that named none", () => {
    expect(reportClientNames(sampleReport)).toEqual([CLIENT_NAME]);
    expect(reportClientText(sampleReport)).toBe("libmysql 8.0.36 (as it named itself)");
  });

  it("lists every name when the runs disagree, and has no header line when none named itself", () => {
    const other = {
      ...sampleCells.passPlaintext,
      clientName: "pymysql 1.0.2",
      connections: [{ ...sampleCells.passPlaintext.connections[0]!, clientName: "pymysql 1.0.2" }],
    };
    const mixed = { ...sampleReport, cells: [sampleCells.passTls, other] };
    expect(reportClientText(mixed)).toBe(
      "libmysql 8.0.36, pymysql 1.0.2 (as they named themselves; see each run)",
    );
    const anonymous = { ...sampleReport, cells: [sampleCells.passRefused, sampleCells.error] };
    expect(reportClientText(anonymous)).toBeNull();
  });

  it("folds line breaks into one line", () => {
    expect(oneLine(" a\n  b\r\n\tc ")).toBe("a b c");
  });

  it("splits the outcome into the observed outcome and a verdict that says something more", () => {
    expect(outcomeParts(sampleCells.deviation)).toEqual({
      observed: "plaintext",
      verdict: "credentials-exposed",
    });
    expect(outcomeParts(sampleCells.passTls)).toEqual({ observed: "tls", verdict: null });
  });

  it("counts in words", () => {
    expect(plural(1, "run", "runs")).toBe("1 run");
    expect(plural(0, "run", "runs")).toBe("0 runs");
  });

  it("lists a run's facts in reading order, with a missing why left out and nulls in words", () => {
    expect(cellFacts(sampleCells.error)).toEqual([
      ["Expected", "tls"],
      ["Observed", "no connection"],
      ["Verdict", "none"],
      ["Severity", "none (no connection to judge)"],
      ["Client", "unknown (no connection)"],
      ["What happened", "the command timed out after 10 s without connecting"],
      ["Exit code", "none (killed after the timeout)"],
      ["Took", "10 s"],
    ]);
    expect(cellFacts(sampleCells.passPlaintext).map(([label]) => label)).toContain("Why");
    expect(cellFacts(sampleCells.deviation)).toContainEqual(["Severity", "CRITICAL"]);
    expect(cellFacts(sampleCells.deviation)).toContainEqual(["Client", CLIENT_NAME]);
  });

  it("gives a run that was not made its reason, and no exit code or duration", () => {
    expect(cellFacts(sampleCells.notRunPreferred)).toEqual([
      ["Expected", "tls"],
      ["Observed", "not run"],
      ["Verdict", "none"],
      ["Severity", "none (not run)"],
      ["Client", "unknown (not run)"],
      ["What happened", NOT_RUN_REASON],
    ]);
  });

  it("groups runs not made by scenario and reason, so each reason is said once", () => {
    const elsewhere = { ...sampleCells.notRunPreferred, scenario: "other", detail: "another reason" };
    expect(notRunGroups([...sampleReport.cells, elsewhere])).toEqual([
      { scenario: "mysql-8.0-socket-only", modes: ["PREFERRED", "VERIFY_CA"], reason: NOT_RUN_REASON },
      { scenario: "other", modes: ["PREFERRED"], reason: "another reason" },
    ]);
    expect(notRunGroups([sampleCells.passTls])).toEqual([]);
  });

  it("writes each finding with its severity and marks one the server inferred", () => {
    expect(findingsText(sampleCells.deviation.connections[0]!.findings)).toBe(
      "plaintext-fallback (high); credentials-exposed (critical)",
    );
    expect(findingsText(sampleCells.passRefused.connections[0]!.findings)).toBe(
      "tls-verified-refused (info, inferred)",
    );
    expect(findingsText([])).toBe("none");
  });

  it("tabulates a connection with its client, severity and findings", () => {
    expect(Object.fromEntries(connectionFacts(sampleCells.deviation.connections[0]!))).toMatchObject({
      "#": "7",
      Client: CLIENT_NAME,
      Severity: "CRITICAL",
      Findings: "plaintext-fallback (high); credentials-exposed (critical)",
    });
    expect(Object.fromEntries(connectionFacts(sampleCells.passRefused.connections[0]!))).toMatchObject({
      Client: "not named",
      Severity: "info",
    });
  });
});
