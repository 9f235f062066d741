import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { PROBES_DIR } from "../../src/audit/client-presets";
import type { SslMode } from "../../src/scenarios/scenario-schema";
import type { ClientResult } from "../helpers/ssl-modes";

/**
 * The audit's probe presets in batch mode: one process per preset answers every job of a test
 * file (a JSON job a line on stdin, a JSON result a line on stdout), so a JVM, PHP, Ruby or Perl
 * starts once per matrix instead of once per cell. The probes' headers say how each spells each
 * mode; `MATRIX_MODES` is which of PREFERRED and VERIFY_IDENTITY each can express.
 */

export const BATCH_PRESETS = [
  "mysqlclient",
  "php-pdo",
  "jdbc-mariadb",
  "ruby-mysql2",
  "perl-dbd-mariadb",
  "perl-dbd-mysql",
  "node-mysql2",
  "node-mysql",
  "node-mariadb",
] as const;
export type BatchPreset = (typeof BATCH_PRESETS)[number];

/** Debian's python3 and Connector/J jar: the packages CI installs (.ci/run). */
const DEBIAN_PYTHON = "/usr/bin/python3";
const DEBIAN_JDBC_JAR = "/usr/share/java/mariadb-java-client.jar";

/** Each preset's probe, started in batch mode. */
export const BATCH_COMMANDS: Record<BatchPreset, [string, string[]]> = {
  mysqlclient: [DEBIAN_PYTHON, [join(PROBES_DIR, "mysqlclient_probe.py"), "--batch"]],
  "php-pdo": ["php", [join(PROBES_DIR, "php_pdo_probe.php"), "--batch"]],
  "jdbc-mariadb": [
    "java",
    ["-cp", DEBIAN_JDBC_JAR, join(PROBES_DIR, "jdbc", "MariadbJdbcProbe.java"), "--batch"],
  ],
  "ruby-mysql2": ["ruby", [join(PROBES_DIR, "ruby_mysql2_probe.rb"), "--batch"]],
  "perl-dbd-mariadb": ["perl", [join(PROBES_DIR, "perl_dbi_probe.pl"), "--driver", "MariaDB", "--batch"]],
  "perl-dbd-mysql": ["perl", [join(PROBES_DIR, "perl_dbi_probe.pl"), "--driver", "mysql", "--batch"]],
  "node-mysql2": ["node", [join(PROBES_DIR, "node_probe.js"), "--driver", "mysql2", "--batch"]],
  "node-mysql": ["node", [join(PROBES_DIR, "node_probe.js"), "--driver", "mysql", "--batch"]],
  "node-mariadb": ["node", [join(PROBES_DIR, "node_probe.js"), "--driver", "mariadb", "--batch"]],
};

/**
 * The modes CI runs (PREFERRED and VERIFY_IDENTITY) each preset can express, with how. A mode a
 * preset cannot express is absent, and the probe must say so (the matrix checks it does).
 */
export const MATRIX_MODES: Record<BatchPreset, Partial<Record<SslMode, string>>> = {
  // mysqlclient 1.4.6 has no option for Connector/C's server certificate verification.
  mysqlclient: { PREFERRED: 'ssl={"cipher": "DEFAULT"} (Connector/C use_ssl: TLS when offered)' },
  "php-pdo": { VERIFY_IDENTITY: "MYSQL_ATTR_SSL_CA + MYSQL_ATTR_SSL_VERIFY_SERVER_CERT=true" },
  "jdbc-mariadb": { VERIFY_IDENTITY: "useSsl=true&serverSslCert=FILE" },
  "ruby-mysql2": { PREFERRED: "sslcipher: 'DEFAULT'", VERIFY_IDENTITY: "sslca: FILE, sslverify: true" },
  "perl-dbd-mariadb": {
    PREFERRED: "mariadb_ssl=1;mariadb_ssl_optional=1",
    VERIFY_IDENTITY: "mariadb_ssl=1;mariadb_ssl_ca_file=FILE;mariadb_ssl_verify_server_cert=1",
  },
  // DBD::mysql 4.050 on Connector/C refuses every mandatory-TLS spelling before it connects.
  "perl-dbd-mysql": { PREFERRED: "mysql_ssl=1;mysql_ssl_optional=1" },
  "node-mysql2": { VERIFY_IDENTITY: "ssl: { ca, rejectUnauthorized: true, verifyIdentity: true }" },
  // mysqljs has no PREFERRED and never checks the host name.
  "node-mysql": {},
  "node-mariadb": { VERIFY_IDENTITY: "ssl: { ca, rejectUnauthorized: true }" },
};

/** Presets that cannot reach a server on a Unix socket here, and why (the probe says so too). */
export const NO_UNIX_SOCKET: Partial<Record<BatchPreset, string>> = {
  "jdbc-mariadb": "Connector/J 2.x needs JNA (libjna-java) for localSocket, which CI does not install",
};

/** One job: the probe contract's fields. */
export interface BatchJob {
  host: string;
  port: number;
  socket: string | null;
  user: string;
  password: string;
  mode: SslMode;
  ca: string;
}

/** A batch result: the probe's line. */
export interface BatchResult extends ClientResult {
  notExpressible: string | null;
}

/** A probe running in batch mode; jobs go one at a time, in order. */
export class ProbeBatch {
  private child: ChildProcessWithoutNullStreams | null = null;
  private readonly pending: ((line: string | null) => void)[] = [];
  private stderr = "";
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly preset: BatchPreset) {}

  private start(): ChildProcessWithoutNullStreams {
    const [command, args] = BATCH_COMMANDS[this.preset];
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    createInterface({ input: child.stdout }).on("line", (line) => this.pending.shift()?.(line));
    child.on("close", () => {
      for (const resolve of this.pending.splice(0)) resolve(null);
      this.child = null;
    });
    return child;
  }

  /** Runs one job and returns the probe's answer; throws when the probe died without one. */
  run(job: BatchJob): Promise<BatchResult> {
    const work = this.queue.then(async () => {
      const child = (this.child ??= this.start());
      const line = await new Promise<string | null>((resolve) => {
        this.pending.push(resolve);
        child.stdin.write(`${JSON.stringify(job)}\n`);
      });
      if (line === null) throw new Error(`the ${this.preset} probe ended without an answer: ${this.stderr}`);
      const parsed = JSON.parse(line) as {
        loggedIn: boolean;
        queried: boolean;
        error: string | null;
        errorCode: string | number | null;
        notExpressible: string | null;
      };
      return {
        loggedIn: parsed.loggedIn,
        queried: parsed.queried,
        error: parsed.error,
        ...(parsed.errorCode !== null ? { errorCode: String(parsed.errorCode) } : {}),
        notExpressible: parsed.notExpressible,
      };
    });
    this.queue = work.catch(() => undefined);
    return work;
  }

  /** Ends the probe (stdin closed: it exits once the last job is answered). */
  async close(): Promise<void> {
    const child = this.child;
    if (!child) return;
    await new Promise<void>((resolve) => {
      child.once("close", () => resolve());
      child.stdin.end();
    });
  }
}
