import type { QueryAnswer, QueryContext, ResultColumn, ResultValue } from "./query-answer";
import { type ErrorAnswer, QueryError, unknownSystemVariable, wrongVariableScope } from "./query-errors";
import { findSystemVariable, type SystemVariable, variableColumnType } from "./system-variables";
import { systemVariableReference } from "./select-expressions";
import { TokenCursor } from "./token-cursor";
import { type Token, tokenize, versionId } from "./tokenizer";

/**
 * The user variables of one session (`SET @name = …`, read back with `SELECT @name`). Names are
 * case-insensitive, as in MySQL 5.0 and later; a variable never set reads as NULL.
 *
 * A replica hands its source its settings this way (`@master_heartbeat_period`,
 * `@mariadb_slave_capability`, `@slave_connect_state`, …) and reads one back: it sets
 * `@master_binlog_checksum= @@global.binlog_checksum` and stops if the SELECT that follows does
 * not return it (MariaDB sql/slave.cc, get_master_version_and_clock).
 */
export class UserVariables {
  readonly #values = new Map<string, ResultValue>();

  get(name: string): ResultValue {
    return this.#values.get(name.toLowerCase()) ?? null;
  }

  has(name: string): boolean {
    return this.#values.has(name.toLowerCase());
  }

  set(name: string, value: ResultValue): void {
    this.#values.set(name.toLowerCase(), value);
  }
}

type ReplicationVariable = Omit<SystemVariable, "name"> & { mariadbOnly: boolean };

/**
 * System variables a replica reads from its source that the general table does not have. Each is
 * the out-of-the-box value: `binlog_checksum` is CRC32 by default since MySQL 5.6.6 and MariaDB
 * 10.2.1 (manuals, "binlog_checksum"); the GTID variables exist in MariaDB 10.0 and later only
 * (MariaDB KB, "Global Transaction ID": gtid_domain_id 0, gtid_strict_mode OFF, empty positions
 * on a server without binary log). A scenario's `systemVariables` override every one of them.
 */
const REPLICATION_VARIABLES = new Map<string, ReplicationVariable>([
  ["binlog_checksum", { scope: "global", kind: "string", value: "CRC32", mariadbOnly: false }],
  ["gtid_domain_id", { scope: "both", kind: "unsigned", value: 0, mariadbOnly: true }],
  ["gtid_strict_mode", { scope: "global", kind: "boolean", value: 0, mariadbOnly: true }],
  ["gtid_binlog_pos", { scope: "global", kind: "string", value: "", mariadbOnly: true }],
  ["gtid_current_pos", { scope: "global", kind: "string", value: "", mariadbOnly: true }],
  ["gtid_slave_pos", { scope: "global", kind: "string", value: "", mariadbOnly: true }],
]);

/** Whether the emulated server is a MariaDB (its version string says so, as every MariaDB's does). */
export function isMariadbVersion(serverVersion: string): boolean {
  return /mariadb/i.test(serverVersion);
}

/** A system variable as the emulated server has it: the general table, then the replication variables. */
function lookupSystemVariable(name: string, context: QueryContext): SystemVariable | undefined {
  const general = findSystemVariable(name, context);
  if (general) return general;
  const key = name.toLowerCase();
  const replication = REPLICATION_VARIABLES.get(key);
  if (!replication || (replication.mariadbOnly && !isMariadbVersion(context.serverVersion))) return undefined;
  const { mariadbOnly: _family, ...variable } = replication;
  return { name: key, ...variable };
}

type Operand =
  | { kind: "literal"; value: ResultValue }
  | { kind: "user"; name: string }
  | { kind: "system"; name: string; scope: "GLOBAL" | "SESSION" | null }
  | { kind: "unix-timestamp" };

/** Where the session's answers come from: its user variables and the server's clock. */
export interface QuerySession {
  variables: UserVariables;
  /** Milliseconds since the epoch (`UNIX_TIMESTAMP()`); injected so tests need no real clock. */
  now: () => number;
}

