import { createHash, randomBytes } from "node:crypto";
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as mysql2 from "mysql2/promise";
import { encodePacket } from "../../src/protocol/framing";
import type { ConnectionRecord } from "../../src/record/connection-record";
import { findingsOf, SSL_MODES } from "../../src/record/findings";
import { type MockServer, startMockServer } from "../../src/mock-server";
import { Bytes } from "../helpers/bytes";
import { LoginClient } from "../helpers/login-client";
import { runMariadbCli } from "../helpers/mariadb-cli";
import { runProcess } from "../helpers/processes";

/**
 * A rogue server's LOAD DATA LOCAL request (the `localInfileRequest` option, the
 * `rogue-local-infile` scenario): the first query is answered with 0xFB and a file name; what the
 * client sends is recorded by length and SHA-256, never by content, and judged.
 */

const MARKER = `local-infile-marker-${randomBytes(8).toString("hex")}`;
const CONTENTS = `${MARKER},first row\nsecond,row\n`;
const DIGEST = createHash("sha256").update(CONTENTS).digest("hex");
const BYTES = Buffer.byteLength(CONTENTS);
/** What MySQL answers a LOAD DATA that loaded nothing (ER_LOAD_INFO). */
const LOAD_INFO = "Records: 0  Deleted: 0  Skipped: 0  Warnings: 0";

let dir: string;
let file: string;
let eventsFile: string;
let server: MockServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-infile-"));
  file = join(dir, "secret.csv");
  eventsFile = join(dir, "events.jsonl");
  writeFileSync(file, CONTENTS);
  server = await startMockServer({ localInfileRequest: { path: file }, eventsFile });
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The record of the one connection `run` makes, once it is final. */
async function recordOf(run: () => Promise<unknown>): Promise<{ record: ConnectionRecord; result: unknown }> {
  const before = server.connections.length;
  const result = await run();
  await server.waitForConnection(before + 1);
  const records = await server.settled();
  return { record: records[records.length - 1]!, result };
}

/** The file's contents appear nowhere: not as text, hex or base64, in the record or the events file. */
function expectNoContents(record: ConnectionRecord): void {
  const forms = [MARKER, Buffer.from(MARKER).toString("hex"), Buffer.from(CONTENTS).toString("base64")];
  const written = [JSON.stringify(record), readFileSync(eventsFile, "utf8")];
  for (const text of written) for (const form of forms) expect(text).not.toContain(form);
}

const SENT = {
  requested: expect.any(String),
  askedByQuery: false,
  sent: true,
  bytes: BYTES,
  sha256: DIGEST,
  refused: null,
  complete: true,
};

function hasFileFinding(record: ConnectionRecord): boolean {
  return record.verdict!.findings.some((f) => f.kind === "local-infile-sent");
}

const COM_QUERY = 0x03;
const query = (sql: string) => new Bytes().int1(COM_QUERY).string(sql).build();
const EMPTY = Buffer.alloc(0);

/** Logs in over plaintext and sends `sql` as the connection's first query; resolves with the server's answer. */
async function firstQuery(
  sql: string,
): Promise<{ client: LoginClient; answer: { sequenceId: number; payload: Buffer } }> {
  const client = await LoginClient.connect(server.port);
  await client.readGreeting();
  await client.login("root", "root");
  client.write(encodePacket(query(sql), 0));
  return { client, answer: await client.read() };
}

