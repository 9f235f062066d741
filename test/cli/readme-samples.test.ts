import { once } from "node:events";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { startCli } from "../helpers/cli-process";
import { runProcess } from "../helpers/processes";

/**
 * The README's "Thirty seconds with a real client", run as written: `serve` prints the banner the
 * README shows, and the README's mariadb command makes it print the README's event lines. Only
 * what differs from run to run is set aside: the port picked, the client's port and the clock.
 */

const README = readFileSync(resolve(__dirname, "..", "..", "README.md"), "utf8");
const SECTION = README.slice(README.indexOf("## Thirty seconds with a real client"));

/** The fenced blocks of the section, in order. */
const blocks = [...SECTION.slice(0, SECTION.indexOf("\n## ", 5)).matchAll(/```(\w+)\n([\s\S]*?)```/g)].map(
  (m) => ({ language: m[1]!, text: m[2]! }),
);

const README_PORT = "3306";

/** Run-to-run differences set aside: times of day and client ports. */
function normalized(lines: string): string[] {
  return lines
    .trim()
    .split("\n")
    .map((line) =>
      line.replace(/^\d\d:\d\d:\d\d\.\d{3} /, "HH:MM:SS.mmm ").replace(/(127\.0\.0\.1):\d+$/, "$1:PORT"),
    );
}

async function waitFor(predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("the README's first samples", () => {
  it("are what serve and the README's mariadb command print", async () => {
    const [start, banner, commands, events] = blocks;
    expect(start!.text).toContain("npm start");
    const mariadb = commands!.text.split("\n").find((line) => line.startsWith("mariadb "))!;
    expect(mariadb).toContain(`-P ${README_PORT}`);

    const cli = await startCli([]);
    try {
      const asInReadme = (text: string) =>
        text.replaceAll(`:${cli.port}`, `:${README_PORT}`).replaceAll(`-P ${cli.port}`, `-P ${README_PORT}`);
      const bannerLines = banner!.text.trim().split("\n").length;
      expect(asInReadme(cli.output()).split("\n").slice(0, bannerLines).join("\n")).toBe(banner!.text.trim());

      const client = await runProcess("sh", ["-c", mariadb.replace(`-P ${README_PORT}`, `-P ${cli.port}`)]);
      expect(client.code).toBe(0);
      await waitFor(() => cli.output().includes(" closed: "));
      const printed = cli
        .output()
        .split("\n")
        .filter((line) => /^\d\d:\d\d:\d\d\.\d{3} #/.test(line))
        .join("\n");
      expect(normalized(printed)).toEqual(normalized(events!.text));
    } finally {
      cli.child.kill("SIGTERM");
      await once(cli.child, "exit");
    }
  });
});
