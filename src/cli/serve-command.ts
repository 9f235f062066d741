import { type Command, InvalidArgumentError, Option } from "commander";
import pc from "picocolors";
import { loadScenario } from "../scenarios/load-scenario";
import { type AccountFlags, overrideAccounts, scenarioToOptions } from "../scenarios/scenario-options";
import type { Scenario } from "../scenarios/scenario-schema";
import type { Account } from "../auth/accounts";
import { CapabilityFlags } from "../protocol/constants";
import { InputFileError, readInputFile } from "../record/input-file";
import { checkPrivateFilePath, PrivateFileError } from "../record/private-file";
import { ServerConfigurationError } from "../options/configuration-error";
import { type MockServer, type StartOptions, startServing } from "../mock-server";
import type { MockServerOptions } from "../options/server-options";
import { DEFAULT_ACCOUNT } from "../options/account-options";
import { DEFAULT_TLS_VERSIONS, formsRange, type TlsOptions } from "../options/tls-options";
import { compareTlsVersions, isTlsVersion, TLS_VERSIONS, type TlsVersion } from "../tls/tls-versions";
import { escapeControlCharacters, formatEvent } from "./format-event";
import { flagAttribute, OPTION_FLAGS, optionFlag, optionsFromFlags, withEnvironment } from "./option-flags";
import { controlOption, startServeControl } from "../control/serve-control";
import { listeningLine } from "./serve-json";
import { packageVersion } from "./version";
import { Output } from "./output";

/**
 * The largest PEM file read for --cert, --key or --ca. A system CA bundle is about 200 KiB; the
 * cap keeps a wrong path (a device, a log) from being read whole.
 */
export const MAX_PEM_FILE_BYTES = 1024 * 1024;

/**
 * The flags as commander gives them. Those of {@link OPTION_FLAGS} (`--port`, `--max-connections`,
 * …) are there too under their attribute names, each already the option's value.
 */
interface ServeFlags extends Readonly<Record<string, unknown>> {
  tls: boolean;
  tlsVersion?: TlsVersion[];
  cert?: string;
  key?: string;
  ca?: string;
  scenario?: string;
  user?: string;
  password?: string;
  require?: string;
  events?: string;
  keylog?: string;
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
  if (!formsRange(sorted)) {
    // node:tls takes a version range, so a list with a hole (TLSv1,TLSv1.2) cannot be served.
    throw new InvalidArgumentError("TLS versions must form a range without gaps, e.g. TLSv1.1,TLSv1.2");
  }
  return sorted;
}

/** The contents of a PEM file named by `flag`, or a usage error naming the flag, the file and what is wrong. */
function readPem(path: string, flag: string): string {
  try {
    return readInputFile(path, MAX_PEM_FILE_BYTES);
  } catch (error) {
    if (error instanceof InputFileError) throw new InvalidArgumentError(`${flag} ${error.message}`);
    throw error;
  }
}

/** The account flags given, for {@link overrideAccounts}. */
function accountFlags(flags: ServeFlags): AccountFlags {
  return {
    ...(flags.user !== undefined ? { user: flags.user } : {}),
    ...(flags.password !== undefined ? { password: flags.password } : {}),
    ...(flags.require !== undefined ? { require: flags.require } : {}),
  };
}

/** Without a scenario: the account the --user/--password/--require flags describe, or none when none was given. */
function flagAccount(flags: ServeFlags): Account[] {
  if (flags.user === undefined && flags.password === undefined && flags.require === undefined) return [];
  return [
    {
      user: flags.user ?? DEFAULT_ACCOUNT.user,
      password: flags.password ?? DEFAULT_ACCOUNT.password,
      ...(flags.require ? { require: flags.require } : {}),
    },
  ];
}

