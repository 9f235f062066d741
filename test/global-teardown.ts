import { rmSync } from "node:fs";
import { killLeftovers, LEFTOVERS_ENV } from "./helpers/leftover-processes";

/** Kills helper processes a test left running, so jest can exit, and says which. */
export default function globalTeardown(): void {
  const dir = process.env[LEFTOVERS_ENV];
  if (!dir) return;
  const killed = killLeftovers(dir);
  rmSync(dir, { recursive: true, force: true });
  if (killed.length > 0) {
    process.stderr.write(
      `\nKilled ${killed.length} helper process(es) a test left running:\n  ${killed.join("\n  ")}\n`,
    );
  }
}
