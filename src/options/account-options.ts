import { z } from "zod";
import type { Account } from "../auth/accounts";
import { parseRequireClause, RequireClauseError } from "../auth/account-requirements";
import { AUTH_PLUGIN_NAMES } from "../auth/plugins";
import { describeValue } from "./describe-value";
import { optionObject, text } from "./option-types";

const pluginProblem = (plugin: unknown) =>
  typeof plugin === "string"
    ? `auth plugin ${plugin} is not supported (supported: ${AUTH_PLUGIN_NAMES.join(", ")})`
    : `expected a string, got ${describeValue(plugin)}`;

/**
 * An auth plugin the server can run, by its wire name. Typed as a string, as the library has always
 * taken it (a plugin name read from a config file is a string).
 */
export function authPlugin() {
  return z
    .string({ error: (issue) => pluginProblem(issue.input) })
    .refine((plugin) => (AUTH_PLUGIN_NAMES as readonly string[]).includes(plugin), {
      error: (issue) => pluginProblem(issue.input),
    });
}

/** {@link authPlugin} as a file writes it: one of the names, which a JSON Schema can list. */
export function authPluginChoice() {
  return z.enum(AUTH_PLUGIN_NAMES, { error: (issue) => pluginProblem(issue.input) });
}

/** Why MySQL's REQUIRE text cannot be read, or null when it can. */
function requireClauseProblem(clause: string): string | null {
  try {
    parseRequireClause(clause);
    return null;
  } catch (error) {
    if (error instanceof RequireClauseError) return error.message;
    throw error;
  }
}

/** The REQUIRE clause as MySQL writes it (`SSL`, `X509`, `SUBJECT '/CN=app' AND CIPHER '…'`). */
const requireText = text().superRefine((clause, context) => {
  const problem = requireClauseProblem(clause);
  if (problem !== null) context.addIssue({ code: "custom", message: problem });
});

/** The REQUIRE clause's ISSUER, SUBJECT and CIPHER: each optional, those given all required (AND). */
const requireClauses = optionObject({
  issuer: text().optional(),
  subject: text().optional(),
  cipher: text().optional(),
});

/** A MySQL account the mock server accepts. */
export const accountSchema = optionObject({
  /** User name, compared exactly (MySQL user names are case-sensitive). */
  user: text(),
  /** Plaintext password; the empty string means "no password". */
  password: text({ secret: true }),
  /**
   * MySQL host pattern (`%` and `_` wildcards), matched against the client's address and, for
   * loopback clients, `localhost`. Default `%` (any host).
   */
  host: text({ nonEmpty: true }).optional(),
  /** Authentication plugin of the account. Default: the server's `defaultAuthPlugin`. */
  plugin: authPlugin().optional(),
  /**
   * TLS the account requires, as `CREATE USER … REQUIRE` sets it: `"SSL"`, `"X509"`,
   * `{ subject, issuer, cipher }`, or MySQL's own text (`"SUBJECT '/CN=app' AND CIPHER '…'"`).
   * Default `NONE`.
   */
  require: z
    .union([requireText, requireClauses], {
      error: (issue) => `expected an object, got ${describeValue(issue.input)}`,
    })
    .optional(),
});

/** The account a server without `accounts` has: MySQL's root with the password `root`. */
export const DEFAULT_ACCOUNT: Account = { user: "root", password: "root" };
