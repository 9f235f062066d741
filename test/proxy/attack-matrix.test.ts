import { readFileSync } from "node:fs";
import { AUDITED_ATTACKS } from "../../src/audit/proxy-attacks";
import { startMockProxy, type MockProxy } from "../../src/mock-proxy";
import type { ClientOutcome, SslMode } from "../../src/scenarios/scenario-schema";
import { observedOutcome } from "../../src/record/judgement";
import { CLIENT_MODES, type ClientName, type ClientResult } from "../helpers/ssl-modes";
import { ACCOUNT, ED25519_ACCOUNT, useRealMariadb } from "./real-server";

/**
 * Every attack of the proxy in front of Debian's mariadbd with TLS, run by the mariadb CLI, mysql2
 * and PyMySQL in every ssl-mode each can express, as two accounts: one on mysql_native_password,
 * one on MariaDB's ed25519 (mysql2 has no client_ed25519, so the mariadb npm driver takes its
 * place there). Each cell checks three things: the client's view (a client that logged in gets
 * the real server's answer to `SELECT @@version`), the proxy's record (which must tell the same
 * outcome, and never hold the password), and the verdict against what a correct client does
 * (src/audit/proxy-attacks.ts, the audit's own expectations) — where a client does otherwise, the
 * table below says so and why.
 */

const real = useRealMariadb();

const QUERY = "SELECT @@version";

const ACCOUNTS = [
  { plugin: "mysql_native_password", ...ACCOUNT, clients: ["mariadb-cli", "mysql2", "pymysql"] },
  { plugin: "ed25519", ...ED25519_ACCOUNT, clients: ["mariadb-cli", "mariadb", "pymysql"] },
] as const satisfies readonly { plugin: string; user: string; password: string; clients: ClientName[] }[];

/**
 * Where a real client does not do what a correct one would: `client attack mode` → what it does.
 * These are findings about the clients, kept here so a change in a client shows up as a red test.
 */
const DEVIATIONS: Record<string, { outcome: ClientOutcome; why: string }> = {
  ...Object.fromEntries(
    ["REQUIRED", "VERIFY_CA"].map((mode) => [
      `mariadb-cli strip ${mode}`,
      {
        outcome: "plaintext",
        why: "Debian's 10.11 CLI makes TLS mandatory only with --ssl-verify-server-cert: --ssl and --ssl-ca go on without it (BACKRONYM)",
      },
    ]),
  ),
  ...Object.fromEntries(
    ["REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY"].map((mode) => [
      `pymysql strip ${mode}`,
      {
        outcome: "plaintext",
        why: "PyMySQL starts TLS only when the greeting offers it, whatever it was told (pymysql/connections.py, `if self.ssl and self.server_capabilities & CLIENT.SSL`)",
      },
    ]),
  ),
  ...Object.fromEntries(
    ["mariadb-cli", "pymysql"].map((client) => [
      `${client} cleartext-switch DISABLED`,
      {
        outcome: "plaintext",
        why: "it follows a switch to mysql_clear_password without TLS: its password crosses in the clear, and the proxy logs in with it",
      },
    ]),
  ),
};

/**
 * The record's verdict for each outcome of each attack (the record knows nothing of the client's
 * ssl-mode: a plaintext login is critical however it was asked for; the audit's cell says whether
 * the mode wanted it).
 */
const VERDICTS: Record<string, Partial<Record<ClientOutcome, string>>> = {
  passthrough: { plaintext: "credentials-exposed", tls: "tls" },
  strip: { plaintext: "plaintext-fallback", "refuse-before-credentials": "refused-plaintext" },
  riddle: { plaintext: "credentials-exposed", "refuse-before-credentials": "incomplete" },
  "cert:untrusted-root": {
    plaintext: "credentials-exposed",
    tls: "accepted-bad-certificate",
    "refuse-before-credentials": "tls-verified-refused",
  },
  "tls-version:TLSv1.1": { plaintext: "credentials-exposed", "refuse-before-credentials": "tls-failed" },
  "cleartext-switch": {
    plaintext: "credentials-exposed",
    "refused-after-credentials": "credentials-exposed",
    tls: "tls",
  },
  "local-infile:/etc/hostname": { plaintext: "credentials-exposed", tls: "tls" },
};
VERDICTS["cert:self-signed"] = VERDICTS["cert:untrusted-root"]!;

function expected(client: ClientName, attack: string, mode: SslMode): ClientOutcome {
  const deviation = DEVIATIONS[`${client} ${attack} ${mode}`];
  if (deviation) return deviation.outcome;
  return AUDITED_ATTACKS.find((a) => a.attack === attack)!.expect[mode].outcome;
}

describe.each(AUDITED_ATTACKS.map((a) => [a.attack, a.description] as const))("attack %s (%s)", (attack) => {
  let proxy: MockProxy;
  beforeAll(async () => {
    proxy = await startMockProxy({ upstream: { host: "127.0.0.1", port: real.port }, attack });
  });
  afterAll(() => proxy?.stop());

  const cells = ACCOUNTS.flatMap((account) =>
    account.clients.flatMap((client) =>
      Object.keys(CLIENT_MODES[client]).map((mode) => ({
        account,
        client,
        mode: mode as SslMode,
        outcome: expected(client, attack, mode as SslMode),
      })),
    ),
  );

  it.each(cells)(
    "$client in $mode as the $account.plugin account: $outcome",
    async ({ account, client, mode, outcome }) => {
      proxy.reset();
      const result: ClientResult = await CLIENT_MODES[client][mode]!.run({
        port: proxy.port,
        user: account.user,
        password: account.password,
        ca: readFileSync(real.caFile, "utf8"),
        caFile: real.caFile,
        query: QUERY,
      });
      const records = await proxy.settled();
      expect(records).toHaveLength(1);
      const record = records[0]!;
      const seen = { client: result, record: { outcome: record.outcome, verdict: record.verdict } };

      // The record alone decides, as in the audit; the client's own view has to agree with it.
      expect({ observed: observedOutcome([record]), seen }).toEqual({ observed: outcome, seen });
      expect(record.verdict?.kind).toBe(VERDICTS[attack]![outcome]);
      const acceptedMitm = attack.startsWith("cert:") && outcome === "tls";
      const safe = outcome === "refuse-before-credentials" || (outcome === "tls" && !acceptedMitm);
      expect(record.verdict?.severity).toBe(safe ? "info" : "critical");
      if (attack === "cleartext-switch" && outcome === "plaintext") {
        expect(record.credentialExposure).toBe("cleartext-password");
      }
      expect(JSON.stringify(record)).not.toContain(account.password);
      if (attack.startsWith("local-infile:") && outcome === "plaintext") {
        // The first query after login — the client's own, or one its driver sends at connect
        // (PyMySQL's SET AUTOCOMMIT, the mariadb driver's SET NAMES) — gets the LOAD DATA LOCAL
        // request instead of its answer: none of these clients sends the file unasked.
        expect(record.localInfile).toMatchObject({ requested: "/etc/hostname", sent: false, bytes: 0 });
        expect(result.queried).toBe(false);
        return;
      }
      expect(result.loggedIn).toBe(outcome === "plaintext" || outcome === "tls");
      // A client that logged in got the real server's answer to its query.
      if (result.loggedIn) expect(result.value).toMatch(/^10\.11\.\d+-MariaDB/);
    },
    30_000,
  );
});
