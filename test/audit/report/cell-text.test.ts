import {
  cellFacts,
  exitText,
  formatDuration,
  oneLine,
  outcomeParts,
  overallStatus,
  plural,
  shortOutcome,
  totalsText,
} from "../../../src/audit/report/cell-text";
import { sampleCells } from "./sample-report";

describe("report wording", () => {
  it("writes durations in the unit a reader expects", () => {
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(1234)).toBe("1.2 s");
    expect(formatDuration(10_000)).toBe("10 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
    expect(formatDuration(Number.NaN)).toBe("unknown");
  });

  it("counts statuses in words, singular and plural", () => {
    expect(totalsText({ pass: 3, deviation: 1, error: 1 })).toBe("3 passed, 1 deviation, 1 error");
    expect(totalsText({ pass: 0, deviation: 2, error: 0 })).toBe("0 passed, 2 deviations, 0 errors");
  });

  it("shows the verdict beside the observed outcome only when it says something more", () => {
    expect(shortOutcome(sampleCells.passTls)).toBe("tls");
    expect(shortOutcome(sampleCells.deviation)).toBe("plaintext · credentials-exposed");
    expect(shortOutcome(sampleCells.error)).toBe("no connection");
  });

  it("says why there is no exit code", () => {
    expect(exitText(sampleCells.passRefused)).toBe("1");
    expect(exitText(sampleCells.error)).toBe("none (killed after the timeout)");
    expect(exitText({ ...sampleCells.error, timedOut: false })).toBe("none (the command did not start)");
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
      ["What happened", "the command timed out after 10 s without connecting"],
      ["Exit code", "none (killed after the timeout)"],
      ["Took", "10 s"],
    ]);
    expect(cellFacts(sampleCells.passPlaintext).map(([label]) => label)).toContain("Why");
  });

  it("names the audit after its weightiest status: a deviation, then an error, else a pass", () => {
    expect(overallStatus({ pass: 3, deviation: 1, error: 1 })).toBe("deviation");
    expect(overallStatus({ pass: 3, deviation: 0, error: 1 })).toBe("error");
    expect(overallStatus({ pass: 3, deviation: 0, error: 0 })).toBe("pass");
    expect(overallStatus({ pass: 0, deviation: 0, error: 0 })).toBe("pass");
  });
});
