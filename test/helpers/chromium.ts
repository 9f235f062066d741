import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ProcessResult, runProcess } from "./processes";

/** How long one headless run may take: a cold start on a loaded CI machine takes seconds, not tens. */
export const CHROMIUM_TIMEOUT_MS = 60_000;

/**
 * What every run passes: headless, and nothing that reaches the network or waits for a service a
 * CI container does not have (GPU, sync, component updates, QUIC probes).
 */
const BASE_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface ChromiumResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs Debian's `chromium` headless with `args` (e.g. `--dump-dom file:///…`) in a fresh profile
 * directory, removed afterwards, and resolves with what it printed. Fails, never skips, when
 * chromium is missing: the HTML report is only known to render if a browser rendered it.
 */
export async function runHeadlessChromium(
  args: string[],
  options: { timeoutMs?: number } = {},
): Promise<ChromiumResult> {
  const timeoutMs = options.timeoutMs ?? CHROMIUM_TIMEOUT_MS;
  const profile = mkdtempSync(join(tmpdir(), "mysql-tls-mock-chromium-"));
  try {
    let result: ProcessResult;
    try {
      result = await runProcess("chromium", [...BASE_FLAGS, `--user-data-dir=${profile}`, ...args], {
        timeoutMs,
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      throw new Error(
        "chromium is not installed (no `chromium` on PATH). The HTML report tests need a real " +
          "browser: `.ci/run` installs Debian's chromium (apt-get install chromium).",
      );
    }
    const { code, signal, stdout, stderr, timedOut } = result;
    if (code === 0) return { stdout, stderr };
    const why = timedOut ? `did not finish within ${timeoutMs} ms` : `failed (exit ${code ?? signal})`;
    throw new Error(`chromium ${why}: chromium ${args.join(" ")}\n${stderrTail(stderr)}`);
  } finally {
    // The browser's helper processes may still be letting go of the profile for a moment.
    rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
}

/** The end of chromium's stderr without the D-Bus complaints every container run prints. */
function stderrTail(stderr: string): string {
  return stderr
    .split("\n")
    .filter((line) => !line.includes("dbus"))
    .slice(-20)
    .join("\n");
}
