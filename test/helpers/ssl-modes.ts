import { create as createDomain } from "node:domain";
import * as mariadb from "mariadb";
import mysql from "mysql";
import * as mysql2 from "mysql2/promise";
import type { ConnectionRecord } from "../../src/record/connection-record";
import { observedOutcome } from "../../src/record/judgement";
import type { ClientOutcome, SslMode } from "../../src/scenarios/scenario-schema";
import { mariadbCliSslFlags } from "../../src/audit/client-presets";
import { runMariadbCli } from "./mariadb-cli";
import { PROBE_CLIENTS, PROBE_MODES, type ProbeClient, runProbe } from "./probe-client";

/**
 * How each real client expresses MySQL's ssl-modes, and how to tell, from what the client said and
 * what the server recorded, which of the four scenario outcomes happened.
 */

export const CLIENT_NAMES = ["mariadb-cli", "mysql2", "mysql", "mariadb", ...PROBE_CLIENTS] as const;
export type ClientName = (typeof CLIENT_NAMES)[number];

/** Where and as whom a client connects, and the CA (PEM and a file holding it) it is told to trust. */
export interface ClientTarget {
  port: number;
  /** The host the drivers connect to; default 127.0.0.1. */
  host?: string;
  /** Set when the server listens on a Unix socket instead of TCP. */
  socketPath?: string | null;
  user: string;
  password: string;
  /** The CA a correctly configured client trusts (any CA when the server offers no TLS). */
  ca: string;
  caFile: string;
  /**
   * What to run after login instead of `SELECT 1` (the CLI, the npm drivers and the PyMySQL probe
   * take one): any answer counts as queried, and its first value comes back as `value`.
   */
  query?: string;
}

/** What the client itself reported. */
export interface ClientResult {
  /** The client completed its login (the driver's connect resolved; the CLI got past connecting). */
  loggedIn: boolean;
  /** It then ran `SELECT 1` and read the row back. */
  queried: boolean;
  /** One line: the client's error (code and message), null when all went well. */
  error: string | null;
  /** The driver's error code (e.g. `HANDSHAKE_SSL_ERROR`), when it gave one. */
  errorCode?: string;
  /** The driver's error number (a server's ERR code it passed on, or its own), when it gave one. */
  errno?: number;
  /** With {@link ClientTarget.query}: the first value of its first row, as text. */
  value?: string | null;
}

/** One ssl-mode as one client expresses it. */
export interface ModeSpec {
  /** How the mode is spelled for this client: CLI flags or the driver's `ssl` option. */
  how: string;
  run(target: ClientTarget): Promise<ClientResult>;
}

/** Every host name below is an IP literal: the good certificate names localhost, 127.0.0.1 and ::1. */
const HOST = "127.0.0.1";

function oneLine(error: unknown): string {
  const e = error as { code?: unknown; errno?: unknown; message?: unknown };
  const message = String(e?.message ?? error)
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .join(" ");
  return [e?.code, message].filter((part) => part !== undefined && part !== "").join(": ");
}

// --- the mariadb command-line client (Debian mariadb-client 10.11) ------------------------------

/**
 * The flags are the audit's `mariadb-cli` preset's (src/audit/client-presets.ts, which says why),
 * so the audit and this suite run the same client the same way.
 */
function mariadbCliMode(mode: SslMode): ModeSpec {
  return {
    how: mariadbCliSslFlags(mode, "ca.pem").join(" ") || "(no TLS flag: --ssl is on by default)",
    async run(target) {
      const result = await runMariadbCli({
        port: target.port,
        host: HOST,
        ...(target.socketPath ? { socket: target.socketPath } : {}),
        user: target.user,
        password: target.password,
        flags: mariadbCliSslFlags(mode, target.caFile),
        sql: target.query ?? "SELECT 1",
      });
      const queried = result.code === 0 && (target.query !== undefined || /^1$/m.test(result.stdout));
      const error = queried
        ? null
        : result.stderr.trim().split("\n").pop() || `exit ${result.code ?? result.signal}`;
      // A statement that fails after login is reported "at line N"; a failed connect is not.
      const loggedIn = queried || /^ERROR \d+ \(\w+\) at line \d+/.test(error ?? "");
      // The CLI prints the column names, then one row per line.
      const value =
        queried && target.query !== undefined ? (result.stdout.split("\n")[1] ?? null) : undefined;
      return { loggedIn, queried, error, ...(value !== undefined ? { value } : {}) };
    },
  };
}

// --- the npm drivers ----------------------------------------------------------------------------

