import { existsSync, readdirSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import type { z } from "zod";
import { nearestName } from "../options/describe-value";
import { InputFileError, readInputFile } from "../record/input-file";
import {
  type DroppedExpectations,
  type Scenario,
  type ScenarioFile,
  type ScenarioNote,
  type ScenarioOrigin,
  scenarioSchema,
  SSL_MODES,
} from "./scenario-schema";
import { noCaNote, readTlsFiles, type TlsFilePaths } from "./tls-files";

/**
 * The largest scenario file read, in bytes. The biggest built-in is under 2 KiB; the cap keeps a
 * mistaken path (a log, a disk image) from being read whole and parsed.
 */
export const MAX_SCENARIO_FILE_BYTES = 1024 * 1024;

/**
 * How far YAML aliases may multiply a scenario's data (the `yaml` package's `maxAliasCount`, whose
 * own default this is). A scenario needs a few aliases at most; nested aliases ("billion laughs")
 * would otherwise expand a small file into more data than memory holds once it is validated.
 */
export const MAX_SCENARIO_ALIAS_COUNT = 100;

/** The folder of built-in scenarios, shipped with the package. */
export const BUILTIN_SCENARIO_DIR = resolve(__dirname, "..", "..", "scenarios");

/** One thing wrong in a scenario file. */
export interface ScenarioProblem {
  /** Dotted path inside the file, e.g. `server.tls.versions[1]`; empty for the whole file. */
  path: string;
  problem: string;
  /** 1-based line of the offending node, when known. */
  line?: number;
  /** 1-based column, when known (YAML syntax errors). */
  column?: number;
}

function problemLine(file: string, { path, problem, line, column }: ScenarioProblem): string {
  const at = line ? `:${line}${column ? `:${column}` : ""}` : "";
  return `${file}${at}: ${path ? `${path}: ` : ""}${problem}`;
}

/**
 * A scenario that cannot be used, with the file, the path inside it and what was expected — never
 * a stack trace for a user's typo. A file with several problems reports them all at once (the
 * first in `path`/`problem`/`line`, every one in `problems`), so fixing a file takes one round.
 */
export class ScenarioError extends Error {
  /** Every problem found, the first one included; one line of {@link lines} each. */
  readonly problems: readonly ScenarioProblem[];

  constructor(
    readonly file: string,
    /** Dotted path inside the file, e.g. `server.tls.versions[1]`; empty for the whole file. */
    readonly path: string,
    readonly problem: string,
    /** 1-based line of the offending node, when known. */
    readonly line?: number,
    /** 1-based column of the offending text, when known. */
    readonly column?: number,
    more: readonly ScenarioProblem[] = [],
  ) {
    const first: ScenarioProblem = {
      path,
      problem,
      ...(line !== undefined ? { line } : {}),
      ...(column !== undefined ? { column } : {}),
    };
    const problems = [first, ...more];
    super(problems.map((p) => problemLine(file, p)).join("\n"));
    this.problems = problems;
    this.name = "ScenarioError";
    Object.setPrototypeOf(this, new.target.prototype);
  }

  /** One line per problem: `FILE:LINE[:COLUMN]: PATH: PROBLEM`. */
  get lines(): string[] {
    return this.problems.map((p) => problemLine(this.file, p));
  }

  /** The error for `problems` (at least one) in `file`. */
  static of(file: string, problems: readonly ScenarioProblem[]): ScenarioError {
    const [first, ...more] = problems;
    return new ScenarioError(file, first!.path, first!.problem, first!.line, first!.column, more);
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
 * when its content is wrong), so the message names the real culprit — every problem of that
 * branch, as a file's problems are all reported; paths inside are relative.
 */
function innermostIssues(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== "invalid_union" || issue.errors.length === 0) return [issue];
  const deepest = issue.errors
    .filter((branch) => branch[0] !== undefined)
    .sort((a, b) => b[0]!.path.length - a[0]!.path.length)[0];
  if (!deepest || deepest[0]!.path.length === 0) return [issue];
  return deepest.flatMap((inner) =>
    innermostIssues({ ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue),
  );
}

/**
 * The one known name `value` is probably a misspelling of; null when none is close or when several
 * are (`TLSv1.4` is as near to `TLSv1.1` as to `TLSv1.3`: a guess would mislead).
 */
function onlyNearName(value: string, known: readonly string[]): string | null {
  const nearest = nearestName(value, known);
  if (nearest === null) return null;
  return nearestName(
    value,
    known.filter((name) => name !== nearest),
  ) === null
    ? nearest
    : null;
}

function explainIssue(issue: z.core.$ZodIssue, data: unknown): string {
  const found = describeFound(valueAt(data, issue.path));
  switch (issue.code) {
    case "unrecognized_keys":
      return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}`;
    case "invalid_value": {
      const value = valueAt(data, issue.path);
      const known = issue.values.filter((v): v is string => typeof v === "string");
      const nearest = typeof value === "string" ? onlyNearName(value, known) : null;
      const suggestion = nearest ? `; did you mean ${JSON.stringify(nearest)}?` : "";
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, found ${found}${suggestion}`;
    }
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
    default: {
      // The server's option definitions say what they got as JavaScript sees it; a file says what it found.
      const expected = issue.message.replace(/^Invalid input: /, "").replace(/, got [\s\S]*$/, "");
      return `${expected}, found ${found}`;
    }
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
  const problems: ScenarioProblem[] = [];
  const seen = new Set<string>();
  for (const issue of result.error.issues.flatMap(innermostIssues)) {
    // An unknown key is shown where it is written, not at the start of the object holding it.
    const at = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]!] : issue.path;
    const line = lineOf(document, lines, at);
    const problem: ScenarioProblem = {
      path: formatPath(issue.path),
      problem: explainIssue(issue, data),
      ...(line !== undefined ? { line } : {}),
    };
    const key = problemLine(file, problem);
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  // In file order, so the list reads top to bottom as the user's editor shows it.
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  throw ScenarioError.of(file, problems);
}

