import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as mysql2 from "mysql2/promise";
import type { ConnectionRecord } from "../../src/record/connection-record";
import { type StartOptions, startMockServer } from "../../src/mock-server";
import { pemFile, runMariadbCli } from "../helpers/mariadb-cli";
import { runOpensslStartTls } from "../helpers/openssl-client";
import { RawClient } from "../helpers/raw-client";

/**
 * The per-connection verdict, each one provoked by a real client: what it did with TLS, with the
 * server's certificate, and with its credentials — in a word, a list of findings and a sentence.
 */

const PASSWORD = "Verdict-pa55word";
const ACCOUNT = { user: "app", password: PASSWORD };
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function recordOf(
  options: StartOptions,
  client: (port: number, ca: string | undefined) => Promise<unknown>,
): Promise<ConnectionRecord> {
  await using server = await startMockServer({ accounts: [ACCOUNT], ...options });
  await client(server.port, server.ca);
  const [record] = await server.settled();
  if (!record) throw new Error("the client never connected");
  return record;
}

async function mysql2Login(port: number, ssl?: Record<string, unknown>): Promise<void> {
  try {
    const connection = await mysql2.createConnection({
      host: "127.0.0.1",
      port,
      ...ACCOUNT,
      ...(ssl ? { ssl } : {}),
    });
    await connection.query("SELECT 1");
    await connection.end();
  } catch {
    // The record, not the driver's error, is what these tests read.
  }
}

function caFile(pem: string | undefined): string {
  const file = pemFile(pem ?? "");
  dirs.push(join(file, ".."));
  return file;
}

