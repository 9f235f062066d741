import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SslMode } from "../../src/scenarios/scenario-schema";
import { type ProcessResult, runProcess } from "./processes";

/**
 * Runs the probe programs in `probes/` — one real client in another language each — and reads the
 * one JSON line each prints. The probes' contract (arguments, exit codes, the line) is in their
 * header comments; this is the test suite's side of it.
 */

export const PROBE_CLIENTS = ["pymysql", "php-mysqli", "go-sql-driver"] as const;
export type ProbeClient = (typeof PROBE_CLIENTS)[number];

/** The probes' exit codes (the same in all three). */
export const PROBE_EXIT = {
  ok: 0,
  notLoggedIn: 1,
  queryFailed: 2,
  modeNotExpressible: 3,
  driverMissing: 4,
  usage: 64,
} as const;

/** The probe folder, as shipped in the npm package. */
export const PROBES_DIR = join(__dirname, "..", "..", "probes");

/** Debian's python3 (the `python3` on PATH may be another interpreter, without Debian's modules). */
const DEBIAN_PYTHON = "/usr/bin/python3";

/**
 * How each probe spells each ssl-mode it can express, in the driver's own terms (the probes'
 * header comments say why, citing the drivers' sources). A mode a probe cannot express is absent;
 * the probe exits {@link PROBE_EXIT.modeNotExpressible} for it.
 */
export const PROBE_MODES: Record<ProbeClient, Partial<Record<SslMode, string>>> = {
  pymysql: {
    DISABLED: "ssl_disabled=True",
    PREFERRED: "ssl={verify_mode: False, check_hostname: False}",
    REQUIRED: "ssl={verify_mode: False, check_hostname: False} (no mandatory TLS in PyMySQL)",
    VERIFY_CA: "ssl_ca, ssl_verify_cert=True",
    VERIFY_IDENTITY: "ssl_ca, ssl_verify_cert=True, ssl_verify_identity=True",
  },
  "php-mysqli": {
    DISABLED: "no MYSQLI_CLIENT_SSL",
    REQUIRED: "MYSQLI_CLIENT_SSL | MYSQLI_CLIENT_SSL_DONT_VERIFY_SERVER_CERT",
    VERIFY_IDENTITY: "ssl_set(ca) + MYSQLI_OPT_SSL_VERIFY_SERVER_CERT + MYSQLI_CLIENT_SSL",
  },
  "go-sql-driver": {
    DISABLED: "tls=false",
    PREFERRED: "tls=preferred",
    REQUIRED: "tls=skip-verify",
    VERIFY_CA: "tls=<InsecureSkipVerify + VerifyPeerCertificate checking the chain>",
    VERIFY_IDENTITY: "tls=<RootCAs: ca, ServerName: host>",
  },
};

/** Where and as whom a probe connects, in which mode, trusting which CA file. */
export interface ProbeTarget {
  host?: string;
  port?: number;
  /** A Unix socket instead of TCP. */
  socketPath?: string | null;
  user: string;
  password: string;
  mode: SslMode;
  caFile: string;
  /** A client certificate and its key (files). */
  certFile?: string;
  keyFile?: string;
  /** A statement instead of `SELECT 1` (the PyMySQL probe's `--query`). */
  query?: string;
}

/** What the probe printed, plus how it ended. */
export interface ProbeResult {
  loggedIn: boolean;
  queried: boolean;
  error: string | null;
  /** The driver's MySQL error number, or the error's class/type when it has none, as a string. */
  errorCode?: string;
  /** The first value of the query's first row, as text, when the probe reports one. */
  value?: string | null;
  exitCode: number | null;
  stderr: string;
}

/** The probe could not run at all: its driver (or language) is not installed. */
export class ProbeUnavailableError extends Error {
  constructor(
    readonly client: ProbeClient,
    readonly detail: string,
  ) {
    super(`${client} probe unavailable: ${detail}`);
    this.name = "ProbeUnavailableError";
  }
}

/** The probe says it cannot express the mode (it should then be absent from {@link PROBE_MODES}). */
export class ModeNotExpressibleError extends Error {
  constructor(
    readonly client: ProbeClient,
    readonly mode: SslMode,
    readonly detail: string,
  ) {
    super(`${client} cannot express ${mode}: ${detail}`);
    this.name = "ModeNotExpressibleError";
  }
}

/** The probe ended without the one JSON line its contract promises. */
export class ProbeOutputError extends Error {
  constructor(
    readonly client: ProbeClient,
    readonly result: ProcessResult,
  ) {
    super(
      `${client} probe broke its contract (exit ${result.code ?? result.signal}${result.timedOut ? ", timed out" : ""}):` +
        ` stdout ${JSON.stringify(result.stdout)} stderr ${JSON.stringify(result.stderr.slice(-2000))}`,
    );
    this.name = "ProbeOutputError";
  }
}

// --- the Go probe is compiled once, keyed by its source ----------------------------------------

const GO_PROBE_DIR = join(PROBES_DIR, "go-sql-driver");
let goBinary: Promise<string> | undefined;

/**
 * Builds the Go probe with its build.sh (offline, against Debian's packaged driver) into a temp
 * folder named after the hash of its source, so each test process builds it at most once and a
 * later run with the same source reuses it.
 */
