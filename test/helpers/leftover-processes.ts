import type { ChildProcess } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Long-lived helper processes (mariadbd, `serve`) that a failing test forgets to stop would keep
 * jest waiting forever: on two CPUs jest runs the test files inside its own process (one worker
 * means in band), and a child's pipes hold that process open. Each one is therefore listed in a
 * folder the global setup creates, and the global teardown kills whatever is still listed there,
 * so a forgotten child costs a warning, not a run that never ends.
 */
export const LEFTOVERS_ENV = "MYSQL_TLS_MOCK_TEST_CHILDREN";

/**
 * Lists `child` until it exits (a no-op outside jest's global setup, e.g. in the benchmark);
 * `folder`, if given, is removed with it when the teardown kills it.
 */
export function trackChild(child: ChildProcess, label: string, folder = ""): void {
  const dir = process.env[LEFTOVERS_ENV];
  if (!dir || child.pid === undefined) return;
  const file = join(dir, String(child.pid));
  writeFileSync(file, `${child.spawnfile}\n${label}\n${folder}\n`);
  child.once("exit", () => rmSync(file, { force: true }));
}

/**
 * Kills every listed process still running the executable it was listed with (a pid the system
 * has since reused for something else is left alone), and returns their labels.
 */
export function killLeftovers(dir: string): string[] {
  const killed: string[] = [];
  for (const name of readdirSync(dir)) {
    const [executable = "", label = "", folder = ""] = readFileSync(join(dir, name), "utf8").split("\n");
    const pid = Number(name);
    let command = "";
    try {
      command = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0] ?? "";
    } catch {
      continue; // already gone
    }
    if (command !== executable) continue;
    try {
      process.kill(pid, "SIGKILL");
      killed.push(`${label} (pid ${pid})`);
    } catch {
      // exited meanwhile
    }
    if (folder) rmSync(folder, { recursive: true, force: true });
  }
  return killed;
}
