import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { type AddressInfo, createConnection, createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { delimiter, join } from "node:path";
import { type CertificateSetName, getCertificateSet } from "../../src/certs";
import { trackChild } from "./leftover-processes";
import { pemFile, runMariadbCli } from "./mariadb-cli";
import { type ProcessResult, runProcess } from "./processes";

/**
 * A real MariaDB server (Debian's `mariadb-server`) in a throw-away data directory: its own socket, pid file,
 * error log and a free loopback port, never /etc/mysql or the system service's 3306 and /run/mysqld socket.
 */
export interface MariadbServer {
  port: number;
  /** The Unix socket root administers the server through. */
  socket: string;
  pid: number;
  /** Holds the data directory, socket, pid file and logs; removed by `stop()`. */
  dir: string;
  errorLog: string;
  /** The mariadbd command line that started it (without the executable). */
  args: string[];
  timings: { installMs: number; startMs: number };
  /** Runs SQL as root over the Unix socket (no TLS, no password). */
  admin(sql: string): Promise<ProcessResult>;
  readErrorLog(): Promise<string>;
  /** SIGTERM, then SIGKILL if it has not exited in time; removes `dir`. Safe to call twice. */
  stop(): Promise<void>;
}

export interface MariadbServerOptions {
  /** Files for `--ssl-ca`, `--ssl-cert`, `--ssl-key`; null for a server without TLS (10.11 then offers none). */
  ssl: { ca: string; cert: string; key: string } | null;
  /** How long install-db and start may each take. */
  timeoutMs?: number;
  /**
   * Start with `--skip-name-resolve` (the default here, so no test waits on reverse DNS); false
   * starts it as shipped, resolving client addresses (127.0.0.1 is then `localhost`).
   */
  skipNameResolve?: boolean;
}

const SEARCH_DIRS = ["/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin"];

/** The path of an executable on PATH or in the sbin folders a non-root PATH lacks. */
export function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter).filter(Boolean), ...SEARCH_DIRS];
  for (const dir of dirs) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

function requireExecutable(name: string): string {
  const path = findExecutable(name);
  if (!path) {
    throw new Error(
      `${name} not found: install Debian's MariaDB server (apt-get install --no-install-recommends mariadb-server)`,
    );
  }
  return path;
}

/** A port that was free a moment ago (mariadbd binds it itself; a lost race is retried). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once a TCP connection to the port receives the server's greeting (so it is ready for clients). */
function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.once("data", () => done(true));
    socket.once("error", () => done(false));
    socket.once("close", () => done(false));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Waits for `child` to exit, at most `ms`; true if it did. */
async function exitedWithin(child: ChildProcess, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const result = await Promise.race([exited(child).then(() => true as const), timeout]);
  clearTimeout(timer);
  return result;
}

async function stopChild(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill("SIGTERM");
  if (await exitedWithin(child, timeoutMs)) return;
  child.kill("SIGKILL");
  await exitedWithin(child, 5_000);
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return "";
  }
}

/**
 * Creates a data directory with `mariadb-install-db` and starts `mariadbd` on it with TLS from the given files,
 * listening on 127.0.0.1 only. Resolves when the server sends its greeting; rejects with the error log if it exits
 * first (MariaDB aborts when it cannot set up TLS from the files it was given).
 */
