import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadScenario, ScenarioError } from "../../src/scenarios/load-scenario";

function scenarioFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "mysql-tls-mock-problems-")), "s.yaml");
  writeFileSync(file, text);
  return file;
}

function errorOf(load: () => unknown): ScenarioError {
  try {
    load();
  } catch (error) {
    if (error instanceof ScenarioError) return error;
    throw error;
  }
  throw new Error("loaded without an error");
}

describe("ScenarioError: every problem at once", () => {
  it("lists every schema problem with its path and line, the first also in path/problem/line", () => {
    const file = scenarioFile("description: 1\nserver:\n  port: 3306\n  version: [5]\n");
    const error = errorOf(() => loadScenario(file));
    expect(error.problems.map((p) => [p.line, p.path])).toEqual([
      [1, "description"],
      [3, "server"],
      [4, "server.version"],
    ]);
    expect(error.problems[1]!.problem).toBe('unknown key "port"');
    expect([error.line, error.path]).toEqual([1, "description"]);
    expect(error.message.split("\n")).toEqual(error.lines);
    expect(error.lines[2]).toBe(`${file}:4: server.version: expected string, found [5]`);
  });

  it("gives each YAML syntax error its line and column", () => {
    const file = scenarioFile("description: x\nserver:\n  version: a: b\n");
    const error = errorOf(() => loadScenario(file));
    expect(error.problems[0]).toEqual({
      path: "",
      problem: "not valid YAML: Nested mappings are not allowed in compact mappings",
      line: 3,
      column: 12,
    });
    expect(error.message).toBe(
      `${file}:3:12: not valid YAML: Nested mappings are not allowed in compact mappings`,
    );
  });

  it("suggests the built-in a misspelt name or extends is closest to", () => {
    expect(errorOf(() => loadScenario("cert-expird")).problem).toBe(
      'no built-in scenario named "cert-expird"; did you mean cert-expired? (see mysql-tls-mock scenarios)',
    );
    const file = scenarioFile("extends: mysql-5.7.41-autocrt\ndescription: x\n");
    const error = errorOf(() => loadScenario(file));
    expect([error.path, error.problem]).toEqual([
      "extends",
      'no built-in scenario named "mysql-5.7.41-autocrt"; did you mean mysql-5.7.41-autocert? (see mysql-tls-mock scenarios)',
    ]);
  });

  it("suggests the one allowed value a misspelt one is near, and none when several are as near", () => {
    const file = scenarioFile(
      "description: x\nserver:\n  tls:\n    certificates: goood\n    versions: [TLSv1.4]\n",
    );
    const [certificates, versions] = errorOf(() => loadScenario(file)).problems;
    expect(certificates!.problem).toMatch(/, found "goood"; did you mean "good"\?$/);
    expect(versions!.problem).toMatch(/, found "TLSv1\.4"$/);
  });
});