/** Only the TLS settings the user gave on the command line. */
function tlsFlags(flags: ServeFlags, fromOptionFlags: TlsOptions): TlsOptions {
  const tls: TlsOptions = { ...fromOptionFlags };
  if (flags.tlsVersion) {
    tls.minVersion = flags.tlsVersion[0]!;
    tls.maxVersion = flags.tlsVersion[flags.tlsVersion.length - 1]!;
  }
  if (flags.cert) tls.cert = readPem(flags.cert, "--cert");
  if (flags.key) tls.key = readPem(flags.key, "--key");
  if (flags.ca) tls.ca = readPem(flags.ca, "--ca");
  return tls;
}

/**
 * Flags become options on top of the scenario (loaded from --scenario), if any: a flag the user
 * gave overrides what the scenario sets. --user/--password/--require change the scenario's
 * accounts as `overrideAccounts` says (the scenario's account keeps its plugin and REQUIRE rule),
 * so a user can point their own client's credentials at any scenario.
 */
export function toServerOptions(flags: ServeFlags, scenario: Scenario | null): StartOptions {
  const accounts = flagAccount(flags);
  const base: MockServerOptions = scenario
    ? scenarioToOptions(scenario, accountFlags(flags))
    : { accounts: accounts.length > 0 ? accounts : [DEFAULT_ACCOUNT] };
  const fromOptionFlags = optionsFromFlags(flags);
  const given = tlsFlags(flags, fromOptionFlags.tls);
  let tls: TlsOptions | false;
  if (flags.tls === false) tls = false;
  // A scenario without TLS stays without it unless a TLS flag asks for TLS.
  else if (base.tls === false && Object.keys(given).length === 0) tls = false;
  else {
    tls = { ...(base.tls || {}), ...given };
    if (given.cert || given.key) delete tls.certificates;
    // `--certs NAME` replaces a scenario's own certificate files (server.tls.files) as a whole.
    if (given.certificates) {
      delete tls.cert;
      delete tls.key;
      if (!given.ca) delete tls.ca;
    }
  }
  return {
    ...base,
    ...fromOptionFlags.options,
    tls,
    ...(flags.events ? { eventsFile: flags.events } : {}),
    ...(flags.keylog ? { keylogFile: flags.keylog } : {}),
  };
}

/** The server's options of {@link toServerOptions}, without the files opened once at start. */
function withoutFiles(options: StartOptions): MockServerOptions {
  const { eventsFile: _events, keylogFile: _keylog, ...serverOptions } = options;
  return serverOptions;
}

