import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import type { z } from "zod";
import {
  type ClientOutcome,
  type Scenario,
  type ScenarioFile,
  scenarioSchema,
  type SslMode,
} from "./scenario-schema";

/** The folder of built-in scenarios, shipped with the package. */
export const BUILTIN_SCENARIO_DIR = resolve(__dirname, "..", "..", "scenarios");

/**
 * A scenario that cannot be used, with the file, the path inside it and what was expected — never
 * a stack trace for a user's typo.
 */
export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    /** Dotted path inside the file, e.g. `server.tls.versions[1]`; empty for the whole file. */
    readonly path: string,
    readonly problem: string,
    /** 1-based line of the offending node, when known. */
    readonly line?: number,
  ) {
    super(`${file}${line ? `:${line}` : ""}: ${path ? `${path}: ` : ""}${problem}`);
    this.name = "ScenarioError";
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`))
    .join("");
}

function lineOf(
  document: Document | null,
  lines: LineCounter | null,
  path: ReadonlyArray<PropertyKey>,
): number | undefined {
  if (!document || !lines) return undefined;
  let node: unknown = document.contents;
  let found: unknown = node;
  for (const key of path) {
    if (isMap(node)) node = node.items.find((pair) => isScalar(pair.key) && pair.key.value === key)?.value;
    else if (isSeq(node) && typeof key === "number") node = node.items[key];
    else break;
    if (node) found = node;
  }
  const range = (found as { range?: [number, number, number] } | undefined)?.range;
  return range ? lines.linePos(range[0]).line : undefined;
}

function describeFound(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function valueAt(data: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value = data;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  return value;
}

/**
 * A union's error is about the branch that got furthest (the object branch of `tls: false | {…}`
 * when its content is wrong), so the message names the real culprit; paths inside are relative.
 */
function innermostIssue(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== "invalid_union" || issue.errors.length === 0) return issue;
  const deepest = issue.errors
    .map((branch) => branch[0])
    .filter((inner): inner is z.core.$ZodIssue => inner !== undefined)
    .sort((a, b) => b.path.length - a.path.length)[0];
  if (!deepest || deepest.path.length === 0) return issue;
  return innermostIssue({ ...deepest, path: [...issue.path, ...deepest.path] } as z.core.$ZodIssue);
}

function explainIssue(issue: z.core.$ZodIssue, data: unknown): string {
  const found = describeFound(valueAt(data, issue.path));
  switch (issue.code) {
    case "unrecognized_keys":
      return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}`;
    case "invalid_value":
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, found ${found}`;
    case "invalid_type":
      return `expected ${issue.expected}, found ${found}`;
    case "invalid_union": {
      const options = issue.errors
        .map((branch) => branch[0])
        .filter((inner) => inner && inner.path.length === 0)
        .map((inner) =>
          inner!.code === "invalid_value"
            ? inner!.values.map((v) => JSON.stringify(v)).join(" or ")
            : (inner as { expected?: string }).expected,
        )
        .filter(Boolean);
      return `expected ${options.length > 0 ? options.join(" or ") : "a valid value"}, found ${found}`;
    }
    default:
      return `${issue.message.replace(/^Invalid input: /, "")}, found ${found}`;
  }
}

/** Validates parsed scenario data; `document` (when given) lets errors carry line numbers. */
export function validateScenario(
  data: unknown,
  file: string,
  document: Document | null = null,
  lines: LineCounter | null = null,
): ScenarioFile {
  const result = scenarioSchema.safeParse(data);
  if (result.success) return result.data;
  const issue = innermostIssue(result.error.issues[0]!);
  throw new ScenarioError(
    file,
    formatPath(issue.path),
    explainIssue(issue, data),
    lineOf(document, lines, issue.path),
  );
}

/** Reads one scenario file (YAML or JSON) without applying `extends`. */
export function readScenarioFile(file: string): ScenarioFile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ScenarioError(file, "", `cannot read the file: ${(error as Error).message}`);
  }
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const syntaxError = document.errors[0];
  if (syntaxError) {
    const line = syntaxError.linePos?.[0]?.line;
    throw new ScenarioError(file, "", `not valid YAML: ${syntaxError.message.split("\n")[0]}`, line);
  }
  return validateScenario(document.toJS(), file, document, lines);
}

/** Names of the built-in scenarios, sorted. */
export function builtinScenarioNames(): string[] {
  if (!existsSync(BUILTIN_SCENARIO_DIR)) return [];
  return readdirSync(BUILTIN_SCENARIO_DIR)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => basename(f, ".yaml"))
    .sort();
}

/**
 * Whether a scenario reference names a file — it holds a path separator or ends in `.yaml`, `.yml`
 * or `.json` — rather than a built-in scenario.
 */
export function isScenarioPath(reference: string): boolean {
  return /[/\\]|\.ya?ml$|\.json$/.test(reference);
}

/**
 * A scenario reference as {@link loadScenario} takes it, with a file path resolved against
 * `baseDir` (an absolute one stays as it is); a built-in name is returned unchanged. For callers
 * whose relative paths mean something other than the working directory (a jest rootDir).
 */
export function resolveScenarioReference(reference: string, baseDir: string): string {
  return isScenarioPath(reference) ? resolve(baseDir, reference) : reference;
}

function locate(reference: string, from: string | null): string {
  if (isScenarioPath(reference)) return resolve(from ? dirname(from) : process.cwd(), reference);
  const builtin = join(BUILTIN_SCENARIO_DIR, `${reference}.yaml`);
  if (existsSync(builtin)) return builtin;
  throw new ScenarioError(
    from ?? reference,
    from ? "extends" : "",
    `no built-in scenario named ${JSON.stringify(reference)} (see mysql-tls-mock scenarios)`,
  );
}

/** Objects merge key by key; arrays and scalars of the extending scenario replace the base's. */
function merge<T>(base: T, override: T): T {
  if (typeof base !== "object" || base === null || Array.isArray(base)) return override;
  if (typeof override !== "object" || override === null || Array.isArray(override)) return override;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(override as Record<string, unknown>)) {
    out[key] = key in out ? merge(out[key], value) : value;
  }
  return out as T;
}

function normalizeExpectations(expect: ScenarioFile["expect"]): Scenario["expect"] {
  const out: Scenario["expect"] = {};
  for (const [mode, value] of Object.entries(expect ?? {})) {
    if (value === undefined) continue;
    out[mode as SslMode] = typeof value === "string" ? { outcome: value as ClientOutcome } : value;
  }
  return out;
}

function resolveChain(file: ScenarioFile, source: string, seen: string[]): ScenarioFile {
  if (!file.extends) return file;
  const basePath = locate(file.extends, source === "(object)" ? null : source);
  if (seen.includes(basePath)) {
    throw new ScenarioError(
      source,
      "extends",
      `circular extends: ${[...seen, basePath].map((p) => basename(p)).join(" → ")}`,
    );
  }
  const base = resolveChain(readScenarioFile(basePath), basePath, [...seen, basePath]);
  const { extends: _own, ...own } = file;
  const { extends: _base, ...inherited } = base;
  return merge<ScenarioFile>(inherited, own);
}

/**
 * Loads a scenario by built-in name, by file path, or from an object, applying `extends`.
 */
export function loadScenario(reference: string | ScenarioFile): Scenario {
  let file: ScenarioFile;
  let source: string;
  let name: string;
  if (typeof reference === "string") {
    source = locate(reference, null);
    file = readScenarioFile(source);
    name = basename(source).replace(/\.(ya?ml|json)$/, "");
  } else {
    source = "(object)";
    file = validateScenario(reference, source);
    name = "(object)";
  }
  const resolved = resolveChain(file, source, source === "(object)" ? [] : [source]);
  const { extends: _extends, $schema: _schema, expect, ...rest } = resolved;
  return { ...rest, name, source, expect: normalizeExpectations(expect) };
}
