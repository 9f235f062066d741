import { Command, type Option } from "commander";
import { z } from "zod";
import { flagAttribute, OPTION_FLAGS, optionDefault, optionSchema } from "../../src/cli/option-flags";
import { serveCommand, toServerOptions } from "../../src/cli/serve-command";
import { numberBounds } from "../../src/options/option-types";
import { serverOptionFields } from "../../src/options/server-options";
import { tlsOptionFields } from "../../src/options/tls-options";

/**
 * `serve`'s flags that set one server option each are made from the option's schema: each names
 * a real option, takes exactly the option's range, and its help shows the option's range and
 * default as the schema states them.
 */

function serve(): Command {
  const program = new Command().exitOverride();
  serveCommand(program);
  const command = program.commands.find((c) => c.name() === "serve")!;
  // Parse errors are asserted on, not printed.
  command.exitOverride().configureOutput({ writeErr: () => undefined });
  return command;
}

/** The flags `serve` was given, as its action receives them. */
function parse(args: string[]): Record<string, unknown> {
  const command = serve();
  command.parseOptions(args);
  return command.opts();
}

const longName = (flags: string) => /--[\w-]+/.exec(flags)![0];

function commanderOption(flags: string): Option {
  const option = serve().options.find((o) => o.long === longName(flags));
  expect(option).toBeDefined();
  return option!;
}

/** The number schema inside `.optional()` / `.default()`. */
function numberSchema(schema: z.ZodType): z.ZodNumber | null {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault) {
    return numberSchema(schema.unwrap() as z.ZodType);
  }
  return schema instanceof z.ZodNumber ? schema : null;
}

const NUMBER_FLAGS = OPTION_FLAGS.filter((flag) => numberSchema(optionSchema(flag.option)) !== null);

describe("serve's flags for server options", () => {
  it.each(OPTION_FLAGS.map((flag) => [flag.flags, flag.option] as const))(
    "%s sets the real option %s",
    (flags, option) => {
      const [top, nested] = option.split(".") as [string, string | undefined];
      const fields: Record<string, unknown> = nested === undefined ? serverOptionFields : tlsOptionFields;
      expect(fields[nested ?? top]).toBeDefined();
      expect(commanderOption(flags)).toBeDefined();
    },
  );

  it.each(OPTION_FLAGS.filter((flag) => optionDefault(flag.option) !== undefined && !("cliDefault" in flag)))(
    "$flags shows the option's default in its help",
    (flag) => {
      const stated = optionDefault(flag.option) as string | number;
      const shown = "seconds" in flag && typeof stated === "number" ? stated / 1000 : stated;
      expect(commanderOption(flag.flags).description).toContain(`default ${shown}`);
    },
  );

  it.each(NUMBER_FLAGS)("$flags takes the option's range, and says it in its help", (flag) => {
    const bounds = numberBounds(numberSchema(optionSchema(flag.option))!);
    const scale = "seconds" in flag ? 1000 : 1;
    const help = commanderOption(flag.flags).description;
    const flagName = longName(flag.flags);
    if (bounds.minExclusive) {
      expect(help).toContain(`above ${bounds.min / scale}, at most ${bounds.max / scale}`);
      expect(() => parse([flagName, String(bounds.min / scale)])).toThrow(/is invalid/);
    } else {
      expect(help).toMatch(new RegExp(`${bounds.min} (to ${bounds.max}|or more)`));
      expect(parse([flagName, String(bounds.min)])[flagAttribute(flag)]).toBe(bounds.min);
      expect(() => parse([flagName, String(bounds.min - 1)])).toThrow(/is invalid/);
    }
    expect(parse([flagName, String(bounds.max / scale)])[flagAttribute(flag)]).toBe(bounds.max);
    if (bounds.max < Number.MAX_SAFE_INTEGER) {
      expect(() => parse([flagName, String(bounds.max / scale + 1)])).toThrow(/is invalid/);
    }
  });

  it("refuse a value out of range with the option's own words", () => {
    expect(() => parse(["--max-connections", "0"])).toThrow(
      "argument '0' is invalid. expected an integer from 1 to 100000, got 0",
    );
    expect(() => parse(["--connect-timeout", "0"])).toThrow(
      "argument '0' is invalid. expected a number of seconds above 0, at most 2147483.647",
    );
    expect(() => parse(["--server-version", ""])).toThrow("must not be empty");
    expect(() => parse(["--certs", "goood"])).toThrow('Unknown certificate set "goood"');
  });

  it("offer the option's choices", () => {
    expect(commanderOption("--client-certs").argChoices).toEqual([
      ...tlsOptionFields.clientCertificates.unwrap().options,
    ]);
    expect(commanderOption("--client-ssl-without-tls").argChoices).toEqual([
      ...serverOptionFields.clientSslWithoutTls.unwrap().options,
    ]);
  });
});

describe("toServerOptions", () => {
  it("sets the options the flags give, seconds as milliseconds and TLS ones under tls", () => {
    const options = toServerOptions(
      parse([
        "--connect-timeout",
        "5",
        "--net-read-timeout",
        "0.5",
        "--max-connections",
        "7",
        "--back-log",
        "80",
        "--keep",
        "0",
        "--client-certs",
        "require",
        "--ciphers",
        "AES128-SHA",
        "--server-version",
        "8.0.35",
        "--client-ssl-without-tls",
        "mask",
      ]) as never,
      null,
    );
    expect(options).toMatchObject({
      connectTimeoutMs: 5000,
      netReadTimeoutMs: 500,
      maxConnections: 7,
      backlog: 80,
      keepConnections: 0,
      serverVersion: "8.0.35",
      clientSslWithoutTls: "mask",
      tls: { clientCertificates: "require", ciphers: "AES128-SHA" },
    });
  });

  it("leaves an option the flags do not give to the library's default, but listens on port 3306", () => {
    const options = toServerOptions(parse([]) as never, null);
    expect(options.port).toBe(3306);
    for (const name of ["host", "connectTimeoutMs", "maxConnections", "keepConnections", "serverVersion"]) {
      expect(options).not.toHaveProperty(name);
    }
  });
});
