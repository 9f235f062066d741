import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers/cli-process";

/**
 * `audit` checks every report path before its first run: a path it cannot write stops it with
 * status 2 and the path named, before any client runs and before any report is written.
 */

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-audit-outputs-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** An audit of one cell whose client leaves a mark when it runs. */
function audit(marker: string, reports: string[]) {
  return runCli(
    [
      "audit",
      "--client",
      `touch ${marker}`,
      "--scenarios",
      "mysql-5.7.41-notls",
      "--modes",
      "DISABLED",
      "--no-progress",
      ...reports,
    ],
    { timeoutMs: 60_000 },
  );
}

describe("audit report paths", () => {
  it("refuses an --html in a folder that does not exist, naming it, before running a client or writing any report", async () => {
    const marker = join(dir, "client-ran");
    const markdown = join(dir, "report.md");
    const html = join(dir, "no-such-folder", "report.html");
    const result = await audit(marker, ["--markdown", markdown, "--html", html]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `mysql-tls-mock: cannot write the reports, nothing run: --html ${html}: its folder ${join(dir, "no-such-folder")} does not exist\n`,
    );
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(markdown)).toBe(false);
  });

  it("refuses a report path that is a directory and two reports to the same file, naming every one", async () => {
    const marker = join(dir, "client-ran");
    const folder = join(dir, "a-folder");
    mkdirSync(folder);
    const shared = join(dir, "report.out");
    const result = await audit(marker, ["--json", shared, "--junit", folder, "--html", shared]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `mysql-tls-mock: cannot write the reports, nothing run: --junit ${folder}: is a directory; --html ${shared}: the same file as --json\n`,
    );
    expect(existsSync(marker)).toBe(false);
  });

  it("runs and writes every report when every path can be written", async () => {
    const marker = join(dir, "client-ran");
    const markdown = join(dir, "report.md");
    const html = join(dir, "report.html");
    const result = await audit(marker, ["--markdown", markdown, "--html", html]);
    expect(result.stderr).not.toContain("cannot write");
    expect(existsSync(marker)).toBe(true);
    expect(existsSync(markdown)).toBe(true);
    expect(existsSync(html)).toBe(true);
  });
});
