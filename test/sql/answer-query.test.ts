import { answerQuery, type QueryAnswer, type ResultValue } from "../../src/sql";
import { MAX_PARSED_QUERY_LENGTH } from "../../src/sql/answer-query";
import { plaintextContext, tlsContext, tlsDisabledContext } from "./fixtures";

/** The answer's single row keyed by column name, failing the test when it is not a one-row resultset. */
function row(sql: string, context = tlsContext()): Record<string, ResultValue> {
  const answer = answerQuery(sql, context);
  if (answer.kind !== "resultset" || answer.rows.length !== 1) {
    throw new Error(
      `expected one row for ${sql}, got ${JSON.stringify(answer, (_, v) => (typeof v === "bigint" ? `${v}` : v))}`,
    );
  }
  return Object.fromEntries(answer.columns.map((c, i) => [c.name, answer.rows[0]![i]!]));
}

function rows(sql: string, context = tlsContext()): ResultValue[][] {
  const answer = answerQuery(sql, context);
  if (answer.kind !== "resultset") throw new Error(`expected a resultset for ${sql}`);
  return answer.rows;
}

describe("answerQuery: what the mysql CLI sends", () => {
  it("answers select @@version_comment limit 1, sent right after login", () => {
    expect(answerQuery("select @@version_comment limit 1", tlsContext())).toEqual({
      kind: "resultset",
      columns: [{ name: "@@version_comment", type: "string" }],
      rows: [["MySQL Community Server (GPL)"]],
    });
  });

  it("answers the status command's SELECT DATABASE(), USER() limit 1", () => {
    expect(row("SELECT DATABASE(), USER() limit 1", tlsContext({ database: "shop" }))).toEqual({
      "DATABASE()": "shop",
      "USER()": "app@localhost",
    });
  });

  it("answers the status command's character set query", () => {
    expect(
      row(
        "SELECT @@character_set_client, @@character_set_connection, @@character_set_server, @@character_set_database limit 1",
      ),
    ).toEqual({
      "@@character_set_client": "utf8",
      "@@character_set_connection": "utf8",
      "@@character_set_server": "latin1",
      "@@character_set_database": "latin1",
    });
  });
});

