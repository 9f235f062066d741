import { renderHtml } from "../../../src/audit/report/html";
import { gridCells, gridSeverities, SAMPLE_GRID, SAMPLE_SEVERITIES } from "./html-cells";
import { HOSTILE, NOT_RUN_REASON, sampleCells, sampleReport } from "./sample-report";

const ESCAPED_HOSTILE = "&lt;script&gt;alert(&quot;pwned &amp; &#39;owned&#39;&quot;)&lt;/script&gt;";

/** The markup of the `<details>` element with this id. */
function detailsById(html: string, id: string): string {
  const start = html.indexOf(`<details class="cell-detail`, html.lastIndexOf(`id="${id}"`) - 80);
  return html.slice(start, html.indexOf("</details>", start));
}

function anchorOf(html: string, scenario: string, mode: string): string {
  const td = new RegExp(
    `<td [^>]*data-scenario="${scenario}" data-mode="${mode}"[^>]*><a href="#([^"]+)"`,
  ).exec(html);
  if (!td) throw new Error(`no linked cell for ${scenario} × ${mode}`);
  return td[1]!;
}

describe("renderHtml", () => {
  const html = renderHtml(sampleReport);

  it("is one HTML page with its style inline and nothing to fetch or run", () => {
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toMatch(/<style>[\s\S]+<\/style>/);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|\bsrc=/i);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it("titles the page with the totals and how many runs fail the audit", () => {
    expect(html).toContain(
      "<title>mysql-tls-mock audit: 3 passed, 1 deviation, 1 error, 2 not run; 1 run fails at --fail-on high</title>",
    );
  });

  it("shows the run facts", () => {
    expect(html).toContain(
      `<dt>Client command</dt><dd><code>mysql --ssl-mode={mode} -h {host} -P {port} -u {user} -p{password} -e &quot;SELECT &#39;&lt;b&gt;&#39; | 1&quot;</code></dd>`,
    );
    expect(html).toContain('<dt>Started</dt><dd><time datetime="2025-11-24T09:00:00.000Z">');
    expect(html).toContain("<dt>Took</dt><dd>12.5 s</dd>");
    expect(html).toContain("<dt>Timeout per run</dt><dd>10 s</dd>");
    expect(html).toContain("<dt>Tool</dt><dd>mysql-tls-mock 0.1.0</dd>");
  });

  it("names the client in the header as it named itself, when one name covers the report", () => {
    expect(html).toContain("<dt>Client</dt><dd>libmysql 8.0.36 (as it named itself)</dd>");
    const anonymous = renderHtml({ ...sampleReport, cells: [sampleCells.passRefused, sampleCells.error] });
    const header = /<header>[\s\S]*?<\/header>/.exec(anonymous)?.[0];
    expect(header).toContain("<dt>Client command</dt>");
    expect(header).not.toContain("<dt>Client</dt>");
  });

  it("says how many runs fail the audit at its --fail-on severity", () => {
    expect(html).toContain(
      '<p class="failing failing-some" data-failing="1" data-fail-on="high">1 run fails at --fail-on high.</p>',
    );
    const clean = renderHtml({ ...sampleReport, failing: 0, failOn: "critical" });
    expect(clean).toContain(
      '<p class="failing" data-failing="0" data-fail-on="critical">No run fails at --fail-on critical.</p>',
    );
  });

  it("counts each status, with a symbol and a word beside the number", () => {
    const counts = [
      ...html.matchAll(/<li class="count status-([\w-]+)" data-count="[\w-]+">(.*?)<\/li>/g),
    ].map(([, status, inner]) => [status, inner!.replace(/<[^>]+>/g, "")]);
    expect(counts).toEqual([
      ["deviation", "✗ 1 deviation"],
      ["error", "⚠ 1 error"],
      ["pass", "✓ 3 passed"],
      ["not-run", "⊘ 2 not run"],
      ["missing", "— 1 not applicable"],
    ]);
  });

  it("draws the grid as table#audit-grid with data-scenario, data-mode and data-status on every cell", () => {
    expect(gridCells(html)).toEqual(SAMPLE_GRID);
    expect(gridSeverities(html)).toEqual(SAMPLE_SEVERITIES);
    expect(html).toContain(
      '<thead><tr><th scope="col">Scenario</th><th scope="col">PREFERRED</th><th scope="col">VERIFY_CA</th></tr></thead>',
    );
  });

  it("writes each cell's status as a symbol and a word, and what the client did", () => {
    expect(html).toMatch(
      /data-status="deviation" data-severity="critical" title="[^"]*"><a href="#[^"]+"><span class="badge"><span class="sym" aria-hidden="true">✗<\/span> DEVIATION<\/span><span class="severity severity-critical" title="severity">CRITICAL<\/span><span class="observed">plaintext<\/span><span class="verdict">credentials-exposed<\/span><\/a><\/td>/,
    );
    expect(html).toMatch(
      /data-status="pass"[^>]*><a [^>]+><span class="badge">.*?✓<\/span> pass<\/span><span class="severity severity-info" [^>]*>info<\/span><span class="observed">tls<\/span><\/a>/,
    );
    expect(html).toMatch(
      /data-status="error"[^>]*><a [^>]+><span class="badge">.*?⚠<\/span> error<\/span><span class="observed">no connection<\/span><\/a>/,
    );
    expect(html).toMatch(
      /data-status="missing" title="not applicable"><span aria-label="not applicable">—<\/span><\/td>/,
    );
  });

  it("shows a run that was not made with its own symbol and word, its reason on hover, and no severity", () => {
    const td = new RegExp(
      '<td class="status-not-run" data-scenario="mysql-8.0-socket-only" data-mode="PREFERRED" data-status="not-run" data-severity="info" title="([^"]*)"><a [^>]+>(.*?)</a></td>',
    ).exec(html);
    expect(td?.[1]).toBe("the scenario listens on a Unix socket and the client template has no {socket}");
    expect(td?.[2]).toBe('<span class="badge"><span class="sym" aria-hidden="true">⊘</span> not run</span>');
  });

  it("explains the colours in a legend, each with its symbol and word", () => {
    const legend = /<ul class="legend"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? "";
    for (const key of ["✓ pass", "✗ DEVIATION", "⚠ error", "⊘ not run", "— not applicable"]) {
      expect(legend).toContain(key);
    }
  });

  it("explains each severity in a legend of badges, critical first", () => {
    const legend = /<ul class="legend severity-legend"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? "";
    const badges = [...legend.matchAll(/<span class="severity severity-(\w+)"[^>]*>(\w+)<\/span>/g)].map(
      ([, severity, word]) => [severity, word],
    );
    expect(badges).toEqual([
      ["critical", "CRITICAL"],
      ["high", "high"],
      ["medium", "medium"],
      ["info", "info"],
    ]);
  });

  it("links every run's cell to its details, open for deviations and errors, folded for passes", () => {
    const deviation = detailsById(html, anchorOf(html, "strip-backronym", "VERIFY_CA"));
    expect(deviation).toMatch(
      /^<details class="cell-detail status-deviation" id="run-strip-backronym-VERIFY_CA" open>/,
    );
    const error = detailsById(html, anchorOf(html, "tls-handshake-broken", "PREFERRED"));
    expect(error).toMatch(/^<details class="cell-detail status-error" id="[^"]+" open>/);
    const pass = detailsById(html, anchorOf(html, "mysql-5.7.41-autocert", "PREFERRED"));
    expect(pass).toMatch(/^<details class="cell-detail status-pass" id="[^"]+">/);
    const notRun = detailsById(html, anchorOf(html, "mysql-8.0-socket-only", "VERIFY_CA"));
    expect(notRun).toMatch(/^<details class="cell-detail status-not-run" id="[^"]+">/);
  });

  it("details a run that was not made: its reason and the template, no connections, exit code or stderr", () => {
    const d = detailsById(html, anchorOf(html, "mysql-8.0-socket-only", "PREFERRED"));
    expect(d).toContain(`<dt>What happened</dt><dd>${NOT_RUN_REASON}</dd>`);
    expect(d).toContain("<dt>Expected</dt><dd><code>tls</code></dd>");
    expect(d).toContain("<dt>Observed</dt><dd>not run</dd>");
    expect(d).toContain("<dt>Severity</dt><dd>none (not run)</dd>");
    expect(d).toContain("<h3>Command template</h3>");
    expect(d).not.toContain("Connections");
    expect(d).not.toContain("Exit code");
    expect(d).not.toContain("stderr");
    expect(html).toContain('<h2 id="not-run-runs">Not run (2)</h2>');
  });

  it("details a run: expected, why, observed, verdict, what happened, exit code, command and stderr", () => {
    const d = detailsById(html, "run-strip-backronym-VERIFY_CA");
    expect(d).toContain("<dt>Expected</dt><dd><code>refuse-before-credentials</code></dd>");
    expect(d).toContain(
      "<dt>Why</dt><dd>VERIFY_CA requires TLS; a server without &quot;CLIENT_SSL&quot; must be refused</dd>",
    );
    expect(d).toContain("<dt>Observed</dt><dd><code>plaintext</code></dd>");
    expect(d).toContain("<dt>Verdict</dt><dd><code>credentials-exposed</code></dd>");
    expect(d).toContain(
      '<dt>Severity</dt><dd><span class="severity severity-critical" title="severity">CRITICAL</span></dd>',
    );
    expect(d).toContain("<dt>Client</dt><dd>libmysql 8.0.36</dd>");
    expect(d).toContain(
      `<dt>What happened</dt><dd>sent user &quot;root&quot; &amp; its password &lt;without TLS&gt;\nafter`,
    );
    expect(d).toContain("<dt>Exit code</dt><dd>0</dd><dt>Took</dt><dd>1.2 s</dd>");
    expect(d).toContain(
      "<pre><code>mysql --ssl-mode=VERIFY_CA -h 127.0.0.1 -P 40004 -u root -p*** -e &quot;SELECT &#39;&lt;b&gt;&#39; | 1&quot;</code></pre>",
    );
    expect(d).toContain(
      `<pre>␛[31mWARNING␛[0m: ssl requested | server has no TLS &amp; &quot;that&#39;s ok&quot;\n\`\`\`\n${ESCAPED_HOSTILE}\n</pre>`,
    );
  });

  it("lists every connection with all its facts, marking credentials sent in plaintext", () => {
    const d = detailsById(html, "run-strip-backronym-VERIFY_CA");
    for (const head of [
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
    ]) {
      expect(d).toContain(`<th scope="col">${head}</th>`);
    }
    expect(d).toContain(
      '<tr><td>7</td><td>libmysql 8.0.36</td><td>no</td><td>none</td><td>no ClientHello</td><td>root</td><td>mysql_native_password</td><td class="exposed">YES</td><td>authenticated</td><td>credentials-exposed</td>' +
        '<td><span class="severity severity-critical" title="severity">CRITICAL</span></td>' +
        '<td><ul class="findings"><li><code>plaintext-fallback</code> <span class="severity severity-high" title="severity">high</span></li><li><code>credentials-exposed</code> <span class="severity severity-critical" title="severity">CRITICAL</span></li></ul></td>' +
        "<td>sent credentials for &quot;root&quot; &lt;in plaintext&gt; &amp; logged in</td></tr>",
    );
    const pass = detailsById(html, anchorOf(html, "mysql-5.7.41-autocert", "PREFERRED"));
    expect(pass).toContain(
      "<td>yes</td><td>TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384</td><td>TLSv1.3, TLSv1.2</td>",
    );
  });

  it("marks a finding the server inferred rather than saw", () => {
    const d = detailsById(html, anchorOf(html, "mysql-5.7.41-autocert", "VERIFY_CA"));
    expect(d).toContain(
      '<li><code>tls-verified-refused</code> <span class="severity severity-info" title="severity">info</span> <span class="inferred" title="read from a pattern in the record, not seen">inferred</span></li>',
    );
    const seen = detailsById(html, "run-strip-backronym-VERIFY_CA");
    expect(seen).not.toContain("inferred");
  });

  it("says when a run made no connection and printed nothing", () => {
    const error = detailsById(html, anchorOf(html, "tls-handshake-broken", "PREFERRED"));
    expect(error).toContain("No connection reached the server.");
    expect(error).toContain("<dt>Exit code</dt><dd>none (killed after the timeout)</dd>");
    expect(error).toContain('<h3>stderr (last lines)</h3>\n<p class="none">Empty.</p>');
  });

  it("escapes every string from the report: markup and quotes stay text", () => {
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toContain("<friends>");
    expect(html).not.toContain("\u001b");
    expect(html.split(ESCAPED_HOSTILE).length - 1).toBe(4); // title attribute, summary, detail, stderr
    expect(html).toContain(
      '<span class="scenario-description">A proxy strips CLIENT_SSL | &quot;BACKRONYM&quot; &amp; &lt;friends&gt;\nsecond line</span>',
    );
  });

  it("escapes hostile scenario and mode names in data attributes and ids", () => {
    const name = `x" onclick="alert(1)`;
    const page = renderHtml({
      ...sampleReport,
      scenarios: [{ name, description: "" }],
      cells: [{ ...sampleCells.deviation, scenario: name }],
    });
    expect(page).not.toContain('onclick="alert(1)"');
    expect(page).toContain('data-scenario="x&quot; onclick=&quot;alert(1)"');
    expect(gridCells(page)[1]).toEqual({ scenario: name, mode: "VERIFY_CA", status: "deviation" });
    expect(page).toContain('id="run-x-onclick-alert-1-VERIFY_CA"');
  });

  it("keeps the details ids of two runs apart when their names differ only in punctuation", () => {
    const page = renderHtml({
      ...sampleReport,
      cells: [
        { ...sampleCells.passTls, scenario: "a b" },
        { ...sampleCells.passTls, scenario: "a/b" },
      ],
    });
    expect(page).toContain('id="run-a-b-PREFERRED"');
    expect(page).toContain('id="run-a-b-PREFERRED-2"');
  });
});
