import { renderMarkdown } from "../../../src/audit/report/markdown";
import { HOSTILE, sampleCells, sampleReport } from "./sample-report";

/** The Markdown with fenced code blocks removed: what GitHub renders as Markdown rather than code. */
function outsideFences(markdown: string): string {
  return markdown.replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1$/gm, "");
}

/** Cells of a table row, split at pipes that are not escaped. */
function rowCells(line: string): string[] {
  return line.replace(/^\|\s*|\s*\|$/g, "").split(/\s*(?<!\\)\|\s*/);
}

function tableAfter(markdown: string, headStart: string): string[] {
  const lines = markdown.split("\n");
  const start = lines.findIndex((l) => l.startsWith(headStart));
  const end = lines.findIndex((l, i) => i > start && !l.startsWith("|"));
  return lines.slice(start, end);
}

describe("renderMarkdown", () => {
  const markdown = renderMarkdown(sampleReport);

  it("opens with a heading and the run's facts", () => {
    expect(markdown.startsWith("# mysql-tls-mock audit\n")).toBe(true);
    expect(markdown).toContain(
      `- **Client:** \`mysql --ssl-mode={mode} -h {host} -P {port} -u {user} -p{password} -e "SELECT '<b>' | 1"\``,
    );
    expect(markdown).toContain("- **Run:** 2025-11-24T09:00:00.000Z to 2025-11-24T09:00:12.500Z (12.5 s)");
    expect(markdown).toContain("- **Timeout per run:** 10 s");
    expect(markdown).toContain("- **Tool:** mysql-tls-mock 0.1.0");
  });

  it("sums the audit up in one line", () => {
    expect(markdown).toContain(
      "**3 passed, 1 deviation, 1 error** — 5 runs of 3 scenarios × 2 modes, 1 not run.",
    );
  });

  it("draws the grid as a table: a row per scenario, a column per mode, one line per row", () => {
    const table = tableAfter(markdown, "| Scenario |");
    expect(table).toHaveLength(2 + sampleReport.scenarios.length);
    expect(rowCells(table[0]!)).toEqual(["Scenario", "PREFERRED", "VERIFY_CA"]);
    for (const line of table) expect(rowCells(line)).toHaveLength(3);
    const [, , autocert, strip, broken] = table;
    expect(rowCells(autocert!)).toEqual([
      "**mysql-5.7.41-autocert**<br><sub>MySQL 5.7.41 with auto-generated certificates</sub>",
      "✅ pass<br>tls",
      "✅ pass<br>refuse-before-credentials · refused-before-credentials",
    ]);
    expect(rowCells(strip!)[2]).toBe("❌ **DEVIATION**<br>plaintext · credentials-exposed");
    expect(rowCells(broken!).slice(1)).toEqual(["⚠️ error<br>no connection", "—"]);
  });

  it("escapes pipes, angle brackets and line breaks inside grid cells", () => {
    const strip = tableAfter(markdown, "| Scenario |")[3]!;
    expect(rowCells(strip)[0]).toBe(
      '**strip-backronym**<br><sub>A proxy strips CLIENT_SSL \\| "BACKRONYM" & \\<friends\\><br>second line</sub>',
    );
  });

  it("never lets report text become HTML outside code blocks", () => {
    expect(outsideFences(markdown)).not.toContain("<script>");
    expect(outsideFences(markdown)).toContain("\\<script\\>");
  });

  it("details each deviation: expected, why, observed, verdict, what happened, exit code", () => {
    const deviations = markdown.slice(markdown.indexOf("## Deviations (1)"), markdown.indexOf("## Errors"));
    expect(deviations).toContain("### strip-backronym × VERIFY_CA\n");
    expect(deviations).toContain("- **Expected:** refuse-before-credentials\n");
    expect(deviations).toContain(
      '- **Why:** VERIFY_CA requires TLS; a server without "CLIENT_SSL" must be refused\n',
    );
    expect(deviations).toContain("- **Observed:** plaintext\n");
    expect(deviations).toContain("- **Verdict:** credentials-exposed\n");
    expect(deviations).toContain(
      '- **What happened:** sent user "root" & its password \\<without TLS\\><br>after the proxy stripped',
    );
    expect(deviations).toContain("- **Exit code:** 0, took 1.2 s\n");
  });

  it("tabulates each connection of a deviation", () => {
    const table = tableAfter(markdown, "| # |");
    expect(rowCells(table[0]!)).toEqual([
      "#",
      "SSLRequest",
      "TLS",
      "Offered TLS versions",
      "User",
      "Auth plugin",
      "Credentials in plaintext",
      "Outcome",
      "Verdict",
      "Summary",
    ]);
    expect(rowCells(table[2]!)).toEqual([
      "7",
      "no",
      "none",
      "no ClientHello",
      "root",
      "mysql_native_password",
      "YES",
      "authenticated",
      "credentials-exposed",
      'sent credentials for "root" \\<in plaintext\\> & logged in',
    ]);
  });

  it("quotes the command and stderr in fences that the stderr's own ``` cannot close", () => {
    expect(markdown).toContain(`Command:\n\n\`\`\`sh\n${sampleCells.deviation.command}\n\`\`\``);
    expect(markdown).toContain(
      `stderr (last lines):\n\n\`\`\`\`text\n${sampleCells.deviation.stderrTail.trimEnd()}\n\`\`\`\``,
    );
    expect(markdown).toContain(`\n${HOSTILE}\n`);
  });

  it("details each error, saying there was no connection, exit code or stderr", () => {
    const errors = markdown.slice(markdown.indexOf("## Errors (1)"));
    expect(errors).toContain("### tls-handshake-broken × PREFERRED\n");
    expect(errors).toContain("- **Observed:** no connection\n");
    expect(errors).toContain("- **Exit code:** none (killed after the timeout), took 10 s\n");
    expect(errors).toContain("_No connection reached the server._");
    expect(errors).toContain("_stderr was empty._");
  });

  it("leaves passing runs out of the details", () => {
    expect(markdown).not.toContain("### mysql-5.7.41-autocert");
  });

  it("says so when there are no deviations or errors", () => {
    const clean = renderMarkdown({
      ...sampleReport,
      cells: [sampleCells.passTls],
      totals: { pass: 1, deviation: 0, error: 0 },
    });
    expect(clean).toContain("## Deviations\n\n_No deviations._");
    expect(clean).toContain("## Errors\n\n_No errors._");
    expect(clean.endsWith("\n")).toBe(true);
  });
});