describe("answerQuery: what connectors send", () => {
  it("answers Connector/J 8.0's init query behind its comment, naming columns by alias", () => {
    const sql =
      "/* mysql-connector-java-8.0.13 (Revision: 66459e9d39c8fd09767992bc592acd2053279be6) */SELECT  @@session.auto_increment_increment AS auto_increment_increment, @@character_set_client AS character_set_client, @@character_set_connection AS character_set_connection, @@character_set_results AS character_set_results, @@character_set_server AS character_set_server, @@collation_server AS collation_server, @@collation_connection AS collation_connection, @@init_connect AS init_connect, @@interactive_timeout AS interactive_timeout, @@license AS license, @@lower_case_table_names AS lower_case_table_names, @@max_allowed_packet AS max_allowed_packet, @@net_write_timeout AS net_write_timeout, @@performance_schema AS performance_schema, @@query_cache_size AS query_cache_size, @@query_cache_type AS query_cache_type, @@sql_mode AS sql_mode, @@system_time_zone AS system_time_zone, @@time_zone AS time_zone, @@transaction_isolation AS transaction_isolation, @@wait_timeout AS wait_timeout";
    expect(row(sql)).toEqual({
      auto_increment_increment: 1,
      character_set_client: "utf8",
      character_set_connection: "utf8",
      character_set_results: "utf8",
      character_set_server: "latin1",
      collation_server: "latin1_swedish_ci",
      collation_connection: "utf8_general_ci",
      init_connect: "",
      interactive_timeout: 28800,
      license: "GPL",
      lower_case_table_names: 0,
      max_allowed_packet: 4194304,
      net_write_timeout: 60,
      performance_schema: 1,
      query_cache_size: 1048576,
      query_cache_type: "OFF",
      sql_mode:
        "ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION",
      system_time_zone: "UTC",
      time_zone: "SYSTEM",
      transaction_isolation: "REPEATABLE-READ",
      wait_timeout: 28800,
    });
  });

  it("answers Connector/J 5.1's variant with @@tx_isolation, @@net_buffer_length and @@have_query_cache", () => {
    const sql =
      "/* mysql-connector-java-5.1.45 ( Revision: 9131eefa398531c7dc98776e8a3fe839e544c5b2 ) */SELECT  @@session.auto_increment_increment AS auto_increment_increment, @@net_buffer_length AS net_buffer_length, @@have_query_cache AS have_query_cache, @@tx_isolation AS tx_isolation, @@wait_timeout AS wait_timeout";
    expect(row(sql)).toEqual({
      auto_increment_increment: 1,
      net_buffer_length: 16384,
      have_query_cache: "YES",
      tx_isolation: "REPEATABLE-READ",
      wait_timeout: 28800,
    });
  });

  it("answers Connector/J's follow-ups SELECT @@session.autocommit and SET character_set_results = NULL", () => {
    expect(row("SELECT @@session.autocommit")).toEqual({ "@@session.autocommit": 1 });
    expect(answerQuery("SET character_set_results = NULL", tlsContext())).toEqual({ kind: "ok" });
  });

  it("answers SELECT @@max_allowed_packet (go-sql-driver) as an unsigned integer", () => {
    expect(answerQuery("SELECT @@max_allowed_packet", tlsContext())).toEqual({
      kind: "resultset",
      columns: [{ name: "@@max_allowed_packet", type: "integer", unsigned: true }],
      rows: [[4194304]],
    });
  });

  it("answers SELECT @@tx_isolation", () => {
    expect(row("SELECT @@tx_isolation")).toEqual({ "@@tx_isolation": "REPEATABLE-READ" });
  });

  it("answers the mariadb connector's time zone and version probes with bare and AS aliases", () => {
    expect(row("SELECT @@system_time_zone stz, @@time_zone tz")).toEqual({ stz: "UTC", tz: "SYSTEM" });
    expect(row("SELECT @@VERSION AS v")).toEqual({ v: "5.7.41" });
  });

  it("answers SET NAMES, SET autocommit and SET SESSION with OK", () => {
    for (const sql of [
      "SET NAMES utf8mb4",
      "SET NAMES 'utf8mb4' COLLATE 'utf8mb4_general_ci'",
      "set autocommit=1",
      "SET SESSION sql_mode = ''",
      "SET @@session.time_zone = '+00:00'",
      "/*!40101 SET NAMES utf8 */;",
    ]) {
      expect(answerQuery(sql, tlsContext())).toEqual({ kind: "ok" });
    }
  });

  it("answers USE with OK naming the database, backticks removed", () => {
    expect(answerQuery("USE shop", tlsContext())).toEqual({ kind: "ok", database: "shop" });
    expect(answerQuery("use `my shop`;", tlsContext())).toEqual({ kind: "ok", database: "my shop" });
    expect(answerQuery("USE", tlsContext())).toEqual({ kind: "unhandled" });
    expect(answerQuery("USE a b", tlsContext())).toEqual({ kind: "unhandled" });
  });
});