type DriverSsl = (ca: string) => Record<string, unknown> | undefined;

/**
 * Connects, runs `SELECT 1` and disconnects; a failure to connect and a failure after login are
 * told apart, so a query the mock answers badly is not mistaken for a refused login.
 */
async function connectAndQuery<C>(
  connect: () => Promise<C>,
  query: (connection: C) => Promise<unknown>,
  end: (connection: C) => Promise<unknown>,
  destroy: (connection: C) => unknown,
  reportValue = false,
): Promise<ClientResult> {
  let connection: C;
  try {
    connection = await connect();
  } catch (error) {
    return { loggedIn: false, queried: false, ...failure(error) };
  }
  try {
    const answer = await query(connection);
    await end(connection);
    return {
      loggedIn: true,
      queried: true,
      error: null,
      ...(reportValue ? { value: firstValue(answer) } : {}),
    };
  } catch (error) {
    await destroy(connection);
    return { loggedIn: true, queried: false, ...failure(error) };
  }
}

/** The first value of the first row, from mysql2's `[rows, fields]` or the mariadb driver's rows. */
function firstValue(answer: unknown): string | null {
  const rows = Array.isArray(answer) && Array.isArray(answer[0]) ? (answer[0] as unknown[]) : answer;
  const row = Array.isArray(rows) ? (rows[0] as Record<string, unknown> | undefined) : undefined;
  const value = row ? Object.values(row)[0] : undefined;
  return value === undefined || value === null ? null : String(value);
}

function failure(error: unknown): Pick<ClientResult, "error" | "errorCode" | "errno"> {
  const { code, errno } = (error ?? {}) as { code?: unknown; errno?: unknown };
  return {
    error: oneLine(error),
    ...(typeof code === "string" ? { errorCode: code } : {}),
    ...(typeof errno === "number" ? { errno } : {}),
  };
}

/** The options the three npm drivers share: where, as whom, and their own `ssl` object. */
function driverOptions(target: ClientTarget, ssl: Record<string, unknown> | undefined) {
  return {
    host: target.host ?? HOST,
    port: target.port,
    ...(target.socketPath ? { socketPath: target.socketPath } : {}),
    user: target.user,
    password: target.password,
    connectTimeout: 10_000,
    ...(ssl ? { ssl } : {}),
  };
}

/** A connection of a driver with a promise API (mysql2/promise, mariadb). */
interface PromiseConnection {
  query(sql: string): Promise<unknown>;
  end(): Promise<unknown>;
  destroy(): unknown;
}

/**
 * Runs a driver with a promise API, given its `createConnection` (`mysql2.createConnection`,
 * `mariadb.createConnection`), against `target` with its own `ssl` object (which may carry a client
 * certificate and key).
 */
export function runPromiseDriver(
  createConnection: (options: ReturnType<typeof driverOptions>) => Promise<PromiseConnection>,
  target: ClientTarget,
  ssl: Record<string, unknown> | undefined,
): Promise<ClientResult> {
  return connectAndQuery(
    () => createConnection(driverOptions(target, ssl)),
    (connection) => connection.query(target.query ?? "SELECT 1"),
    (connection) => connection.end(),
    (connection) => connection.destroy(),
    target.query !== undefined,
  );
}

const runMysql2 = (target: ClientTarget, ssl: Record<string, unknown> | undefined) =>
  runPromiseDriver(mysql2.createConnection, target, ssl);
const runMariadbDriver = (target: ClientTarget, ssl: Record<string, unknown> | undefined) =>
  runPromiseDriver(mariadb.createConnection, target, ssl);

/**
 * mysqljs throws from its socket handler on a packet it cannot place (e.g. AuthMoreData after its
 * response: "Could not determine packet"), which would crash the process. It binds its callbacks to
 * the active domain, so the connection lives in one, and such a throw ends the run as a failure.
 */
function runMysqljs(target: ClientTarget, ssl: Record<string, unknown> | undefined): Promise<ClientResult> {
  const domain = createDomain();
  let connection: mysql.Connection | undefined;
  const crashed = new Promise<never>((_resolve, reject) =>
    domain.on("error", (error: Error) => {
      connection?.destroy();
      reject(new Error(`uncaught exception in the driver: ${error.message}`));
    }),
  );
  crashed.catch(() => undefined); // a late throw, after the run settled, is not unhandled
  const settle = <T>(work: Promise<T>): Promise<T> => Promise.race([work, crashed]);
  return connectAndQuery(
    () =>
      settle(
        domain.run(() => {
          const created = mysql.createConnection(driverOptions(target, ssl));
          connection = created;
          return new Promise<mysql.Connection>((resolve, reject) =>
            created.connect((error) => {
              if (!error) return resolve(created);
              created.destroy();
              reject(error);
            }),
          );
        }),
      ),
    (created) =>
      settle(
        new Promise<void>((resolve, reject) =>
          created.query("SELECT 1", (error) => (error ? reject(error) : resolve())),
        ),
      ),
    (created) => settle(new Promise<void>((resolve) => created.end(() => resolve()))),
    (created) => created.destroy(),
  );
}