/** The line of the node at a path inside a scenario file, when known. */
type LineAt = (path: ReadonlyArray<PropertyKey>) => number | undefined;

const NO_LINES: LineAt = () => undefined;

/** Reads one scenario file (YAML or JSON) without applying `extends`. */
export function readScenarioFile(file: string): ScenarioFile {
  return readScenarioDocument(file).data;
}

/** {@link readScenarioFile}, with the lines of its nodes for problems found after validation. */
function readScenarioDocument(file: string): { data: ScenarioFile; lineAt: LineAt } {
  let text: string;
  try {
    text = readInputFile(file, MAX_SCENARIO_FILE_BYTES);
  } catch (error) {
    if (error instanceof InputFileError) throw new ScenarioError(file, "", error.problem);
    throw error;
  }
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (document.errors.length > 0) {
    throw ScenarioError.of(
      file,
      document.errors.map((syntaxError) => {
        // Positions come from the line counter: with prettyErrors off the error carries offsets only.
        const position = lines.linePos(syntaxError.pos[0]);
        return {
          path: "",
          problem: `not valid YAML: ${syntaxError.message.split("\n")[0]}`,
          ...(position ? { line: position.line, column: position.col } : {}),
        };
      }),
    );
  }
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: MAX_SCENARIO_ALIAS_COUNT });
  } catch (error) {
    // The yaml package throws a ReferenceError for too many aliases and for an alias to no anchor.
    if (!(error instanceof ReferenceError)) throw error;
    const problem = /excessive alias count/i.test(error.message)
      ? `YAML aliases expand it more than ${MAX_SCENARIO_ALIAS_COUNT} times (a cap against alias bombs)`
      : `not valid YAML: ${error.message}`;
    throw new ScenarioError(file, "", problem);
  }
  return {
    data: validateScenario(data, file, document, lines),
    lineAt: (path) => lineOf(document, lines, path),
  };
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
  const nearest = nearestName(reference, builtinScenarioNames());
  throw new ScenarioError(
    from ?? reference,
    from ? "extends" : "",
    `no built-in scenario named ${JSON.stringify(reference)}${nearest ? `; did you mean ${nearest}?` : ""} (see mysql-tls-mock scenarios)`,
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

/**
 * The keys an extending scenario may change and still inherit its parent's expectations, as dotted
 * paths; a change anywhere else under `server` or `accounts` (or any key added later) drops them.
 * None of these reaches a client before it has chosen TLS or not and been let in or refused.
 */
export const OUTCOME_NEUTRAL_KEYS: readonly string[] = [
  // Prose for people; the server never reads it.
  "description",
  // Prose for people; the server never reads it.
  "references",
  // Only @@version_comment answers with it, after login; the greeting carries `server.version` alone.
  "server.versionComment",
  // Only SELECT @@x and SHOW VARIABLES read these, after login. What the server does comes from
  // `server.tls`, `server.requireSecureTransport` and the other keys, never from displayed values.
  "server.systemVariables",
];

/** A scenario's definition: everything but what `extends` and expectations handle. */
type Definition = Omit<ScenarioFile, "extends" | "$schema" | "expect">;

/** The scenario file whose `server.tls.files` a definition holds, and the paths as it wrote them. */
interface FilesDeclaration {
  source: string;
  lineAt: LineAt;
  written: TlsFilePaths;
}

interface Resolved {
  definition: Definition;
  expect: Scenario["expect"];
  dropped: DroppedExpectations | undefined;
  /** Where the definition's `server.tls.files` was written; undefined when it has none. */
  files: FilesDeclaration | undefined;
}

/** The folder relative paths in a scenario are resolved against: its file's, or the working directory. */
function baseDirOf(source: string): string {
  return source === "(object)" ? process.cwd() : dirname(source);
}

/**
 * `definition` with `server.tls.files` resolved against the folder of the file that wrote it, so
 * a scenario extending it from another folder serves the same files, and a change is a change of
 * file, not of spelling.
 */
function withAbsoluteFiles(definition: Definition, source: string): Definition {
  const tls = definition.server?.tls;
  if (!tls || !tls.files) return definition;
  const base = baseDirOf(source);
  const { ca, ...required } = tls.files;
  const files = {
    cert: resolve(base, required.cert),
    key: resolve(base, required.key),
    ...(ca !== undefined ? { ca: resolve(base, ca) } : {}),
  };
  return { ...definition, server: { ...definition.server, tls: { ...tls, files } } };
}

/**
 * The parent's definition without its certificate source when `own` names one (`files` or
 * `certificates`): the three files are one set, so a scenario naming its own replaces the
 * parent's whole rather than merging file by file, and either kind replaces the other.
 */
function withoutReplacedCertificates(parent: Definition, own: Definition): Definition {
  const ownTls = own.server?.tls;
  const parentTls = parent.server?.tls;
  if (!ownTls || !parentTls) return parent;
  if (ownTls.files === undefined && ownTls.certificates === undefined) return parent;
  const { files: _files, certificates: _certificates, ...kept } = parentTls;
  return { ...parent, server: { ...parent.server, tls: kept } };
}

function originOf(source: string): ScenarioOrigin {
  return {
    name: source === "(object)" ? source : basename(source).replace(/\.(ya?ml|json)$/, ""),
    source,
  };
}

function normalizeExpectations(expect: ScenarioFile["expect"], from: ScenarioOrigin): Scenario["expect"] {
  const out: Scenario["expect"] = {};
  for (const mode of SSL_MODES) {
    const value = expect?.[mode];
    if (value === undefined) continue;
    out[mode] = typeof value === "string" ? { outcome: value, from } : { ...value, from };
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Dotted paths where `after` differs from `before`, skipping {@link OUTCOME_NEUTRAL_KEYS}. Objects
 * and same-length arrays are compared member by member so the path names the real change; a value
 * set to what it already was is no change.
 */
function changedKeys(before: unknown, after: unknown, path = ""): string[] {
  if (OUTCOME_NEUTRAL_KEYS.includes(path)) return [];
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => changedKeys(before[key], after[key], path ? `${path}.${key}` : key));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((item, i) => changedKeys(item, after[i], `${path}[${i}]`));
  }
  return isDeepStrictEqual(before, after) ? [] : [path];
}

function resolveChain(file: ScenarioFile, origin: ScenarioOrigin, seen: string[], lineAt: LineAt): Resolved {
  const { extends: parentReference, $schema: _schema, expect: ownExpect, ...written } = file;
  const definition = withAbsoluteFiles(written, origin.source);
  const own = normalizeExpectations(ownExpect, origin);
  const ownTls = written.server?.tls;
  const ownFiles: FilesDeclaration | undefined =
    ownTls && ownTls.files ? { source: origin.source, lineAt, written: ownTls.files } : undefined;
  if (!parentReference) return { definition, expect: own, dropped: undefined, files: ownFiles };
  const basePath = locate(parentReference, origin.source === "(object)" ? null : origin.source);
  if (seen.includes(basePath)) {
    throw new ScenarioError(
      origin.source,
      "extends",
      `circular extends: ${[...seen, basePath].map((p) => basename(p)).join(" → ")}`,
    );
  }
  const parentOrigin = originOf(basePath);
  const parentFile = readScenarioDocument(basePath);
  const parent = resolveChain(parentFile.data, parentOrigin, [...seen, basePath], parentFile.lineAt);
  const merged = merge<Definition>(withoutReplacedCertificates(parent.definition, definition), definition);
  const changed = changedKeys(parent.definition, merged);
  const mergedTls = merged.server?.tls;
  const files = mergedTls && mergedTls.files ? (ownFiles ?? parent.files) : undefined;
  if (changed.length === 0) {
    const expect: Scenario["expect"] = {};
    for (const mode of SSL_MODES) {
      const expectation = own[mode] ?? parent.expect[mode];
      if (expectation) expect[mode] = expectation;
    }
    return { definition: merged, expect, dropped: parent.dropped, files };
  }
  // An empty parent table has nothing to drop; its own drop (if any) still explains the gap.
  const dropped =
    Object.keys(parent.expect).length > 0
      ? { by: origin, parent: parentOrigin, changedKeys: changed, expectations: parent.expect }
      : parent.dropped;
  return { definition: merged, expect: own, dropped, files };
}

/**
 * The definition with `server.tls.files` read (once, here) into a `LoadedTlsFiles`, or a
 * {@link ScenarioError} naming the file that wrote the paths and every file it could not use.
 */
function withFilesRead(
  origin: ScenarioOrigin,
  definition: Definition,
  declaration: FilesDeclaration | undefined,
): { definition: Definition; notes: ScenarioNote[] } {
  const tls = definition.server?.tls;
  if (!tls || !tls.files || !declaration) return { definition, notes: [] };
  const base = baseDirOf(declaration.source);
  const read = readTlsFiles(declaration.written, (path) => resolve(base, path));
  if (Array.isArray(read)) {
    throw ScenarioError.of(
      declaration.source,
      read.map(({ key, problem }) => {
        const line = declaration.lineAt(["server", "tls", "files", key]);
        return { path: `server.tls.files.${key}`, problem, ...(line !== undefined ? { line } : {}) };
      }),
    );
  }
  const notes: ScenarioNote[] =
    read.ca === undefined ? [{ level: "warning", message: noCaNote(origin.name, declaration.source) }] : [];
  return {
    definition: { ...definition, server: { ...definition.server, tls: { ...tls, files: read } } },
    notes,
  };
}

/** The warning for modes that lost their inherited expectation and got none back. */
function droppedNotes(
  origin: ScenarioOrigin,
  expect: Scenario["expect"],
  dropped: DroppedExpectations | undefined,
): ScenarioNote[] {
  if (!dropped) return [];
  const lost = SSL_MODES.filter((mode) => dropped.expectations[mode] && !expect[mode]);
  if (lost.length === 0) return [];
  const by = dropped.by.source === origin.source ? "it" : dropped.by.name;
  const reason = `${by} changes ${dropped.changedKeys.join(", ")}, so nothing is inherited from ${dropped.parent.name}`;
  const declared = SSL_MODES.filter((mode) => expect[mode]);
  const message =
    declared.length === 0
      ? `${origin.name} has no expectations: ${reason}, and none are declared in their place; it can be served, but an audit has nothing to judge`
      : `${origin.name} has no expectation for ${lost.join(", ")}: ${reason}, and only ${declared.join(", ")} ${declared.length > 1 ? "are" : "is"} declared in their place`;
  return [{ level: "warning", message }];
}

/**
 * Loads a scenario by built-in name, by file path, or from an object, applying `extends`.
 *
 * Expectations are inherited mode by mode only when the scenario changes nothing but
 * {@link OUTCOME_NEUTRAL_KEYS}; each one in the result says which scenario wrote it, and
 * `droppedExpectations` says which were not inherited and which changed keys dropped them. A
 * scenario that lost inherited expectations without declaring its own still loads, with a
 * warning in `notes` for the caller to show.
 *
 * The certificate files `server.tls.files` names are read here, once, each path relative to the
 * folder of the file that wrote it (the working directory for an object); one that is missing,
 * unreadable, too large or not PEM of its kind is a {@link ScenarioError} naming that file, the
 * key (`server.tls.files.cert`) and the path, every such problem at once.
 */
export function loadScenario(reference: string | ScenarioFile): Scenario {
  let file: ScenarioFile;
  let source: string;
  let lineAt = NO_LINES;
  if (typeof reference === "string") {
    source = locate(reference, null);
    ({ data: file, lineAt } = readScenarioDocument(source));
  } else {
    source = "(object)";
    file = validateScenario(reference, source);
  }
  const origin = originOf(source);
  const resolved = resolveChain(file, origin, source === "(object)" ? [] : [source], lineAt);
  const { expect, dropped } = resolved;
  const { definition, notes } = withFilesRead(origin, resolved.definition, resolved.files);
  return {
    ...definition,
    name: origin.name,
    source,
    expect,
    ...(dropped ? { droppedExpectations: dropped } : {}),
    notes: [...droppedNotes(origin, expect, dropped), ...notes],
  };
}
