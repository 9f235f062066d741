import type { QueryAnswer, QueryContext } from "./query-answer";
import { emptyQuery, QueryError, statementTooLarge } from "./query-errors";
import { evaluateSelect, parseSelect } from "./select-expressions";
import { answerShow, parseShow } from "./show-statement";
import { TokenCursor } from "./token-cursor";
import { type Token, tokenize, versionId } from "./tokenizer";

/**
 * Longest statement text, in UTF-16 code units, that {@link answerQuery} parses. Far above what
 * clients send after login (Connector/J 5.1's `SHOW VARIABLES WHERE …` list is under 2 KiB), and
 * low enough that tokenizing the worst text of this size (one token per character) takes a few
 * milliseconds of the event loop.
 */
export const MAX_PARSED_QUERY_LENGTH = 64 * 1024;

/** Keywords of the statements this module evaluates from their full text. */
const EVALUATED = ["SELECT", "SHOW"];

/**
 * Decides what a 5.7 server would answer to one COM_QUERY text, as far as the queries clients send
 * right after login go:
 * - `SELECT` of literals, `@@[global.|session.|local.]variables` and session functions
 *   (`DATABASE()`, `USER()`, `CURRENT_USER()`, `VERSION()`, `CONNECTION_ID()`, …), with aliases,
 *   `FROM DUAL` and `LIMIT`
 * - `SHOW [GLOBAL|SESSION] STATUS|VARIABLES [LIKE …|WHERE …]`
 * - any `SET …` (OK; nothing is remembered — the module is stateless)
 * - `USE db` (OK naming the new default database)
 * - a query of only whitespace and comments (error 1065, as MySQL)
 *
 * Everything else is `unhandled`, left to the server's configurable default. Pure and total: it
 * never throws, whatever the text.
 *
 * A `SELECT` or `SHOW` longer than {@link MAX_PARSED_QUERY_LENGTH} is not parsed: it gets the
 * ER_PARSE_ERROR "memory exhausted" that MySQL's parser gives a statement it cannot hold, and the
 * connection stays open, as it would there. Any other statement that long is left `unhandled`
 * after reading only its first keyword, so a user's `unknownQuery` still sees big INSERTs.
 */
export function answerQuery(sql: string, context: QueryContext): QueryAnswer {
  try {
    if (sql.length > MAX_PARSED_QUERY_LENGTH) return answerOversized(sql, context);
    return answerParsed(sql, context);
  } catch (error) {
    if (error instanceof QueryError) return error.answer;
    throw error;
  }
}

function answerOversized(sql: string, context: QueryContext): QueryAnswer {
  // Only the head is lexed: enough to see the first keyword behind any leading comments.
  const head = tokenize(sql.slice(0, MAX_PARSED_QUERY_LENGTH), versionId(context.serverVersion));
  const first = head.tokens[0];
  const keyword = first?.kind === "word" ? first.text.toUpperCase() : undefined;
  if (keyword === "SET") return { kind: "ok" };
  if (keyword !== undefined && EVALUATED.includes(keyword)) {
    return statementTooLarge(sql, MAX_PARSED_QUERY_LENGTH);
  }
  return { kind: "unhandled" };
}

function answerParsed(sql: string, context: QueryContext): QueryAnswer {
  const { tokens, complete } = tokenize(sql, versionId(context.serverVersion));
  if (!complete) return { kind: "unhandled" };
  const statement = withoutTrailingSemicolons(tokens);
  if (statement.length === 0) return emptyQuery();
  // Without CLIENT_MULTI_STATEMENTS handling, a second statement is beyond this module.
  if (statement.some((t) => t.kind === "punct" && t.text === ";")) return { kind: "unhandled" };

  const cursor = new TokenCursor(statement);
  switch (cursor.acceptKeyword("SELECT", "SHOW", "SET", "USE")) {
    case "SELECT": {
      const select = parseSelect(cursor, sql);
      return select ? evaluateSelect(select, context) : { kind: "unhandled" };
    }
    case "SHOW": {
      const show = parseShow(cursor);
      return show ? answerShow(show, context) : { kind: "unhandled" };
    }
    case "SET":
      return { kind: "ok" };
    case "USE":
      return answerUse(cursor);
    default:
      return { kind: "unhandled" };
  }
}

function withoutTrailingSemicolons(tokens: Token[]): Token[] {
  let end = tokens.length;
  while (end > 0 && tokens[end - 1]?.kind === "punct" && tokens[end - 1]?.text === ";") end--;
  return tokens.slice(0, end);
}

function answerUse(cursor: TokenCursor): QueryAnswer {
  const name = cursor.next();
  if (!name || (name.kind !== "word" && name.kind !== "identifier") || !cursor.atEnd() || name.text === "") {
    return { kind: "unhandled" };
  }
  return { kind: "ok", database: name.text };
}
