import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";

/*
 * The examples in examples/python and examples/go are real test suites of their languages that
 * drive `serve --control-port` and a real driver (PyMySQL, go-sql-driver/mysql). Run here so they
 * run in CI with `npm test`: a missing interpreter, compiler or driver fails, never skips, since
 * .ci/run installs them all.
 */

const REPO = join(__dirname, "..", "..");
/** Debian's python3 (the `python3` on PATH may be another interpreter, without Debian's modules). */
const DEBIAN_PYTHON = "/usr/bin/python3";
// Guards against a hung suite only; each finishes in seconds (Go's first, uncached compile takes longest).
const SUITE_TIMEOUT_MS = 120_000;

interface SuiteRun {
  exitCode: number | null;
  output: string;
}

/** Runs a suite in the repository folder to its end, stdout and stderr together. */
function runSuite(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<SuiteRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: REPO,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (data: Buffer) => (output += data.toString()));
    child.stderr.on("data", (data: Buffer) => (output += data.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), SUITE_TIMEOUT_MS);
    // ENOENT here (no python3 or go installed) rejects, failing the test.
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, output });
    });
  });
}

describe("the example suites in other languages", () => {
  it(
    "examples/python: the pytest suite passes with PyMySQL, every test run and none skipped",
    async () => {
      const run = await runSuite(
        DEBIAN_PYTHON,
        // No .pytest_cache or __pycache__ left in the clone.
        ["-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", "examples/python"],
        { PYTHONDONTWRITEBYTECODE: "1" },
      );

      expect(run).toMatchObject({ exitCode: 0 });
      // The summary is "N passed in …" alone: no skipped, failed or deselected tests beside it.
      expect(run.output).toMatch(/^[1-9]\d* passed in /m);
    },
    SUITE_TIMEOUT_MS + 10_000,
  );

  it(
    "examples/go: the go test suite passes with go-sql-driver/mysql built offline, no test skipped",
    async () => {
      const run = await runSuite("go", ["test", "-count=1", "-v", "./examples/go/..."], {
        // Debian's packaged driver source, no module download; pure-Go net, so no C toolchain.
        GO111MODULE: "off",
        GOPATH: "/usr/share/gocode",
        CGO_ENABLED: "0",
        GOCACHE: process.env["GOCACHE"] ?? join(tmpdir(), "mysql-tls-mock-go-build-cache"),
      });

      expect(run).toMatchObject({ exitCode: 0 });
      const started = run.output.match(/^=== RUN /gm) ?? [];
      const passed = run.output.match(/^--- PASS: /gm) ?? [];
      expect(started.length).toBeGreaterThan(0);
      expect(passed.length).toBe(started.length);
    },
    SUITE_TIMEOUT_MS + 10_000,
  );
});
