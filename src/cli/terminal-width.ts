/**
 * Fitting text to the terminal. Output to a pipe or a file is not wrapped (a script reads whole
 * lines), unless `COLUMNS` asks for a width.
 */

/** The narrowest column of text worth wrapping into; below it, lines are left long. */
export const MIN_TEXT_COLUMNS = 20;

/**
 * The width to fit stdout to: the terminal's, else `COLUMNS` (as shells and `stty` set it), else
 * null for no limit.
 */
export function terminalWidth(
  stdout: { isTTY?: boolean; columns?: number } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): number | null {
  if (stdout.isTTY && stdout.columns && stdout.columns > 0) return stdout.columns;
  const fromEnv = Number(env.COLUMNS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : null;
}

/**
 * `text` in lines of at most `width` characters, broken at spaces; a word longer than a line is
 * cut. Lines already in `text` are kept.
 */
export function wrapText(text: string, width: number): string[] {
  const out: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (let word of paragraph.split(" ")) {
      while (word.length > width) {
        if (line) out.push(line);
        line = "";
        out.push(word.slice(0, width));
        word = word.slice(width);
      }
      if (!line) line = word;
      else if (line.length + 1 + word.length <= width) line += ` ${word}`;
      else {
        out.push(line);
        line = word;
      }
    }
    out.push(line);
  }
  return out;
}

/** How far the text is indented under its name when the terminal is too narrow for two columns. */
const STACKED_INDENT = 4;

/**
 * A name column and a text column, the text wrapped under itself to fit `width` (null: no limit).
 * Where the names leave the text fewer than {@link MIN_TEXT_COLUMNS}, each text goes under its
 * name instead, indented. `style` decorates names after padding is worked out, so ANSI codes do
 * not count as width.
 */
export function twoColumns(
  rows: ReadonlyArray<readonly [string, string]>,
  width: number | null,
  style: (name: string) => string = (name) => name,
): string {
  const nameWidth = Math.max(0, ...rows.map(([name]) => name.length));
  const textWidth = width === null ? null : width - nameWidth - 2;
  let out = "";
  if (width !== null && textWidth !== null && textWidth < MIN_TEXT_COLUMNS) {
    const indent = " ".repeat(STACKED_INDENT + (/^ */.exec(rows[0]?.[0] ?? "")?.[0].length ?? 0));
    for (const [name, text] of rows) {
      out += `${style(name.trimEnd())}\n`;
      for (const line of wrapText(text, Math.max(MIN_TEXT_COLUMNS, width - indent.length)))
        out += `${indent}${line}\n`;
    }
    return out;
  }
  for (const [name, text] of rows) {
    const lines = textWidth !== null ? wrapText(text, textWidth) : [text];
    out += `${style(name.padEnd(nameWidth))}  ${lines[0]}\n`;
    for (const line of lines.slice(1)) out += `${" ".repeat(nameWidth + 2)}${line}\n`;
  }
  return out;
}