describe("the server's side of the exchange, byte for byte", () => {
  it("answers the first query with 0xFB and the file name, reads the contents to the empty packet, answers OK, then answers later queries normally", async () => {
    const { record } = await recordOf(async () => {
      const { client, answer } = await firstQuery("SELECT 1");
      expect(answer.sequenceId).toBe(1);
      expect(answer.payload).toEqual(new Bytes().int1(0xfb).string(file).build());
      // The contents in two packets of any size, numbered on from the request, then the empty one.
      client.write(encodePacket(Buffer.from(CONTENTS.slice(0, 10)), 2));
      client.write(encodePacket(Buffer.from(CONTENTS.slice(10)), 3));
      client.write(encodePacket(EMPTY, 4));
      const ok = await client.read();
      expect(ok.sequenceId).toBe(5);
      expect(ok.payload).toEqual(
        new Bytes().int1(0x00).int1(0).int1(0).int2(0x0002).int2(0).lenencString(LOAD_INFO).build(),
      );
      // The next command starts a new exchange at 0 and gets its ordinary result.
      client.write(encodePacket(query("SELECT 1"), 0));
      const columnCount = await client.read();
      expect({ sequenceId: columnCount.sequenceId, payload: columnCount.payload }).toEqual({
        sequenceId: 1,
        payload: Buffer.from([0x01]),
      });
      client.quit();
      await client.closed;
    });
    expect(record.localInfile).toEqual({ ...SENT, requested: file, encrypted: false });
    expect(record.commands).toEqual([
      { command: "COM_QUERY", query: "SELECT 1" },
      { command: "COM_QUERY", query: "SELECT 1" },
      { command: "COM_QUIT" },
    ]);
    const trail = record.packets
      .filter((p) => p.phase === "command")
      .slice(0, 5)
      .map((p) => ({ type: p.type, seq: p.sequenceId, length: p.length, shown: p.payloadHex !== undefined }));
    expect(trail).toEqual([
      { type: "COM_QUERY", seq: 0, length: 9, shown: true },
      { type: "LocalInfileRequest", seq: 1, length: 1 + Buffer.byteLength(file), shown: true },
      { type: "LocalInfileData", seq: 2, length: 10, shown: false },
      { type: "LocalInfileData", seq: 3, length: BYTES - 10, shown: false },
      { type: "LocalInfileEnd", seq: 4, length: 0, shown: false },
    ]);
    expect(
      record.packets.filter((p) => p.type.startsWith("LocalInfile") && p.direction === "client"),
    ).toEqual(expect.arrayContaining([expect.objectContaining({ redacted: true })]));
    expect(record.outcome).toEqual({ kind: "authenticated", ended: "quit" });
    expect(record.verdict).toMatchObject({ kind: "local-infile-sent", severity: "critical" });
    expect(record.verdict!.summary).toContain(`${BYTES} bytes in plaintext (SHA-256 ${DIGEST})`);
    expectNoContents(record);
  });

  it("records a client that answers with the empty packet at once as refused, with no finding", async () => {
    const { record } = await recordOf(async () => {
      const { client } = await firstQuery("SELECT 1");
      client.write(encodePacket(EMPTY, 2));
      const ok = await client.read();
      expect({ sequenceId: ok.sequenceId, marker: ok.payload[0] }).toEqual({ sequenceId: 3, marker: 0x00 });
      client.quit();
      await client.closed;
    });
    expect(record.localInfile).toMatchObject({
      sent: false,
      bytes: 0,
      sha256: null,
      refused: "empty-packet",
    });
    expect(hasFileFinding(record)).toBe(false);
    expect(record.verdict!.kind).not.toBe("local-infile-sent");
  });

  it("does not count a file the client's own LOAD DATA LOCAL INFILE asked for", async () => {
    const { record } = await recordOf(async () => {
      const { client } = await firstQuery(`LOAD DATA LOCAL INFILE '${file}' INTO TABLE t`);
      client.write(encodePacket(Buffer.from(CONTENTS), 2));
      client.write(encodePacket(EMPTY, 3));
      await client.read();
      client.quit();
      await client.closed;
    });
    expect(record.localInfile).toMatchObject({ askedByQuery: true, sent: true, bytes: BYTES });
    expect(hasFileFinding(record)).toBe(false);
  });

  it("counts a file sent to a LOAD DATA LOCAL INFILE that named another file", async () => {
    const { record } = await recordOf(async () => {
      const { client } = await firstQuery("LOAD DATA LOCAL INFILE 'data.csv' INTO TABLE t");
      client.write(encodePacket(Buffer.from(CONTENTS), 2));
      client.write(encodePacket(EMPTY, 3));
      await client.read();
      client.quit();
      await client.closed;
    });
    expect(record.localInfile).toMatchObject({ askedByQuery: false, sent: true });
    expect(hasFileFinding(record)).toBe(true);
  });

  it("keeps what a client sent before it closed mid-file, marked incomplete", async () => {
    const { record } = await recordOf(async () => {
      const { client } = await firstQuery("SELECT 1");
      client.write(encodePacket(Buffer.from(CONTENTS), 2));
      client.destroy();
      await client.closed;
    });
    expect(record.localInfile).toMatchObject({
      sent: true,
      bytes: BYTES,
      sha256: DIGEST,
      complete: false,
      refused: null,
    });
    expect(hasFileFinding(record)).toBe(true);
    expectNoContents(record);
  });

  it("records a client that sends a new command instead of an answer as not answering (packets out of order)", async () => {
    const { record } = await recordOf(async () => {
      const { client } = await firstQuery("SELECT 1");
      client.quit();
      await client.closed;
    });
    expect(record.localInfile).toMatchObject({ sent: false, refused: "no-answer", complete: false });
    expect(record.outcome).toMatchObject({ kind: "authenticated", ended: "error" });
    expect(hasFileFinding(record)).toBe(false);
  });
});

