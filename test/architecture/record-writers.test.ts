import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

/**
 * A connection's record has one writer: src/record, through the ConnectionRecorder, which keeps a
 * fact and its event together. Everything else reads records and tells the recorder what
 * happened; no file outside src/record assigns a record's fields, or grows its lists in place.
 * (The phases see `Readonly<ConnectionRecord>`; this check also covers code that holds a record
 * typed as writable, such as the server keeping its connections.)
 */

const SRC = resolve(__dirname, "..", "..", "src");
const RECORD_DIR = join(SRC, "record");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

/** The fields of ConnectionRecord, read from its declaration, so a field added later is covered. */
function recordFields(): string[] {
  const text = readFileSync(join(RECORD_DIR, "connection-record.ts"), "utf8");
  const start = text.indexOf("export interface ConnectionRecord {");
  if (start < 0) throw new Error("src/record/connection-record.ts declares no ConnectionRecord interface");
  // Top-level members only: two-space indent, then `name:` or `name?:`.
  const body = text.slice(start, text.indexOf("\n}", start));
  return [...body.matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1]!);
}

/** Comments hold prose, not code: `// record.phase = …` in a comment writes nothing. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " ")).replace(/\/\/.*$/gm, "");
}

/**
 * Lines of `text` that write a record's field: `record.x = …` (and `+=`, `??=`, `++`, …), also
 * through a path (`this.record.x`, `session.record.tls.clientClosed =`, `record.x! += n`), a list
 * grown or cut in place (`record.packets.push(…)`), `delete record.x`, `Object.assign(record, …)`.
 * A record is whatever a name ending in `record`/`Record` holds.
 */
function recordWrites(text: string, fields: readonly string[]): Array<{ line: number; code: string }> {
  const field = `(?:${fields.join("|")})`;
  const target = `\\b\\w*[rR]ecord!?\\.${field}\\b!?(?:(?:\\.\\w+|\\[[^\\]]*\\])!?)*`;
  const patterns = [
    new RegExp(`${target}\\s*(?:[-+*/%|&^]|\\?\\?|\\|\\||&&|<<|>>>?|\\*\\*)?=(?!=)`),
    new RegExp(`${target}\\s*(?:\\+\\+|--)`),
    new RegExp(`(?:\\+\\+|--)\\s*${target}`),
    new RegExp(`${target}\\.(?:push|pop|shift|unshift|splice|sort|reverse|fill|copyWithin)\\s*\\(`),
    new RegExp(`\\bdelete\\s+${target}`),
    /\bObject\.assign\s*\(\s*[\w.]*[rR]ecord\b/,
  ];
  return withoutComments(text)
    .split("\n")
    .flatMap((code, index) =>
      patterns.some((pattern) => pattern.test(code)) ? [{ line: index + 1, code: code.trim() }] : [],
    );
}

describe("the writers of a ConnectionRecord", () => {
  const fields = recordFields();

  it("reads the record's fields from its declaration", () => {
    expect(fields).toEqual(
      expect.arrayContaining(["phase", "outcome", "packets", "commands", "tls", "authSwitchedTo", "verdict"]),
    );
  });

  it("finds every kind of write it looks for, and no read", () => {
    const writes = [
      `record.phase = "closed";`,
      `    record.packets = retainedList(keep, (n) => {`,
      `      record.packetsDropped! += n;`,
      `this.record.commands.push(entry);`,
      `session.record.tls.clientClosed = close;`,
      `record.outcome ??= { kind: "pending" };`,
      `stuffedRecord.credentialsInPlaintext = true;`,
      `delete record.commandsDropped;`,
      `Object.assign(session.record, { user: "x" });`,
      `record.packets[0] = packet;`,
    ];
    const reads = [
      `if (record.phase === "closed") return;`,
      `const kind = this.recorder.record.outcome.kind;`,
      `recorder.phase("closed");`,
      `this.records.push(session.record);`,
      `const tls = record.tls; // record.tls = null would be a write`,
      `expect(record.packets.map((p) => p.type)).toEqual([]);`,
      `/* record.user = "x" */ const user = record.user;`,
      `this.records.length = 0;`,
    ];
    expect(writes.filter((code) => recordWrites(code, fields).length === 0)).toEqual([]);
    expect(reads.filter((code) => recordWrites(code, fields).length > 0)).toEqual([]);
  });

  it("are all in src/record: no file outside it assigns a field or grows a list in place", () => {
    const outside = sourceFiles(SRC).filter((file) => !file.startsWith(RECORD_DIR + "/"));
    const writes = outside.flatMap((file) =>
      recordWrites(readFileSync(file, "utf8"), fields).map(
        ({ line, code }) => `${relative(SRC, file)}:${line}: ${code}`,
      ),
    );
    expect(writes).toEqual([]);
  });
});
