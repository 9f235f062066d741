#!/usr/bin/env node
"use strict";
// A CommonJS script run by node; the repository's lint config knows only bin/ as such.
/* global require, process */
/* eslint-disable @typescript-eslint/no-require-imports */
/*
 * Connects with one of the Node drivers (mysql2, mysql, mariadb — whichever the caller names and
 * has installed) in one MySQL ssl-mode, runs SELECT 1, and prints one JSON line. The driver is
 * loaded from the current directory's node_modules (the user's project), not from this package.
 *
 *   node node_probe.js --driver mysql2|mysql|mariadb --host H --port P --user U --password PW
 *                      --mode MODE --ca FILE [--cert FILE --key FILE] [--socket PATH]
 *   node node_probe.js --driver D --batch    (one JSON job a line on stdin, one result a line out)
 *
 * A job: {"host","port","socket","user","password","mode","ca","cert","key"}; a result:
 * {"loggedIn","queried","error","errorCode","notExpressible"}. Exit codes (one-shot mode): 0 logged
 * in and queried; 1 not logged in; 2 SELECT 1 failed; 3 the mode cannot be expressed with this
 * driver; 4 the driver is not installed; 64 bad arguments. The password is never printed.
 *
 * The modes, in each driver's own `ssl` option (all three hand it to Node's tls.connect):
 * - none of them has PREFERRED: with `ssl` set TLS is mandatory, without it there is none
 *   (mysql2 lib/commands/client_handshake.js "Server does not support secure connection";
 *   mysql lib/protocol/sequences/Handshake.js "HANDSHAKE_NO_SSL_SUPPORT"; mariadb
 *   lib/cmd/handshake/handshake.js "server does not support SSL").
 * - DISABLED: no `ssl`. REQUIRED: ssl {rejectUnauthorized: false}.
 * - mysql2 VERIFY_CA: {ca, rejectUnauthorized: true}; VERIFY_IDENTITY adds verifyIdentity: true
 *   (mysql2 documentation, "Using SSL"; lib/connection.js passes checkServerIdentity only then).
 * - mysql VERIFY_CA: {ca} (rejectUnauthorized defaults to true, lib/ConnectionConfig.js); it never
 *   checks the host name (it passes no servername to tls.connect), so no VERIFY_IDENTITY.
 * - mariadb VERIFY_CA: {ca, rejectUnauthorized: true, checkServerIdentity: () => undefined};
 *   VERIFY_IDENTITY: {ca, rejectUnauthorized: true} (mariadb-connector-nodejs documentation,
 *   "SSL": rejectUnauthorized verifies the certificate and the host name).
 */
const fs = require("node:fs");
const readline = require("node:readline");

const EXIT = { ok: 0, notLoggedIn: 1, queryFailed: 2, notExpressible: 3, driverMissing: 4, usage: 64 };
const MODES = ["DISABLED", "PREFERRED", "REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY"];
const DRIVERS = ["mysql2", "mysql", "mariadb"];
const TIMEOUT_MS = 10000;

const NO_PREFERRED = "has no PREFERRED: TLS is mandatory with `ssl` set and absent without it";

/** The driver's `ssl` option for the mode, `undefined` for none, or a string: why it cannot be said. */
function sslFor(driver, mode, job) {
  const ca = () => fs.readFileSync(job.ca, "utf8");
  const cert = job.cert ? { cert: fs.readFileSync(job.cert, "utf8"), key: fs.readFileSync(job.key, "utf8") } : {};
  if (mode === "DISABLED") return undefined;
  if (mode === "PREFERRED") return { notExpressible: `${driver} ${NO_PREFERRED}` };
  if (mode === "REQUIRED") return { rejectUnauthorized: false, ...cert };
  if (driver === "mysql2") {
    return { ca: ca(), rejectUnauthorized: true, ...(mode === "VERIFY_IDENTITY" ? { verifyIdentity: true } : {}), ...cert };
  }
  if (driver === "mysql") {
    if (mode === "VERIFY_IDENTITY") return { notExpressible: "mysql (mysqljs) never checks the server's host name" };
    return { ca: ca(), ...cert };
  }
  return mode === "VERIFY_CA"
    ? { ca: ca(), rejectUnauthorized: true, checkServerIdentity: () => undefined, ...cert }
    : { ca: ca(), rejectUnauthorized: true, ...cert };
}

function oneLine(text, password) {
  const line = String(text).split("\n").map((l) => l.trim()).filter(Boolean).join(" ");
  return password ? line.split(password).join("***") : line;
}

function failure(error, password) {
  const code = typeof error?.errno === "number" ? error.errno : (error?.code ?? error?.name ?? null);
  return { error: oneLine([error?.code, error?.message ?? error].filter(Boolean).join(": "), password), errorCode: code };
}

