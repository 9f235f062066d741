import * as mysql2 from "mysql2/promise";
import { MAX_PARSED_QUERY_LENGTH } from "../../src/sql/answer-query";
import { startMockServer } from "../../src/mock-server";

/**
 * Statements built to stall a naive server, sent by a real client over a real connection: the
 * answers come back, the connection stays usable.
 */
describe("hostile SHOW … LIKE statements from mysql2", () => {
  it("answers a LIKE of tens of thousands of %, then 1064 to a million, and the connection carries on", async () => {
    await using server = await startMockServer({ tls: false });
    const connection = await mysql2.createConnection({
      host: "127.0.0.1",
      port: server.port,
      user: "root",
      password: "root",
    });
    try {
      const run = "%".repeat(MAX_PARSED_QUERY_LENGTH / 4 - 100);
      const [rows] = await connection.query(`SHOW GLOBAL VARIABLES LIKE '${run}have${run}ssl${run}'`);
      expect(rows).toEqual([
        { Variable_name: "have_openssl", Value: "DISABLED" },
        { Variable_name: "have_ssl", Value: "DISABLED" },
      ]);

      const pathological = `SHOW GLOBAL VARIABLES LIKE '${"%".repeat(1_000_000)}x'`;
      await expect(connection.query(pathological)).rejects.toMatchObject({
        errno: 1064,
        sqlState: "42000",
        sqlMessage: `memory exhausted near '${"%".repeat(80)}' at line 1`,
      });

      const [after] = await connection.query("SELECT 1 AS one");
      expect(after).toEqual([{ one: 1 }]);
    } finally {
      await connection.end();
    }
  });
});
