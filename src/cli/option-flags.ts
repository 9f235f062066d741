import { type Command, InvalidArgumentError, Option } from "commander";
import { z } from "zod";
import { CERTIFICATE_SET_NAMES } from "../certs/catalogue";
import { nearestName } from "../options/describe-value";
import { numberBounds } from "../options/option-types";
import { type MockServerOptions, serverOptionFields } from "../options/server-options";
import { type TlsOptions, tlsOptionFields } from "../options/tls-options";

/**
 * `serve`'s flags that each set one server option, made from the option's schema: the value is
 * checked by the option's own definition when the flag is parsed, and the help text shows the
 * option's range, choices and default as the schema states them.
 */

/** A server option a flag sets: a top-level one, or one of `tls`. */
export type FlagOption = keyof typeof serverOptionFields | `tls.${keyof typeof tlsOptionFields}`;

export interface OptionFlag {
  /** Commander's flag text: `--max-connections <n>`, `-P, --port <port>`. */
  flags: string;
  option: FlagOption;
  /** What the flag does; the schema adds the range, the choices and the default. */
  description: string;
  /** The flag takes seconds for an option in milliseconds, as MySQL's timeouts are set. */
  seconds?: true;
  /** The flag's own default where the CLI's differs from the library's (port 3306, as mysqld's). */
  cliDefault?: number;
  /** The default in words, where it is worked out from other options rather than stated. */
  defaultText?: string;
  /** A long list of names is better found elsewhere than listed in the help. */
  noChoices?: true;
}

/** Every flag that sets one server option, by the option it sets. */
export const OPTION_FLAGS = [
  {
    flags: "-P, --port <port>",
    option: "port",
    description: "TCP port (0 = any free port)",
    cliDefault: 3306,
  },
  { flags: "-h, --host <address>", option: "host", description: "address to bind" },
  {
    flags: "-S, --socket <path>",
    option: "socketPath",
    description: "listen on this Unix socket instead of TCP",
  },
  {
    flags: "--ciphers <list>",
    option: "tls.ciphers",
    description: "OpenSSL cipher string",
    defaultText: "MySQL 5.7's list",
  },
  {
    flags: "--certs <name>",
    option: "tls.certificates",
    description: "serve a certificate set from the catalogue (see certs list)",
    defaultText: "mysql-auto, unless --cert and --key are given",
    noChoices: true,
  },
  {
    flags: "--fresh-keys",
    option: "freshKeys",
    description:
      "generate the certificate set's keys instead of using the public test keys shipped with the package (cached per user)",
  },
  {
    flags: "--client-certs <mode>",
    option: "tls.clientCertificates",
    description: "client certificates: request (as 5.7: ask, verify if presented), require, or none",
  },
  {
    flags: "--client-ssl-without-tls <answer>",
    option: "clientSslWithoutTls",
    description:
      "answer to CLIENT_SSL the greeting did not offer: bad-handshake (MySQL 5.7/8.0), mask (MariaDB, MySQL 5.6), strip (a stripping proxy)",
    defaultText: "by server family",
  },
  {
    flags: "--server-version <version>",
    option: "serverVersion",
    description: "version string of the greeting",
  },
  {
    flags: "--connect-timeout <seconds>",
    option: "connectTimeoutMs",
    seconds: true,
    description: "end a client that has not logged in by then (MySQL's connect_timeout)",
  },
  {
    flags: "--wait-timeout <seconds>",
    option: "waitTimeoutMs",
    seconds: true,
    description: "close a logged-in client idle that long (MySQL's wait_timeout)",
  },
  {
    flags: "--net-write-timeout <seconds>",
    option: "netWriteTimeoutMs",
    seconds: true,
    description:
      "end a client that leaves a reply unread that long; meanwhile none of its commands is read (MySQL's net_write_timeout)",
  },
  {
    flags: "--net-read-timeout <seconds>",
    option: "netReadTimeoutMs",
    seconds: true,
    description:
      "end a logged-in client that stops half-way through a packet for that long (MySQL's net_read_timeout)",
  },
  {
    flags: "--max-connections <n>",
    option: "maxConnections",
    description:
      "answer ERR 1040 Too many connections past this many open connections (MySQL's max_connections)",
  },
  {
    flags: "--back-log <n>",
    option: "backlog",
    description: "the listen queue (MySQL's back_log)",
    defaultText: "50 + max-connections / 5, at most 900, at least 511",
  },
  {
    flags: "--max-allowed-packet <bytes>",
    option: "maxPacketSize",
    description: "largest packet a logged-in client may send (MySQL's max_allowed_packet)",
  },
  {
    flags: "--keep <n>",
    option: "keepConnections",
    description: "records kept in memory, the oldest dropped first (the events file has them all)",
  },
  {
    flags: "--skip-name-resolve",
    option: "skipNameResolve",
    description:
      "name a loopback TCP client by its address ('u'@'127.0.0.1'), not 'localhost', in access-denied texts, USER() and account matching (MySQL's skip_name_resolve)",
  },
] as const satisfies readonly OptionFlag[];

/** The schema of the option `name`, as the options define it (with its default, if it has one). */
export function optionSchema(name: FlagOption): z.ZodType {
  return name.startsWith("tls.")
    ? tlsOptionFields[name.slice("tls.".length) as keyof typeof tlsOptionFields]
    : serverOptionFields[name as keyof typeof serverOptionFields];
}

/** The value's own schema, without the optional or default wrapped around it. */
function valueSchema(schema: z.ZodType): z.ZodType {
  return schema instanceof z.ZodDefault || schema instanceof z.ZodOptional
    ? valueSchema(schema.unwrap() as z.ZodType)
    : schema;
}

