import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ProcessResult, runProcess } from "./processes";

export interface MariadbCliOptions {
  /** TCP port; not needed with `socket`. */
  port?: number;
  host?: string;
  /** Connect through this Unix socket instead of TCP. */
  socket?: string;
  user?: string;
  /** Default `root`; null logs in without a password (no `-p`). */
  password?: string | null;
  /** SQL run with -e. */
  sql?: string;
  /** Extra flags, e.g. ["--ssl"], ["--skip-ssl"], ["--ssl-verify-server-cert"]. */
  flags?: string[];
  /** How long the client may run; see {@link runProcess}. */
  timeoutMs?: number;
}

/** Runs the `mariadb` command-line client (Debian's mariadb-client) against the mock server. */
export function runMariadbCli(options: MariadbCliOptions): Promise<ProcessResult> {
  if (!options.socket && options.port === undefined)
    throw new Error("runMariadbCli needs a port or a socket");
  const password = options.password === undefined ? "root" : options.password;
  const args = [
    "--no-defaults",
    ...(options.socket
      ? ["--protocol=SOCKET", `--socket=${options.socket}`]
      : ["--protocol=TCP", "-h", options.host ?? "127.0.0.1", "-P", String(options.port)]),
    "-u",
    options.user ?? "root",
    ...(password === null ? [] : [`-p${password}`]),
    "--connect-timeout=10",
    "--batch",
    ...(options.flags ?? []),
    "-e",
    options.sql ?? "SELECT 1",
  ];
  return runProcess("mariadb", args, { timeoutMs: options.timeoutMs });
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
