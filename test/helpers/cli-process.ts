import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { join } from "node:path";
import { trackChild } from "./leftover-processes";
import { type ProcessResult, runProcess } from "./processes";

/** The `mysql-tls-mock` command, as installed (it runs the TypeScript sources in a clone). */
export const BIN = join(__dirname, "..", "..", "bin", "mysql-tls-mock.js");

/** Runs `mysql-tls-mock ARGS` to completion without colour, killed after `timeoutMs`. */
export function runCli(args: string[], options: { timeoutMs?: number } = {}): Promise<ProcessResult> {
  return runProcess(process.execPath, [BIN, ...args], {
    env: { NO_COLOR: "1" },
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
}

/** A `mysql-tls-mock serve` started by {@link startCli}. */
export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  port: number;
  /** Everything it printed so far, stdout and stderr interleaved. */
  output: () => string;
}

const LISTENING = /listening on [\d.]+:(\d+)/;

/**
 * Starts `mysql-tls-mock serve --port 0 ARGS` as a user would and waits for its banner; fails with
 * what it printed when it exits first or prints none within 20 s. Kill `child` when done.
 */
export async function startCli(args: string[]): Promise<RunningCli> {
  const child = spawn(process.execPath, [BIN, "serve", "--port", "0", ...args], {
    env: { ...process.env, NO_COLOR: "1" },
  });
  trackChild(child, `mysql-tls-mock serve ${args.join(" ")}`);
  let output = "";
  const append = (d: Buffer) => {
    output += d.toString();
  };
  child.stdout.on("data", append);
  child.stderr.on("data", append);
  const deadline = Date.now() + 20_000;
  while (!LISTENING.test(output)) {
    if (Date.now() > deadline || child.exitCode !== null || child.signalCode !== null) {
      child.kill("SIGKILL");
      throw new Error(`mysql-tls-mock serve did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const port = Number(LISTENING.exec(output)![1]);
  return { child, port, output: () => output };
}
