#!/usr/bin/env node
"use strict";
// A CommonJS script run by node; the repository's lint config knows only bin/ as such.
/* global require, process, setTimeout, clearTimeout */
/* eslint-disable @typescript-eslint/no-require-imports */
/*
 * Points a real MariaDB replica at a MySQL server in one MySQL ssl-mode and prints one JSON line:
 * it starts a throw-away mariadbd (Debian's mariadb-server 10.11) in a temporary data directory
 * with networking off, runs CHANGE MASTER TO … / START SLAVE through the mariadb client over the
 * replica's own socket, waits for the IO thread's first outcome, stops everything and removes
 * the directory.
 *
 *   node mariadb_replica_probe.js --host H --port P --user U --password PW --mode MODE --ca FILE
 *   node mariadb_replica_probe.js --batch   (one JSON job a line on stdin, one result a line out;
 *                                            one mariadbd serves every job)
 *
 * A job: {"host","port","socket","user","password","mode","ca"}; a result:
 * {"loggedIn","queried","error","errorCode","notExpressible"}. "loggedIn" means the IO thread got
 * past the login (it asked for the binary log, or stopped on an error only a logged-in replica
 * meets); "queried" is the same. Exit codes (one-shot): 0 logged in; 1 not logged in; 3 the mode
 * cannot be expressed with CHANGE MASTER; 4 mariadbd, mariadb-install-db or the mariadb client is
 * not installed; 64 bad arguments. The password is never printed.
 *
 * The modes in CHANGE MASTER TO (MariaDB KB, "CHANGE MASTER TO": MASTER_SSL, MASTER_SSL_CA,
 * MASTER_SSL_VERIFY_SERVER_CERT), as Debian's 10.11.19 behaves (measured against the mock,
 * test/replication/mariadb-replica.test.ts):
 * - DISABLED: MASTER_SSL=0. No TLS, even when the source offers it.
 * - PREFERRED: MASTER_SSL=1 without a CA: TLS when offered, plaintext when not (MASTER_SSL=1
 *   alone makes nothing mandatory: sql-common/client.c refuses a source without TLS only when the
 *   server certificate is verified). With no CA the replica verifies nothing
 *   (vio/viosslfactories.c, new_VioSSLConnectorFd: SSL_VERIFY_NONE without ca_file/ca_path).
 * - REQUIRED: not expressible. 10.11 has no setting that makes TLS mandatory without also
 *   verifying the certificate: MASTER_SSL=1 falls back to plaintext, only
 *   MASTER_SSL_VERIFY_SERVER_CERT=1 makes it mandatory, and that checks the host too.
 * - VERIFY_CA: MASTER_SSL=1, MASTER_SSL_CA=FILE, MASTER_SSL_VERIFY_SERVER_CERT=0: a CA turns on
 *   chain verification (new_VioSSLConnectorFd: SSL_VERIFY_PEER), the host is not checked. Like
 *   PREFERRED it falls back to plaintext against a source that offers no TLS.
 * - VERIFY_IDENTITY: MASTER_SSL=1, MASTER_SSL_CA=FILE, MASTER_SSL_VERIFY_SERVER_CERT=1: chain and
 *   host checked, TLS mandatory ("SSL is required, but the server does not support it").
 * A replica connects to its source over TCP only (CHANGE MASTER has no socket option): a Unix
 * socket job is not expressible either.
 *
 * MYSQL_TLS_MOCK_MARIADB_BINDIR names the one folder to find mariadbd, mariadb-install-db and
 * mariadb in (default: PATH, then /usr/sbin, /usr/local/sbin, /usr/bin, /usr/local/bin).
 */
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");
const readline = require("node:readline");

const EXIT = { ok: 0, notLoggedIn: 1, notExpressible: 3, driverMissing: 4, usage: 64 };
const MODES = ["DISABLED", "PREFERRED", "REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY"];
/** The replica's server_id: any id but the source's (a mock reports 0 unless its scenario sets one). */
const REPLICA_SERVER_ID = 4242;
/** How long the IO thread may take to show the outcome of its first connection. */
const OUTCOME_DEADLINE_MS = 10000;
const START_DEADLINE_MS = 30000;
const SEARCH_DIRS = ["/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin"];
/** Errors of the IO thread that mean it could not log in (client errors 2xxx, access denied). */
const NOT_LOGGED_IN = new Set([1045, 1129, 1130, 1251, 1698, 2002, 2003, 2005, 2013, 2026, 2059, 2061, 3159]);

const REQUIRED_NOT_EXPRESSIBLE =
  "MariaDB 10.11 has no CHANGE MASTER setting that makes TLS mandatory without verifying the certificate: " +
  "MASTER_SSL=1 falls back to plaintext when the source offers no TLS, and only MASTER_SSL_VERIFY_SERVER_CERT=1 " +
  "(which also checks the host name) makes TLS mandatory";