describe("answerQuery: TLS status and variables", () => {
  it("answers SHOW SESSION STATUS LIKE 'Ssl_cipher' with the negotiated cipher", () => {
    expect(rows("SHOW SESSION STATUS LIKE 'Ssl_cipher'")).toEqual([
      ["Ssl_cipher", "ECDHE-RSA-AES128-GCM-SHA256"],
    ]);
  });

  it("answers SHOW SESSION STATUS LIKE 'Ssl_cipher' with an empty string on a plaintext connection", () => {
    expect(rows("SHOW SESSION STATUS LIKE 'Ssl_cipher'", plaintextContext())).toEqual([["Ssl_cipher", ""]]);
  });

  it("answers SHOW STATUS LIKE 'Ssl_version' with the negotiated version", () => {
    expect(rows("SHOW STATUS LIKE 'Ssl_version'")).toEqual([["Ssl_version", "TLSv1.2"]]);
  });

  it("answers Ssl_version with an empty string on a plaintext connection", () => {
    expect(rows("SHOW STATUS LIKE 'Ssl_version'", plaintextContext())).toEqual([["Ssl_version", ""]]);
  });

  it("answers SHOW STATUS LIKE 'Ssl_%' with every Ssl_ variable in MySQL's order", () => {
    const names = rows("SHOW STATUS LIKE 'Ssl_%'").map(([name]) => name);
    expect(names).toEqual([
      "Ssl_accept_renegotiates",
      "Ssl_accepts",
      "Ssl_callback_cache_hits",
      "Ssl_cipher",
      "Ssl_cipher_list",
      "Ssl_client_connects",
      "Ssl_connect_renegotiates",
      "Ssl_ctx_verify_depth",
      "Ssl_ctx_verify_mode",
      "Ssl_default_timeout",
      "Ssl_finished_accepts",
      "Ssl_finished_connects",
      "Ssl_server_not_after",
      "Ssl_server_not_before",
      "Ssl_session_cache_hits",
      "Ssl_session_cache_misses",
      "Ssl_session_cache_mode",
      "Ssl_session_cache_overflows",
      "Ssl_session_cache_size",
      "Ssl_session_cache_timeouts",
      "Ssl_sessions_reused",
      "Ssl_used_session_cache_entries",
      "Ssl_verify_depth",
      "Ssl_verify_mode",
      "Ssl_version",
    ]);
  });

  it("answers Ssl_server_not_after in ASN1_TIME_print format", () => {
    expect(rows("SHOW STATUS LIKE 'Ssl_server_not_after'")).toEqual([
      ["Ssl_server_not_after", "Feb  9 23:12:30 2031 GMT"],
    ]);
  });

  it("answers SHOW VARIABLES LIKE 'have_ssl' with YES when TLS is offered", () => {
    expect(rows("SHOW VARIABLES LIKE 'have_ssl'")).toEqual([["have_ssl", "YES"]]);
  });

  it("answers SHOW VARIABLES LIKE 'have_ssl' with DISABLED when TLS is not offered", () => {
    expect(rows("SHOW VARIABLES LIKE 'have_ssl'", tlsDisabledContext())).toEqual([["have_ssl", "DISABLED"]]);
  });

  it("answers SHOW VARIABLES LIKE '%ssl%' with the TLS variables sorted by name", () => {
    expect(rows("SHOW VARIABLES LIKE '%ssl%'")).toEqual([
      ["have_openssl", "YES"],
      ["have_ssl", "YES"],
      ["ssl_ca", "ca.pem"],
      ["ssl_capath", ""],
      ["ssl_cert", "server-cert.pem"],
      ["ssl_cipher", ""],
      ["ssl_crl", ""],
      ["ssl_crlpath", ""],
      ["ssl_key", "server-key.pem"],
    ]);
  });

  it("answers SHOW VARIABLES LIKE 'have\\_ssl' with the escape honoured", () => {
    expect(rows(String.raw`SHOW VARIABLES LIKE 'have\_ssl'`)).toEqual([["have_ssl", "YES"]]);
  });

  it("reflects context.systemVariables in SELECT and SHOW alike", () => {
    const context = tlsContext({
      systemVariables: { tls_version: "TLSv1.2", require_secure_transport: "ON" },
    });
    expect(row("SELECT @@tls_version, @@require_secure_transport", context)).toEqual({
      "@@tls_version": "TLSv1.2",
      "@@require_secure_transport": 1,
    });
    expect(rows("SHOW GLOBAL VARIABLES LIKE 'require_secure_transport'", context)).toEqual([
      ["require_secure_transport", "ON"],
    ]);
  });
});

