import { renderTerminalTable } from "../../src/audit/report/terminal-table";
import { terminalWidth, twoColumns, wrapText } from "../../src/cli/terminal-width";
import { builtinScenarioNames } from "../../src/scenarios/load-scenario";
import { BIN } from "../helpers/cli-process";
import { runProcess } from "../helpers/processes";
import { sampleReport } from "../audit/report/sample-report";

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const widest = (text: string) => Math.max(...text.split("\n").map((l) => l.replace(ANSI, "").length));
/** The lines of the table itself: those drawn with its borders. */
const tableLines = (text: string) => text.split("\n").filter((l) => /^[┌│├└]/.test(l.replace(ANSI, "")));

describe("fitting output to the terminal", () => {
  it("takes the terminal's width, else COLUMNS, else no limit", () => {
    expect(terminalWidth({ isTTY: true, columns: 97 }, { COLUMNS: "50" })).toBe(97);
    expect(terminalWidth({}, { COLUMNS: "50" })).toBe(50);
    expect(terminalWidth({}, { COLUMNS: "wide" })).toBeNull();
    expect(terminalWidth({}, {})).toBeNull();
  });

  it("wraps text at spaces and cuts a word longer than a line", () => {
    expect(wrapText("a bb ccc dddd", 6)).toEqual(["a bb", "ccc", "dddd"]);
    expect(wrapText("abcdefghij k", 4)).toEqual(["abcd", "efgh", "ij k"]);
  });

  it("wraps the text column under itself and leaves it whole without a limit", () => {
    const rows = [["one", "the quick brown fox jumps over the lazy dog"] as const];
    expect(twoColumns(rows, 30)).toBe("one  the quick brown fox jumps\n     over the lazy dog\n");
    expect(twoColumns(rows, null)).toBe("one  the quick brown fox jumps over the lazy dog\n");
  });

  it.each([true, false])(
    "squeezes the audit table into the terminal's width, keeping every cell (colour %s)",
    (colour) => {
      const natural = renderTerminalTable(sampleReport, { colour });
      const width = 72;
      expect(widest(tableLines(natural).join("\n"))).toBeGreaterThan(width);
      const fitted = renderTerminalTable(sampleReport, { colour, width });
      expect(widest(tableLines(fitted).join("\n"))).toBeLessThanOrEqual(width);
      // The scenario column gives way last: every row still says which scenario it is.
      for (const scenario of sampleReport.scenarios) expect(fitted).toContain(`${scenario.name} `);
      // Same rows, same mode columns: only the cells' lines are wrapped.
      const head = tableLines(fitted).find((l) => l.includes("scenario"))!;
      for (const mode of ["PREFERRED", "VERIFY_CA"]) expect(head.replace(ANSI, "")).toContain(mode);
      // Text under the table is not the table's to wrap.
      expect(fitted.slice(fitted.lastIndexOf("┘"))).toBe(natural.slice(natural.lastIndexOf("┘")));
    },
  );

  it("leaves a table that already fits as it is", () => {
    const natural = renderTerminalTable(sampleReport, { colour: false });
    expect(renderTerminalTable(sampleReport, { colour: false, width: 500 })).toBe(natural);
  });

  it("`scenarios` fits COLUMNS, and prints a line per scenario into a pipe", async () => {
    const scenarios = (columns: string) =>
      runProcess(process.execPath, [BIN, "scenarios"], { env: { NO_COLOR: "1", COLUMNS: columns } });
    const narrow = await scenarios("60");
    expect(narrow.code).toBe(0);
    expect(widest(narrow.stdout)).toBeLessThanOrEqual(60);
    // Too narrow for two columns beside the longest name: each description goes under its name.
    const stacked = await scenarios("50");
    expect(widest(stacked.stdout)).toBeLessThanOrEqual(50);
    expect(stacked.stdout).toMatch(/^ {2}strip-backronym\n {6}A TLS-stripping proxy/m);
    const piped = await scenarios("");
    const rows = piped.stdout.split("\n").filter((line) => line.startsWith("  "));
    expect(rows).toHaveLength(builtinScenarioNames().length);
    expect(widest(piped.stdout)).toBeGreaterThan(60);
  });
});
