import type { QueryAnswer, QueryContext, ResultColumn, ResultValue } from "./query-answer";
import { type ErrorAnswer, unknownSystemVariable, wrongVariableScope } from "./query-errors";
import { findSystemVariable, variableColumnType } from "./system-variables";
import type { TokenCursor } from "./token-cursor";
import type { Token } from "./tokenizer";

type ColumnType = Pick<ResultColumn, "type" | "unsigned">;

/** One expression of a select list this module can evaluate. */
export type SelectItem =
  | { kind: "literal"; value: ResultValue; column: ColumnType }
  /** `@@[scope.]name`; `name` as written, `scope` null when none was given. */
  | { kind: "variable"; name: string; scope: "GLOBAL" | "SESSION" | null }
  | { kind: "function"; name: SelectFunction };

/** A parsed `SELECT item [[AS] alias], … [FROM DUAL] [LIMIT …]`. */
export interface SelectStatement {
  /** Items with the column name MySQL gives them: the alias, else the item's text as written. */
  columns: Array<{ item: SelectItem; name: string }>;
  limit: { offset: number; count: number } | null;
}

const FUNCTION_NAMES = [
  "DATABASE",
  "SCHEMA",
  "USER",
  "SESSION_USER",
  "SYSTEM_USER",
  "CURRENT_USER",
  "VERSION",
  "CONNECTION_ID",
] as const;

/** A function `SELECT` can call: the session-information functions clients ask right after login. */
export type SelectFunction = (typeof FUNCTION_NAMES)[number];

type Evaluated = { column: ColumnType; value: ResultValue };

const text = (value: string | null): Evaluated => ({ column: { type: "string" }, value });

const FUNCTIONS: Record<SelectFunction, (c: QueryContext) => Evaluated> = {
  DATABASE: (c) => text(c.database),
  SCHEMA: (c) => text(c.database),
  USER: (c) => text(`${c.user}@${c.clientHost}`),
  SESSION_USER: (c) => text(`${c.user}@${c.clientHost}`),
  SYSTEM_USER: (c) => text(`${c.user}@${c.clientHost}`),
  CURRENT_USER: (c) => text(`${c.user}@${c.accountHost}`),
  VERSION: (c) => text(c.serverVersion),
  CONNECTION_ID: (c) => ({ column: { type: "integer", unsigned: true }, value: c.connectionId }),
};

function isSelectFunction(name: string): name is SelectFunction {
  return (FUNCTION_NAMES as readonly string[]).includes(name);
}

/**
 * Words that end a select item rather than alias it. Seeing one where this grammar has no place
 * for it means the query is beyond this module, so the parse fails and the query stays unhandled.
 */
const RESERVED = new Set(
  (
    "ACCESSIBLE ALL AND AS ASC BETWEEN BINARY BY CASE COLLATE DESC DISTINCT DIV ELSE END ESCAPE EXISTS " +
    "FOR FROM GROUP HAVING IN INTERVAL INTO IS JOIN LIKE LIMIT LOCK MOD NOT OFFSET ON OR ORDER " +
    "PROCEDURE REGEXP RLIKE SELECT SOUNDS THEN UNION USING WHEN WHERE WINDOW WITH XOR"
  ).split(" "),
);

const UINT64_MAX = 18446744073709551615n;
const INT64_MAX = 9223372036854775807n;

/**
 * Parses the rest of a SELECT whose leading `SELECT` the cursor has already consumed. `sql` is the
 * full query text, from which unaliased items take their column names. Returns undefined for
 * anything outside the grammar.
 */
export function parseSelect(cursor: TokenCursor, sql: string): SelectStatement | undefined {
  const columns: SelectStatement["columns"] = [];
  do {
    const first = cursor.peek();
    const parsed = parseItem(cursor);
    const last = cursor.peek(-1);
    if (!parsed || !first || !last) return undefined;
    const alias = parseAlias(cursor);
    if (alias === null) return undefined;
    columns.push({ item: parsed.item, name: alias ?? parsed.name ?? sql.slice(first.start, last.end) });
  } while (cursor.acceptPunct(","));

  if (cursor.acceptKeyword("FROM") && !cursor.acceptKeyword("DUAL")) return undefined;
  let limit: SelectStatement["limit"] = null;
  if (cursor.acceptKeyword("LIMIT")) {
    limit = parseLimit(cursor) ?? null;
    if (!limit) return undefined;
  }
  return cursor.atEnd() ? { columns, limit } : undefined;
}

/** `name` is set only when the column name is not simply the item's text (string literals). */
function parseItem(cursor: TokenCursor): { item: SelectItem; name?: string } | undefined {
  const token = cursor.next();
  if (!token) return undefined;
  if (token.kind === "string") {
    // Adjacent string literals concatenate; the column keeps the first one's name.
    let value = token.text;
    while (cursor.peek()?.kind === "string") value += cursor.next()!.text;
    return { item: { kind: "literal", value, column: { type: "string" } }, name: token.text };
  }
  if (token.kind === "number") return numericItem(token.text, false);
  if (token.kind === "punct" && token.text === "-" && cursor.peek()?.kind === "number") {
    return numericItem(cursor.next()!.text, true);
  }
  if (token.kind === "punct" && token.text === "@" && cursor.acceptPunct("@")) return variableItem(cursor);
  if (token.kind !== "word") return undefined;

  const word = token.text.toUpperCase();
  if (word === "NULL") return { item: { kind: "literal", value: null, column: { type: "null" } } };
  if (word === "TRUE" || word === "FALSE") {
    return { item: { kind: "literal", value: word === "TRUE" ? 1 : 0, column: { type: "integer" } } };
  }
  if (!isSelectFunction(word)) return undefined;
  if (cursor.isPunct("(") && cursor.isPunct(")", 1)) {
    cursor.next();
    cursor.next();
    return { item: { kind: "function", name: word } };
  }
  // CURRENT_USER is also a keyword that needs no parentheses.
  return word === "CURRENT_USER" ? { item: { kind: "function", name: word } } : undefined;
}