describe("answerQuery: everything else", () => {
  it("tolerates surrounding whitespace, comments and one trailing semicolon", () => {
    expect(row("  -- hello\n  SELECT 1 ; # bye")).toEqual({ "1": 1 });
    expect(row("\n\tselect /* inline */ @@version;\n")).toEqual({ "@@version": "5.7.41" });
  });

  it("answers a query of only comments with MySQL's 'Query was empty'", () => {
    for (const sql of ["", "   ", "/* nothing */", "-- nothing", ";"]) {
      expect(answerQuery(sql, tlsContext())).toEqual({
        kind: "error",
        code: 1065,
        sqlState: "42000",
        message: "Query was empty",
      });
    }
  });

  it("leaves a second statement, an unterminated literal and other statements unhandled", () => {
    for (const sql of [
      "SELECT 1; SELECT 2",
      "SET NAMES utf8; DROP TABLE t",
      "SELECT 'oops",
      "SELECT * FROM users",
      "INSERT INTO t VALUES (1)",
      "SHOW WARNINGS",
      "SHOW DATABASES",
      "BEGIN",
      "COMMIT",
      "SELECT NOW()",
    ]) {
      expect(answerQuery(sql, tlsContext())).toEqual({ kind: "unhandled" });
    }
  });

  it("answers an unknown system variable with error 1193", () => {
    expect(answerQuery("SELECT @@no_such_thing", tlsContext())).toEqual({
      kind: "error",
      code: 1193,
      sqlState: "HY000",
      message: "Unknown system variable 'no_such_thing'",
    });
  });
});

describe("answerQuery: hostile LIKE patterns and statements too long to parse", () => {
  /** `sql` padded with spaces after its keyword to exactly `length` characters. */
  function padded(keyword: string, rest: string, length: number): string {
    return `${keyword}${" ".repeat(length - keyword.length - rest.length)}${rest}`;
  }

  it("answers a LIKE of tens of thousands of % with the rows of the one-% pattern", () => {
    const run = "%".repeat(MAX_PARSED_QUERY_LENGTH / 2 - 100);
    expect(rows(`SHOW GLOBAL VARIABLES LIKE '${run}ssl${run}'`)).toEqual(
      rows("SHOW GLOBAL VARIABLES LIKE '%ssl%'"),
    );
    expect(rows(`SHOW GLOBAL VARIABLES LIKE '${run}x'`)).toEqual([]);
  });

  it("parses a statement of exactly the cap and answers a longer SELECT or SHOW with 1064 'memory exhausted'", () => {
    expect(rows(padded("SELECT", "1", MAX_PARSED_QUERY_LENGTH))).toEqual([[1]]);
    const show = `SHOW GLOBAL VARIABLES LIKE '${"%".repeat(1_000_000)}x'`;
    expect(answerQuery(show, tlsContext())).toEqual({
      kind: "error",
      code: 1064,
      sqlState: "42000",
      message: `memory exhausted near '${"%".repeat(80)}' at line 1`,
    });
    const select = `SELECT\n1,\n${"1,".repeat(MAX_PARSED_QUERY_LENGTH)}1`;
    expect(answerQuery(select, tlsContext())).toMatchObject({
      code: 1064,
      message: expect.stringMatching(/^memory exhausted near '(1,){40}' at line 3$/),
    });
    expect(
      answerQuery(padded("/* hi */ show", "status", MAX_PARSED_QUERY_LENGTH + 1), tlsContext()),
    ).toMatchObject({
      code: 1064,
    });
  });

  it("still answers a long SET with OK and leaves other long statements to the server's default", () => {
    const big = "x".repeat(4 * MAX_PARSED_QUERY_LENGTH);
    expect(answerQuery(`SET @blob = '${big}'`, tlsContext())).toEqual({ kind: "ok" });
    expect(answerQuery(`INSERT INTO t VALUES ('${big}')`, tlsContext())).toEqual({ kind: "unhandled" });
    expect(answerQuery(`/* ${big} */ SELECT 1`, tlsContext())).toEqual({ kind: "unhandled" });
  });

  it("answers WHERE … LIKE … ESCAPE with the escape honoured, and a longer ESCAPE with error 1210", () => {
    expect(rows("SHOW VARIABLES WHERE Variable_name LIKE 'have|_ss_' ESCAPE '|'")).toEqual([
      ["have_ssl", "YES"],
    ]);
    expect(answerQuery("SHOW VARIABLES WHERE Variable_name LIKE 'x' ESCAPE '||'", tlsContext())).toEqual({
      kind: "error",
      code: 1210,
      sqlState: "HY000",
      message: "Incorrect arguments to ESCAPE",
    });
    // SHOW's own LIKE takes a bare string in MySQL's grammar: ESCAPE there is not this module's to answer.
    expect(answerQuery("SHOW VARIABLES LIKE 'have|_ssl' ESCAPE '|'", tlsContext())).toEqual({
      kind: "unhandled",
    });
  });
});

