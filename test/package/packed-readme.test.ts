import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { type ProcessResult, runProcess } from "../helpers/processes";
import { stagePackageSources } from "../helpers/package-stage";

/**
 * The README as a new user follows it: the package packed with `npm pack` (its `prepack` builds
 * dist/), installed into a project of its own with the README's `npm install` lines, then the
 * README's jest configuration, tsconfig.json and TypeScript examples, and its shell examples, each
 * copied out of the README as written. Only the ports of the control API walk-through are changed
 * (3306 and 8080 may be taken on the machine running the tests).
 *
 * The install resolves jest, ts-jest, TypeScript and mysql2 the way a user's `npm install` does
 * today (npm's cache first, then the registry), so a new major version that breaks the README's
 * setup turns this test red.
 */

const ROOT = resolve(__dirname, "..", "..");
const README = readFileSync(join(ROOT, "README.md"), "utf8");
const PACKAGE = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  name: string;
  version: string;
  files: string[];
};

/**
 * The fenced blocks of `language` between `heading` and the next heading of the same or a higher
 * level (a `#` line inside a fence is a comment, not a heading).
 */
function readmeBlocks(heading: string, language: string): string[] {
  const lines = README.split("\n");
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`README has no heading ${heading}`);
  const level = /^#+/.exec(heading)![0].length;
  const blocks: string[] = [];
  let fence: { language: string; lines: string[] } | null = null;
  for (const line of lines.slice(start + 1)) {
    if (fence) {
      if (line.startsWith("```")) {
        if (fence.language === language) blocks.push(fence.lines.join("\n") + "\n");
        fence = null;
      } else fence.lines.push(line);
    } else if (line.startsWith("```")) {
      fence = { language: line.slice(3).trim(), lines: [] };
    } else {
      const heading = /^(#+) /.exec(line);
      if (heading && heading[1]!.length <= level) break;
    }
  }
  return blocks;
}

function readmeBlock(heading: string, language: string, containing = ""): string {
  const block = readmeBlocks(heading, language).find((text) => text.includes(containing));
  if (block === undefined)
    throw new Error(`README has no ${language} block containing "${containing}" under ${heading}`);
  return block;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

let project = "";
let env: NodeJS.ProcessEnv = {};

/** Runs a shell snippet in the project, with the installed package's bin on PATH. */
function shell(script: string, timeoutMs: number, cwd = project): Promise<ProcessResult> {
  return runProcess("bash", ["-c", script], { cwd, env, timeoutMs });
}

function jestRun(cwd: string): Promise<ProcessResult> {
  return shell("npx jest --ci --colors=false", 180_000, cwd);
}

const summary = (result: ProcessResult) =>
  `exit ${result.code}${result.timedOut ? " (timed out)" : ""}\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-6000)}`;

beforeAll(async () => {
  const work = mkdtempSync(join(tmpdir(), "mysql-tls-mock-packed-"));
  // `npm pack` from a copy of the package's sources, so building dist/ leaves the clone as it is.
  const stage = stagePackageSources(work);
  const pack = await runProcess("npm", ["pack", "--silent", "--pack-destination", work], {
    cwd: stage,
    timeoutMs: 120_000,
  });
  if (pack.code !== 0) throw new Error(`npm pack failed: ${summary(pack)}`);
  const tarball = join(work, pack.stdout.trim().split("\n").pop()!);

  project = join(work, "app");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), '{ "name": "app", "private": true }\n');
  env = {
    PATH: `${join(project, "node_modules", ".bin")}${delimiter}${process.env.PATH ?? ""}`,
    NO_COLOR: "1",
    // Nothing from this test run's own jest or serve settings leaks into the user's project.
    MYSQL_TLS_MOCK_SCENARIO: "",
  };
  const install = readmeBlock("## Testing with jest", "sh", "npm install")
    .split("\n")
    .filter((line) => line.startsWith("npm install"))
    .map((line) =>
      line
        .replace(/#.*/, "")
        .replace(/ mysql-tls-mock /, ` ${tarball} `)
        .trim(),
    )
    .map((line) => `${line} --prefer-offline --no-audit --no-fund`);
  expect(install).toHaveLength(2);
  for (const line of install) {
    const result = await shell(line, 240_000);
    if (result.code !== 0) throw new Error(`${line}: ${summary(result)}`);
  }
}, 600_000);

afterAll(() => {
  if (project) rmSync(resolve(project, ".."), { recursive: true, force: true });
});