/**
 * The name and scope of a system variable after `@@`: `version`, `GLOBAL.server_id`,
 * `SESSION.x` (`LOCAL` reads as SESSION); undefined for anything else.
 */
export function systemVariableReference(
  cursor: TokenCursor,
): { name: string; scope: "GLOBAL" | "SESSION" | null } | undefined {
  let scope: "GLOBAL" | "SESSION" | null = null;
  if (cursor.isPunct(".", 1)) {
    const written = cursor.acceptKeyword("GLOBAL", "SESSION", "LOCAL");
    // Anything else before a dot is a structured variable (`@@default.key_buffer_size`): not handled.
    if (!written) return undefined;
    scope = written === "GLOBAL" ? "GLOBAL" : "SESSION";
    cursor.next();
  }
  const name = cursor.next();
  if (!name || (name.kind !== "word" && name.kind !== "identifier") || cursor.isPunct(".")) return undefined;
  return { name: name.text, scope };
}

function variableItem(cursor: TokenCursor): { item: SelectItem } | undefined {
  const reference = systemVariableReference(cursor);
  return reference && { item: { kind: "variable", ...reference } };
}

function numericItem(text: string, negative: boolean): { item: SelectItem } | undefined {
  const sign = negative ? "-" : "";
  if (text.includes(".")) {
    const [whole = "", fraction = ""] = text.split(".");
    const value = `${sign}${whole || "0"}${fraction ? `.${fraction}` : ""}`;
    return { item: { kind: "literal", value, column: { type: "decimal" } } };
  }
  const magnitude = BigInt(text);
  // Past the integer types MySQL reads the literal as DECIMAL.
  if (magnitude > (negative ? INT64_MAX + 1n : UINT64_MAX)) {
    return { item: { kind: "literal", value: `${sign}${magnitude}`, column: { type: "decimal" } } };
  }
  const value = negative ? -magnitude : magnitude;
  const column: ColumnType = value > INT64_MAX ? { type: "integer", unsigned: true } : { type: "integer" };
  return {
    item: { kind: "literal", value: Number.isSafeInteger(Number(value)) ? Number(value) : value, column },
  };
}

/** The alias if one follows (undefined if none), or null when what follows cannot be an alias. */
function parseAlias(cursor: TokenCursor): string | null | undefined {
  const explicit = cursor.acceptKeyword("AS") !== undefined;
  const token = cursor.peek();
  const usable =
    token !== undefined &&
    (token.kind === "identifier" ||
      token.kind === "string" ||
      (token.kind === "word" && (explicit || !RESERVED.has(token.text.toUpperCase()))));
  if (usable) {
    cursor.next();
    return token.text;
  }
  return explicit ? null : undefined;
}

/** `LIMIT count`, `LIMIT offset, count` or `LIMIT count OFFSET offset`. */
function parseLimit(cursor: TokenCursor): SelectStatement["limit"] | undefined {
  const first = integer(cursor.next());
  if (first === undefined) return undefined;
  if (cursor.acceptPunct(",")) {
    const count = integer(cursor.next());
    return count === undefined ? undefined : { offset: first, count };
  }
  if (cursor.acceptKeyword("OFFSET")) {
    const offset = integer(cursor.next());
    return offset === undefined ? undefined : { offset, count: first };
  }
  return { offset: 0, count: first };
}

function integer(token: Token | undefined): number | undefined {
  return token?.kind === "number" && /^\d+$/.test(token.text) ? Number(token.text) : undefined;
}

/**
 * Evaluates a parsed SELECT against the session. Fails like MySQL on the first unknown system
 * variable (1193) or one read in a scope it does not have (1238).
 */
export function evaluateSelect(statement: SelectStatement, context: QueryContext): QueryAnswer {
  const columns: ResultColumn[] = [];
  const row: ResultValue[] = [];
  for (const { item, name } of statement.columns) {
    const evaluated = evaluateItem(item, context);
    if ("kind" in evaluated) return evaluated;
    columns.push({ name, ...evaluated.column });
    row.push(evaluated.value);
  }
  const limit = statement.limit;
  const selected = limit === null || (limit.offset === 0 && limit.count > 0);
  return { kind: "resultset", columns, rows: selected ? [row] : [] };
}

function evaluateItem(item: SelectItem, context: QueryContext): Evaluated | ErrorAnswer {
  switch (item.kind) {
    case "literal":
      return { column: item.column, value: item.value };
    case "function":
      return FUNCTIONS[item.name](context);
    case "variable": {
      const variable = findSystemVariable(item.name, context);
      if (!variable) return unknownSystemVariable(item.name);
      if (item.scope === "SESSION" && variable.scope === "global")
        return wrongVariableScope(variable.name, "GLOBAL");
      if (item.scope === "GLOBAL" && variable.scope === "session")
        return wrongVariableScope(variable.name, "SESSION");
      return { column: variableColumnType(variable), value: variable.value };
    }
  }
}
