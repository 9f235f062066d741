import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLIENT_PRESETS } from "../../src/audit/client-presets";
import { attackScenarios } from "../../src/audit/proxy-attacks";
import { runAudit } from "../../src/audit/run-audit";
import { getCertificateSet } from "../../src/certs";
import { startMockServer } from "../../src/mock-server";
import { runCli } from "../helpers/cli-process";
import { pemFile } from "../helpers/mariadb-cli";
import { ACCOUNT, useRealMariadb } from "../proxy/real-server";

/**
 * `audit --upstream`: the audit through the proxy in front of a real server (Debian's mariadbd
 * with TLS), each scenario one of the proxy's attacks, the client given the real account and CA.
 */

const real = useRealMariadb();

describe("the audit through the proxy", () => {
  it("judges the mariadb CLI against the attacks, the real server answering every login it lets through", async () => {
    const report = await runAudit({
      client: { name: "mariadb-cli", preset: CLIENT_PRESETS["mariadb-cli"]! },
      scenarios: attackScenarios(["passthrough", "strip", "cert:untrusted-root", "cleartext-switch"]),
      modes: ["DISABLED", "PREFERRED", "VERIFY_IDENTITY"],
      timeoutMs: 20_000,
      upstream: {
        host: "127.0.0.1",
        port: real.port,
        user: ACCOUNT.user,
        password: ACCOUNT.password,
        ca: readFileSync(real.caFile, "utf8"),
      },
    });
    const cells = Object.fromEntries(
      report.cells.map((cell) => [`${cell.scenario} ${cell.mode}`, `${cell.status} ${cell.observed}`]),
    );
    expect(cells).toEqual({
      "passthrough DISABLED": "pass plaintext",
      "passthrough PREFERRED": "pass tls",
      "passthrough VERIFY_IDENTITY": "pass tls",
      "strip DISABLED": "pass plaintext",
      "strip PREFERRED": "pass plaintext",
      "strip VERIFY_IDENTITY": "pass refuse-before-credentials",
      "cert:untrusted-root DISABLED": "pass plaintext",
      "cert:untrusted-root PREFERRED": "pass tls",
      "cert:untrusted-root VERIFY_IDENTITY": "pass refuse-before-credentials",
      // Debian's CLI follows a switch to mysql_clear_password without TLS (docs/discoveries.md).
      "cleartext-switch DISABLED": "deviation plaintext",
      "cleartext-switch PREFERRED": "pass tls",
      "cleartext-switch VERIFY_IDENTITY": "pass tls",
    });
    const switched = report.cells.find((c) => c.scenario === "cleartext-switch" && c.mode === "DISABLED")!;
    expect(switched.severity).toBe("critical");
    expect(JSON.stringify(report)).not.toContain(ACCOUNT.password);
  }, 120_000);

  it("runs from the command line, refusing --upstream without the real server's account", async () => {
    const refused = await runCli(["audit", "--client", "mariadb-cli", "--upstream", "127.0.0.1:3306"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      "--upstream needs --upstream-user, --upstream-password, --upstream-ca (the real server's account and CA)",
    );
    const run = await runCli(
      [
        "audit",
        "--client",
        "mariadb-cli",
        "--upstream",
        `127.0.0.1:${real.port}`,
        "--upstream-user",
        ACCOUNT.user,
        "--upstream-password",
        ACCOUNT.password,
        "--upstream-ca",
        real.caFile,
        "--attacks",
        "strip",
        "--modes",
        "VERIFY_IDENTITY",
        "--no-progress",
      ],
      { timeoutMs: 60_000 },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("strip");
    expect(run.stdout + run.stderr).not.toContain(ACCOUNT.password);
  }, 90_000);

  it("checks the real certificate for the proxy's address first: where it does not name it, VERIFY_IDENTITY is expected to refuse", async () => {
    // The mock as the real server, with a certificate for wrong.example only.
    await using server = await startMockServer({
      tls: { certificates: "wrong-host" },
      accounts: [{ user: ACCOUNT.user, password: ACCOUNT.password }],
    });
    const caFile = pemFile((await getCertificateSet("wrong-host")).ca);
    const jsonFile = join(mkdtempSync(join(tmpdir(), "audit-upstream-")), "report.json");
    const run = await runCli(
      [
        "audit",
        ...["--client", "mariadb-cli", "--upstream", `127.0.0.1:${server.port}`],
        ...[
          "--upstream-user",
          ACCOUNT.user,
          "--upstream-password",
          ACCOUNT.password,
          "--upstream-ca",
          caFile,
        ],
        ...[
          "--upstream-tls",
          "no-verify",
          "--attacks",
          "passthrough",
          "--modes",
          "VERIFY_CA,VERIFY_IDENTITY",
        ],
        ...["--json", jsonFile, "--no-progress"],
      ],
      { timeoutMs: 60_000 },
    );
    expect(run.stderr).toContain(
      "note: the real server's certificate does not name 127.0.0.1, where clients reach the proxy",
    );
    expect(run.code).toBe(0);
    const report = JSON.parse(readFileSync(jsonFile, "utf8")) as {
      cells: Array<{ mode: string; status: string; observed: string }>;
    };
    expect(report.cells.map((c) => `${c.mode} ${c.status} ${c.observed}`)).toEqual([
      "VERIFY_CA pass tls",
      "VERIFY_IDENTITY pass refuse-before-credentials",
    ]);
  }, 90_000);
});