describe("the packed package, installed with the README's npm install lines", () => {
  it("is the package at this version, with every shipped folder", () => {
    const installed = join(project, "node_modules", PACKAGE.name);
    expect(JSON.parse(readFileSync(join(installed, "package.json"), "utf8"))).toMatchObject({
      version: PACKAGE.version,
    });
    for (const shipped of PACKAGE.files) expect(existsSync(join(installed, shipped))).toBe(true);
    expect(existsSync(join(installed, "dist", "index.d.ts"))).toBe(true);
  });

  it("runs the README's TypeScript examples as written with its jest.config.js and tsconfig.json", async () => {
    writeFileSync(
      join(project, "jest.config.js"),
      readmeBlock("## Testing with jest", "js", "jest.config.js"),
    );
    writeFileSync(
      join(project, "tsconfig.json"),
      readmeBlock("## Testing with jest", "json", "compilerOptions"),
    );
    writeFileSync(join(project, "library.test.ts"), readmeBlock("## The library", "ts", "startMockServer"));
    writeFileSync(
      join(project, "per-test.test.ts"),
      readmeBlock("### A server per test", "ts", "useMockServer"),
    );
    writeFileSync(
      join(project, "behaved.test.ts"),
      readmeBlock("### Matchers", "ts", "toHaveBehavedAsExpected"),
    );
    const run = await jestRun(project);
    expect({ code: run.code, tests: /Tests: .*/.exec(run.stderr)?.[0] }).toEqual({
      code: 0,
      tests: "Tests:       3 passed, 3 total",
    });
  }, 240_000);

  it("runs the README's one-server-for-the-run example with its jest.config.js", async () => {
    const shared = join(project, "shared");
    mkdirSync(shared);
    writeFileSync(
      join(shared, "jest.config.js"),
      readmeBlock("### One server for the whole run", "js", "globalSetup"),
    );
    writeFileSync(
      join(shared, "tsconfig.json"),
      readmeBlock("## Testing with jest", "json", "compilerOptions"),
    );
    writeFileSync(
      join(shared, "shared.test.ts"),
      readmeBlock("### One server for the whole run", "ts", "sharedMockServer"),
    );
    const run = await jestRun(shared);
    expect({ code: run.code, tests: /Tests: .*/.exec(run.stderr)?.[0] }).toEqual({
      code: 0,
      tests: "Tests:       1 passed, 1 total",
    });
  }, 240_000);

  it("walks through the README's control API example: the client's record comes back from the API", async () => {
    const [mysqlPort, controlPort] = [await freePort(), await freePort()];
    const script = readmeBlock("## From any language: the control API", "sh", "--control-port")
      .replaceAll("3306", String(mysqlPort))
      .replaceAll("8080", String(controlPort));
    const run = await shell(script, 60_000);
    expect(run.code).toBe(0);
    const [health, scenario, connections] = run.stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(health).toMatchObject({ status: "ok", port: mysqlPort });
    expect(scenario).toMatchObject({ scenario: { name: "strip-backronym" } });
    expect(connections).toMatchObject({
      connections: [{ user: "root", credentialsInPlaintext: true, verdict: { kind: "plaintext-fallback" } }],
    });
  }, 90_000);

  it("runs the README's two audit commands, which write their reports and judge every run", async () => {
    const run = await shell(
      readmeBlock("### Auditing a client: `mysql-tls-mock audit`", "sh", "audit"),
      400_000,
    );
    // 0: no run failed, 1: a deviation failed; neither "could not judge" (3) nor "could not run" (2).
    expect([0, 1]).toContain(run.code);
    expect(run.stderr).not.toMatch(/^error:/m);
    expect(readFileSync(join(project, "audit.html"), "utf8")).toContain("<html");
    expect(readFileSync(join(project, "audit.xml"), "utf8")).toMatch(/<testsuites[^>]* tests="\d+"/);
  }, 420_000);

  it("answers the README's listing commands from the installed bin", async () => {
    const run = await shell(
      "mysql-tls-mock certs list --json && mysql-tls-mock scenarios --json && " +
        "mysql-tls-mock scenarios show strip-backronym --json && mysql-tls-mock audit --list-presets --json",
      60_000,
    );
    expect(run.code).toBe(0);
    const [certs, scenarios, shown, presets] = run.stdout
      .trim()
      .split(/\n(?=[[{])/)
      .map((text) => JSON.parse(text) as unknown);
    expect(certs).toEqual(expect.arrayContaining([expect.objectContaining({ name: "good" })]));
    expect(scenarios).toEqual(expect.arrayContaining([expect.objectContaining({ name: "strip-backronym" })]));
    expect(shown).toMatchObject({ name: "strip-backronym" });
    expect(presets).toMatchObject({
      presets: expect.arrayContaining([expect.objectContaining({ name: "mariadb-cli" })]),
    });
  }, 90_000);
});