function driverMode(
  runner: (target: ClientTarget, ssl: Record<string, unknown> | undefined) => Promise<ClientResult>,
  how: string,
  ssl: DriverSsl,
): ModeSpec {
  return { how, run: (target) => runner(target, ssl(target.ca)) };
}

// --- clients in other languages, through the probe programs in probes/ -------------------------

/** One probe in one mode: the probe's own result; its exit code and stderr stay in probe-client. */
function probeMode(client: ProbeClient, mode: SslMode, how: string): ModeSpec {
  return {
    how,
    async run(target) {
      const { loggedIn, queried, error, errorCode, value } = await runProbe(client, {
        host: target.host ?? HOST,
        port: target.port,
        socketPath: target.socketPath,
        user: target.user,
        password: target.password,
        mode,
        caFile: target.caFile,
        ...(target.query !== undefined ? { query: target.query } : {}),
      });
      return {
        loggedIn,
        queried,
        error,
        ...(errorCode !== undefined ? { errorCode } : {}),
        ...(value !== undefined ? { value } : {}),
      };
    },
  };
}

/** The modes a probe can express (probe-client.ts's PROBE_MODES, from the probes' headers). */
function probeModes(client: ProbeClient): Partial<Record<SslMode, ModeSpec>> {
  return Object.fromEntries(
    Object.entries(PROBE_MODES[client]).map(([mode, how]) => [mode, probeMode(client, mode as SslMode, how)]),
  );
}

const noSsl: DriverSsl = () => undefined;
const trustAnything: DriverSsl = () => ({ rejectUnauthorized: false });

/**
 * Every client and the ssl-modes it can express.
 *
 * Host names: mysql2 passes no `servername` for an IP host and the mariadb driver passes only the
 * socket, and Node's TLS layer then checks the certificate against "localhost" (net.Socket keeps no
 * host for an IP literal). Against 127.0.0.1 that is harmless for certificates that name both; the
 * mariadb driver checks the real host again, but only after the server's OK packet. A mode a client cannot express is absent:
 * mysql2, mysql and the mariadb driver have no PREFERRED (TLS only when `ssl` is set, and then
 * mandatory); mysql (mysqljs) never checks the host name, so it has no VERIFY_IDENTITY.
 */
export const CLIENT_MODES: Record<ClientName, Partial<Record<SslMode, ModeSpec>>> = {
  "mariadb-cli": {
    DISABLED: mariadbCliMode("DISABLED"),
    PREFERRED: mariadbCliMode("PREFERRED"),
    REQUIRED: mariadbCliMode("REQUIRED"),
    VERIFY_CA: mariadbCliMode("VERIFY_CA"),
    VERIFY_IDENTITY: mariadbCliMode("VERIFY_IDENTITY"),
  },
  mysql2: {
    DISABLED: driverMode(runMysql2, "no ssl option", noSsl),
    REQUIRED: driverMode(runMysql2, "ssl: { rejectUnauthorized: false }", trustAnything),
    // mysql2 checks the host name only with verifyIdentity; rejectUnauthorized checks the chain.
    VERIFY_CA: driverMode(runMysql2, "ssl: { ca, rejectUnauthorized: true }", (ca) => ({
      ca,
      rejectUnauthorized: true,
    })),
    VERIFY_IDENTITY: driverMode(
      runMysql2,
      "ssl: { ca, rejectUnauthorized: true, verifyIdentity: true }",
      (ca) => ({ ca, rejectUnauthorized: true, verifyIdentity: true }),
    ),
  },
  mysql: {
    DISABLED: driverMode(runMysqljs, "no ssl option", noSsl),
    REQUIRED: driverMode(runMysqljs, "ssl: { rejectUnauthorized: false }", trustAnything),
    VERIFY_CA: driverMode(runMysqljs, "ssl: { ca } (rejectUnauthorized defaults to true)", (ca) => ({ ca })),
  },
  mariadb: {
    DISABLED: driverMode(runMariadbDriver, "no ssl option", noSsl),
    REQUIRED: driverMode(runMariadbDriver, "ssl: { rejectUnauthorized: false }", trustAnything),
    // With rejectUnauthorized the driver hands its options to tls.connect, which runs
    // checkServerIdentity against the socket's host during the handshake (and the driver runs it
    // again after the OK packet): replacing it with a no-op leaves the chain check alone.
    VERIFY_CA: driverMode(
      runMariadbDriver,
      "ssl: { ca, rejectUnauthorized: true, checkServerIdentity: () => undefined }",
      (ca) => ({ ca, rejectUnauthorized: true, checkServerIdentity: () => undefined }),
    ),
    VERIFY_IDENTITY: driverMode(runMariadbDriver, "ssl: { ca, rejectUnauthorized: true }", (ca) => ({
      ca,
      rejectUnauthorized: true,
    })),
  },
  // PyMySQL has every mode, but its TLS is advisory in all of them; mysqli has no PREFERRED and no
  // VERIFY_CA (see probes/php_mysqli_probe.php).
  pymysql: probeModes("pymysql"),
  "php-mysqli": probeModes("php-mysqli"),
  "go-sql-driver": probeModes("go-sql-driver"),
};

