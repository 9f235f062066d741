import type { QueryAnswer } from "../../src/sql";
import { evaluateSelect, parseSelect } from "../../src/sql/select-expressions";
import { TokenCursor } from "../../src/sql/token-cursor";
import { tokenize } from "../../src/sql/tokenizer";
import { tlsContext } from "./fixtures";

function select(sql: string, context = tlsContext()): QueryAnswer | undefined {
  const cursor = new TokenCursor(tokenize(sql, 50741).tokens);
  if (!cursor.acceptKeyword("SELECT")) return undefined;
  const statement = parseSelect(cursor, sql);
  return statement && evaluateSelect(statement, context);
}

/** The single row as `{ columnName: value }`, plus the columns, of a resultset answer. */
function result(sql: string, context = tlsContext()) {
  const answer = select(sql, context);
  if (answer?.kind !== "resultset")
    throw new Error(`expected a resultset for ${sql}, got ${JSON.stringify(answer)}`);
  return { columns: answer.columns, rows: answer.rows };
}

describe("SELECT literals", () => {
  it("names an integer literal by its text and types it as an integer", () => {
    expect(result("SELECT 1")).toEqual({ columns: [{ name: "1", type: "integer" }], rows: [[1]] });
    expect(result("SELECT -42, 007")).toEqual({
      columns: [
        { name: "-42", type: "integer" },
        { name: "007", type: "integer" },
      ],
      rows: [[-42, 7]],
    });
  });

  it("names a string literal by its value and concatenates adjacent literals under the first name", () => {
    expect(result("SELECT 'abc', \"it's\"")).toEqual({
      columns: [
        { name: "abc", type: "string" },
        { name: "it's", type: "string" },
      ],
      rows: [["abc", "it's"]],
    });
    expect(result("SELECT 'a' 'b'")).toEqual({ columns: [{ name: "a", type: "string" }], rows: [["ab"]] });
  });

  it("reads decimals, NULL and booleans", () => {
    expect(result("SELECT 1.50, .5, NULL, TRUE, false")).toEqual({
      columns: [
        { name: "1.50", type: "decimal" },
        { name: ".5", type: "decimal" },
        { name: "NULL", type: "null" },
        { name: "TRUE", type: "integer" },
        { name: "false", type: "integer" },
      ],
      rows: [["1.50", "0.5", null, 1, 0]],
    });
  });

  it("carries integers past 2^53 as bigint, unsigned above BIGINT's range, DECIMAL beyond", () => {
    expect(result("SELECT 9007199254740993").rows).toEqual([[9007199254740993n]]);
    expect(result("SELECT 18446744073709551615").columns).toEqual([
      { name: "18446744073709551615", type: "integer", unsigned: true },
    ]);
    expect(result("SELECT -9223372036854775808").rows).toEqual([[-9223372036854775808n]]);
    expect(result("SELECT 18446744073709551616")).toEqual({
      columns: [{ name: "18446744073709551616", type: "decimal" }],
      rows: [["18446744073709551616"]],
    });
  });
});

describe("SELECT system variables", () => {
  it("names @@variables as written, whatever their case or scope prefix", () => {
    expect(
      result(
        "SELECT @@version, @@VERSION_COMMENT, @@session.auto_increment_increment, @@Global.max_allowed_packet",
      ),
    ).toEqual({
      columns: [
        { name: "@@version", type: "string" },
        { name: "@@VERSION_COMMENT", type: "string" },
        { name: "@@session.auto_increment_increment", type: "integer", unsigned: true },
        { name: "@@Global.max_allowed_packet", type: "integer", unsigned: true },
      ],
      rows: [["5.7.41", "MySQL Community Server (GPL)", 1, 4194304]],
    });
  });

  it("accepts @@local. as session scope and backticked names", () => {
    expect(result("SELECT @@local.wait_timeout, @@`tx_isolation`").rows).toEqual([
      [28800, "REPEATABLE-READ"],
    ]);
  });

  it("returns NULL for unset string variables", () => {
    expect(result("SELECT @@ssl_cipher")).toEqual({
      columns: [{ name: "@@ssl_cipher", type: "string" }],
      rows: [[null]],
    });
  });

  it("answers an unknown system variable with error 1193 naming it as written", () => {
    expect(select("SELECT 1, @@Nope")).toEqual({
      kind: "error",
      code: 1193,
      sqlState: "HY000",
      message: "Unknown system variable 'Nope'",
    });
  });

  it("answers a global-only variable read in session scope with error 1238, and the reverse", () => {
    expect(select("SELECT @@session.version")).toEqual({
      kind: "error",
      code: 1238,
      sqlState: "HY000",
      message: "Variable 'version' is a GLOBAL variable",
    });
    expect(select("SELECT @@global.warning_count")).toMatchObject({
      code: 1238,
      message: "Variable 'warning_count' is a SESSION variable",
    });
  });
});

