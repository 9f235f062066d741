import { createColors } from "picocolors";
import { renderTerminalTable } from "../../../src/audit/report/terminal-table";
import { CLIENT_NAME, HOSTILE, NOT_RUN_REASON, sampleCells, sampleReport } from "./sample-report";

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

function lineWith(output: string, text: string): string {
  const line = output.split("\n").find((l) => l.includes(text));
  if (line === undefined) throw new Error(`no line contains ${text}:\n${output}`);
  return line;
}

/** The lines after the first line containing `text`, up to the next blank line. */
function linesAfter(output: string, text: string): string[] {
  const lines = output.split("\n");
  const start = lines.findIndex((l) => l.includes(text));
  if (start === -1) throw new Error(`no line contains ${text}:\n${output}`);
  const end = lines.findIndex((l, i) => i > start && l === "");
  return lines.slice(start + 1, end === -1 ? undefined : end);
}

describe("renderTerminalTable", () => {
  const plain = renderTerminalTable(sampleReport, { colour: false });

  it("has a column per mode and a row per scenario", () => {
    const head = lineWith(plain, "scenario");
    expect(head).toMatch(/scenario\s+│ PREFERRED\s+│ VERIFY_CA\s+│/);
    for (const scenario of sampleReport.scenarios) expect(plain).toContain(`│ ${scenario.name} `);
  });

  it("shows each run's status and severity, then what the client did and the verdict in short", () => {
    const strip = plain.split("\n");
    const row = strip.findIndex((l) => l.includes("strip-backronym"));
    expect(strip[row]).toMatch(/│ strip-backronym\s+│ ✓ pass · info\s+│ ✗ DEVIATION · CRITICAL\s+│/);
    expect(strip[row + 1]).toMatch(
      /│\s+│ plaintext · plaintext-fallback\s+│ plaintext · credentials-exposed\s+│/,
    );
    expect(lineWith(plain, "mysql-5.7.41-autocert")).toMatch(/✓ pass · info\s+│ ✓ pass · info/);
  });

  it("shows an error as such, a run not made with its own symbol, and a mode with no run as —", () => {
    expect(lineWith(plain, "tls-handshake-broken")).toMatch(/│ ⚠ error\s+│ —\s+│/);
    expect(plain).toContain("no connection");
    expect(lineWith(plain, "mysql-8.0-socket-only")).toMatch(/│ ⊘ not run\s+│ ⊘ not run\s+│/);
  });

  it("names the client above the table as it named itself", () => {
    expect(plain.split("\n")[0]).toBe(`Client: ${CLIENT_NAME} (as it named itself)`);
    const anonymous = renderTerminalTable({ ...sampleReport, cells: [sampleCells.error] }, { colour: false });
    expect(anonymous).not.toContain("Client:");
  });

  it("gives the totals below the table, then how many runs fail the audit", () => {
    expect(plain).toContain(
      "Totals: 3 passed, 1 deviation, 1 error, 2 not run (7 runs, 1 not applicable)\n" +
        "Audit: 1 run fails at --fail-on high\n",
    );
  });

  it("lists each deviation on one line: where, severity, expected, observed and what happened", () => {
    expect(plain).toContain(
      "strip-backronym × VERIFY_CA [CRITICAL]: expected refuse-before-credentials, observed plaintext — " +
        `sent user "root" & its password <without TLS> after the proxy stripped CLIENT_SSL | ${HOSTILE}\n`,
    );
  });

  it("prints the tail of the client's stderr under each deviation, indented, control characters escaped", () => {
    expect(linesAfter(plain, "strip-backronym × VERIFY_CA [CRITICAL]")).toEqual([
      "    client stderr (last lines):",
      `    │ \\x1b[31mWARNING\\x1b[0m: ssl requested | server has no TLS & "that's ok"`,
      "    │ ```",
      `    │ ${HOSTILE}`,
    ]);
  });

  it("lists each error on one line, with what the client printed on stderr, or that it printed nothing", () => {
    expect(plain).toContain(
      "tls-handshake-broken × PREFERRED: error — the command timed out after 10 s without connecting\n" +
        "    (the client printed nothing on stderr)\n",
    );
    const refused = { ...sampleCells.error, stderrTail: "ERROR 2002 (HY000): Can't connect\r\nbye\n" };
    const output = renderTerminalTable({ ...sampleReport, cells: [refused] }, { colour: false });
    expect(linesAfter(output, "tls-handshake-broken × PREFERRED: error")).toEqual([
      "    client stderr (last lines):",
      "    │ ERROR 2002 (HY000): Can't connect",
      "    │ bye",
    ]);
  });

  it("shows the start of a very long stderr line, not all of it", () => {
    const long = { ...sampleCells.deviation, stderrTail: `${"x".repeat(5000)}\n` };
    const output = renderTerminalTable({ ...sampleReport, cells: [long] }, { colour: false });
    const [, line] = linesAfter(output, "[CRITICAL]");
    expect(line).toBe(`    │ ${"x".repeat(300)}…`);
  });

  it("prints no stderr under passes or runs not made", () => {
    expect(plain).not.toContain("Using a password on the command line");
    expect(plain).not.toContain("certificate verify failed");
  });

  it("lists the runs not made once per scenario and reason, apart from the errors", () => {
    expect(plain).toContain(`\n\nNot run\nmysql-8.0-socket-only × PREFERRED, VERIFY_CA: ${NOT_RUN_REASON}\n`);
    expect(linesAfter(plain, "Errors").join("\n")).not.toContain("socket");
  });

  it("has no escape sequences without colour", () => {
    expect(plain).not.toContain("\u001b");
  });

  it("colours pass green, deviations red, errors yellow, not-run cyan, critical on red, and is otherwise the same text", () => {
    const c = createColors(true);
    const coloured = renderTerminalTable(sampleReport, { colour: true });
    expect(coloured).toContain(c.green("✓ pass"));
    expect(coloured).toContain(c.bold(c.red("✗ DEVIATION")));
    expect(coloured).toContain(c.yellow("⚠ error"));
    expect(coloured).toContain(c.cyan("⊘ not run"));
    expect(coloured).toContain(c.bold(c.bgRed(c.white("CRITICAL"))));
    expect(coloured).toContain(c.dim("info"));
    expect(coloured).toContain(c.bold(c.red("1 run fails at --fail-on high")));
    expect(coloured.replace(ANSI, "")).toBe(plain);
  });

  it("names each run's client under it when the runs disagree on the name", () => {
    const pymysql = {
      ...sampleCells.deviation,
      clientName: "pymysql 1.0.2",
      connections: [{ ...sampleCells.deviation.connections[0]!, clientName: "pymysql 1.0.2" }],
    };
    const output = renderTerminalTable(
      { ...sampleReport, cells: [sampleCells.passTls, pymysql] },
      { colour: false },
    );
    expect(output).toContain(
      `Client: ${CLIENT_NAME}, pymysql 1.0.2 (as they named themselves; see each run)`,
    );
    expect(linesAfter(output, "[CRITICAL]")[0]).toBe("    client: pymysql 1.0.2");
    expect(plain).not.toContain("    client: ");
  });

  it("shows control characters from the report as \\xNN instead of sending them to the terminal", () => {
    const evilName = "evil\u009b31m\u001b]0;pwned\u0007";
    const evil = {
      ...sampleCells.deviation,
      scenario: "evil\u001b[2J",
      detail: "bell\u0007",
      clientName: evilName,
      connections: [{ ...sampleCells.deviation.connections[0]!, clientName: evilName }],
      stderrTail: "\u001b[2Jcleared\rover\u0008written\ttab\n",
    };
    const output = renderTerminalTable(
      { ...sampleReport, scenarios: [{ name: "evil\u001b[2J", description: "" }], cells: [evil] },
      { colour: false },
    );
    // eslint-disable-next-line no-control-regex
    expect(output).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(output).toContain("evil\\x1b[2J × VERIFY_CA");
    expect(output).toContain("— bell\\x07");
    expect(output).toContain("Client: evil\\x9b31m\\x1b]0;pwned\\x07 (as it named itself)");
    expect(output).toContain("    │ \\x1b[2Jcleared\\x0dover\\x08written\ttab\n");
  });

  it("leaves out the deviation, error and not-run lists when there are none", () => {
    const clean = renderTerminalTable(
      {
        ...sampleReport,
        cells: [sampleCells.passTls],
        totals: { pass: 1, deviation: 0, error: 0, "not-run": 0 },
        failing: 0,
      },
      { colour: false },
    );
    expect(clean).toContain("Totals: 1 passed, 0 deviations, 0 errors (1 run, 7 not applicable)");
    expect(clean).toContain("Audit: no run fails at --fail-on high");
    expect(clean).not.toContain("Deviations");
    expect(clean).not.toContain("Errors");
    expect(clean).not.toContain("Not run");
  });
});