/**
 * The error a client reported, as one code: the error number it gave (a driver's errno, the CLI's
 * `ERROR 1045 (28000)`, a probe's numeric code), else its own error code, else its message. Null
 * when it reported none.
 */
export function reportedError(result: ClientResult): string | null {
  if (result.error === null) return null;
  if (result.errno !== undefined) return String(result.errno);
  if (result.errorCode !== undefined) return result.errorCode;
  return /^ERROR (\d+) \(/.exec(result.error)?.[1] ?? result.error;
}

/** The server's side of one client run, in one line, for failure messages. */
export function describeRecord(record: ConnectionRecord): string {
  const tls =
    record.tls === null
      ? "no TLS"
      : record.tls.outcome === "negotiated"
        ? `TLS ${record.tls.version}`
        : `TLS failed (${record.tls.failure.cause})`;
  const outcome = record.outcome;
  const detail =
    outcome.kind === "refused"
      ? ` ${outcome.code}`
      : outcome.kind === "client-went-away" || outcome.kind === "timeout" || outcome.kind === "server-stopped"
        ? ` in ${outcome.phase}`
        : "";
  return [
    `sslRequest=${record.sslRequest}`,
    tls,
    `user=${record.user ?? "-"}`,
    `plugin=${record.authSwitchedTo ?? record.clientAuthPlugin ?? "-"}`,
    `credentialsInPlaintext=${record.credentialsInPlaintext}`,
    `outcome=${outcome.kind}${detail}`,
  ].join(", ");
}

/**
 * Which of the four outcomes happened, from the client's result and the server's record of the one
 * connection the client made:
 * - `plaintext` / `tls`: the client logged in, and the server authenticated it without / over TLS;
 * - `refuse-before-credentials`: the client did not log in and sent no handshake response
 *   (`record.user === null`): at most an SSLRequest and a failed TLS handshake;
 * - `refused-after-credentials`: the client did not log in although its handshake response
 *   reached the server (`record.user` set): refused by the server (1045, 3159, an attacker's ERR),
 *   or given up by the client itself after its credentials had left (an auth switch it declines).
 *   A client that checks the host only after the OK packet was authenticated: `tls`, as the audit
 *   sees it (the judging function is `observedOutcome`, the audit's own).
 *
 * Throws where the run is not one of the four: the client logged in but the server did not
 * authenticate it, or `SELECT 1` failed after login — a fault of the mock, not a TLS outcome.
 */
export function classifyOutcome(result: ClientResult, record: ConnectionRecord): ClientOutcome {
  // The project's one judging function decides; the client's own view only has to agree with it.
  const observed = observedOutcome([record])!;
  if (result.loggedIn) {
    if (record.outcome.kind !== "authenticated" || record.user === null) {
      throw new Error(`the client says it logged in but the server recorded ${describeRecord(record)}`);
    }
    // A query the server answered with a LOAD DATA LOCAL request (rogue-local-infile) fails in a
    // client that refuses the file: that failure is the refusal, not a fault of the mock.
    if (!result.queried && record.localInfile === null) {
      throw new Error(`logged in, then SELECT 1 failed (${result.error}): ${describeRecord(record)}`);
    }
  }
  // A client that checks the server only after the OK packet has logged in, as far as anyone on
  // the wire can tell: the server's view decides, as in the audit.
  return observed;
}
