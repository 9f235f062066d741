import { existsSync, readFileSync, writeFileSync } from "node:fs";

/**
 * docs/BENCHMARKS.md is written by two programs: `npm run bench` (the whole file) and `npm run
 * soak` (its own section, between markers, since a soak takes many minutes and runs separately).
 * Each keeps the other's part.
 */

const start = (name: string) => `<!-- ${name}:start -->`;
const end = (name: string) => `<!-- ${name}:end -->`;

/** The section `name` of `text`, markers included, or `null` when there is none. */
export function readSection(text: string, name: string): string | null {
  const from = text.indexOf(start(name));
  const to = text.indexOf(end(name), from);
  if (from < 0 || to < 0) return null;
  return text.slice(from, to + end(name).length);
}

/** `text` with section `name` set to `body` (appended at the end when it had none). */
export function withSection(text: string, name: string, body: string): string {
  const section = `${start(name)}\n${body.trimEnd()}\n${end(name)}`;
  const old = readSection(text, name);
  if (old !== null) return text.replace(old, () => section);
  return `${text.trimEnd()}\n\n${section}\n`;
}

/** Writes section `name` of the file at `path`, keeping everything else. */
export function writeSection(path: string, name: string, body: string): void {
  const text = existsSync(path) ? readFileSync(path, "utf8") : "";
  writeFileSync(path, withSection(text, name, body));
}

/** The section `name` of the file at `path`, for a writer of the whole file to carry over. */
export function carriedSection(path: string, name: string): string | null {
  return existsSync(path) ? readSection(readFileSync(path, "utf8"), name) : null;
}