describe("the finding", () => {
  it("is critical in every ssl-mode: TLS hides the file from the path, not from the server that asked", async () => {
    const { record } = await recordOf(async () => {
      const { client } = await firstQuery("SELECT 1");
      client.write(encodePacket(Buffer.from(CONTENTS), 2));
      client.write(encodePacket(EMPTY, 3));
      await client.read();
      client.quit();
      await client.closed;
    });
    const severities = SSL_MODES.map(
      (mode) => findingsOf(record, mode).find((f) => f.kind === "local-infile-sent")?.severity,
    );
    expect(severities).toEqual(SSL_MODES.map(() => "critical"));
  });
});

describe("real clients", () => {
  const cli = (flags: string[]) => () =>
    runMariadbCli({ port: server.port, sql: "SELECT 1; SELECT 2", flags });

  it("the mariadb CLI (libmariadb) refuses by default: an empty packet, and 'Load data local infile forbidden'", async () => {
    const { record, result } = await recordOf(cli([]));
    expect((result as { stderr: string }).stderr).toContain(
      "ERROR 2000 (HY000) at line 1: Load data local infile forbidden",
    );
    expect(record.localInfile).toMatchObject({ sent: false, refused: "empty-packet", encrypted: true });
    expect(hasFileFinding(record)).toBe(false);
  });

  it("the mariadb CLI with --local-infile=1 sends the file inside TLS, and its query reports success", async () => {
    const { record, result } = await recordOf(cli(["--local-infile=1"]));
    expect((result as { code: number }).code).toBe(0);
    expect(record.localInfile).toEqual({ ...SENT, requested: file, encrypted: true });
    expect(record.verdict).toMatchObject({ kind: "local-infile-sent", severity: "critical" });
    // Later queries are answered as usual.
    expect(record.commands.map((c) => c.query ?? c.command)).toEqual(["SELECT 1", "SELECT 2", "COM_QUIT"]);
    expectNoContents(record);
  });

  async function mysql2Run(options: mysql2.ConnectionOptions): Promise<string[]> {
    const connection = await mysql2.createConnection({
      host: "127.0.0.1",
      port: server.port,
      user: "root",
      password: "root",
      ...options,
    });
    const seen: string[] = [];
    for (const sql of ["SELECT 1", "SELECT 2"]) {
      try {
        const [rows] = await connection.query(sql);
        seen.push(JSON.stringify(rows));
      } catch (error) {
        seen.push(String(error));
      }
    }
    await connection.end();
    return seen;
  }

  it("mysql2 without infileStreamFactory sends an empty packet and fails the query", async () => {
    const { record, result } = await recordOf(() => mysql2Run({}));
    expect(result).toEqual([expect.stringContaining("you must provide streamFactory"), '[{"2":2}]']);
    expect(record.localInfile).toMatchObject({ sent: false, refused: "empty-packet" });
    expect(hasFileFinding(record)).toBe(false);
  });

  it("mysql2 with an infileStreamFactory opens whatever the server names and sends it", async () => {
    const opened: string[] = [];
    const { record, result } = await recordOf(() =>
      mysql2Run({
        infileStreamFactory: (path: string) => {
          opened.push(path);
          return createReadStream(path);
        },
      }),
    );
    expect(opened).toEqual([file]);
    expect((result as string[])[0]).toContain(LOAD_INFO);
    expect(record.localInfile).toEqual({ ...SENT, requested: file, encrypted: false });
    expect(hasFileFinding(record)).toBe(true);
    expectNoContents(record);
  });

  /** PyMySQL 1.0.2; autocommit=None, or its own `SET AUTOCOMMIT` (read as a bare OK) gets the request. */
  const pymysql = (localInfile: boolean) => () =>
    runProcess("/usr/bin/python3", [
      "-c",
      [
        "import pymysql",
        `c = pymysql.connect(host="127.0.0.1", port=${server.port}, user="root", password="root", autocommit=None, local_infile=${localInfile ? "True" : "False"})`,
        "cur = c.cursor()",
        "try:",
        "    cur.execute('SELECT 1'); print('ok', cur.fetchall())",
        "except Exception as e:",
        "    print('error', repr(e))",
        "c.close()",
      ].join("\n"),
    ]);

  it("PyMySQL with local_infile=True sends the file", async () => {
    const { record, result } = await recordOf(pymysql(true));
    expect((result as { stdout: string }).stdout).toMatch(/^ok /);
    expect(record.localInfile).toEqual({ ...SENT, requested: file, encrypted: false });
    expect(hasFileFinding(record)).toBe(true);
    expectNoContents(record);
  });

  it("PyMySQL without local_infile raises before answering and never sends the file", async () => {
    const { record, result } = await recordOf(pymysql(false));
    expect((result as { stdout: string }).stdout).toContain("local_infile option is false");
    expect(record.localInfile).toMatchObject({ sent: false, refused: "no-answer" });
    expect(hasFileFinding(record)).toBe(false);
  });

  /** PHP's mysqli (mysqlnd): `mysqli.allow_local_infile` in php.ini, and MYSQLI_OPT_LOCAL_INFILE per connection. */
  const php = (allow: boolean) => () =>
    runProcess("php", [
      "-d",
      `mysqli.allow_local_infile=${allow ? 1 : 0}`,
      "-r",
      `mysqli_report(MYSQLI_REPORT_OFF);
       $db = mysqli_init();
       ${allow ? "$db->options(MYSQLI_OPT_LOCAL_INFILE, true);" : ""}
       $db->real_connect("127.0.0.1", "root", "root", "", ${server.port});
       $r = $db->query("SELECT 1");
       echo $r === false ? "error {$db->errno} {$db->error}" : "ok", "\\n";
       $db->close();`,
    ]);

  it("PHP mysqli refuses by default with 2068, after an empty packet", async () => {
    const { record, result } = await recordOf(php(false));
    expect((result as { stdout: string }).stdout).toMatch(/^error 2068 LOAD DATA LOCAL INFILE is forbidden/);
    expect(record.localInfile).toMatchObject({ sent: false, refused: "empty-packet" });
    expect(hasFileFinding(record)).toBe(false);
  });

  it("PHP mysqli with mysqli.allow_local_infile and MYSQLI_OPT_LOCAL_INFILE sends the file", async () => {
    const { record, result } = await recordOf(php(true));
    expect((result as { stdout: string }).stdout).toBe("ok\n");
    expect(record.localInfile).toEqual({ ...SENT, requested: file, encrypted: false });
    expect(hasFileFinding(record)).toBe(true);
    expectNoContents(record);
  });
});