/** Adds `serve`: run a mock server until interrupted, printing a line per connection event. */
export function serveCommand(program: Command): void {
  // Every flag can also come from MYSQL_TLS_MOCK_<FLAG>, for CI services and containers.
  withEnvironment(program.command("serve"))
    .description("run a mock MySQL server and print what each client does")
    .addOption(optionFlag("port"))
    .addOption(optionFlag("host"))
    .addOption(optionFlag("socketPath"))
    .option("--no-tls", "greet without CLIENT_SSL (a server with TLS disabled)")
    .option(
      "--tls-version <list>",
      `TLS versions to serve, e.g. TLSv1.2 or TLSv1,TLSv1.1,TLSv1.2 (default ${DEFAULT_TLS_VERSIONS.minVersion} to ${DEFAULT_TLS_VERSIONS.maxVersion})`,
      parseTlsVersions,
    )
    .addOption(optionFlag("tls.ciphers"))
    .addOption(optionFlag("tls.certificates"))
    .addOption(optionFlag("freshKeys"))
    .option("--cert <file>", "server certificate chain (PEM); default: the mysql-auto set")
    .option("--key <file>", "server private key (PEM)")
    .option("--ca <file>", "CA (PEM) to verify client certificates")
    .option("--scenario <name|file>", "serve a scenario (see scenarios); other flags override it")
    .option(
      "-u, --user <name>",
      `account user name (default: ${DEFAULT_ACCOUNT.user}); with --scenario, renames the scenario's one account, which keeps its plugin and REQUIRE rule`,
    )
    .option(
      "-p, --password <password>",
      `account password (default: ${DEFAULT_ACCOUNT.password}); with --scenario, the scenario's account's new password`,
    )
    .option(
      "--require <clause>",
      "the account's REQUIRE rule, e.g. X509 or \"SUBJECT '/CN=app'\"; with --scenario, replaces the scenario account's",
    )
    .addOption(optionFlag("tls.clientCertificates"))
    .addOption(optionFlag("clientSslWithoutTls"))
    .addOption(optionFlag("serverVersion"))
    .addOption(optionFlag("connectTimeoutMs"))
    .addOption(optionFlag("waitTimeoutMs"))
    .addOption(optionFlag("netWriteTimeoutMs"))
    .addOption(optionFlag("netReadTimeoutMs"))
    .addOption(optionFlag("maxConnections"))
    .addOption(optionFlag("backlog"))
    .addOption(optionFlag("maxPacketSize"))
    .addOption(optionFlag("keepConnections"))
    .addOption(optionFlag("skipNameResolve"))
    .option("--events <file>", "append every event as a JSON line to this file (mode 0600)")
    .option(
      "--keylog <file>",
      "append TLS secrets in the SSLKEYLOGFILE format (mode 0600), for Wireshark to decrypt a capture",
    )
    .option("--packets", "also print every packet")
    .addOption(
      new Option(
        "--json",
        'print only JSON lines on stdout: first {"type":"listening",…} (pid, host, port, caFile, …), then one per event; the banner goes to stderr',
      ),
    )
    .addOption(controlOption("port"))
    .addOption(controlOption("host"))
    .addOption(controlOption("token"))
    .action(async (flags: ServeFlags) => {
      const output = new Output();
      const scenario = flags.scenario ? loadScenario(flags.scenario) : null;
      for (const note of scenario?.notes ?? []) {
        process.stderr.write(pc.yellow(`${note.level}: ${escapeControlCharacters(note.message)}\n`));
      }
      let server: MockServer;
      try {
        // Refused before anything listens; the server checks again when it opens them.
        if (flags.events) checkPrivateFilePath(flags.events);
        if (flags.keylog) checkPrivateFilePath(flags.keylog);
        // The flags override whatever scenario is served: this one, and any set over the control API.
        const { eventsFile, keylogFile, ...first } = toServerOptions(flags, scenario);
        const withFlags = (served: Scenario | null) =>
          served === scenario ? first : withoutFiles(toServerOptions(flags, served));
        server = await startServing(scenario, withFlags, { eventsFile, keylogFile });
      } catch (error) {
        throw namingFlag(error, flags);
      }
      const control = await startServeControl(server, flags, packageVersion());
      server.on("event", (event) => {
        const text = flags.json
          ? JSON.stringify(event)
          : formatEvent(event, { packets: flags.packets ?? false });
        if (text !== null) output.print(`${text}\n`);
      });
      if (!server.socketPath && !isLoopback(server.host)) {
        process.stderr.write(
          pc.yellow(
            `warning: listening on ${server.host}, reachable from other machines; the default is 127.0.0.1\n`,
          ),
        );
      }
      const changes = scenario ? overrideAccounts(scenario, accountFlags(flags)).changes : null;
      // --json keeps stdout to JSON lines, the first announcing the server; people's text goes to stderr.
      if (flags.json) {
        const line = listeningLine(server, scenario, packageVersion(), control?.url ?? null);
        output.print(`${JSON.stringify(line)}\n`);
        process.stderr.write(banner(server, scenario, changes));
      } else output.print(banner(server, scenario, changes));
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
        // `serve | head -1`: the reader is gone, so there is no one left to serve for.
        output.whenClosed(stop);
      });
      await control?.close();
      await server.stop();
    });
}