describe("SELECT functions", () => {
  it("answers the session functions", () => {
    const context = tlsContext({
      database: "shop",
      user: "app",
      clientHost: "10.0.0.5",
      accountHost: "10.0.%",
    });
    expect(
      result(
        "SELECT DATABASE(), schema(), USER(), CURRENT_USER(), SESSION_USER(), SYSTEM_USER(), VERSION()",
        context,
      ).rows,
    ).toEqual([["shop", "shop", "app@10.0.0.5", "app@10.0.%", "app@10.0.0.5", "app@10.0.0.5", "5.7.41"]]);
  });

  it("answers DATABASE() with NULL when no database is selected", () => {
    expect(result("SELECT DATABASE()")).toEqual({
      columns: [{ name: "DATABASE()", type: "string" }],
      rows: [[null]],
    });
  });

  it("types CONNECTION_ID() as an unsigned integer", () => {
    expect(result("SELECT CONNECTION_ID()")).toEqual({
      columns: [{ name: "CONNECTION_ID()", type: "integer", unsigned: true }],
      rows: [[7]],
    });
  });

  it("accepts CURRENT_USER without parentheses and spaces before them elsewhere", () => {
    expect(result("SELECT CURRENT_USER, USER ( )").columns.map((c) => c.name)).toEqual([
      "CURRENT_USER",
      "USER ( )",
    ]);
  });
});

describe("SELECT aliases, FROM DUAL and LIMIT", () => {
  it("takes column names from AS, bare, quoted and backticked aliases", () => {
    expect(
      result("SELECT 1 AS one, 2 two, 3 AS 'three', 4 `four`, 5 \"five\"").columns.map((c) => c.name),
    ).toEqual(["one", "two", "three", "four", "five"]);
  });

  it("accepts FROM DUAL and LIMIT in their usual shapes", () => {
    expect(result("SELECT 1 FROM DUAL LIMIT 1").rows).toEqual([[1]]);
    expect(result("SELECT 1 from dual").rows).toEqual([[1]]);
    expect(result("SELECT 1 LIMIT 0").rows).toEqual([]);
    expect(result("SELECT 1 LIMIT 1, 1").rows).toEqual([]);
    expect(result("SELECT 1 LIMIT 5 OFFSET 0").rows).toEqual([[1]]);
    expect(result("SELECT 1 LIMIT 0").columns).toEqual([{ name: "1", type: "integer" }]);
  });

  it("leaves everything outside the grammar unparsed", () => {
    for (const sql of [
      "SELECT",
      "SELECT 1,",
      "SELECT 1 AS",
      "SELECT 1 + 1",
      "SELECT * FROM t",
      "SELECT 1 FROM t",
      "SELECT 1 WHERE 1",
      "SELECT 1 LIMIT",
      "SELECT 1 LIMIT 1.5",
      "SELECT @x",
      "SELECT @@",
      "SELECT @@default.key_buffer_size",
      "SELECT @@session.",
      "SELECT NOW()",
      "SELECT DATABASE(1)",
      "SELECT 1e5",
      "SELECT -'a'",
      "SELECT 1 ORDER BY 1",
    ]) {
      expect(select(sql)).toBeUndefined();
    }
  });
});
