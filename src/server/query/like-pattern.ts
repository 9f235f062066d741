const ANY_RUN = Symbol("%");
const ANY_ONE = Symbol("_");
type PatternPart = string | typeof ANY_RUN | typeof ANY_ONE;

/**
 * SQL `LIKE` as MySQL evaluates it under a case-insensitive collation: `%` matches any run of
 * characters, `_` exactly one, and a backslash makes the next character literal (a trailing
 * backslash matches itself). Runs in O(value × pattern) with no regular expressions, so hostile
 * patterns such as `%a%a%a…b` cannot stall the server.
 */
export function likeMatches(value: string, pattern: string): boolean {
  const text = Array.from(value.toLowerCase());
  const parts = compile(Array.from(pattern.toLowerCase()));

  let t = 0;
  let p = 0;
  // Where to resume after the most recent `%`: pattern index after it, and the text index it now covers up to.
  let starPattern = -1;
  let starText = 0;
  while (t < text.length) {
    const part = parts[p];
    if (part !== undefined && part !== ANY_RUN && (part === ANY_ONE || part === text[t])) {
      t++;
      p++;
    } else if (part === ANY_RUN) {
      starPattern = ++p;
      starText = t;
    } else if (starPattern >= 0) {
      p = starPattern;
      t = ++starText;
    } else {
      return false;
    }
  }
  while (parts[p] === ANY_RUN) p++;
  return p === parts.length;
}

function compile(chars: string[]): PatternPart[] {
  const parts: PatternPart[] = [];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === "\\" && i + 1 < chars.length) parts.push(chars[++i]!);
    else if (ch === "%") parts.push(ANY_RUN);
    else if (ch === "_") parts.push(ANY_ONE);
    else parts.push(ch);
  }
  return parts;
}
