import type { z } from "zod";
import { ServerConfigurationError } from "./configuration-error";
import { describeValue, isPlainObject } from "./describe-value";

/**
 * Options checked against their schema, the first problem thrown as a
 * {@link ServerConfigurationError} that names the option as a dotted path (`tls.minVersion`,
 * `accounts[0].password`) and says what was expected.
 */

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

/** `tls.minVersion`, `accounts[0].password`, `systemVariables.max_connections`. */
function optionPath(path: Path): string {
  return path
    .map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`))
    .join("");
}

/**
 * The issue to report: an unknown key before anything else (a misspelt option explains the values
 * that follow it), then the first in the order of the schema.
 */
function firstIssue(issues: readonly Issue[]): Issue | undefined {
  return issues.find((issue) => issue.code === "unrecognized_keys") ?? issues[0];
}

/**
 * Inside a union (`tls: false | {…}`), the branch the value was meant for is the one that got past
 * the value's own type, into its keys; its issue is the real one. Paths inside are relative.
 */
function unionBranchIssue(issue: Issue & { code: "invalid_union" }): Issue | null {
  const meant = issue.errors.find((branch) =>
    branch.some((inner) => inner.path.length > 0 || inner.code === "unrecognized_keys"),
  );
  const inner = meant && firstIssue(meant);
  return inner ? ({ ...inner, path: [...issue.path, ...inner.path] } as Issue) : null;
}

/** The error for one issue: the option it is about, and the schema's message for it. */
function errorOf(issue: Issue): ServerConfigurationError {
  if (issue.code === "invalid_union") {
    const branch = unionBranchIssue(issue);
    if (branch) return errorOf(branch);
  }
  const at = optionPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    const prefix = at ? `${at}.` : "";
    // The schema suggests a sibling key; written out, it gets the same path as the unknown one.
    const problem = issue.message.replace(/; did you mean (.+)\?$/, `; did you mean ${prefix}$1?`);
    return new ServerConfigurationError(`${prefix}${issue.keys[0]}`, problem);
  }
  return new ServerConfigurationError(at || "options", issue.message);
}

/**
 * `value` parsed by `schema` (defaults applied), or a {@link ServerConfigurationError} naming the
 * first option that cannot work.
 */
export function parseOptions<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  if (!isPlainObject(value)) {
    throw new ServerConfigurationError("options", `expected an object, got ${describeValue(value)}`);
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw errorOf(firstIssue(result.error.issues)!);
}
