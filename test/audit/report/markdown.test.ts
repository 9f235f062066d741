import { renderMarkdown } from "../../../src/audit/report/markdown";
import { CLIENT_NAME, HOSTILE, NOT_RUN_REASON, sampleCells, sampleReport } from "./sample-report";

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
      `- **Client command:** \`mysql --ssl-mode={mode} -h {host} -P {port} -u {user} -p{password} -e "SELECT '<b>' | 1"\``,
    );
    expect(markdown).toContain("- **Client:** libmysql 8.0.36 (as it named itself)\n");
    expect(markdown).toContain("- **Run:** 2025-11-24T09:00:00.000Z to 2025-11-24T09:00:12.500Z (12.5 s)");
    expect(markdown).toContain("- **Timeout per run:** 10 s");
    expect(markdown).toContain("- **Tool:** mysql-tls-mock 0.1.0");
  });

  it("sums the audit up: the totals, then how many runs fail the audit at its --fail-on severity", () => {
    expect(markdown).toContain(
      "**3 passed, 1 deviation, 1 error, 2 not run** — 7 runs of 4 scenarios × 2 modes, 1 not applicable.\n" +
        "**1 run fails at --fail-on high.**",
    );
  });

  it("leaves the client line out of the header when no run named its client", () => {
    const anonymous = renderMarkdown({ ...sampleReport, cells: [sampleCells.passRefused] });
    expect(anonymous).not.toContain("- **Client:**");
    expect(anonymous).toContain("- **Client command:**");
  });

  it("draws the grid as a table: a row per scenario, a column per mode, one line per row", () => {
    const table = tableAfter(markdown, "| Scenario |");
    expect(table).toHaveLength(2 + sampleReport.scenarios.length);
    expect(rowCells(table[0]!)).toEqual(["Scenario", "PREFERRED", "VERIFY_CA"]);
    for (const line of table) expect(rowCells(line)).toHaveLength(3);
    const [, , autocert, strip, broken, socket] = table;
    expect(rowCells(autocert!)).toEqual([
      "**mysql-5.7.41-autocert**<br><sub>MySQL 5.7.41 with auto-generated certificates</sub>",
      "✅ pass · ⚪ info<br>tls",
      "✅ pass · ⚪ info<br>refuse-before-credentials · tls-verified-refused",
    ]);
    expect(rowCells(strip!)[2]).toBe("❌ **DEVIATION** · 🚨 **CRITICAL**<br>plaintext · credentials-exposed");
    expect(rowCells(broken!).slice(1)).toEqual(["⚠️ error<br>no connection", "—"]);
    expect(rowCells(socket!).slice(1)).toEqual(["⏭️ not run", "⏭️ not run"]);
  });

  it("badges each severity, critical in bold capitals", () => {
    const cell = (severity: "critical" | "high" | "medium" | "info") => {
      const page = renderMarkdown({ ...sampleReport, cells: [{ ...sampleCells.deviation, severity }] });
      return rowCells(tableAfter(page, "| Scenario |")[3]!)[2];
    };
    expect(cell("critical")).toContain("🚨 **CRITICAL**");
    expect(cell("high")).toContain("🔴 high");
    expect(cell("medium")).toContain("🟠 medium");
    expect(cell("info")).toContain("⚪ info");
  });

  it("lists the runs not made with their reason, once for all the modes it holds in", () => {
    const notRun = markdown.slice(markdown.indexOf("## Not run (2)"));
    expect(notRun).toBe(
      `## Not run (2)\n\n- **mysql-8.0-socket-only** × PREFERRED, VERIFY_CA: ${NOT_RUN_REASON}\n`,
    );
    expect(markdown.slice(0, markdown.indexOf("## Not run"))).not.toContain("### mysql-8.0-socket-only");
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
    expect(deviations).toContain("- **Severity:** 🚨 **CRITICAL**\n");
    expect(deviations).toContain(`- **Client:** ${CLIENT_NAME}\n`);
    expect(deviations).toContain(
      '- **What happened:** sent user "root" & its password \\<without TLS\\><br>after the proxy stripped',
    );
    expect(deviations).toContain("- **Exit code:** 0, took 1.2 s\n");
  });

  it("tabulates each connection of a deviation", () => {
    const table = tableAfter(markdown, "| # |");
    expect(rowCells(table[0]!)).toEqual([
      "#",
      "Client",
      "SSLRequest",
      "TLS",
      "Offered TLS versions",
      "User",
      "Auth plugin",
      "Credentials in plaintext",
      "Outcome",
      "Verdict",
      "Severity",
      "Findings",
      "Summary",
    ]);
    expect(rowCells(table[2]!)).toEqual([
      "7",
      CLIENT_NAME,
      "no",
      "none",
      "no ClientHello",
      "root",
      "mysql_native_password",
      "YES",
      "authenticated",
      "credentials-exposed",
      "🚨 **CRITICAL**",
      "plaintext-fallback (high); credentials-exposed (critical)",
      'sent credentials for "root" \\<in plaintext\\> & logged in',
    ]);
  });

  it("marks a connection's inferred finding in the table", () => {
    const refusedTooEarly = {
      ...sampleCells.passRefused,
      status: "deviation" as const,
      expected: "tls" as const,
    };
    const page = renderMarkdown({ ...sampleReport, cells: [refusedTooEarly] });
    const row = rowCells(tableAfter(page, "| # |")[2]!);
    expect(row[11]).toBe("tls-verified-refused (info, inferred)");
    expect(row[1]).toBe("not named");
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
      totals: { pass: 1, deviation: 0, error: 0, "not-run": 0 },
      failing: 0,
    });
    expect(clean).toContain("## Deviations\n\n_No deviations._");
    expect(clean).toContain("## Errors\n\n_No errors._");
    expect(clean).toContain("**No run fails at --fail-on high.**");
    expect(clean).not.toContain("## Not run");
    expect(clean.endsWith("\n")).toBe(true);
  });
});