/** The default the schema states for an option, or undefined when it is worked out or there is none. */
export function optionDefault(name: FlagOption): unknown {
  const schema = optionSchema(name);
  return schema instanceof z.ZodDefault ? schema.def.defaultValue : undefined;
}

const MS_PER_SECOND = 1000;

/** "1 to 100000", "0 or more", or for seconds "above 0, at most 2147483.647". */
function rangeText(flag: OptionFlag, bounds: ReturnType<typeof numberBounds>): string {
  const scale = flag.seconds ? MS_PER_SECOND : 1;
  const min = bounds.min / scale;
  const max = bounds.max / scale;
  if (bounds.minExclusive) return `above ${min}, at most ${max}`;
  return bounds.max >= Number.MAX_SAFE_INTEGER ? `${min} or more` : `${min} to ${max}`;
}

/** The help text: what the flag does, then the option's range and default from the schema. */
function flagHelp(flag: OptionFlag): string {
  const schema = valueSchema(optionSchema(flag.option));
  const notes: string[] = [];
  if (schema instanceof z.ZodNumber) {
    notes.push(`${flag.seconds ? "seconds " : ""}${rangeText(flag, numberBounds(schema))}`);
  }
  const stated = optionDefault(flag.option);
  // A CLI default is shown by commander itself.
  if (flag.cliDefault === undefined) {
    const shown =
      flag.defaultText ?? (typeof stated === "number" && flag.seconds ? stated / MS_PER_SECOND : stated);
    if (shown !== undefined) notes.push(`default ${String(shown)}`);
  }
  if (notes.length === 0) return flag.description;
  // "… (MySQL's max_connections)" takes the notes inside its parentheses.
  return flag.description.endsWith(")")
    ? `${flag.description.slice(0, -1)}; ${notes.join("; ")})`
    : `${flag.description} (${notes.join("; ")})`;
}

/** Parses a flag's text into the option's value, checked by the option's schema. */
function flagParser(flag: OptionFlag): (text: string) => unknown {
  const schema = valueSchema(optionSchema(flag.option));
  const isNumber = schema instanceof z.ZodNumber;
  return (text) => {
    const value = isNumber ? Number(text) * (flag.seconds ? MS_PER_SECOND : 1) : text;
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    if (isNumber && flag.seconds) {
      throw new InvalidArgumentError(
        `expected a number of seconds ${rangeText(flag, numberBounds(schema as z.ZodNumber))}`,
      );
    }
    throw new InvalidArgumentError(withSuggestion(result.error.issues[0]!.message, text, flag.option));
  };
}

/** Options whose value is one of a list of names too long to print as choices: a typo gets a suggestion. */
const NAMED_VALUES: Readonly<Record<string, readonly string[]>> = {
  "tls.certificates": CERTIFICATE_SET_NAMES,
};

/** `message`, and "did you mean" the name `text` is closest to, when the option takes names. */
function withSuggestion(message: string, text: string, option: string): string {
  const names = NAMED_VALUES[option];
  const nearest = names ? nearestName(text, names) : null;
  return nearest ? `${message}; did you mean ${nearest}?` : message;
}

/** The commander option of the flag that sets `option`. */
export function optionFlag(option: (typeof OPTION_FLAGS)[number]["option"]): Option {
  const flag: OptionFlag = OPTION_FLAGS.find((f) => f.option === option)!;
  const made = new Option(flag.flags, flagHelp(flag));
  const schema = valueSchema(optionSchema(flag.option));
  // A switch (`--skip-name-resolve`): commander sets true when it is given; there is no text to parse.
  if (schema instanceof z.ZodBoolean) return made;
  if (schema instanceof z.ZodEnum && !flag.noChoices) made.choices(schema.options.map(String));
  else made.argParser(flagParser(flag));
  if (flag.cliDefault !== undefined) made.default(flag.cliDefault);
  return made;
}

/** The name commander stores a flag's value under: `--max-connections` → `maxConnections`. */
export function flagAttribute(flag: OptionFlag): string {
  return new Option(flag.flags).attributeName();
}

/** The options the flags given set, `tls.*` ones under `tls`; a flag not given sets nothing. */
export function optionsFromFlags(values: Readonly<Record<string, unknown>>): {
  options: MockServerOptions;
  tls: TlsOptions;
} {
  const options: Record<string, unknown> = {};
  const tls: Record<string, unknown> = {};
  for (const flag of OPTION_FLAGS) {
    const value = values[flagAttribute(flag)];
    if (value === undefined) continue;
    if (flag.option.startsWith("tls.")) tls[flag.option.slice("tls.".length)] = value;
    else options[flag.option] = value;
  }
  // Each value was checked by its option's schema as its flag was parsed.
  return { options: options as MockServerOptions, tls: tls as TlsOptions };
}

/** The prefix of the environment variables that configure `serve`. */
export const ENV_PREFIX = "MYSQL_TLS_MOCK_";

/** The variable a flag can come from: `--control-port` → `MYSQL_TLS_MOCK_CONTROL_PORT`. */
export function envName(long: string): string {
  return ENV_PREFIX + long.replace(/^--/, "").replace(/-/g, "_").toUpperCase();
}

/**
 * Lets every flag added to `command` from now on come from its environment variable
 * ({@link envName}); a flag given wins over the variable, and a bad value is refused naming the
 * variable (commander checks it with the flag's own parser). A switch (`--json`, `--no-tls`) is
 * turned on by its variable being set. `--help` lists each variable. Call it before adding the
 * flags: commander listens for a variable only when the flag is added with it.
 */
export function withEnvironment(command: Command): Command {
  const add = command.addOption.bind(command);
  command.addOption = (option: Option) => {
    if (option.long && option.envVar === undefined) option.env(envName(option.long));
    return add(option);
  };
  return command;
}
