/**
 * What every bench section measures and prints with: a process's CPU time, medians, number
 * formatting, and the build of dist/ the server processes run.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

export const ROOT = join(__dirname, "..");

/** CPU time (user + system) a process has used, in milliseconds, from /proc. */
export function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  // utime and stime are fields 14 and 15 of /proc/pid/stat, in clock ticks (100 per second on Linux).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** `n` with `digits` decimals and thousands separators, as the tables print figures. */
export function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** Runs the project's tsc in the repository (where its @types resolve); rejects with tsc's diagnostics. */
export async function tsc(args: string[]): Promise<void> {
  const bin = join(ROOT, "node_modules", "typescript", "bin", "tsc");
  await promisify(execFile)(process.execPath, [bin, ...args], { cwd: ROOT }).catch(
    (error: { stdout?: string; message: string }) => {
      throw new Error(`tsc ${args.join(" ")} failed: ${error.stdout || error.message}`);
    },
  );
}

/** Builds dist/ as `npm run build` does, so the server processes run what an installed package runs. */
export function buildDist(): Promise<void> {
  return tsc(["-p", "tsconfig.build.json"]);
}