describe("answerQuery never throws", () => {
  // A fixed seed keeps any failure reproducible.
  function random(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
  }

  const seeds = [
    "select @@version_comment limit 1",
    "SELECT DATABASE(), USER() limit 1",
    "/* mysql-connector-java-8.0 */SELECT  @@session.auto_increment_increment AS auto_increment_increment, @@tx_isolation AS tx_isolation",
    "SHOW SESSION STATUS LIKE 'Ssl_cipher'",
    "SHOW VARIABLES WHERE Variable_name = 'have_ssl' OR (Value LIKE '%x%' AND NOT Variable_name IN ('a', 'b'))",
    "SHOW STATUS LIKE 'Ssl\\_%'",
    "SET NAMES utf8mb4",
    "USE `db`",
    "SELECT 'a''b' \"c\\\"d\" `e`, -1.5, 18446744073709551616 FROM DUAL LIMIT 1, 2",
    "/*!40101 SET x = 1 */; -- c\n# d",
  ];
  const alphabet = "SELECTFROMLIKEWHERESHOW@@.,;()'\"`\\/*-#!%_ \n\t0123456789abcz=<>&|é😀\u0000";
  const contexts = [
    tlsContext(),
    plaintextContext(),
    tlsDisabledContext({ systemVariables: { x: null, y: "ON" } }),
  ];

  /** Feeds `sql` to every context; returns what went wrong (an escaped exception or a malformed answer). */
  function problems(sql: string): string[] {
    const found: string[] = [];
    for (const context of contexts) {
      try {
        const answer: QueryAnswer = answerQuery(sql, context);
        if (!["resultset", "ok", "error", "unhandled"].includes(answer.kind))
          found.push(`${JSON.stringify(sql)}: kind`);
        if (answer.kind === "resultset" && answer.rows.some((r) => r.length !== answer.columns.length)) {
          found.push(`${JSON.stringify(sql)}: row width`);
        }
      } catch (error) {
        found.push(`${JSON.stringify(sql)} threw ${String(error)}`);
      }
    }
    return found;
  }

  it("on random strings", () => {
    const next = random(1);
    const pick = () => alphabet[Math.floor(next() * alphabet.length)] ?? "";
    const found: string[] = [];
    for (let n = 0; n < 5000; n++)
      found.push(...problems(Array.from({ length: Math.floor(next() * 60) }, pick).join("")));
    expect(found).toEqual([]);
  });

  it("on random mutations of the supported queries", () => {
    const next = random(2);
    const found: string[] = [];
    for (let n = 0; n < 10000; n++) {
      let sql = seeds[n % seeds.length]!;
      const edits = 1 + Math.floor(next() * 4);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(next() * (sql.length + 1));
        const op = next();
        if (op < 0.33) sql = sql.slice(0, at) + sql.slice(at + 1);
        else if (op < 0.66)
          sql = sql.slice(0, at) + (alphabet[Math.floor(next() * alphabet.length)] ?? "") + sql.slice(at);
        else sql = sql.slice(0, at);
      }
      found.push(...problems(sql));
    }
    expect(found).toEqual([]);
  });

  it("on every prefix of the supported queries", () => {
    const found = seeds.flatMap((seed) =>
      Array.from({ length: seed.length + 1 }, (_, i) => problems(seed.slice(0, i))).flat(),
    );
    expect(found).toEqual([]);
  });
});
