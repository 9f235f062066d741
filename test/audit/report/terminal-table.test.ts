import { createColors } from "picocolors";
import { renderTerminalTable } from "../../../src/audit/report/terminal-table";
import { HOSTILE, sampleCells, sampleReport } from "./sample-report";

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

function lineWith(output: string, text: string): string {
  const line = output.split("\n").find((l) => l.includes(text));
  if (line === undefined) throw new Error(`no line contains ${text}:\n${output}`);
  return line;
}

describe("renderTerminalTable", () => {
  const plain = renderTerminalTable(sampleReport, { colour: false });

  it("has a column per mode and a row per scenario", () => {
    const head = lineWith(plain, "scenario");
    expect(head).toMatch(/scenario\s+│ PREFERRED\s+│ VERIFY_CA\s+│/);
    for (const scenario of sampleReport.scenarios) expect(plain).toContain(`│ ${scenario.name} `);
  });

  it("shows each run's status, then what the client did and the verdict in short", () => {
    const strip = plain.split("\n");
    const row = strip.findIndex((l) => l.includes("strip-backronym"));
    expect(strip[row]).toMatch(/│ strip-backronym\s+│ ✓ pass\s+│ ✗ DEVIATION\s+│/);
    expect(strip[row + 1]).toMatch(
      /│\s+│ plaintext · plaintext-fallback\s+│ plaintext · credentials-exposed\s+│/,
    );
    expect(lineWith(plain, "mysql-5.7.41-autocert")).toMatch(/✓ pass\s+│ ✓ pass/);
  });

  it("shows an error as such and a mode with no run as —", () => {
    expect(lineWith(plain, "tls-handshake-broken")).toMatch(/│ ⚠ error\s+│ —\s+│/);
    expect(plain).toContain("no connection");
  });

  it("gives the totals below the table", () => {
    expect(plain).toContain("Totals: 3 passed, 1 deviation, 1 error (5 runs, 1 not run)");
  });

  it("lists each deviation on one line: where, expected, observed and what happened", () => {
    expect(plain).toContain(
      "strip-backronym × VERIFY_CA: expected refuse-before-credentials, observed plaintext — " +
        `sent user "root" & its password <without TLS> after the proxy stripped CLIENT_SSL | ${HOSTILE}\n`,
    );
  });

  it("lists each error on one line", () => {
    expect(plain).toContain(
      "tls-handshake-broken × PREFERRED: error — the command timed out after 10 s without connecting\n",
    );
  });

  it("has no escape sequences without colour", () => {
    expect(plain).not.toContain("\u001b");
  });

  it("colours pass green, deviations red and errors yellow, and is otherwise the same text", () => {
    const c = createColors(true);
    const coloured = renderTerminalTable(sampleReport, { colour: true });
    expect(coloured).toContain(c.green("✓ pass"));
    expect(coloured).toContain(c.bold(c.red("✗ DEVIATION")));
    expect(coloured).toContain(c.yellow("⚠ error"));
    expect(coloured.replace(ANSI, "")).toBe(plain);
  });

  it("shows control characters from the report as \\xNN instead of sending them to the terminal", () => {
    const evil = { ...sampleCells.deviation, scenario: "evil\u001b[2J", detail: "bell\u0007" };
    const output = renderTerminalTable(
      { ...sampleReport, scenarios: [{ name: "evil\u001b[2J", description: "" }], cells: [evil] },
      { colour: false },
    );
    expect(output).not.toContain("\u001b");
    expect(output).not.toContain("\u0007");
    expect(output).toContain("evil\\x1b[2J × VERIFY_CA");
    expect(output).toContain("— bell\\x07");
  });

  it("leaves out the deviation and error lists when there are none", () => {
    const clean = renderTerminalTable(
      {
        ...sampleReport,
        cells: [sampleCells.passTls],
        totals: { pass: 1, deviation: 0, error: 0 },
      },
      { colour: false },
    );
    expect(clean).toContain("Totals: 1 passed, 0 deviations, 0 errors (1 run, 5 not run)");
    expect(clean).not.toContain("Deviations");
    expect(clean).not.toContain("Errors");
  });
});
