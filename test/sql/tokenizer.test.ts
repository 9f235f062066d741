import { tokenize, versionId } from "../../src/sql/tokenizer";

const texts = (sql: string, version = 50741) =>
  tokenize(sql, version).tokens.map((t) => `${t.kind}:${t.text}`);

describe("tokenize", () => {
  it("splits words, numbers, punctuation and @@ variables", () => {
    expect(texts("SELECT @@session.x, 1.5 AS y;")).toEqual([
      "word:SELECT",
      "punct:@",
      "punct:@",
      "word:session",
      "punct:.",
      "word:x",
      "punct:,",
      "number:1.5",
      "word:AS",
      "word:y",
      "punct:;",
    ]);
  });

  it("records where each token sits in the text so column names can be sliced from it", () => {
    const [, at] = tokenize("SELECT  @@version", 50741).tokens;
    expect(at).toMatchObject({ start: 8, end: 9 });
  });

  it("reads both quote styles with backslash escapes and doubled quotes", () => {
    expect(texts(`'it''s' "say \\"hi\\"" 'a\\nb' '\\x'`)).toEqual([
      "string:it's",
      'string:say "hi"',
      "string:a\nb",
      "string:x",
    ]);
  });

  it("keeps the backslash of \\% and \\_ so LIKE still sees the escape", () => {
    expect(texts(String.raw`'have\_ssl' '100\%'`)).toEqual([
      String.raw`string:have\_ssl`,
      String.raw`string:100\%`,
    ]);
  });

  it("reads long literals whose escapes, doubled quotes and other quote style sit anywhere", () => {
    const body = `${"ab\\n".repeat(2000)}''"${"\\'".repeat(2000)}\\%x`;
    const expected = `${"ab\n".repeat(2000)}'"${"'".repeat(2000)}\\%x`;
    expect(texts(`'${body}' 'tail'`)).toEqual([`string:${expected}`, "string:tail"]);
    expect(tokenize(`'${body}`, 50741).complete).toBe(false);
    expect(texts(`"a''b\\"c" \`x'y\``)).toEqual(["string:a''b\"c", "identifier:x'y"]);
  });

  it("unquotes backtick identifiers, doubled backticks standing for one", () => {
    expect(texts("USE `my``db`")).toEqual(["word:USE", "identifier:my`db"]);
  });

  it("skips --, # and /* */ comments, but not -- without a following space", () => {
    expect(texts("/* mysql-connector-java-8.0 */SELECT 1 -- trailing\n# hash\n")).toEqual([
      "word:SELECT",
      "number:1",
    ]);
    expect(texts("SELECT 1--1")).toEqual(["word:SELECT", "number:1", "punct:-", "punct:-", "number:1"]);
    expect(texts("SELECT 1 --")).toEqual(["word:SELECT", "number:1"]);
  });

  it("reads a versioned comment as SQL when the server is at least that version", () => {
    expect(texts("/*!40101 SET NAMES utf8 */")).toEqual(["word:SET", "word:NAMES", "word:utf8"]);
    expect(texts("/*! SELECT 1 */")).toEqual(["word:SELECT", "number:1"]);
    expect(texts("SELECT 1 /*!80000 , 2 */")).toEqual(["word:SELECT", "number:1"]);
  });

  it("treats digit runs glued to letters as words, not numbers", () => {
    expect(texts("1e5 0x1F 12abc .5")).toEqual(["word:1e5", "word:0x1F", "word:12abc", "number:.5"]);
  });

  it("combines two- and three-character operators", () => {
    expect(texts("<> != <=> && || =")).toEqual([
      "punct:<>",
      "punct:!=",
      "punct:<=>",
      "punct:&&",
      "punct:||",
      "punct:=",
    ]);
  });

  it("reports unterminated strings, identifiers and comments as incomplete", () => {
    for (const sql of [
      "SELECT 'abc",
      'SELECT "abc\\"',
      "USE `db",
      "SELECT 1 /* open",
      "/*!40101 SET x=1",
      "'\\",
    ]) {
      expect(tokenize(sql, 50741).complete).toBe(false);
    }
    expect(tokenize("SELECT 'a'", 50741).complete).toBe(true);
  });

  it("derives the version number MySQL compares versioned comments with", () => {
    expect(versionId("5.7.41")).toBe(50741);
    expect(versionId("5.7.41-log")).toBe(50741);
    expect(versionId("8.0.36-debug")).toBe(80036);
    expect(versionId("garbage")).toBe(0);
  });
});
