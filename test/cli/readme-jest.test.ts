import { execFile, execFileSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

/**
 * The README's jest setup, as a user copies it: its jest.config.js and its "A server per test"
 * example, verbatim, in a project of their own that has the package installed (built from these
 * sources) next to jest, ts-jest, TypeScript and mysql2.
 */

const ROOT = resolve(__dirname, "..", "..");
const README = readFileSync(join(ROOT, "README.md"), "utf8");

/** The first fenced block of `language` after `heading` in the README. */
function readmeBlock(heading: string, language: string, containing = ""): string {
  const start = README.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README has no heading ${heading}`);
  const fence = new RegExp("```" + language + "\\n([\\s\\S]*?)```", "g");
  fence.lastIndex = start;
  for (let match = fence.exec(README); match; match = fence.exec(README)) {
    if (match[1]!.includes(containing)) return match[1]!;
  }
  throw new Error(`README has no ${language} block after ${heading}`);
}

/**
 * What a user's project has installed: what the README tells them to install besides
 * mysql-tls-mock, and what npm installs with it (its dependencies), from this clone's node_modules.
 */
const INSTALLED = [
  ...["jest", "ts-jest", "typescript", "@types/jest", "@types/node", "mysql2"],
  ...Object.keys(
    (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { dependencies: object }).dependencies,
  ),
];

describe("the README's jest setup", () => {
  const config = readmeBlock("## Testing with jest", "js", "jest.config.js");
  const example = readmeBlock("### A server per test", "ts");

  it("configures ts-jest, so TypeScript test files run as written", () => {
    const module = { exports: {} as Record<string, unknown> };
    new Function("module", config)(module);
    expect(module.exports).toEqual({
      preset: "ts-jest",
      testEnvironment: "node",
      setupFilesAfterEnv: ["mysql-tls-mock/jest"],
    });
  });

  it("runs the README's TypeScript example with the README's jest.config.js in a project of its own", async () => {
    const project = mkdtempSync(join(tmpdir(), "mysql-tls-mock-readme-jest-"));
    try {
      const modules = join(project, "node_modules");
      const pkg = join(modules, "mysql-tls-mock");
      for (const name of INSTALLED) {
        mkdirSync(dirname(join(modules, name)), { recursive: true });
        symlinkSync(join(ROOT, "node_modules", name), join(modules, name));
      }
      // The package as installed: package.json, its compiled dist/ and the folders it ships.
      mkdirSync(pkg);
      copyFileSync(join(ROOT, "package.json"), join(pkg, "package.json"));
      for (const shipped of ["bin", "scenarios", "probes", "docs"]) {
        symlinkSync(join(ROOT, shipped), join(pkg, shipped));
      }
      execFileSync(
        process.execPath,
        [
          join(ROOT, "node_modules", "typescript", "bin", "tsc"),
          "-p",
          join(ROOT, "tsconfig.build.json"),
          "--outDir",
          join(pkg, "dist"),
          "--noEmitOnError",
          "false",
        ],
        { cwd: ROOT, stdio: "pipe" },
      );
      writeFileSync(join(project, "package.json"), '{ "name": "app", "private": true }\n');
      writeFileSync(join(project, "jest.config.js"), config);
      writeFileSync(join(project, "untrusted-ca.test.ts"), example);

      const run = await new Promise<{ code: number; stderr: string }>((done) => {
        execFile(
          process.execPath,
          [join(ROOT, "node_modules", "jest", "bin", "jest.js"), "--ci", "--colors=false"],
          { cwd: project, timeout: 180_000, env: { ...process.env, NO_COLOR: "1" } },
          (error, _stdout, stderr) => done({ code: error ? (error.code as number) || 1 : 0, stderr }),
        );
      });
      expect({ code: run.code, stderr: run.stderr }).toEqual({
        code: 0,
        stderr: expect.stringContaining("Tests:       1 passed, 1 total") as string,
      });
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  }, 240_000);
});