export function goProbeBinary(): Promise<string> {
  goBinary ??= (async () => {
    const hash = createHash("sha256");
    for (const file of ["main.go", "build.sh"]) hash.update(readFileSync(join(GO_PROBE_DIR, file)));
    const dir = join(tmpdir(), `mysql-tls-mock-go-probe-${hash.digest("hex").slice(0, 16)}`);
    const binary = join(dir, "go-sql-driver-probe");
    if (existsSync(binary)) return binary;
    mkdirSync(dir, { recursive: true });
    // Built under a name of its own and renamed: jest workers building at once never run a half-written file.
    const partial = `${binary}.${process.pid}`;
    const build = await runProcess(join(GO_PROBE_DIR, "build.sh"), [partial], {
      timeoutMs: 120_000,
      env: { GOCACHE: process.env.GOCACHE ?? join(tmpdir(), "mysql-tls-mock-go-build-cache") },
    });
    if (build.code === PROBE_EXIT.driverMissing) {
      throw new ProbeUnavailableError("go-sql-driver", build.stderr.trim());
    }
    if (build.code !== 0) {
      throw new Error(`building the Go probe failed (${build.code ?? build.signal}):\n${build.stderr}`);
    }
    renameSync(partial, binary);
    return binary;
  })();
  return goBinary;
}

async function probeCommand(client: ProbeClient): Promise<[string, string[]]> {
  switch (client) {
    case "pymysql":
      return [DEBIAN_PYTHON, [join(PROBES_DIR, "pymysql_probe.py")]];
    case "php-mysqli":
      return ["php", [join(PROBES_DIR, "php_mysqli_probe.php")]];
    case "go-sql-driver":
      return [await goProbeBinary(), []];
  }
}

/** The probe's arguments for `target`. */
export function probeArgs(target: ProbeTarget): string[] {
  return [
    ...(target.socketPath
      ? ["--socket", target.socketPath]
      : ["--host", target.host ?? "127.0.0.1", "--port", String(target.port)]),
    "--user",
    target.user,
    "--password",
    target.password,
    "--mode",
    target.mode,
    "--ca",
    target.caFile,
    ...(target.certFile ? ["--cert", target.certFile] : []),
    ...(target.keyFile ? ["--key", target.keyFile] : []),
    ...(target.query ? ["--query", target.query] : []),
  ];
}

interface ProbeLine {
  loggedIn: boolean;
  queried: boolean;
  error: string | null;
  errorCode: number | string | null;
  value?: string | null;
}

function isProbeLine(value: unknown): value is ProbeLine {
  const line = value as Partial<ProbeLine> | null;
  return (
    typeof line === "object" &&
    line !== null &&
    typeof line.loggedIn === "boolean" &&
    typeof line.queried === "boolean" &&
    (line.error === null || typeof line.error === "string") &&
    (line.errorCode === null || ["number", "string"].includes(typeof line.errorCode))
  );
}

/** Runs the probe with `args` as given (the contract tests pass broken ones) and returns how it ended. */
export async function runProbeRaw(
  client: ProbeClient,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; command?: [string, string[]] } = {},
): Promise<ProcessResult> {
  const [command, prefix] = options.command ?? (await probeCommand(client));
  // The probes give up after 10 s to connect and 10 s to read; this bounds a probe that hangs anyway.
  return runProcess(command, [...prefix, ...args], { timeoutMs: 45_000, env: options.env });
}

/**
 * Runs `client`'s probe against `target` and returns what it printed. Throws
 * {@link ProbeUnavailableError} when the driver is not installed, {@link ModeNotExpressibleError}
 * when the probe cannot express the mode, and {@link ProbeOutputError} on anything else that is
 * not exactly one JSON line agreeing with the exit code.
 */
export async function runProbe(client: ProbeClient, target: ProbeTarget): Promise<ProbeResult> {
  const result = await runProbeRaw(client, probeArgs(target));
  if (result.code === PROBE_EXIT.driverMissing) throw new ProbeUnavailableError(client, result.stderr.trim());
  if (result.code === PROBE_EXIT.modeNotExpressible) {
    throw new ModeNotExpressibleError(client, target.mode, result.stderr.trim());
  }
  const lines = result.stdout.split("\n").filter((line) => line.trim() !== "");
  let parsed: unknown;
  try {
    parsed = lines.length === 1 ? JSON.parse(lines[0]!) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!isProbeLine(parsed)) throw new ProbeOutputError(client, result);
  const expectedExit = parsed.queried
    ? PROBE_EXIT.ok
    : parsed.loggedIn
      ? PROBE_EXIT.queryFailed
      : PROBE_EXIT.notLoggedIn;
  if (result.code !== expectedExit) throw new ProbeOutputError(client, result);
  return {
    loggedIn: parsed.loggedIn,
    queried: parsed.queried,
    error: parsed.error,
    ...(parsed.errorCode !== null ? { errorCode: String(parsed.errorCode) } : {}),
    ...(parsed.value !== undefined ? { value: parsed.value } : {}),
    exitCode: result.code,
    stderr: result.stderr,
  };
}