/**
 * Answers the statements a replica sends its source after login that need the session's state or
 * the replication variables, as a MySQL or MariaDB source would:
 * - `SET @a = expr [, @b = expr …]` (or `:=`), `expr` a literal, `@@[scope.]var` or `@var`: the
 *   values are kept for the session; an unknown system variable is error 1193, which a replica
 *   reads as "a source without checksums" for `@@global.binlog_checksum`.
 * - `SELECT item [[AS] alias], …` where the items are `@var`, `UNIX_TIMESTAMP()` or
 *   `@@[scope.]var` and at least one needs this module (a user variable, the clock, or a
 *   replication variable such as MariaDB's `@@GLOBAL.gtid_domain_id`).
 *
 * Anything else is undefined, for the stateless answerer. Total: it never throws.
 */
export function answerSessionQuery(
  sql: string,
  context: QueryContext,
  session: QuerySession,
): QueryAnswer | undefined {
  const { tokens, complete } = tokenize(sql, versionId(context.serverVersion));
  if (!complete) return undefined;
  let end = tokens.length;
  while (end > 0 && tokens[end - 1]?.kind === "punct" && tokens[end - 1]?.text === ";") end--;
  const cursor = new TokenCursor(tokens.slice(0, end));
  try {
    switch (cursor.acceptKeyword("SET", "SELECT")) {
      case "SET":
        return answerSet(cursor, context, session);
      case "SELECT":
        return answerSelect(cursor, sql, context, session);
      default:
        return undefined;
    }
  } catch (error) {
    if (error instanceof QueryError) return error.answer;
    throw error;
  }
}

function answerSet(
  cursor: TokenCursor,
  context: QueryContext,
  session: QuerySession,
): QueryAnswer | undefined {
  const assignments: Array<[string, Operand]> = [];
  do {
    const name = userVariableName(cursor);
    if (name === undefined) return undefined;
    if (!cursor.acceptPunct("=") && !cursor.acceptPunct(":=")) return undefined;
    const operand = parseOperand(cursor);
    if (!operand || operand.kind === "unix-timestamp") return undefined;
    assignments.push([name, operand]);
  } while (cursor.acceptPunct(","));
  if (!cursor.atEnd()) return undefined;
  // Every value is read before any is stored: `SET @a = 1, @b = @a` sees the old @a, as MySQL does.
  const values = assignments.map(
    ([name, operand]) => [name, evaluate(operand, context, session).value] as const,
  );
  for (const [name, value] of values) session.variables.set(name, value);
  return { kind: "ok" };
}

function answerSelect(
  cursor: TokenCursor,
  sql: string,
  context: QueryContext,
  session: QuerySession,
): QueryAnswer | undefined {
  const items: Array<{ operand: Operand; name: string }> = [];
  do {
    const first = cursor.peek();
    const operand = parseOperand(cursor);
    const last = cursor.peek(-1);
    if (!operand || operand.kind === "literal" || !first || !last) return undefined;
    const alias = parseAlias(cursor);
    items.push({ operand, name: alias ?? sql.slice(first.start, last.end) });
  } while (cursor.acceptPunct(","));
  if (!cursor.atEnd()) return undefined;
  // Selects of system variables the general table knows are the stateless answerer's.
  const needsSession = items.some(
    ({ operand }) => operand.kind !== "system" || findSystemVariable(operand.name, context) === undefined,
  );
  if (!needsSession) return undefined;
  const columns: ResultColumn[] = [];
  const row: ResultValue[] = [];
  for (const { operand, name } of items) {
    const { value, column } = evaluate(operand, context, session);
    columns.push({ name, ...column });
    row.push(value);
  }
  return { kind: "resultset", columns, rows: [row] };
}

