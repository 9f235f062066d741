/**
 * One lexical unit of a query.
 * - `word`: a bare identifier or keyword (`SELECT`, `version`, `utf8mb4`)
 * - `identifier`: a backtick-quoted identifier, `text` unquoted
 * - `string`: a quoted literal, `text` with escapes resolved
 * - `number`: an unsigned integer or decimal literal, `text` as written
 * - `punct`: an operator or punctuation (`@`, `,`, `(`, `<>`, …)
 */
export interface Token {
  kind: "word" | "identifier" | "string" | "number" | "punct";
  text: string;
  /** Offset of the token's first character in the query text. */
  start: number;
  /** Offset just past the token's last character. */
  end: number;
}

/** Tokens of a query; `complete` is false when a literal, identifier or comment was left unterminated. */
export interface Tokenized {
  tokens: Token[];
  complete: boolean;
}

const MULTI_CHAR_PUNCT = ["<=>", "<>", "!=", "<=", ">=", ":=", "&&", "||"];

/** Escapes after a backslash in a string literal (MySQL manual, "String Literals"). */
const BACKSLASH_ESCAPES: Record<string, string> = {
  "0": "\0",
  b: "\b",
  n: "\n",
  r: "\r",
  t: "\t",
  Z: "\x1a",
};

function isWordChar(ch: string): boolean {
  return /[A-Za-z0-9_$]/.test(ch) || ch.charCodeAt(0) >= 0x80;
}

/** What must follow `--` for it to open a comment; the end of the text counts. */
function isSpaceOrControl(ch: string | undefined): boolean {
  return ch === undefined || ch.charCodeAt(0) < 0x20 || /\s/.test(ch);
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= "0" && ch <= "9";
}

/**
 * Splits a query into tokens the way MySQL's lexer would for the small grammar this module parses.
 * Total: any input yields a result, never an exception.
 *
 * @param serverVersionId - `major*10000 + minor*100 + patch` of the emulated server; a versioned
 *   comment `/*!NNNNN … *\/` is read as SQL only when NNNNN is not above it, as MySQL does.
 */
export function tokenize(sql: string, serverVersionId: number): Tokenized {
  const tokens: Token[] = [];
  let i = 0;
  // Inside `/*! … */` the text is SQL; the closing `*/` must then be skipped rather than lexed.
  let inExecutableComment = false;

  while (i < sql.length) {
    const ch = sql[i]!;
    const next = sql[i + 1];

    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (inExecutableComment && ch === "*" && next === "/") {
      inExecutableComment = false;
      i += 2;
      continue;
    }
    if (ch === "#" || (ch === "-" && next === "-" && isSpaceOrControl(sql[i + 2]))) {
      // MySQL needs whitespace after `--` so that `1--1` stays arithmetic.
      const newline = sql.indexOf("\n", i);
      i = newline < 0 ? sql.length : newline + 1;
      continue;
    }
    if (ch === "/" && next === "*") {
      if (sql[i + 2] === "!" && !inExecutableComment) {
        let j = i + 3;
        while (j < sql.length && j < i + 9 && isDigit(sql[j])) j++;
        const digits = sql.slice(i + 3, j);
        if (digits.length === 0 || Number(digits) <= serverVersionId) {
          inExecutableComment = true;
          i = j;
          continue;
        }
      }
      const close = sql.indexOf("*/", i + 2);
      if (close < 0) return { tokens, complete: false };
      i = close + 2;
      continue;
    }

    const start = i;
    if (ch === "'" || ch === '"') {
      const literal = readQuoted(sql, i, ch, true);
      if (!literal) return { tokens, complete: false };
      tokens.push({ kind: "string", text: literal.text, start, end: literal.end });
      i = literal.end;
      continue;
    }
    if (ch === "`") {
      const identifier = readQuoted(sql, i, ch, false);
      if (!identifier) return { tokens, complete: false };
      tokens.push({ kind: "identifier", text: identifier.text, start, end: identifier.end });
      i = identifier.end;
      continue;
    }
    if (isDigit(ch) || (ch === "." && isDigit(next))) {
      const number = readNumber(sql, i);
      if (number) {
        tokens.push({ kind: "number", text: sql.slice(start, number), start, end: number });
        i = number;
        continue;
      }
    }
    if (isWordChar(ch)) {
      let j = i + 1;
      while (j < sql.length && isWordChar(sql[j]!)) j++;
      tokens.push({ kind: "word", text: sql.slice(start, j), start, end: j });
      i = j;
      continue;
    }
    const punct = MULTI_CHAR_PUNCT.find((p) => sql.startsWith(p, i)) ?? ch;
    tokens.push({ kind: "punct", text: punct, start, end: i + punct.length });
    i += punct.length;
  }
  return { tokens, complete: !inExecutableComment };
}

/**
 * Reads `digits[.digits]` or `.digits`; returns the end offset, or undefined when the run turns
 * out to be a word (`1abc`, `1e5`, `0x1F`) that this module does not treat as a number.
 */
function readNumber(sql: string, start: number): number | undefined {
  let j = start;
  while (isDigit(sql[j])) j++;
  if (sql[j] === ".") {
    j++;
    while (isDigit(sql[j])) j++;
  }
  const after = sql[j];
  if (after !== undefined && isWordChar(after)) return undefined;
  return j;
}

/**
 * Reads a quoted literal or identifier starting at the opening quote. A doubled quote stands for
 * itself; in string literals a backslash escapes the next character, except that `\%` and `\_`
 * keep their backslash so LIKE can still see the escape (MySQL manual, "String Literals").
 */
function readQuoted(
  sql: string,
  start: number,
  quote: string,
  backslashEscapes: boolean,
): { text: string; end: number } | undefined {
  // Plain runs are sliced whole, not appended a character at a time, and each search starts where
  // the last one ended: a literal of megabytes costs one pass, however many escapes it holds.
  const pieces: string[] = [];
  let nextQuote = sql.indexOf(quote, start + 1);
  let nextBackslash = backslashEscapes ? sql.indexOf("\\", start + 1) : -1;
  let j = start + 1;
  while (nextQuote >= 0) {
    if (nextQuote < j) nextQuote = sql.indexOf(quote, j);
    if (nextBackslash >= 0 && nextBackslash < j) nextBackslash = sql.indexOf("\\", j);
    if (nextQuote < 0) break;
    const special = nextBackslash >= 0 && nextBackslash < nextQuote ? nextBackslash : nextQuote;
    if (special > j) pieces.push(sql.slice(j, special));
    j = special;
    if (special === nextQuote) {
      if (sql[j + 1] === quote) {
        pieces.push(quote);
        j += 2;
        continue;
      }
      return { text: pieces.join(""), end: j + 1 };
    }
    const escaped = sql[j + 1]!;
    pieces.push(
      escaped === "%" || escaped === "_" ? `\\${escaped}` : (BACKSLASH_ESCAPES[escaped] ?? escaped),
    );
    j += 2;
  }
  return undefined;
}

/** `5.7.41-log` → 50741, as MySQL compares versioned comments; 0 when the text has no version. */
export function versionId(serverVersion: string): number {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(serverVersion);
  if (!match) return 0;
  return Number(match[1]) * 10000 + Number(match[2]) * 100 + Number(match[3]);
}