/**
 * Where the MariaDB programs are looked for: MYSQL_TLS_MOCK_MARIADB_BINDIR alone when set (another
 * installation), else PATH and the sbin folders a non-root PATH lacks.
 */
function searchDirs() {
  const only = process.env.MYSQL_TLS_MOCK_MARIADB_BINDIR;
  if (only) return [only];
  return [...(process.env.PATH || "").split(path.delimiter).filter(Boolean), ...SEARCH_DIRS];
}

function findExecutable(name) {
  const dirs = searchDirs();
  for (const dir of dirs) {
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return null;
}

const quote = (text) => `'${String(text).replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/** The TLS part of CHANGE MASTER for a mode, or { notExpressible }. */
function tlsFor(mode, job) {
  switch (mode) {
    case "DISABLED":
      return "MASTER_SSL=0, MASTER_SSL_CA='', MASTER_SSL_VERIFY_SERVER_CERT=0";
    case "PREFERRED":
      return "MASTER_SSL=1, MASTER_SSL_CA='', MASTER_SSL_VERIFY_SERVER_CERT=0";
    case "REQUIRED":
      return { notExpressible: REQUIRED_NOT_EXPRESSIBLE };
    case "VERIFY_CA":
      return `MASTER_SSL=1, MASTER_SSL_CA=${quote(path.resolve(job.ca))}, MASTER_SSL_VERIFY_SERVER_CERT=0`;
    default:
      return `MASTER_SSL=1, MASTER_SSL_CA=${quote(path.resolve(job.ca))}, MASTER_SSL_VERIFY_SERVER_CERT=1`;
  }
}

function run(file, args, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (error) => resolve({ code: null, stdout, stderr: `${stderr}${error.message}` }));
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function greets(socketPath) {
  return new Promise((resolve) => {
    const socket = net.createConnection({ path: socketPath });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once("data", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** A mariadbd in a temporary directory, administered as root over its socket. */
class Replica {
  constructor(binaries) {
    this.binaries = binaries;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "mysql-tls-mock-replica-"));
    this.socket = path.join(this.dir, "mariadbd.sock");
    this.child = null;
  }

  async start() {
    const user = os.userInfo().username;
    const data = path.join(this.dir, "data");
    const innodb = ["--innodb-log-file-size=8M", "--innodb-buffer-pool-size=32M"];
    const install = await run(
      this.binaries.installDb,
      ["--no-defaults", `--datadir=${data}`, `--user=${user}`, "--auth-root-authentication-method=normal",
        "--skip-test-db", "--skip-name-resolve", ...innodb],
      START_DEADLINE_MS,
    );
    if (install.code !== 0) throw new Error(`mariadb-install-db failed: ${install.stdout}${install.stderr}`);
    this.child = spawn(
      this.binaries.mariadbd,
      ["--no-defaults", `--datadir=${data}`, `--socket=${this.socket}`, "--skip-networking", `--user=${user}`,
        `--server-id=${REPLICA_SERVER_ID}`, `--pid-file=${path.join(this.dir, "mariadbd.pid")}`,
        `--log-error=${path.join(this.dir, "error.log")}`, ...innodb],
      { stdio: "ignore" },
    );
    let exited = false;
    this.child.once("exit", () => (exited = true));
    const deadline = Date.now() + START_DEADLINE_MS;
    while (!exited && Date.now() < deadline) {
      if (await greets(this.socket)) return;
      await sleep(100);
    }
    let log = "";
    try {
      log = fs.readFileSync(path.join(this.dir, "error.log"), "utf8");
    } catch {
      // no log
    }
    throw new Error(`mariadbd did not start: ${log.split("\n").slice(-5).join(" ")}`);
  }

  async sql(statement) {
    const result = await run(
      this.binaries.client,
      ["--no-defaults", `--socket=${this.socket}`, "-u", "root", "--skip-ssl", "--batch", "-e", statement],
      30000,
    );
    if (result.code !== 0) throw new Error(result.stderr.trim());
    return result.stdout;
  }

  async status() {
    const out = await this.sql("SHOW SLAVE STATUS\\G");
    const column = (name) => new RegExp(`^\\s*${name}: (.*)$`, "m").exec(out)?.[1] ?? "";
    return { io: column("Slave_IO_Running"), errno: Number(column("Last_IO_Errno") || 0), error: column("Last_IO_Error") };
  }

  async stop() {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      const gone = new Promise((resolve) => this.child.once("exit", resolve));
      this.child.kill("SIGTERM");
      const timer = setTimeout(() => this.child.kill("SIGKILL"), 20000);
      await gone;
      clearTimeout(timer);
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function oneLine(text, password) {
  const line = String(text).split("\n").map((l) => l.trim()).filter(Boolean).join(" ");
  return password ? line.split(password).join("***") : line;
}

/** Points the replica at the job's server, waits for the IO thread's first outcome, stops it. */
async function runJob(replica, job) {
  const result = (loggedIn, error, errorCode) => ({
    loggedIn, queried: loggedIn, error: error ? oneLine(error, job.password) : null, errorCode, notExpressible: null,
  });
  if (job.socket) {
    return { ...result(false, null, null), notExpressible: "a replica connects to its source over TCP only (CHANGE MASTER has no socket option)" };
  }
  const tls = tlsFor(job.mode, job);
  if (typeof tls !== "string") return { ...result(false, null, null), notExpressible: tls.notExpressible };
  await replica.sql(
    `STOP SLAVE; RESET SLAVE ALL; CHANGE MASTER TO MASTER_HOST=${quote(job.host)}, MASTER_PORT=${Number(job.port)}, ` +
      `MASTER_USER=${quote(job.user)}, MASTER_PASSWORD=${quote(job.password)}, MASTER_CONNECT_RETRY=1, ` +
      `MASTER_USE_GTID=slave_pos, ${tls}; START SLAVE`,
  );
  const deadline = Date.now() + OUTCOME_DEADLINE_MS;
  let status = await replica.status();
  while (status.errno === 0 && Date.now() < deadline) {
    await sleep(100);
    status = await replica.status();
  }
  await replica.sql("STOP SLAVE");
  if (status.errno === 0) {
    return status.io === "Yes" ? result(true, null, null) : result(false, `no outcome within ${OUTCOME_DEADLINE_MS} ms (IO thread: ${status.io})`, null);
  }
  // 1236 and every error the source sends after the login come from a replica that logged in.
  return result(!NOT_LOGGED_IN.has(status.errno), `${status.errno}: ${status.error}`, status.errno);
}

function usage(message) {
  process.stderr.write(`mariadb_replica_probe: ${message}\nusage: node mariadb_replica_probe.js (--batch | --host H --port P --user U --password PW --mode MODE --ca FILE [--socket P])\n`);
  process.exit(EXIT.usage);
}

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--batch") { args.batch = true; continue; }
    if (!/^--(host|port|user|password|mode|ca|socket)$/.test(flag) || i + 1 >= argv.length) usage(`bad argument ${flag}`);
    args[flag.slice(2)] = argv[++i];
  }
  if (!args.batch) {
    if (!args.mode) usage("--mode is required");
    if (!MODES.includes(args.mode)) usage(`--mode must be one of ${MODES.join(", ")}`);
    if (!args.user || !args.ca) usage("--user and --ca are required");
  }
  return { host: "127.0.0.1", port: "3306", password: "", ...args };
}

function binaries() {
  const found = { installDb: findExecutable("mariadb-install-db"), mariadbd: findExecutable("mariadbd"), client: findExecutable("mariadb") };
  const missing = Object.entries({ "mariadb-install-db": found.installDb, mariadbd: found.mariadbd, mariadb: found.client })
    .filter(([, file]) => !file)
    .map(([name]) => name);
  return { found, missing };
}

let password = "";

async function main() {
  const args = parseArgs(process.argv.slice(2));
  password = args.password;
  const { found, missing } = binaries();
  if (missing.length > 0) {
    process.stderr.write(
      `mariadb_replica_probe: ${missing.join(", ")} not found (looked in ${searchDirs().join(", ")}); ` +
        "the mariadb-replica preset runs a real MariaDB server as the replica: apt-get install --no-install-recommends mariadb-server\n",
    );
    return EXIT.driverMissing;
  }
  if (!args.batch) {
    const tls = args.socket ? null : tlsFor(args.mode, args);
    const why = args.socket
      ? "a replica connects to its source over TCP only (CHANGE MASTER has no socket option)"
      : typeof tls === "string" ? null : tls.notExpressible;
    if (why) {
      process.stderr.write(`mariadb_replica_probe: ${args.mode} cannot be expressed with CHANGE MASTER: ${why}\n`);
      return EXIT.notExpressible;
    }
  }
  const replica = new Replica(found);
  try {
    await replica.start();
    if (args.batch) {
      for await (const line of readline.createInterface({ input: process.stdin })) {
        if (line.trim() === "") continue;
        let answer;
        let job = null;
        try {
          job = JSON.parse(line);
          answer = await runJob(replica, job);
        } catch (error) {
          const said = oneLine(error.message, job && job.password);
          answer = { loggedIn: false, queried: false, error: `bad job: ${said}`, errorCode: "usage", notExpressible: null };
        }
        process.stdout.write(`${JSON.stringify(answer)}\n`);
      }
      return EXIT.ok;
    }
    const answer = await runJob(replica, args);
    delete answer.notExpressible;
    process.stdout.write(`${JSON.stringify(answer)}\n`);
    return answer.loggedIn ? EXIT.ok : EXIT.notLoggedIn;
  } finally {
    await replica.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    // The mariadb client quotes a failed CHANGE MASTER, password and all.
    process.stderr.write(`mariadb_replica_probe: ${oneLine(error.message, password)}\n`);
    process.exit(70);
  },
);
