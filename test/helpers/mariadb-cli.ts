import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ProcessResult, runProcess } from "./processes";

export interface MariadbCliOptions {
  port: number;
  host?: string;
  /** Connect through this Unix socket instead of TCP. */
  socket?: string;
  user?: string;
  password?: string;
  /** SQL run with -e. */
  sql?: string;
  /** Extra flags, e.g. ["--ssl"], ["--skip-ssl"], ["--ssl-verify-server-cert"]. */
  flags?: string[];
}

/** Runs the `mariadb` command-line client (Debian's mariadb-client) against the mock server. */
export function runMariadbCli(options: MariadbCliOptions): Promise<ProcessResult> {
  const args = [
    "--no-defaults",
    ...(options.socket
      ? ["--protocol=SOCKET", `--socket=${options.socket}`]
      : ["--protocol=TCP", "-h", options.host ?? "127.0.0.1", "-P", String(options.port)]),
    "-u",
    options.user ?? "root",
    `-p${options.password ?? "root"}`,
    "--connect-timeout=10",
    "--batch",
    ...(options.flags ?? []),
    "-e",
    options.sql ?? "SELECT 1",
  ];
  return runProcess("mariadb", args);
}

/** Folders made by {@link pemFile}, removed when the test process exits. */
const pemDirs: string[] = [];

function removePemDirs(): void {
  for (const dir of pemDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Writes a PEM to a temporary file (removed when the process exits) so a command-line client can read it. */
export function pemFile(pem: string, name = "ca.pem"): string {
  const dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-test-"));
  if (pemDirs.length === 0) process.once("exit", removePemDirs);
  pemDirs.push(dir);
  const path = join(dir, name);
  writeFileSync(path, pem, { mode: 0o600 });
  return path;
}
