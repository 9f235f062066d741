import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import * as mysqljs from "mysql";
import { startMockProxy } from "../../src/mock-proxy";
import { runMariadbCli } from "../helpers/mariadb-cli";
import { ACCOUNT, useRealMariadb } from "./real-server";

/**
 * `local-infile:PATH` in front of Debian's mariadbd: after a plaintext login the client's first
 * query never reaches the server; the proxy answers it with a LOAD DATA LOCAL request. The record
 * says whether the client sent the file, by length and digest.
 */

const real = useRealMariadb();
const FILE = "/etc/hostname";

const rogue = () =>
  startMockProxy({ upstream: { host: "127.0.0.1", port: real.port }, attack: `local-infile:${FILE}` });

/** Runs queries one after the other on one mysqljs connection; resolves with each one's rows or error. */
function withMysqljs(port: number, queries: string[]): Promise<Array<unknown>> {
  const connection = mysqljs.createConnection({ host: "127.0.0.1", port, ...ACCOUNT });
  const results: unknown[] = [];
  return new Promise((resolve) => {
    const next = (i: number) => {
      if (i === queries.length) {
        connection.end(() => resolve(results));
        return;
      }
      connection.query(queries[i]!, (error, rows) => {
        results.push(error ? error.message : rows);
        next(i + 1);
      });
    };
    next(0);
  });
}

describe("the local-infile attack in front of mariadbd", () => {
  it("mysqljs, which allows LOCAL INFILE by default, sends the file; its next query reaches the real server", async () => {
    await using proxy = await rogue();
    const [first, second] = await withMysqljs(proxy.port, ["SELECT 1", "SELECT @@version AS version"]);
    expect(first).toMatchObject({ affectedRows: 0 });
    expect((second as Array<{ version: string }>)[0]!.version).toMatch(/MariaDB/);
    const [record] = await proxy.settled();
    const contents = readFileSync(FILE);
    expect(record!.localInfile).toMatchObject({
      requested: FILE,
      askedByQuery: false,
      sent: true,
      bytes: contents.length,
      sha256: createHash("sha256").update(contents).digest("hex"),
      complete: true,
      encrypted: false,
    });
    expect(record!.verdict?.kind).toBe("local-infile-sent");
    expect(JSON.stringify(record)).not.toContain(contents.toString("hex"));
  });

  it("the mariadb CLI, which refuses LOCAL INFILE by default, sends an empty packet", async () => {
    await using proxy = await rogue();
    const cli = await runMariadbCli({ port: proxy.port, ...ACCOUNT, flags: ["--skip-ssl"], sql: "SELECT 1" });
    expect(cli.code).not.toBe(0);
    const [record] = await proxy.settled();
    expect(record!.localInfile).toMatchObject({ sent: false, bytes: 0, refused: "empty-packet" });
    expect(record!.verdict?.kind).not.toBe("local-infile-sent");
  });

  it("leaves a client that uses TLS alone: the proxy cannot read its query", async () => {
    await using proxy = await rogue();
    const cli = await runMariadbCli({ port: proxy.port, ...ACCOUNT, flags: ["--ssl"], sql: "SELECT 5" });
    expect(cli.stdout).toBe("5\n5\n");
    const [record] = await proxy.settled();
    expect(record).toMatchObject({ sslRequest: true, localInfile: null });
  });
});
