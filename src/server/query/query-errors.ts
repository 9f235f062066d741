import type { QueryAnswer } from "./query-answer";

/** An error answer. */
export type ErrorAnswer = Extract<QueryAnswer, { kind: "error" }>;

/** MySQL 5.7 error numbers this module answers with (include/mysqld_error.h). */
export const QueryErrorCode = {
  ER_EMPTY_QUERY: 1065,
  ER_UNKNOWN_SYSTEM_VARIABLE: 1193,
  ER_INCORRECT_GLOBAL_LOCAL_VAR: 1238,
} as const;

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
