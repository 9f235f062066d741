import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  loadScenario,
  MAX_SCENARIO_ALIAS_COUNT,
  MAX_SCENARIO_FILE_BYTES,
  ScenarioError,
} from "../../src/scenarios/load-scenario";
import { runCli } from "../helpers/cli-process";

/**
 * Scenario input is bounded: only regular files are read, none larger than
 * MAX_SCENARIO_FILE_BYTES, and YAML aliases cannot multiply a small file into more data than memory
 * holds. Each refusal names the file (the one `extends` reached, not only the one given).
 */

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-hostile-scenarios-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Ten levels of ten aliases each: 10^10 strings once expanded ("billion laughs"), 1 KiB as text. */
function aliasBomb(): string {
  let text = 'description: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  for (let level = 1; level < 10; level++) {
    const alias = `*l${level - 1}`;
    text += `x${level}: &l${level} [${Array(10).fill(alias).join(",")}]\n`;
  }
  return text;
}

describe("scenario files that are not what a scenario is", () => {
  it("refuses `extends: /dev/zero` without reading it, naming the device", () => {
    const path = file("zero.yaml", "extends: /dev/zero\ndescription: reads forever\n");
    expect(() => loadScenario(path)).toThrow(
      new ScenarioError("/dev/zero", "", "is a character device, not a regular file"),
    );
  });

  it("refuses a FIFO without waiting for a writer", () => {
    const fifo = join(dir, "scenario.yaml.fifo");
    execFileSync("mkfifo", [fifo]);
    const path = file("fifo.yaml", `extends: ${fifo}\ndescription: waits for a writer\n`);
    expect(() => loadScenario(path)).toThrow(`${fifo}: is a FIFO, not a regular file`);
  });

  it("refuses a directory", () => {
    expect(() => loadScenario(`${dir}/`)).toThrow(`${dir}: is a directory, not a regular file`);
  });

  it("refuses a file over the size cap, naming the file and the cap, before parsing it", () => {
    const header = "description: too big\n";
    const big = file("big.yaml", header + "#".repeat(MAX_SCENARIO_FILE_BYTES - header.length) + "\n");
    expect(() => loadScenario(big)).toThrow(
      `${big}: is ${MAX_SCENARIO_FILE_BYTES + 1} bytes, more than the ${MAX_SCENARIO_FILE_BYTES} bytes allowed`,
    );
  });

  it("reads a file right at the size cap", () => {
    const header = "description: as big as allowed\n";
    const full = file("full.yaml", header + "#".repeat(MAX_SCENARIO_FILE_BYTES - header.length - 1) + "\n");
    expect(loadScenario(full).description).toBe("as big as allowed");
  });

  it("refuses YAML aliases that expand past the cap, naming the file that holds them", () => {
    const bomb = file("bomb.yaml", aliasBomb());
    const child = file("child.yaml", "extends: bomb.yaml\ndescription: innocent\n");
    const expected = `${bomb}: YAML aliases expand it more than ${MAX_SCENARIO_ALIAS_COUNT} times (a cap against alias bombs)`;
    expect(() => loadScenario(bomb)).toThrow(expected);
    expect(() => loadScenario(child)).toThrow(expected);
  });

  it("still reads a scenario that uses a few aliases", () => {
    const path = file(
      "aliases.yaml",
      "description: &d shared text\nreferences: [*d, *d]\naccounts:\n  - &a { user: app, password: pw }\n",
    );
    expect(loadScenario(path).references).toEqual(["shared text", "shared text"]);
  });

  it("is refused by the CLI in one line naming the file, with status 1", async () => {
    const result = await runCli(["scenarios", "show", "/dev/zero"], { timeoutMs: 20_000 });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("mysql-tls-mock: /dev/zero: is a character device, not a regular file\n");
  });
});
