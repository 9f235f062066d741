/** `%`: any run of characters, none included. */
const ANY_RUN = 0;
/** `_`: exactly one character. */
const ANY_ONE = 1;
type Wildcard = typeof ANY_RUN | typeof ANY_ONE;
/** A compiled pattern: wildcards, and literal characters (lower-cased code points) as strings. */
type PatternPart = Wildcard | string;

/** MySQL's escape character when a LIKE has no ESCAPE clause (or an empty one). */
export const DEFAULT_LIKE_ESCAPE = "\\";

/** How a match went: the answer, and how many steps the matcher took to reach it. */
export interface LikeMatchTrace {
  matches: boolean;
  /** Iterations of the matcher's loops; bounded by (value length + 1) × (pattern length + 1). */
  steps: number;
}

/**
 * A SQL `LIKE` pattern compiled once and matched against many values, as MySQL evaluates it under
 * a case-insensitive collation (the default `utf8_general_ci` of SHOW's columns):
 * - `%` matches any run of characters, none included; `_` exactly one character (code point);
 * - the escape character (backslash unless the ESCAPE clause names another) makes the next
 *   character literal; a trailing escape character matches itself;
 * - `%` and `_` are wildcards even when ESCAPE names them, as in MySQL's `my_wildcmp`, which tests
 *   for a wildcard before it tests for the escape character;
 * - no PAD SPACE: `'a '` does not match `'a'`.
 *
 * Matching is a greedy two-pointer walk that backtracks only to the most recent `%`, so it takes at
 * most (value + 1) × (pattern + 1) steps, with no regular expression and no recursion. Runs of `%`
 * collapse into one when compiling, and a value shorter than the characters the pattern requires is
 * refused before any step: `'%%%…%x'` with millions of `%` costs one pass over the pattern, once
 * per statement, and a few steps per row.
 */
export class LikePattern {
  /** Characters a value must have at least: the parts that are not `%`. */
  private readonly minimumLength: number;
  private readonly hasAnyRun: boolean;

  private constructor(private readonly parts: readonly PatternPart[]) {
    this.minimumLength = parts.filter((part) => part !== ANY_RUN).length;
    this.hasAnyRun = parts.includes(ANY_RUN);
  }

  /**
   * Compiles `pattern` as written after LIKE (string-literal escapes already resolved).
   *
   * @param escape - the ESCAPE clause's character; an empty string means the backslash, as in
   *   MySQL's `Item_func_like` (a multi-character ESCAPE is the caller's ERROR 1210).
   */
  static compile(pattern: string, escape: string = DEFAULT_LIKE_ESCAPE): LikePattern {
    const escapeChar = escape === "" ? DEFAULT_LIKE_ESCAPE : escape.toLowerCase();
    const chars = Array.from(pattern.toLowerCase());
    const parts: PatternPart[] = [];
    for (let i = 0; i < chars.length; i++) {
      const ch = chars[i]!;
      if (ch === "%") {
        if (parts[parts.length - 1] !== ANY_RUN) parts.push(ANY_RUN);
      } else if (ch === "_") {
        parts.push(ANY_ONE);
      } else if (ch === escapeChar && i + 1 < chars.length) {
        parts.push(chars[++i]!);
      } else {
        parts.push(ch);
      }
    }
    return new LikePattern(parts);
  }

  /** Whether `value` matches the pattern. */
  matches(value: string): boolean {
    return this.trace(value).matches;
  }

  /** {@link matches}, with the number of steps it took: how tests see that matching stays bounded. */
  trace(value: string): LikeMatchTrace {
    const text = Array.from(value.toLowerCase());
    if (text.length < this.minimumLength || (!this.hasAnyRun && text.length !== this.minimumLength)) {
      return { matches: false, steps: 0 };
    }
    const parts = this.parts;
    let steps = 0;
    let t = 0;
    let p = 0;
    // Where to resume after the most recent `%`: the pattern index after it, and the text index it
    // now covers up to. Earlier `%`s never need revisiting: the latest one can absorb anything they could.
    let starPattern = -1;
    let starText = 0;
    while (t < text.length) {
      steps++;
      const part = parts[p];
      if (part === ANY_RUN) {
        starPattern = ++p;
        starText = t;
      } else if (part !== undefined && (part === ANY_ONE || part === text[t])) {
        t++;
        p++;
      } else if (starPattern >= 0) {
        p = starPattern;
        t = ++starText;
      } else {
        return { matches: false, steps };
      }
    }
    while (parts[p] === ANY_RUN) {
      steps++;
      p++;
    }
    return { matches: p === parts.length, steps };
  }
}

/**
 * Whether `value` matches the LIKE `pattern` (see {@link LikePattern}); compiles the pattern each
 * call, so filters that test many rows compile once with {@link LikePattern.compile} instead.
 */
export function likeMatches(value: string, pattern: string, escape: string = DEFAULT_LIKE_ESCAPE): boolean {
  return LikePattern.compile(pattern, escape).matches(value);
}
