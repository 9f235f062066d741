import { readFileSync } from "node:fs";
import { type Command, InvalidArgumentError, Option } from "commander";
import pc from "picocolors";
import { loadScenario } from "../scenarios/load-scenario";
import { scenarioToOptions } from "../scenarios/scenario-options";
import type { Scenario } from "../scenarios/scenario-schema";
import type { Account } from "../auth/accounts";
import { CapabilityFlags } from "../protocol/constants";
import { type StartOptions, startMockServer } from "../server/mock-server";
import {
  CLIENT_SSL_WITHOUT_TLS,
  type ClientSslWithoutTls,
  DEFAULT_ACCOUNT,
  DEFAULT_SERVER_VERSION,
  type TlsOptions,
} from "../server/options";
import { compareTlsVersions, isTlsVersion, TLS_VERSIONS, type TlsVersion } from "../tls/tls-versions";
import type { CertificateSetName } from "../certs";
import { parsePort, parseSeconds } from "./arguments";
import { certificateSetName } from "./certs-command";
import { formatEvent } from "./format-event";

interface ServeFlags {
  port: number;
  host: string;
  socket?: string;
  tls: boolean;
  tlsVersion?: TlsVersion[];
  ciphers?: string;
  certs?: CertificateSetName;
  cert?: string;
  key?: string;
  ca?: string;
  scenario?: string;
  user?: string;
  password?: string;
  require?: string;
  clientCerts?: "none" | "request" | "require";
  clientSslWithoutTls?: ClientSslWithoutTls;
  serverVersion?: string;
  events?: string;
  keylog?: string;
  connectTimeout?: number;
  waitTimeout?: number;
  packets?: boolean;
  json?: boolean;
}

/** The documented default password is shown for copy and paste; a password the user chose never is. */
function passwordHint(account: Account): string {
  return account.user === DEFAULT_ACCOUNT.user && account.password === DEFAULT_ACCOUNT.password
    ? `-p${account.password}`
    : "-p";
}

function isLoopback(host: string): boolean {
  return host === "::1" || host.startsWith("127.") || host === "::ffff:127.0.0.1";
}

/** `TLSv1.2` or `TLSv1,TLSv1.1,TLSv1.2`, as MySQL's tls_version takes it. */
function parseTlsVersions(value: string): TlsVersion[] {
  const versions = value.split(",").map((v) => v.trim());
  for (const v of versions) {
    if (!isTlsVersion(v))
      throw new InvalidArgumentError(`unknown TLS version ${v} (known: ${TLS_VERSIONS.join(", ")})`);
  }
  const sorted = (versions as TlsVersion[]).sort(compareTlsVersions);
  const first = TLS_VERSIONS.indexOf(sorted[0]!);
  if (sorted.some((v, i) => TLS_VERSIONS.indexOf(v) !== first + i)) {
    // node:tls takes a version range, so a list with a hole (TLSv1,TLSv1.2) cannot be served.
    throw new InvalidArgumentError("TLS versions must form a range without gaps, e.g. TLSv1.1,TLSv1.2");
  }
  return sorted;
}

function readPem(path: string, flag: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new InvalidArgumentError(`${flag} ${path}: ${(error as Error).message}`);
  }
}

/** The account the --user/--password/--require flags describe, or none when none of them was given. */
function flagAccount(flags: ServeFlags): Account[] {
  if (flags.user === undefined && flags.password === undefined && flags.require === undefined) return [];
  return [
    {
      user: flags.user ?? "root",
      password: flags.password ?? "root",
      ...(flags.require ? { require: flags.require } : {}),
    },
  ];
}

/** Only the TLS settings the user gave on the command line. */
function tlsFlags(flags: ServeFlags): TlsOptions {
  const tls: TlsOptions = {};
  if (flags.tlsVersion) {
    tls.minVersion = flags.tlsVersion[0]!;
    tls.maxVersion = flags.tlsVersion[flags.tlsVersion.length - 1]!;
  }
  if (flags.ciphers) tls.ciphers = flags.ciphers;
  if (flags.certs) tls.certificates = flags.certs;
  if (flags.cert) tls.cert = readPem(flags.cert, "--cert");
  if (flags.key) tls.key = readPem(flags.key, "--key");
  if (flags.ca) tls.ca = readPem(flags.ca, "--ca");
  if (flags.clientCerts) tls.clientCertificates = flags.clientCerts;
  return tls;
}

/**
 * Flags become options on top of the scenario (loaded from --scenario), if any: a flag the user
 * gave overrides what the scenario sets, and --user/--password add an account (replacing the
 * scenario's account of that name), so a user can point their own client's credentials at any
 * scenario.
 */
export function toServerOptions(flags: ServeFlags, scenario: Scenario | null): StartOptions {
  const accounts = flagAccount(flags);
  const base = scenario
    ? scenarioToOptions(scenario, accounts)
    : { accounts: accounts.length > 0 ? accounts : [DEFAULT_ACCOUNT] };
  const given = tlsFlags(flags);
  let tls: TlsOptions | false;
  if (flags.tls === false) tls = false;
  // A scenario without TLS stays without it unless a TLS flag asks for TLS.
  else if (base.tls === false && Object.keys(given).length === 0) tls = false;
  else {
    tls = { ...(base.tls || {}), ...given };
    if (given.cert || given.key) delete tls.certificates;
  }
  return {
    ...base,
    host: flags.host,
    port: flags.port,
    ...(flags.socket ? { socketPath: flags.socket } : {}),
    tls,
    ...(flags.serverVersion ? { serverVersion: flags.serverVersion } : {}),
    ...(flags.clientSslWithoutTls ? { clientSslWithoutTls: flags.clientSslWithoutTls } : {}),
    ...(flags.connectTimeout !== undefined ? { connectTimeoutMs: flags.connectTimeout * 1000 } : {}),
    ...(flags.waitTimeout !== undefined ? { waitTimeoutMs: flags.waitTimeout * 1000 } : {}),
    ...(flags.events ? { eventsFile: flags.events } : {}),
    ...(flags.keylog ? { keylogFile: flags.keylog } : {}),
  };
}

