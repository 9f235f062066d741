import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { renderHtml } from "../../../src/audit/report/html";
import { CHROMIUM_TIMEOUT_MS, runHeadlessChromium } from "../../helpers/chromium";
import { gridCells, gridSeverities, SAMPLE_GRID, SAMPLE_SEVERITIES } from "./html-cells";
import { sampleReport } from "./sample-report";

const WINDOW = { width: 1280, height: 900 };
const TEST_TIMEOUT_MS = CHROMIUM_TIMEOUT_MS + 10_000;

/**
 * Appended to a copy of the page (never to the report itself, which has no script): asks the
 * browser what it laid out and writes the answer into the DOM, where --dump-dom shows it.
 */
const PROBE = `<script>
(() => {
  const cells = Array.from(document.querySelectorAll("#audit-grid td"), (td) => {
    const link = td.querySelector("a[href^='#']");
    const target = link ? document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1))) : null;
    const style = getComputedStyle(td);
    const badge = td.querySelector(".severity");
    const badgeStyle = badge ? getComputedStyle(badge) : null;
    const badgeBox = badge ? badge.getBoundingClientRect() : null;
    const cellBox = td.getBoundingClientRect();
    return {
      scenario: td.dataset.scenario,
      mode: td.dataset.mode,
      status: td.dataset.status,
      severity: td.dataset.severity ?? null,
      badge: badge
        ? {
            text: badge.textContent,
            background: badgeStyle.backgroundColor,
            color: badgeStyle.color,
            weight: Number(badgeStyle.fontWeight),
            inside: badgeBox.width > 0 && badgeBox.left >= cellBox.left && badgeBox.right <= cellBox.right,
          }
        : null,
      text: td.textContent.replace(/\\s+/g, " ").trim(),
      background: style.backgroundColor + " " + style.backgroundImage,
      edge: style.borderLeftColor,
      target: target ? target.tagName + (target.open ? " open" : "") : null,
    };
  });
  const grid = document.getElementById("audit-grid").getBoundingClientRect();
  const result = {
    cells,
    gridRight: grid.right,
    gridTop: grid.top,
    viewportWidth: window.innerWidth,
    pageWidth: document.documentElement.scrollWidth,
    scripts: document.scripts.length,
  };
  const out = document.createElement("pre");
  out.id = "probe";
  out.textContent = encodeURIComponent(JSON.stringify(result));
  document.body.append(out);
})();
</script>`;

interface Probe {
  cells: Array<{
    scenario: string;
    mode: string;
    status: string;
    severity: string | null;
    badge: { text: string; background: string; color: string; weight: number; inside: boolean } | null;
    text: string;
    background: string;
    edge: string;
    target: string | null;
  }>;
  gridRight: number;
  gridTop: number;
  viewportWidth: number;
  pageWidth: number;
  scripts: number;
}

