import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LEFTOVERS_ENV } from "./helpers/leftover-processes";

/** Creates the folder that lists the run's long-lived helper processes (see leftover-processes.ts). */
export default function globalSetup(): void {
  process.env[LEFTOVERS_ENV] = mkdtempSync(join(tmpdir(), "mysql-tls-mock-test-children-"));
}
