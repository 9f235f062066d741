import type { QueryAnswer } from "../../src/sql";
import { answerShow, parseShow } from "../../src/sql/show-statement";
import { TokenCursor } from "../../src/sql/token-cursor";
import { tokenize } from "../../src/sql/tokenizer";
import { plaintextContext, tlsContext } from "./fixtures";

function show(sql: string, context = tlsContext()): QueryAnswer | undefined {
  const cursor = new TokenCursor(tokenize(sql, 50741).tokens);
  if (!cursor.acceptKeyword("SHOW")) return undefined;
  const statement = parseShow(cursor);
  return statement && answerShow(statement, context);
}

function rows(sql: string, context = tlsContext()) {
  const answer = show(sql, context);
  if (answer?.kind !== "resultset") throw new Error(`expected a resultset for ${sql}`);
  return answer.rows;
}

describe("SHOW STATUS / SHOW VARIABLES", () => {
  it("answers with two string columns Variable_name and Value", () => {
    expect(show("SHOW STATUS LIKE 'Ssl_cipher'")).toEqual({
      kind: "resultset",
      columns: [
        { name: "Variable_name", type: "string" },
        { name: "Value", type: "string" },
      ],
      rows: [["Ssl_cipher", "ECDHE-RSA-AES128-GCM-SHA256"]],
    });
  });

  it("answers SHOW STATUS LIKE 'Ssl_version' with the negotiated version", () => {
    expect(rows("SHOW STATUS LIKE 'Ssl_version'")).toEqual([["Ssl_version", "TLSv1.2"]]);
  });

  it("answers Ssl_version with an empty string on a plaintext connection", () => {
    expect(rows("SHOW SESSION STATUS LIKE 'Ssl_version'", plaintextContext())).toEqual([["Ssl_version", ""]]);
  });

  it("treats SESSION and LOCAL alike and lists session-only status only for them", () => {
    expect(rows("SHOW LOCAL STATUS LIKE 'Compression'")).toEqual([["Compression", "OFF"]]);
    expect(rows("SHOW SESSION STATUS LIKE 'Compression'")).toEqual([["Compression", "OFF"]]);
    expect(rows("SHOW GLOBAL STATUS LIKE 'Compression'")).toEqual([]);
    expect(rows("SHOW GLOBAL STATUS LIKE 'Ssl_cipher'")).toHaveLength(1);
  });

  it("lists global-only variables in SHOW SESSION VARIABLES and session-only ones only there", () => {
    expect(rows("SHOW SESSION VARIABLES LIKE 'have_ssl'")).toEqual([["have_ssl", "YES"]]);
    expect(rows("SHOW VARIABLES LIKE 'warning_count'")).toEqual([["warning_count", "0"]]);
    expect(rows("SHOW GLOBAL VARIABLES LIKE 'warning_count'")).toEqual([]);
  });

  it("filters SHOW STATUS with WHERE Variable_name = …", () => {
    expect(rows("SHOW STATUS WHERE Variable_name = 'Ssl_cipher'")).toEqual([
      ["Ssl_cipher", "ECDHE-RSA-AES128-GCM-SHA256"],
    ]);
  });

  it("lists the whole table without a filter", () => {
    expect(rows("SHOW VARIABLES").length).toBeGreaterThan(100);
    expect(rows("SHOW GLOBAL STATUS").length).toBeGreaterThan(30);
  });

  it("leaves other SHOW statements and trailing text unparsed", () => {
    for (const sql of [
      "SHOW WARNINGS",
      "SHOW FULL PROCESSLIST",
      "SHOW STATUS LIKE 'x' LIMIT 1",
      "SHOW GLOBAL",
      "SHOW",
    ]) {
      expect(show(sql)).toBeUndefined();
    }
  });
});