describe("the HTML report in Chromium", () => {
  let dir: string;
  let page: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-html-"));
    page = join(dir, "audit.html");
    writeFileSync(page, renderHtml(sampleReport));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    "parses into a DOM with table#audit-grid, every cell carrying its scenario, mode and status",
    async () => {
      const { stdout: dom } = await runHeadlessChromium(["--dump-dom", pathToFileURL(page).href]);
      expect(dom).toContain('<table id="audit-grid"');
      expect(gridCells(dom)).toEqual(SAMPLE_GRID);
      expect(gridSeverities(dom)).toEqual(SAMPLE_SEVERITIES);
      // The hostile strings stayed text: the browser built no script element from them.
      expect(dom).not.toMatch(/<script/i);
      expect(dom).toContain("&lt;script&gt;alert(\"pwned &amp; 'owned'\")&lt;/script&gt;");
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "lays the grid out so status reads at a glance: a colour per status, a word in every cell, no sideways scrolling",
    async () => {
      const probed = join(dir, "probed.html");
      writeFileSync(probed, renderHtml(sampleReport).replace("</body>", `${PROBE}\n</body>`));
      const { stdout: dom } = await runHeadlessChromium([
        `--window-size=${WINDOW.width},${WINDOW.height}`,
        "--dump-dom",
        pathToFileURL(probed).href,
      ]);
      const encoded = /<pre id="probe">([^<]*)<\/pre>/.exec(dom)?.[1];
      if (!encoded) throw new Error(`the probe did not run:\n${dom.slice(-2000)}`);
      const probe = JSON.parse(decodeURIComponent(encoded)) as Probe;

      expect(probe.scripts).toBe(1); // the probe itself
      expect(probe.cells.map(({ scenario, mode, status }) => ({ scenario, mode, status }))).toEqual(
        SAMPLE_GRID,
      );

      const words: Record<string, string> = {
        pass: "✓ pass",
        deviation: "✗ DEVIATION",
        error: "⚠ error",
        "not-run": "⊘ not run",
        missing: "—",
      };
      for (const cell of probe.cells) expect(cell.text.startsWith(words[cell.status]!)).toBe(true);

      const looks = new Map<string, Set<string>>();
      for (const cell of probe.cells) {
        looks.set(
          cell.status,
          (looks.get(cell.status) ?? new Set()).add(`${cell.background} | ${cell.edge}`),
        );
      }
      expect([...looks.keys()].sort()).toEqual(["deviation", "error", "missing", "not-run", "pass"]);
      for (const [, seen] of looks) expect(seen.size).toBe(1); // one look per status
      const distinct = new Set([...looks.values()].map((seen) => [...seen][0]));
      expect(distinct.size).toBe(5); // and no two statuses alike

      const byStatus = (status: string) => probe.cells.filter((cell) => cell.status === status);
      for (const cell of byStatus("deviation")) expect(cell.target).toBe("DETAILS open");
      for (const cell of byStatus("error")) expect(cell.target).toBe("DETAILS open");
      for (const cell of byStatus("pass")) expect(cell.target).toBe("DETAILS");
      for (const cell of byStatus("not-run")) expect(cell.target).toBe("DETAILS");

      expect(probe.viewportWidth).toBe(WINDOW.width);
      expect(probe.pageWidth).toBeLessThanOrEqual(WINDOW.width);
      expect(probe.gridRight).toBeLessThanOrEqual(WINDOW.width);
      expect(probe.gridTop).toBeLessThan(WINDOW.height / 2); // the grid is on the first screen
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "shows each judged run's severity as a badge read back from the DOM, critical standing out",
    async () => {
      const probed = join(dir, "probed-severity.html");
      writeFileSync(probed, renderHtml(sampleReport).replace("</body>", `${PROBE}\n</body>`));
      const { stdout: dom } = await runHeadlessChromium([
        `--window-size=${WINDOW.width},${WINDOW.height}`,
        "--dump-dom",
        pathToFileURL(probed).href,
      ]);
      const encoded = /<pre id="probe">([^<]*)<\/pre>/.exec(dom)?.[1];
      if (!encoded) throw new Error(`the probe did not run:\n${dom.slice(-2000)}`);
      const probe = JSON.parse(decodeURIComponent(encoded)) as Probe;

      expect(probe.cells.map((cell) => cell.severity ?? undefined)).toEqual(SAMPLE_SEVERITIES);
      // Judged runs show the badge, and it says what data-severity says; the others show none.
      for (const cell of probe.cells) {
        const judged = cell.status === "pass" || cell.status === "deviation";
        expect(cell.badge?.text ?? null).toBe(
          judged ? (cell.severity === "critical" ? "CRITICAL" : cell.severity) : null,
        );
        if (cell.badge) expect(cell.badge.inside).toBe(true);
      }
      const critical = probe.cells.find((cell) => cell.severity === "critical")!.badge!;
      const info = probe.cells.find((cell) => cell.severity === "info" && cell.badge)!.badge!;
      // Critical is white on dark red and heavier; info is muted text on no background.
      expect(critical.background).toBe("rgb(165, 14, 14)");
      expect(critical.color).toBe("rgb(255, 255, 255)");
      expect(info.background).toBe("rgba(0, 0, 0, 0)");
      expect(critical.weight).toBeGreaterThan(info.weight);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "renders to a screenshot",
    async () => {
      const png = join(dir, "audit.png");
      await runHeadlessChromium([
        `--screenshot=${png}`,
        `--window-size=${WINDOW.width},${WINDOW.height}`,
        pathToFileURL(page).href,
      ]);
      const bytes = readFileSync(png);
      expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      // IHDR: width and height, big-endian, right after the signature and the chunk header.
      expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([WINDOW.width, WINDOW.height]);
      // A blank or unstyled page compresses to a few kilobytes; the report is text and colour.
      expect(statSync(png).size).toBeGreaterThan(40_000);
    },
    TEST_TIMEOUT_MS,
  );
});
