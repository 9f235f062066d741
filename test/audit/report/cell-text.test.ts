import {
  exitText,
  formatDuration,
  oneLine,
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
});