function loadDriver(driver) {
  try {
    const path = require.resolve(driver === "mysql2" ? "mysql2/promise" : driver, { paths: [process.cwd()] });
    return require(path);
  } catch {
    return null;
  }
}

/** Connects, queries, ends: a result object. mysqljs gets a callback wrapper and a guard for its throws. */
async function runJob(driver, lib, job) {
  const ssl = sslFor(driver, job.mode, job);
  if (ssl && ssl.notExpressible) return { loggedIn: false, queried: false, error: null, errorCode: null, notExpressible: ssl.notExpressible };
  const options = {
    ...(job.socket ? { socketPath: job.socket } : { host: job.host, port: Number(job.port) }),
    user: job.user,
    password: job.password,
    connectTimeout: TIMEOUT_MS,
    ...(ssl ? { ssl } : {}),
  };
  const result = (loggedIn, queried, error) => ({
    loggedIn, queried, ...(error ? failure(error, job.password) : { error: null, errorCode: null }), notExpressible: null,
  });
  if (driver === "mysql") return runMysqljs(lib, options, result);
  let connection;
  try {
    connection = await lib.createConnection(options);
  } catch (error) {
    return result(false, false, error);
  }
  try {
    await connection.query("SELECT 1");
    await connection.end();
    return result(true, true, null);
  } catch (error) {
    try { connection.destroy(); } catch { /* already gone */ }
    return result(true, false, error);
  }
}

function runMysqljs(mysql, options, result) {
  return new Promise((resolve) => {
    let done = false;
    let loggedIn = false;
    const finish = (value) => { if (!done) { done = true; resolve(value); } };
    // mysqljs throws from its socket handler on a packet it cannot place; that ends this job only.
    const domain = require("node:domain").create();
    domain.on("error", (error) => { try { connection.destroy(); } catch { /* gone */ } finish(result(loggedIn, false, error)); });
    let connection;
    domain.run(() => {
      connection = mysql.createConnection(options);
      connection.connect((error) => {
        if (error) { connection.destroy(); return finish(result(false, false, error)); }
        loggedIn = true;
        connection.query("SELECT 1", (queryError) => {
          if (queryError) { connection.destroy(); return finish(result(true, false, queryError)); }
          connection.end(() => finish(result(true, true, null)));
        });
      });
    });
  });
}

function usage(message) {
  process.stderr.write(`node_probe: ${message}\nusage: node node_probe.js --driver mysql2|mysql|mariadb (--batch | --host H --port P --user U --password PW --mode MODE --ca FILE [--cert F --key F] [--socket P])\n`);
  process.exit(EXIT.usage);
}

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--batch") { args.batch = true; continue; }
    if (!/^--(driver|host|port|user|password|mode|ca|cert|key|socket)$/.test(flag) || i + 1 >= argv.length) usage(`bad argument ${flag}`);
    args[flag.slice(2)] = argv[++i];
  }
  if (!DRIVERS.includes(args.driver)) usage(`--driver must be one of ${DRIVERS.join(", ")}`);
  if (!args.batch) {
    if (!args.mode) usage("--mode is required");
    if (!MODES.includes(args.mode)) usage(`--mode must be one of ${MODES.join(", ")}`);
    if (!args.user || !args.ca) usage("--user and --ca are required");
    if (!args.cert !== !args.key) usage("--cert and --key go together");
  }
  return { host: "127.0.0.1", port: "3306", password: "", ...args };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const lib = loadDriver(args.driver);
  if (!lib) {
    process.stderr.write(`node_probe: the ${args.driver} package is not installed (looked in ${process.cwd()}/node_modules); run npm install ${args.driver}\n`);
    return EXIT.driverMissing;
  }
  if (args.batch) {
    for await (const line of readline.createInterface({ input: process.stdin })) {
      if (line.trim() === "") continue;
      let answer;
      try {
        answer = await runJob(args.driver, lib, JSON.parse(line));
      } catch (error) {
        answer = { loggedIn: false, queried: false, error: `bad job: ${error.message}`, errorCode: "usage", notExpressible: null };
      }
      process.stdout.write(`${JSON.stringify(answer)}\n`);
    }
    return EXIT.ok;
  }
  const answer = await runJob(args.driver, lib, args);
  if (answer.notExpressible) {
    process.stderr.write(`node_probe: ${args.mode} cannot be expressed with ${args.driver}: ${answer.notExpressible}\n`);
    return EXIT.notExpressible;
  }
  delete answer.notExpressible;
  process.stdout.write(`${JSON.stringify(answer)}\n`);
  return answer.queried ? EXIT.ok : answer.loggedIn ? EXIT.queryFailed : EXIT.notLoggedIn;
}

main().then((code) => process.exit(code), (error) => { process.stderr.write(`node_probe: ${error.stack}\n`); process.exit(70); });
