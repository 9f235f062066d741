import type { QueryAnswer, QueryContext } from "./query-answer";
import { emptyQuery } from "./query-errors";
import { evaluateSelect, parseSelect } from "./select-expressions";
import { answerShow, parseShow } from "./show-statement";
import { TokenCursor } from "./token-cursor";
import { type Token, tokenize, versionId } from "./tokenizer";

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
 */
export function answerQuery(sql: string, context: QueryContext): QueryAnswer {
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