/** What the server is and how to reach it, in two lines (three when account flags changed a scenario). */
function banner(server: MockServer, scenario: Scenario | null, accountChanges: string | null): string {
  const safe = escapeControlCharacters;
  const tls = server.tls;
  const firstAccount = server.options.accounts[0] ?? DEFAULT_ACCOUNT;
  const scenarioText = scenario ? `scenario ${safe(scenario.name)}, ` : "";
  const certText = tls?.certificateSet ? `, certificates: ${tls.certificateSet.name}` : "";
  const offered = (server.options.capabilityFlags & CapabilityFlags.CLIENT_SSL) !== 0;
  const tlsText = !tls
    ? "TLS off"
    : offered
      ? `TLS ${tls.minVersion}–${tls.maxVersion}${certText}`
      : "TLS configured but not offered (greeting without CLIENT_SSL)";
  const where = safe(server.socketPath ?? `${server.host}:${server.port}`);
  return (
    `${pc.bold("mysql-tls-mock")} listening on ${where} — ${scenarioText}MySQL ${safe(server.options.serverVersion)}, ${tlsText}\n` +
    (accountChanges ? `${safe(accountChanges)}\n` : "") +
    pc.dim(
      `try: mariadb ${server.socketPath ? `--socket=${where}` : `-h ${server.host} -P ${server.port}`} -u ${safe(firstAccount.user)} ${passwordHint(firstAccount)} ${tls && offered ? "--ssl" : "--skip-ssl"} -e "SHOW STATUS LIKE 'Ssl_version'"\n`,
    )
  );
}

/**
 * The CLI flag each server option comes from, where a flag sets it alone. `fromFlagOnly`: no
 * scenario sets it, so it is the flag's even when the flag is missing (`--cert` without `--key`).
 */
const FLAG_OF_OPTION: ReadonlyArray<{
  option: string;
  flag: string;
  value: (f: ServeFlags) => string | undefined;
  fromFlagOnly?: true;
}> = [
  { option: "tls.key", flag: "--key", value: (f) => f.key, fromFlagOnly: true },
  { option: "tls.cert", flag: "--cert", value: (f) => f.cert, fromFlagOnly: true },
  { option: "tls.ca", flag: "--ca", value: (f) => f.ca, fromFlagOnly: true },
  { option: "eventsFile", flag: "--events", value: (f) => f.events, fromFlagOnly: true },
  { option: "keylogFile", flag: "--keylog", value: (f) => f.keylog, fromFlagOnly: true },
  // Text flags that set an option as typed; numbers and choices were checked when parsed.
  ...OPTION_FLAGS.map((f) => ({
    option: f.option,
    flag: f.flags.replace(/^.*(--[\w-]+).*$/, "$1"),
    value: (flags: ServeFlags) => {
      const value = flags[flagAttribute(f)];
      return typeof value === "string" ? value : undefined;
    },
  })),
];

/**
 * A start-up error as the user typed it: an option that came from a flag becomes the flag and its
 * value (`tls.key` → `--key server-key.pem`), in the option named and in the message, so a bad file
 * is named by the file. Options a flag did not set (a scenario's, the defaults) keep their names.
 */
function namingFlag(error: unknown, flags: ServeFlags): unknown {
  if (error instanceof PrivateFileError) {
    const flag = error.path === flags.events ? "--events" : error.path === flags.keylog ? "--keylog" : null;
    return flag ? new InvalidArgumentError(`${flag} ${error.message}`) : error;
  }
  if (!(error instanceof ServerConfigurationError)) return error;
  const named = (option: string): string | null => {
    const match = FLAG_OF_OPTION.find((o) => o.option === option);
    const value = match?.value(flags);
    if (!match || (value === undefined && !match.fromFlagOnly)) return null;
    return value === undefined ? match.flag : `${match.flag} ${value}`;
  };
  const own = named(error.option);
  if (!own) return error;
  let problem = error.message.replace(`invalid option ${error.option}: `, "");
  for (const other of FLAG_OF_OPTION) {
    const replacement = named(other.option);
    if (!replacement) continue;
    // `tls.cert` must not match inside `tls.certificates`.
    const pattern = new RegExp(`${other.option.replace(/\./g, "\\.")}(?!\\w)`, "g");
    problem = problem.replace(pattern, replacement);
  }
  return new InvalidArgumentError(`${own}: ${problem}`);
}