export async function startMariadbServer(options: MariadbServerOptions): Promise<MariadbServer> {
  const installDb = requireExecutable("mariadb-install-db");
  const mariadbd = requireExecutable("mariadbd");
  const timeoutMs = options.timeoutMs ?? 60_000;
  const user = userInfo().username;
  const dir = await mkdtemp(join(tmpdir(), "mysql-tls-mock-mariadbd-"));
  const dataDir = join(dir, "data");
  const socket = join(dir, "mariadbd.sock");
  const errorLog = join(dir, "error.log");
  // A temp folder of its own: at start (install-db's bootstrap too) mariadbd deletes every `#sql*`
  // file in its tmpdir as left over from a crash (sql_base.cc, mysql_rm_tmp_tables), so two
  // servers sharing /tmp delete each other's temporary tables; install-db then fails with
  // "Unknown table 'mysql.tmp_user_sys'".
  const tmp = join(dir, "tmp");
  // Small redo log and buffer pool: the data directory stays ~26 MB instead of ~115 MB.
  const innodb = ["--innodb-log-file-size=8M", "--innodb-buffer-pool-size=32M"];

  try {
    await mkdir(tmp);
    const installStart = performance.now();
    const install = await runProcess(
      installDb,
      [
        "--no-defaults",
        `--datadir=${dataDir}`,
        `--user=${user}`,
        // root@localhost with mysql_native_password and no password: works for any OS user over the socket.
        "--auth-root-authentication-method=normal",
        "--skip-test-db",
        "--skip-name-resolve",
        `--tmpdir=${tmp}`,
        ...innodb,
      ],
      { timeoutMs },
    );
    const installMs = performance.now() - installStart;
    if (install.code !== 0) {
      throw new Error(
        `mariadb-install-db failed (${install.code ?? install.signal}):\n${install.stdout}${install.stderr}`,
      );
    }

    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const args = [
        "--no-defaults",
        `--datadir=${dataDir}`,
        `--socket=${socket}`,
        `--port=${port}`,
        "--bind-address=127.0.0.1",
        ...(options.skipNameResolve === false ? [] : ["--skip-name-resolve"]),
        `--user=${user}`,
        `--pid-file=${join(dir, "mariadbd.pid")}`,
        `--log-error=${errorLog}`,
        `--tmpdir=${tmp}`,
        ...innodb,
        ...(options.ssl
          ? [`--ssl-ca=${options.ssl.ca}`, `--ssl-cert=${options.ssl.cert}`, `--ssl-key=${options.ssl.key}`]
          : []),
      ];
      const startStart = performance.now();
      const child = spawn(mariadbd, args, { stdio: ["ignore", "pipe", "pipe"] });
      trackChild(child, `mariadbd on port ${port}`, dir);
      let output = "";
      child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
      child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
      let exitedEarly = false;
      void exited(child).then(() => (exitedEarly = true));

      let ready = false;
      const deadline = Date.now() + timeoutMs;
      while (!exitedEarly && Date.now() < deadline) {
        if (await greets(port)) {
          ready = true;
          break;
        }
        await sleep(100);
      }
      const startMs = performance.now() - startStart;

      if (ready && !exitedEarly && child.pid !== undefined) {
        const pid = child.pid;
        let stopped = false;
        return {
          port,
          socket,
          pid,
          dir,
          errorLog,
          args,
          timings: { installMs, startMs },
          admin: (sql) =>
            runMariadbCli({
              socket,
              user: "root",
              password: null,
              flags: ["--skip-ssl"],
              sql,
              timeoutMs: 30_000,
            }),
          readErrorLog: () => readText(errorLog),
          stop: async () => {
            if (stopped) return;
            stopped = true;
            await stopChild(child, 30_000);
            await rm(dir, { recursive: true, force: true });
          },
        };
      }

      await stopChild(child, 10_000);
      const log = await readText(errorLog);
      // Another process took the port between freePort() and mariadbd's bind: try another one.
      if (/Bind on TCP\/IP port/.test(log) && attempt < 3) continue;
      throw new Error(
        `mariadbd ${exitedEarly ? `exited (${child.exitCode ?? child.signalCode})` : `was not ready after ${timeoutMs} ms`}` +
          `\n${mariadbd} ${args.join(" ")}\n--- output\n${output}--- error log\n${log}`,
      );
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Starts several servers at once; if one fails, stops those that started before rethrowing, so a
 * failed `beforeAll` leaves no server behind.
 */
export async function startMariadbServers<const T extends readonly MariadbServerOptions[]>(
  list: T,
): Promise<{ -readonly [K in keyof T]: MariadbServer }> {
  const settled = await Promise.allSettled(list.map((options) => startMariadbServer(options)));
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === "rejected");
  const started = settled.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  if (!failed) return started as { -readonly [K in keyof T]: MariadbServer };
  await Promise.all(started.map((server) => server.stop()));
  throw failed.reason;
}

/** A catalogue set's CA, server certificate and key as files, for {@link startMariadbServer}'s `ssl`. */
export async function sslFilesOf(
  setName: CertificateSetName,
): Promise<{ ca: string; cert: string; key: string }> {
  const set = await getCertificateSet(setName);
  return {
    ca: pemFile(set.ca, "ca.pem"),
    cert: pemFile(set.server.cert, "server-cert.pem"),
    key: pemFile(set.server.key, "server-key.pem"),
  };
}
