import { LikePattern } from "./like-pattern";
import { incorrectEscape, QueryError } from "./query-errors";
import type { TokenCursor } from "./token-cursor";

/** One row of `SHOW STATUS` / `SHOW VARIABLES` as its filter sees it. */
export interface ShowRow {
  name: string;
  value: string;
}

/** A parsed `LIKE` or `WHERE` clause. */
export type ShowFilter = (row: ShowRow) => boolean;

/**
 * Parses what may follow `SHOW … STATUS|VARIABLES`: nothing, `LIKE 'pattern'`, or `WHERE` over
 * the columns `Variable_name` and `Value` with `=`, `<>`, `!=`, `[NOT] LIKE`, `[NOT] IN (…)`,
 * `NOT`, `AND`/`&&`, `OR`/`||` and parentheses — enough for Connector/J 5.1's
 * `SHOW VARIABLES WHERE Variable_name = 'a' OR Variable_name = 'b' …`. Returns undefined for
 * anything else, leaving the cursor wherever parsing stopped. A LIKE inside WHERE may name its
 * escape character (`LIKE 'a|_%' ESCAPE '|'`); the LIKE right after SHOW takes a bare string, as in
 * MySQL's grammar, so an ESCAPE there leaves the statement unparsed.
 *
 * Each pattern is compiled once here, not once per row.
 *
 * @throws {QueryError} ERROR 1210 for an ESCAPE of more than one character, as MySQL answers.
 */
export function parseShowFilter(cursor: TokenCursor): ShowFilter | undefined {
  if (cursor.atEnd()) return () => true;
  if (cursor.acceptKeyword("LIKE")) {
    const pattern = readOperand(cursor);
    if (pattern === undefined) return undefined;
    const like = LikePattern.compile(pattern);
    return (row) => like.matches(row.name);
  }
  if (cursor.acceptKeyword("WHERE")) return parseOr(cursor, 0);
  return undefined;
}

/** Deep enough for any real client, shallow enough that `((((…` cannot exhaust the stack. */
const MAX_NESTING = 32;

function parseOr(cursor: TokenCursor, depth: number): ShowFilter | undefined {
  const terms: ShowFilter[] = [];
  do {
    const term = parseAnd(cursor, depth);
    if (!term) return undefined;
    terms.push(term);
  } while (cursor.acceptKeyword("OR") || cursor.acceptPunct("||"));
  return (row) => terms.some((term) => term(row));
}

function parseAnd(cursor: TokenCursor, depth: number): ShowFilter | undefined {
  const factors: ShowFilter[] = [];
  do {
    const factor = parseNot(cursor, depth);
    if (!factor) return undefined;
    factors.push(factor);
  } while (cursor.acceptKeyword("AND") || cursor.acceptPunct("&&"));
  return (row) => factors.every((factor) => factor(row));
}

function parseNot(cursor: TokenCursor, depth: number): ShowFilter | undefined {
  if (depth > MAX_NESTING) return undefined;
  if (cursor.acceptKeyword("NOT") || cursor.acceptPunct("!")) {
    const inner = parseNot(cursor, depth + 1);
    return inner && ((row) => !inner(row));
  }
  if (cursor.acceptPunct("(")) {
    const inner = parseOr(cursor, depth + 1);
    return inner && cursor.acceptPunct(")") ? inner : undefined;
  }
  return parseComparison(cursor);
}

function parseComparison(cursor: TokenCursor): ShowFilter | undefined {
  const column = readColumn(cursor);
  if (!column) return undefined;
  if (cursor.acceptPunct("=")) return compareWith(cursor, column, (a, b) => a === b);
  if (cursor.acceptPunct("<>") || cursor.acceptPunct("!="))
    return compareWith(cursor, column, (a, b) => a !== b);
  const negated = cursor.acceptKeyword("NOT") !== undefined;
  const filter = parseMembership(cursor, column);
  return filter && negated ? (row) => !filter(row) : filter;
}

function parseMembership(cursor: TokenCursor, column: (row: ShowRow) => string): ShowFilter | undefined {
  if (cursor.acceptKeyword("LIKE")) {
    const pattern = readOperand(cursor);
    if (pattern === undefined) return undefined;
    let escape: string | undefined;
    if (cursor.acceptKeyword("ESCAPE")) {
      escape = readOperand(cursor);
      if (escape === undefined) return undefined;
      if (Array.from(escape).length > 1) throw new QueryError(incorrectEscape());
    }
    const like = LikePattern.compile(pattern, escape);
    return (row) => like.matches(column(row));
  }
  if (cursor.acceptKeyword("IN")) {
    const list = readList(cursor);
    return list && ((row) => list.has(collationKey(column(row))));
  }
  return undefined;
}

/** utf8_general_ci equality: case-insensitive, trailing spaces ignored (PAD SPACE). */
function collationKey(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === SPACE) end--;
  return (end === text.length ? text : text.slice(0, end)).toLowerCase();
}

const SPACE = 0x20;

function compareWith(
  cursor: TokenCursor,
  column: (row: ShowRow) => string,
  test: (a: string, b: string) => boolean,
): ShowFilter | undefined {
  const operand = readOperand(cursor);
  if (operand === undefined) return undefined;
  const key = collationKey(operand);
  return (row) => test(collationKey(column(row)), key);
}

function readColumn(cursor: TokenCursor): ((row: ShowRow) => string) | undefined {
  const token = cursor.peek();
  if (token?.kind !== "word" && token?.kind !== "identifier") return undefined;
  const name = token.text.toLowerCase();
  if (name !== "variable_name" && name !== "value") return undefined;
  cursor.next();
  return name === "value" ? (row) => row.value : (row) => row.name;
}

/** A string literal, or a number compared as its text. */
function readOperand(cursor: TokenCursor): string | undefined {
  const token = cursor.peek();
  if (token?.kind !== "string" && token?.kind !== "number") return undefined;
  cursor.next();
  return token.text;
}

function readList(cursor: TokenCursor): Set<string> | undefined {
  if (!cursor.acceptPunct("(")) return undefined;
  const items = new Set<string>();
  do {
    const item = readOperand(cursor);
    if (item === undefined) return undefined;
    items.add(collationKey(item));
  } while (cursor.acceptPunct(","));
  return cursor.acceptPunct(")") ? items : undefined;
}
