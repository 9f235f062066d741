import type { QueryAnswer } from "./query-answer";

/** An error answer. */
export type ErrorAnswer = Extract<QueryAnswer, { kind: "error" }>;

/** MySQL 5.7 error numbers this module answers with (include/mysqld_error.h). */
export const QueryErrorCode = {
  ER_PARSE_ERROR: 1064,
  ER_EMPTY_QUERY: 1065,
  ER_UNKNOWN_SYSTEM_VARIABLE: 1193,
  ER_WRONG_ARGUMENTS: 1210,
  ER_INCORRECT_GLOBAL_LOCAL_VAR: 1238,
} as const;

/**
 * A statement that parses but that MySQL refuses with an error: thrown by the parsers, turned into
 * the answer by `answerQuery`, so that module stays total.
 */
export class QueryError extends Error {
  constructor(readonly answer: ErrorAnswer) {
    super(`ERROR ${answer.code} (${answer.sqlState}): ${answer.message}`);
    this.name = "QueryError";
  }
}

/** How much of the statement ER_PARSE_ERROR quotes after "near" (`%-.80s` in MySQL's errmsg). */
const PARSE_ERROR_QUOTE_LENGTH = 80;

/** `… LIKE 'x' ESCAPE 'ab'`: an ESCAPE of more than one character. */
export function incorrectEscape(): ErrorAnswer {
  return {
    kind: "error",
    code: QueryErrorCode.ER_WRONG_ARGUMENTS,
    sqlState: "HY000",
    message: "Incorrect arguments to ESCAPE",
  };
}

/**
 * What MySQL's parser answers when a statement outgrows what it can hold: bison's "memory
 * exhausted", passed through `MYSQLerror` to ER_PARSE_ERROR as `%s near '%-.80s' at line %d`
 * (sql/sql_yacc.yy). `offset` is where the parser gave up.
 */
export function statementTooLarge(sql: string, offset: number): ErrorAnswer {
  const near = Array.from(sql.slice(offset, offset + 2 * PARSE_ERROR_QUOTE_LENGTH))
    .slice(0, PARSE_ERROR_QUOTE_LENGTH)
    .join("");
  let line = 1;
  for (let i = sql.indexOf("\n"); i >= 0 && i < offset; i = sql.indexOf("\n", i + 1)) line++;
  return {
    kind: "error",
    code: QueryErrorCode.ER_PARSE_ERROR,
    sqlState: "42000",
    message: `memory exhausted near '${near}' at line ${line}`,
  };
}

/** What MySQL answers to a query that holds only whitespace and comments. */
export function emptyQuery(): ErrorAnswer {
  return {
    kind: "error",
    code: QueryErrorCode.ER_EMPTY_QUERY,
    sqlState: "42000",
    message: "Query was empty",
  };
}

/** `SELECT @@nonexistent`; `name` is spelled as the client wrote it. */
export function unknownSystemVariable(name: string): ErrorAnswer {
  return {
    kind: "error",
    code: QueryErrorCode.ER_UNKNOWN_SYSTEM_VARIABLE,
    sqlState: "HY000",
    message: `Unknown system variable '${name}'`,
  };
}

/**
 * `SELECT @@session.version` (a global-only variable read in session scope) or
 * `SELECT @@global.warning_count` (the reverse); `actualScope` is the scope the variable really has.
 */
export function wrongVariableScope(name: string, actualScope: "GLOBAL" | "SESSION"): ErrorAnswer {
  return {
    kind: "error",
    code: QueryErrorCode.ER_INCORRECT_GLOBAL_LOCAL_VAR,
    sqlState: "HY000",
    message: `Variable '${name}' is a ${actualScope} variable`,
  };
}
