import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { plain } from "./clients";

/**
 * Runs the fixture files in test/testing/fixtures (named *.fixture.ts, so the main run skips them)
 * in child jest processes, as a user's suite would run: `jest --detectOpenHandles --runInBand`.
 * A run passes only if its tests passed and jest exited on its own — a server left listening would
 * keep it alive until the timeout kills it. (Its open-handle warning is no check: jest lists a handle
 * only from the stack that created it, and a server listens after an await, so it lists nothing.)
 */

const ROOT = resolve(__dirname, "..", "..");
const JEST = join(ROOT, "node_modules", "jest", "bin", "jest.js");
const RUN_TIMEOUT_MS = 90_000;
/** How long jest may take to exit once it has printed its summary (globalTeardown runs in between). */
const EXIT_GRACE_MS = 10_000;

interface JestRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** jest printed its summary but had not exited EXIT_GRACE_MS later, and was killed. */
  hung: boolean;
  pid: number;
  output: string;
  ms: number;
}

/** The main config's setup, limited to the fixture files matching `pattern`. */
function fixtureConfig(pattern: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    rootDir: ROOT,
    roots: ["<rootDir>/test/testing/fixtures"],
    testMatch: [`**/${pattern}`],
    testEnvironment: "node",
    setupFiles: ["<rootDir>/test/helpers/jest-setup.ts"],
    setupFilesAfterEnv: ["<rootDir>/src/testing/jest.ts"],
    // tsconfig.json plus isolatedModules: ts-jest transpiles without type-checking (tsc does that),
    // which keeps each child run to seconds.
    transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: { isolatedModules: true } }] },
    testTimeout: 30_000,
    ...extra,
  });
}

function runJest(config: string, flags: string[], env: Record<string, string> = {}): Promise<JestRun> {
  const started = Date.now();
  const childEnv: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: "0", CI: "true", ...env };
  for (const name of Object.keys(childEnv)) if (name.startsWith("MYSQL_TLS_MOCK_")) delete childEnv[name];
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [JEST, "--config", config, "--ci", ...flags], {
      cwd: ROOT,
      env: childEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let hung = false;
    let graceTimer: NodeJS.Timeout | undefined;
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (graceTimer === undefined && /Ran all test suites/.test(output)) {
        graceTimer = setTimeout(() => {
          hung = true;
          child.kill("SIGKILL");
        }, EXIT_GRACE_MS);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
    const clear = () => {
      clearTimeout(timer);
      clearTimeout(graceTimer);
    };
    child.once("error", (error) => {
      clear();
      fail(error);
    });
    child.once("close", (code, signal) => {
      clear();
      done({ code, signal, hung, pid: child.pid!, output: plain(output), ms: Date.now() - started });
    });
  });
}

/** Checks the run exited by itself with 0 and `count` passed tests; otherwise fails showing its output. */
function expectPassed(run: JestRun, count: number): void {
  const summary = new RegExp(`Tests:\\s+${count} passed, ${count} total`);
  if (run.code !== 0 || run.hung || !summary.test(run.output)) {
    throw new Error(
      `the jest run did not pass ${count} tests (${run.hung ? "hung, killed" : `exit ${run.code ?? run.signal}`} after ${run.ms} ms):\n${run.output}`,
    );
  }
}

const SHARED = {
  globalSetup: "<rootDir>/src/testing/global-setup.ts",
  globalTeardown: "<rootDir>/src/testing/global-teardown.ts",
  globals: {
    "mysql-tls-mock": {
      scenario: "mysql-5.7.41-good-ca",
      accounts: [
        { user: "a", password: "a" },
        { user: "b", password: "b" },
      ],
    },
  },
};

describe("no open handle is left (jest --detectOpenHandles in a child process)", () => {
  jest.setTimeout(RUN_TIMEOUT_MS + 10_000);

  // The control spends most of its time waiting to be killed: it runs alongside the other runs.
  let leaky: Promise<JestRun>;
  beforeAll(() => {
    leaky = runJest(fixtureConfig("leaky.fixture.ts"), ["--detectOpenHandles", "--runInBand"]);
    leaky.catch(() => undefined);
  });

  it("useMockServer per file and per test: the run passes and jest exits by itself", async () => {
    const run = await runJest(fixtureConfig("use-mock-server-*.fixture.ts"), [
      "--detectOpenHandles",
      "--runInBand",
    ]);
    expectPassed(run, 4);
  });

  it("the globalSetup/globalTeardown pair: the run passes and jest exits by itself", async () => {
    const run = await runJest(fixtureConfig("shared-server-*.fixture.ts", SHARED), [
      "--detectOpenHandles",
      "--runInBand",
    ]);
    expectPassed(run, 2);
  });

  it("the shared server reaches test files in worker processes, through the environment and the records file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-pids-"));
    try {
      const pidsFile = join(dir, "pids");
      // A memory limit makes jest use workers even for two quick files.
      const run = await runJest(
        fixtureConfig("shared-server-*.fixture.ts", SHARED),
        ["--maxWorkers=2", "--workerIdleMemoryLimit=1GB"],
        { FIXTURE_PIDS_FILE: pidsFile },
      );
      expectPassed(run, 2);
      expect(run.output).not.toMatch(/failed to exit gracefully/);
      const pids = readFileSync(pidsFile, "utf8").trim().split("\n").map(Number);
      expect(pids).toHaveLength(2);
      expect(pids).not.toContain(run.pid);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the check itself: with a server started and never stopped, jest does not exit by itself", async () => {
    const run = await leaky;
    expect(run.output).toMatch(/Tests:\s+1 passed, 1 total/);
    // jest attributes a handle to the test only from the stack that created it; the server listens
    // after an await, so --detectOpenHandles lists nothing: exiting by itself is the real check.
    expect(run.hung).toBe(true);
  });
});
