import type { QueryContext } from "../../src/sql";
import { answerSessionQuery, isMariadbVersion, UserVariables } from "../../src/sql/replica-queries";

const MYSQL: QueryContext = {
  serverVersion: "5.7.41",
  versionComment: "MySQL Community Server (GPL)",
  connectionId: 3,
  user: "root",
  clientHost: "localhost",
  accountHost: "%",
  database: null,
  tls: null,
  tlsOffered: false,
};
const MARIADB: QueryContext = { ...MYSQL, serverVersion: "5.5.5-10.11.19-MariaDB-0+deb12u1" };

/** 2026-12-06T06:00:00.750Z: UNIX_TIMESTAMP() truncates to the second. */
const NOW_MS = 1_796_536_800_750;

function session() {
  return { variables: new UserVariables(), now: () => NOW_MS };
}

describe("the queries a replica sends its source, answered with the session's state", () => {
  it("hands @master_binlog_checksum back as the source's binlog_checksum, CRC32 out of the box", () => {
    const s = session();
    expect(answerSessionQuery("SET @master_binlog_checksum= @@global.binlog_checksum", MYSQL, s)).toEqual({
      kind: "ok",
    });
    expect(answerSessionQuery("SELECT @master_binlog_checksum", MYSQL, s)).toEqual({
      kind: "resultset",
      columns: [{ name: "@master_binlog_checksum", type: "string" }],
      rows: [["CRC32"]],
    });
  });

  it("follows a scenario's binlog_checksum, so the replica and the source agree on NONE too", () => {
    const s = session();
    const none = { ...MYSQL, systemVariables: { binlog_checksum: "NONE" } };
    answerSessionQuery("SET @master_binlog_checksum= @@global.binlog_checksum", none, s);
    expect(answerSessionQuery("SELECT @master_binlog_checksum", none, s)).toMatchObject({ rows: [["NONE"]] });
  });

  it("answers SELECT UNIX_TIMESTAMP() from the server's clock, in whole seconds", () => {
    expect(answerSessionQuery("SELECT UNIX_TIMESTAMP()", MYSQL, session())).toEqual({
      kind: "resultset",
      columns: [{ name: "UNIX_TIMESTAMP()", type: "integer" }],
      rows: [[1_796_536_800]],
    });
  });

  it("keeps what the replica sets, case-insensitively, and reads a variable never set as NULL", () => {
    const s = session();
    answerSessionQuery("SET @master_heartbeat_period= 30000001024", MYSQL, s);
    answerSessionQuery("SET @slave_connect_state='0-1-5', @Mariadb_Slave_Capability:=4", MARIADB, s);
    expect(s.variables.get("master_heartbeat_period")).toBe(30000001024);
    expect(s.variables.get("slave_connect_state")).toBe("0-1-5");
    expect(answerSessionQuery("SELECT @mariadb_slave_capability AS cap, @nothing", MYSQL, s)).toEqual({
      kind: "resultset",
      columns: [
        { name: "cap", type: "integer" },
        { name: "@nothing", type: "null" },
      ],
      rows: [[4, null]],
    });
  });

  it("reads every value of a SET before storing any, as MySQL does", () => {
    const s = session();
    answerSessionQuery("SET @a = 1", MYSQL, s);
    answerSessionQuery("SET @a = 2, @b = @a", MYSQL, s);
    expect([s.variables.get("a"), s.variables.get("b")]).toEqual([2, 1]);
  });

  it("has MariaDB's GTID variables on a MariaDB profile only", () => {
    expect(answerSessionQuery("SELECT @@GLOBAL.gtid_domain_id", MARIADB, session())).toEqual({
      kind: "resultset",
      columns: [{ name: "@@GLOBAL.gtid_domain_id", type: "integer", unsigned: true }],
      rows: [[0]],
    });
    expect(answerSessionQuery("SELECT @@GLOBAL.gtid_domain_id", MYSQL, session())).toEqual({
      kind: "error",
      code: 1193,
      sqlState: "HY000",
      message: "Unknown system variable 'gtid_domain_id'",
    });
    expect(isMariadbVersion(MARIADB.serverVersion)).toBe(true);
    expect(isMariadbVersion(MYSQL.serverVersion)).toBe(false);
  });

  it("refuses to copy an unknown system variable, as a source without it does (1193), and stores nothing", () => {
    const s = session();
    expect(answerSessionQuery("SET @x = @@global.no_such_thing", MYSQL, s)).toMatchObject({
      kind: "error",
      code: 1193,
    });
    expect(s.variables.has("x")).toBe(false);
  });

  it("leaves everything else to the stateless answerer", () => {
    const s = session();
    for (const sql of [
      "SELECT @@version",
      "SELECT 1",
      "SET NAMES utf8",
      "SET @a = 1, autocommit = 1",
      "SET @a = NOW()",
      "SELECT @a FROM t",
      "SHOW VARIABLES LIKE 'SERVER_ID'",
      "SELECT '@",
    ]) {
      expect({ sql, answer: answerSessionQuery(sql, MYSQL, s) }).toEqual({ sql, answer: undefined });
    }
  });
});