/** Adds `serve`: run a mock server until interrupted, printing a line per connection event. */
export function serveCommand(program: Command): void {
  program
    .command("serve")
    .description("run a mock MySQL server and print what each client does")
    .option("-P, --port <port>", "TCP port (0 = any free port)", parsePort, 3306)
    .option("-h, --host <address>", "address to bind", "127.0.0.1")
    .option("-S, --socket <path>", "listen on this Unix socket instead of TCP")
    .option("--no-tls", "greet without CLIENT_SSL (a server with TLS disabled)")
    .option(
      "--tls-version <list>",
      "TLS versions to serve, e.g. TLSv1.2 or TLSv1,TLSv1.1,TLSv1.2",
      parseTlsVersions,
    )
    .option("--ciphers <list>", "OpenSSL cipher string (default: MySQL 5.7's list)")
    .option(
      "--certs <name>",
      "serve a certificate set from the catalogue (see certs list)",
      certificateSetName,
    )
    .option("--cert <file>", "server certificate chain (PEM); default: the mysql-auto set")
    .option("--key <file>", "server private key (PEM)")
    .option("--ca <file>", "CA (PEM) to verify client certificates")
    .option("--scenario <name|file>", "serve a scenario (see scenarios); other flags override it")
    .option("-u, --user <name>", "account user name (default: root)")
    .option("-p, --password <password>", "account password (default: root)")
    .option("--require <clause>", "the account's REQUIRE rule, e.g. X509 or \"SUBJECT '/CN=app'\"")
    .addOption(
      new Option("--client-certs <mode>", "client certificates: request (as 5.7), require, or none").choices([
        "none",
        "request",
        "require",
      ]),
    )
    .addOption(
      new Option(
        "--client-ssl-without-tls <answer>",
        "answer to CLIENT_SSL the greeting did not offer: bad-handshake (MySQL 5.7/8.0), mask (MariaDB, MySQL 5.6), strip (a stripping proxy); default by server family",
      ).choices([...CLIENT_SSL_WITHOUT_TLS]),
    )
    .option(
      "--server-version <version>",
      `version string of the greeting (default: ${DEFAULT_SERVER_VERSION})`,
    )
    .option(
      "--connect-timeout <seconds>",
      "end a client that has not logged in by then (MySQL's connect_timeout; default 10)",
      parseSeconds,
    )
    .option(
      "--wait-timeout <seconds>",
      "close a logged-in client idle that long (MySQL's wait_timeout; default 28800)",
      parseSeconds,
    )
    .option("--events <file>", "append every event as a JSON line to this file (mode 0600)")
    .option(
      "--keylog <file>",
      "append TLS secrets in the SSLKEYLOGFILE format (mode 0600), for Wireshark to decrypt a capture",
    )
    .option("--packets", "also print every packet")
    .addOption(new Option("--json", "print events as JSON lines instead of text"))
    .action(async (flags: ServeFlags) => {
      const scenario = flags.scenario ? loadScenario(flags.scenario) : null;
      for (const note of scenario?.notes ?? []) {
        process.stderr.write(pc.yellow(`${note.level}: ${note.message}\n`));
      }
      const server = await startMockServer(toServerOptions(flags, scenario));
      server.on("event", (event) => {
        const text = flags.json
          ? JSON.stringify(event)
          : formatEvent(event, { packets: flags.packets ?? false });
        if (text !== null) process.stdout.write(`${text}\n`);
      });
      if (!server.socketPath && !isLoopback(server.host)) {
        process.stderr.write(
          pc.yellow(
            `warning: listening on ${server.host}, reachable from other machines; the default is 127.0.0.1\n`,
          ),
        );
      }
      const tls = server.tls;
      const firstAccount = server.options.accounts[0] ?? DEFAULT_ACCOUNT;
      const scenarioText = scenario ? `scenario ${scenario.name}, ` : "";
      const certText = tls?.certificateSet ? `, certificates: ${tls.certificateSet.name}` : "";
      const offered = (server.options.capabilityFlags & CapabilityFlags.CLIENT_SSL) !== 0;
      const tlsText = !tls
        ? "TLS off"
        : offered
          ? `TLS ${tls.minVersion}–${tls.maxVersion}${certText}`
          : "TLS configured but not offered (greeting without CLIENT_SSL)";
      process.stdout.write(
        `${pc.bold("mysql-tls-mock")} listening on ${server.socketPath ?? `${server.host}:${server.port}`} — ${scenarioText}MySQL ${server.options.serverVersion}, ${tlsText}\n` +
          pc.dim(
            `try: mariadb ${server.socketPath ? `--socket=${server.socketPath}` : `-h ${server.host} -P ${server.port}`} -u ${firstAccount.user} ${passwordHint(firstAccount)} ${tls && offered ? "--ssl" : "--skip-ssl"} -e "SHOW STATUS LIKE 'Ssl_version'"\n`,
          ),
      );
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      await server.stop();
    });
}
