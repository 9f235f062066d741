/**
 * Markdown quoting for report strings, which may contain anything a client printed: table pipes,
 * HTML-looking text GitHub would swallow as tags, emphasis markers, backticks.
 */

// Characters that change meaning inline (or inside a GFM table). CommonMark lets any ASCII
// punctuation be backslash-escaped, and `\|` also protects a table cell. `_` between letters
// (`mysql_native_password`) and `&` that cannot start an entity are left alone, to keep the
// source readable.
const INLINE_SPECIAL = /[\\`*[\]<>|~#]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|&(?=#?[A-Za-z0-9]+;)/g;

/** Text shown as itself in a paragraph, list item or table cell; line breaks become `newline`. */
export function markdownText(text: string, newline = "<br>"): string {
  return text.replace(INLINE_SPECIAL, (c) => `\\${c}`).replace(/\r\n|\r|\n/g, newline);
}

/** A code span that survives backticks in the text (one tick more than its longest run). */
export function codeSpan(text: string): string {
  const flat = text.replace(/\r\n|\r|\n/g, " ");
  const ticks = "`".repeat(longestRun(flat) + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  return `${ticks}${pad}${flat}${pad}${ticks}`;
}

/** A fenced code block whose fence no line of the text can close early. */
export function fencedBlock(text: string, info = ""): string {
  const fence = "`".repeat(Math.max(3, longestRun(text) + 1));
  return `${fence}${info}\n${text.replace(/\n+$/, "")}\n${fence}`;
}

function longestRun(text: string): number {
  return Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
}
