import { parseShowFilter, type ShowRow } from "../../src/sql/show-filter";
import { TokenCursor } from "../../src/sql/token-cursor";
import { tokenize } from "../../src/sql/tokenizer";

const rows: ShowRow[] = [
  { name: "have_ssl", value: "YES" },
  { name: "language", value: "/usr/share/mysql/" },
  { name: "net_write_timeout", value: "60" },
  { name: "tls_version", value: "TLSv1,TLSv1.1,TLSv1.2" },
];

/** Names of the rows a clause keeps, or undefined when it does not parse completely. */
function select(clause: string): string[] | undefined {
  const cursor = new TokenCursor(tokenize(clause, 50741).tokens);
  const filter = parseShowFilter(cursor);
  if (!filter || !cursor.atEnd()) return undefined;
  return rows.filter(filter).map((r) => r.name);
}

describe("parseShowFilter", () => {
  it("keeps every row when there is no clause", () => {
    expect(select("")).toHaveLength(rows.length);
  });

  it("filters names with LIKE", () => {
    expect(select("LIKE '%ssl%'")).toEqual(["have_ssl"]);
    expect(select("like 'HAVE_SSL'")).toEqual(["have_ssl"]);
  });

  it("accepts Connector/J 5.1's chain of Variable_name = … OR …", () => {
    expect(
      select("WHERE Variable_name ='language' OR Variable_name = 'net_write_timeout' OR Variable_name = 'x'"),
    ).toEqual(["language", "net_write_timeout"]);
  });

  it("compares with =, case-insensitively and ignoring trailing spaces", () => {
    expect(select("WHERE `Variable_name` = 'HAVE_SSL  '")).toEqual(["have_ssl"]);
  });

  it("filters on Value as well as Variable_name", () => {
    expect(select("WHERE Value = 'yes'")).toEqual(["have_ssl"]);
    expect(select("WHERE value = 60")).toEqual(["net_write_timeout"]);
  });

  it("supports <>, NOT LIKE, IN, NOT IN, AND, NOT and parentheses", () => {
    expect(select("WHERE Variable_name <> 'have_ssl' AND Variable_name != 'language'")).toEqual([
      "net_write_timeout",
      "tls_version",
    ]);
    expect(select(String.raw`WHERE Variable_name NOT LIKE '%\_%'`)).toEqual(["language"]);
    expect(select("WHERE Variable_name IN ('have_ssl', 'TLS_VERSION')")).toEqual(["have_ssl", "tls_version"]);
    expect(select("WHERE Variable_name NOT IN ('have_ssl')")).toHaveLength(3);
    expect(select("WHERE NOT (Variable_name LIKE 'have%' OR Value LIKE 'TLS%') && Value <> '60'")).toEqual([
      "language",
    ]);
    expect(select("WHERE Variable_name = 'have_ssl' || Variable_name = 'language'")).toEqual([
      "have_ssl",
      "language",
    ]);
  });

  it("rejects other columns, operators and malformed clauses", () => {
    for (const clause of [
      "WHERE Other = 'x'",
      "WHERE Variable_name > 'a'",
      "WHERE Variable_name = ",
      "WHERE (Variable_name = 'a'",
      "WHERE Variable_name IN ()",
      "LIKE have_ssl",
      "LIMIT 1",
      "WHERE",
    ]) {
      expect(select(clause)).toBeUndefined();
    }
  });

  it("gives up on absurdly deep nesting instead of overflowing the stack", () => {
    expect(select(`WHERE ${"(".repeat(10000)}Value = 'x'${")".repeat(10000)}`)).toBeUndefined();
    expect(select(`WHERE ${"NOT ".repeat(10000)}Value = 'x'`)).toBeUndefined();
  });
});
