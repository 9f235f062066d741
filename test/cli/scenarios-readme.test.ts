import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { OUTCOME_NEUTRAL_KEYS, builtinScenarioNames, loadScenario } from "../../src/scenarios/load-scenario";
import { SSL_MODES } from "../../src/scenarios/scenario-schema";
import { runCli } from "../helpers/cli-process";

/**
 * scenarios/README.md lists what exists: its table of built-in scenarios is the scenario files'
 * own names, descriptions and expectations. `UPDATE_DOCS=1 npx jest test/cli/scenarios-readme`
 * rewrites the table after scenarios change (then `npx prettier --write scenarios/README.md`).
 */

const README = resolve(__dirname, "..", "..", "scenarios", "README.md");
const BEGIN = "<!-- built-in scenarios: generated from the files by test/cli/scenarios-readme.test.ts -->";
const END = "<!-- end of built-in scenarios -->";

const SHORT_OUTCOME: Record<string, string> = {
  plaintext: "plaintext",
  tls: "tls",
  "refuse-before-credentials": "refuse",
  "refused-after-credentials": "refused after login",
};

/** Each built-in's row: linked name, description, the outcome in each ssl-mode. */
function expectedRows(): string[][] {
  return builtinScenarioNames().map((name) => {
    const scenario = loadScenario(name);
    return [
      `[\`${name}\`](${name}.yaml)`,
      scenario.description.replace(/\|/g, "\\|").replace(/\s+/g, " "),
      ...SSL_MODES.map((mode) => {
        const outcome = scenario.expect[mode]?.outcome;
        return outcome ? SHORT_OUTCOME[outcome]! : "—";
      }),
    ];
  });
}

function expectedTable(): string {
  const head = ["scenario", "what it is", ...SSL_MODES.map((mode) => `\`${mode}\``)];
  return [head, head.map(() => "---"), ...expectedRows()].map((row) => `| ${row.join(" | ")} |`).join("\n");
}

/** The cells of a Markdown table's body rows, however it is aligned. */
function tableRows(markdown: string): string[][] {
  return markdown
    .split("\n")
    .filter((line) => line.startsWith("|"))
    .slice(2)
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    );
}

describe("scenarios/README.md", () => {
  const text = readFileSync(README, "utf8");

  if (process.env.UPDATE_DOCS === "1") {
    const start = text.indexOf(BEGIN);
    const end = text.indexOf(END);
    if (start >= 0 && end > start) {
      writeFileSync(README, `${text.slice(0, start)}${BEGIN}\n\n${expectedTable()}\n\n${text.slice(end)}`);
    }
  }

  it("lists every built-in scenario with its own description and expectations, and no other", () => {
    const current = readFileSync(README, "utf8");
    const start = current.indexOf(BEGIN);
    const end = current.indexOf(END);
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    expect(tableRows(current.slice(start, end))).toEqual(expectedRows());
  });

  it("names every key a child may change and still inherit its parent's expectations", () => {
    const section = text.slice(text.indexOf("## `extends` and expectations"));
    const documented = [...section.matchAll(/^\| (`[^|]+`) +\|/gm)]
      .flatMap((m) => [...m[1]!.matchAll(/`([^`]+)`/g)].map((k) => k[1]!))
      .filter((key) => key !== "key");
    expect(documented.sort()).toEqual([...OUTCOME_NEUTRAL_KEYS].sort());
  });

  it("shows what `scenarios show cert-wrong-host` prints", async () => {
    const sample = /`mysql-tls-mock scenarios show cert-wrong-host`[\s\S]*?```text\n([\s\S]*?)```/.exec(
      text,
    )![1]!;
    const result = await runCli(["scenarios", "show", "cert-wrong-host"]);
    expect(result.code).toBe(0);
    const printed = result.stdout.slice(result.stdout.indexOf("# what a correct client does"));
    const sampleLines = sample.trimEnd().split("\n");
    const printedLines = printed.trimEnd().split("\n");
    expect(printedLines).toHaveLength(sampleLines.length);
    sampleLines.forEach((line, i) => {
      // A line shortened with "…" is the start of the printed one.
      if (line.endsWith(" …")) expect(printedLines[i]!.startsWith(line.slice(0, -2))).toBe(true);
      else expect(printedLines[i]).toBe(line);
    });
  });
});