/** `@name` written without a space after the `@` (MySQL reads `@ name` otherwise). */
function userVariableName(cursor: TokenCursor): string | undefined {
  const at = cursor.peek();
  const name = cursor.peek(1);
  if (!at || at.kind !== "punct" || at.text !== "@" || !name || name.start !== at.end) return undefined;
  if (name.kind !== "word" && name.kind !== "identifier" && name.kind !== "string") return undefined;
  cursor.next();
  cursor.next();
  return name.text;
}

function parseOperand(cursor: TokenCursor): Operand | undefined {
  const token = cursor.peek();
  if (!token) return undefined;
  if (token.kind === "punct" && token.text === "@") {
    if (cursor.isPunct("@", 1)) {
      cursor.next();
      cursor.next();
      return systemOperand(cursor);
    }
    const name = userVariableName(cursor);
    return name === undefined ? undefined : { kind: "user", name };
  }
  if (token.kind === "string") {
    cursor.next();
    return { kind: "literal", value: token.text };
  }
  if (token.kind === "number") {
    cursor.next();
    return { kind: "literal", value: numberValue(token) };
  }
  if (token.kind === "punct" && token.text === "-" && cursor.peek(1)?.kind === "number") {
    cursor.next();
    const number = numberValue(cursor.next()!);
    const value =
      typeof number === "string" ? `-${number}` : typeof number === "bigint" ? -number : -Number(number);
    return { kind: "literal", value };
  }
  if (token.kind === "word" && token.text.toUpperCase() === "NULL") {
    cursor.next();
    return { kind: "literal", value: null };
  }
  if (cursor.isKeyword("UNIX_TIMESTAMP") && cursor.isPunct("(", 1) && cursor.isPunct(")", 2)) {
    cursor.next();
    cursor.next();
    cursor.next();
    return { kind: "unix-timestamp" };
  }
  return undefined;
}

function systemOperand(cursor: TokenCursor): Operand | undefined {
  const reference = systemVariableReference(cursor);
  return reference && { kind: "system", ...reference };
}

/** Integers as MySQL keeps them (BIGINT); a decimal keeps its text. */
function numberValue(token: Token): ResultValue {
  if (!/^\d+$/.test(token.text)) return token.text;
  const big = BigInt(token.text);
  return Number.isSafeInteger(Number(big)) ? Number(big) : big;
}

/** The alias if one follows, else undefined. */
function parseAlias(cursor: TokenCursor): string | undefined {
  const explicit = cursor.acceptKeyword("AS") !== undefined;
  const token = cursor.peek();
  if (
    token &&
    (token.kind === "identifier" || token.kind === "string" || (explicit && token.kind === "word"))
  ) {
    cursor.next();
    return token.text;
  }
  return undefined;
}

type Evaluated = { value: ResultValue; column: Pick<ResultColumn, "type" | "unsigned"> };

function valueColumn(value: ResultValue): Evaluated["column"] {
  if (value === null) return { type: "null" };
  if (typeof value === "string") return { type: "string" };
  return { type: "integer" };
}

function evaluate(operand: Operand, context: QueryContext, session: QuerySession): Evaluated {
  switch (operand.kind) {
    case "literal":
      return { value: operand.value, column: valueColumn(operand.value) };
    case "user": {
      const value = session.variables.get(operand.name);
      return { value, column: valueColumn(value) };
    }
    case "unix-timestamp":
      return { value: Math.floor(session.now() / 1000), column: { type: "integer" } };
    case "system": {
      const variable = lookupSystemVariable(operand.name, context);
      if (!variable) throw new QueryError(unknownSystemVariable(operand.name));
      const wrongScope = scopeError(variable, operand.scope);
      if (wrongScope) throw new QueryError(wrongScope);
      return { value: variable.value, column: variableColumnType(variable) };
    }
  }
}

function scopeError(variable: SystemVariable, scope: "GLOBAL" | "SESSION" | null): ErrorAnswer | undefined {
  if (scope === "SESSION" && variable.scope === "global") return wrongVariableScope(variable.name, "GLOBAL");
  if (scope === "GLOBAL" && variable.scope === "session") return wrongVariableScope(variable.name, "SESSION");
  return undefined;
}