describe("the verdict on a connection", () => {
  it("is tls when the credentials went only inside TLS to a flawless certificate", async () => {
    const record = await recordOf({ tls: { certificates: "good" } }, (port, ca) =>
      mysql2Login(port, { ca, rejectUnauthorized: true }),
    );
    expect(record.verdict).toMatchObject({
      kind: "tls",
      severity: "info",
      findings: [{ kind: "tls", severity: "info", evidence: "observed" }],
      exposure: null,
    });
    expect(record.verdict?.summary).toMatch(/only inside TLSv1\.2 .*logged in as app/);
  });

  it("is accepted-bad-certificate when a non-verifying client logs in past an expired certificate", async () => {
    const record = await recordOf({ tls: { certificates: "expired" } }, (port) =>
      mysql2Login(port, { rejectUnauthorized: false }),
    );
    expect(record.serverCertificate?.flaws).toEqual(["expired"]);
    expect(record.verdict).toMatchObject({ kind: "accepted-bad-certificate" });
    expect(record.verdict?.summary).toContain("flawed (expired)");
  });

  it("is tls-verified-refused when a verifying driver closes after the handshake without credentials", async () => {
    const record = await recordOf({ tls: { certificates: "expired" } }, (port, ca) =>
      mysql2Login(port, { ca, rejectUnauthorized: true }),
    );
    expect(record.user).toBeNull();
    expect(record.verdict).toMatchObject({
      kind: "tls-verified-refused",
      severity: "info",
      findings: [{ kind: "tls-verified-refused", evidence: "inferred" }],
    });
    expect(record.verdict?.summary).toContain("inferred");
  });

  it("is plaintext-fallback, with credentials-exposed, when a client logs in to a greeting without TLS", async () => {
    const record = await recordOf({ tls: false }, (port) => mysql2Login(port));
    expect(record.verdict).toMatchObject({
      kind: "plaintext-fallback",
      severity: "critical",
      findings: [
        { kind: "plaintext-fallback", severity: "high", evidence: "observed" },
        { kind: "credentials-exposed", severity: "critical", evidence: "observed" },
      ],
      exposure: { plugin: "mysql_native_password", what: "scramble-reply" },
    });
  });

  it("is credentials-exposed, and plaintext, when a client skips the TLS a greeting offers", async () => {
    const record = await recordOf({}, (port) => runMariadbCli({ port, ...ACCOUNT, flags: ["--skip-ssl"] }));
    expect(record.verdict).toMatchObject({
      kind: "credentials-exposed",
      severity: "critical",
      findings: [
        { kind: "credentials-exposed", severity: "critical", evidence: "observed" },
        { kind: "plaintext", severity: "high", evidence: "observed" },
      ],
    });
  });

  it("says a password crossed in cleartext, and never holds it, after a rogue clear-password switch", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-verdict-"));
    dirs.push(dir);
    const eventsFile = join(dir, "events.jsonl");
    const record = await recordOf(
      {
        scenario: "rogue-cleartext-switch",
        accounts: [{ ...ACCOUNT, plugin: "mysql_clear_password" }],
        eventsFile,
      },
      (port) => runMariadbCli({ port, ...ACCOUNT, flags: ["--skip-ssl"] }),
    );
    expect(record.verdict).toMatchObject({
      kind: "plaintext-fallback",
      exposure: { plugin: "mysql_clear_password", what: "cleartext-password" },
    });
    expect(record.verdict?.summary).toContain(
      "mysql_clear_password password in cleartext crossed unencrypted",
    );
    expect(JSON.stringify(record)).not.toContain(PASSWORD);
    expect(readFileSync(eventsFile, "utf8")).not.toContain(PASSWORD);
  });

  it("is refused-plaintext when a TLS-requiring client gives up on a greeting without TLS", async () => {
    const record = await recordOf({ tls: false }, (port) =>
      runMariadbCli({ port, ...ACCOUNT, flags: ["--ssl-verify-server-cert"] }),
    );
    expect(record.user).toBeNull();
    expect(record.verdict?.kind).toBe("refused-plaintext");
  });

  it("is tls-verified-refused when an OpenSSL client sends a certificate alert", async () => {
    const record = await recordOf({ tls: { certificates: "untrusted-root" } }, (port, ca) =>
      runOpensslStartTls(port, ["-verify_return_error", "-CAfile", caFile(ca)]),
    );
    expect(record.verdict).toMatchObject({
      kind: "tls-verified-refused",
      findings: [{ kind: "tls-verified-refused", evidence: "observed" }],
    });
    expect(record.verdict?.summary).toContain(
      "(untrusted-issuer) with alert unknown_ca during the handshake (observed)",
    );
  });

  it("is tls-abandoned, not a refusal, when an OpenSSL client that verifies nothing quits after the handshake", async () => {
    const record = await recordOf({ tls: { certificates: "wrong-host" } }, (port) =>
      runOpensslStartTls(port),
    );
    expect(record.user).toBeNull();
    expect(record.verdict).toMatchObject({ kind: "tls-abandoned", severity: "info" });
    expect(record.verdict?.summary).toContain("the server cannot tell");
    expect(record.verdict?.summary).not.toMatch(/refused|checks/);
  });

  it("is tls-abandoned when a client completes TLS to a flawless certificate and leaves", async () => {
    const record = await recordOf({ tls: { certificates: "good" } }, (port) => runOpensslStartTls(port));
    expect(record.verdict?.kind).toBe("tls-abandoned");
  });

  it("is tls-failed when no TLS version is shared", async () => {
    const record = await recordOf({}, (port) => runOpensslStartTls(port, ["-tls1_3"]));
    expect(record.verdict).toMatchObject({
      kind: "tls-failed",
      severity: "info",
      findings: [{ kind: "tls-failed", severity: "info", evidence: "observed" }],
    });
    expect(record.verdict?.summary).toContain("protocol-version");
  });

  it("is incomplete when the client breaks the protocol before deciding anything", async () => {
    const record = await recordOf({}, async (port) => {
      const client = await RawClient.connect(port);
      await client.readGreeting();
      client.write(Buffer.from("GET / HTTP/1.1\r\n\r\n"));
      await client.closed();
    });
    expect(record.verdict?.kind).toBe("incomplete");
    expect(record.verdict?.summary).toContain("broke the protocol");
  });

  it("goes out with the connection-closed event", async () => {
    await using server = await startMockServer({ accounts: [ACCOUNT] });
    const closed = new Promise((resolve) => server.on("connection-closed", resolve));
    await mysql2Login(server.port);
    expect(await closed).toMatchObject({ verdict: { kind: "credentials-exposed" } });
  });
});
