import { once } from "node:events";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, startCli } from "../helpers/cli-process";
import { SSL_MODES } from "../../src/scenarios/scenario-schema";
import { runMariadbCli } from "../helpers/mariadb-cli";

const cli = (...args: string[]) => runCli(args);

/** Any C0 control but the newline that ends each line, DEL or a C1 control, or a bidi override. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

describe("mysql-tls-mock scenarios", () => {
  it("lists the built-ins with a one-line description each, grouped by the server family they play", async () => {
    const result = await cli("scenarios");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ {2}strip-backronym\s+A TLS-stripping proxy cleared CLIENT_SSL/m);
    const headings = result.stdout.split("\n").filter((line) => /^\S/.test(line));
    expect(headings.slice(0, 2)).toEqual(["MySQL 5.7", "MySQL 8.0"]);
    expect(headings).toContain("MariaDB 10.11");
    expect(headings.indexOf("MariaDB 10.11")).toBeGreaterThan(headings.indexOf("MySQL 8.0"));
    // Each scenario sits under the family its greeting's version names.
    const under = (name: string) => {
      const lines = result.stdout.split("\n");
      const at = lines.findIndex((line) => line.startsWith(`  ${name} `));
      return lines
        .slice(0, at)
        .filter((line) => /^\S/.test(line))
        .pop();
    };
    expect(under("mysql-5.7.41-notls")).toBe("MySQL 5.7");
    expect(under("cert-wrong-host")).toBe("MySQL 5.7");
    expect(under("caching-sha2-8.0")).toBe("MySQL 8.0");
    expect(under("mariadb-10.11-notls")).toBe("MariaDB 10.11");
  });

  it("shows a resolved scenario, what a correct client does in each ssl-mode and which scenario says so, and what it did not inherit", async () => {
    const result = await cli("scenarios", "show", "cert-wrong-host");
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("certificates: wrong-host");
    expect(result.stdout).toContain("ciphers: mysql-5.7-openssl");
    expect(result.stdout).toMatch(/^DISABLED +plaintext +own$/m);
    expect(result.stdout).toMatch(
      /^VERIFY_IDENTITY +refuse-before-credentials +own +— neither the CN nor the SAN names the host$/m,
    );
    expect(result.stdout).toContain(
      "# dropped, not inherited from mysql-5.7.41-good-ca: this scenario changes server.tls.certificates, which can change what a correct client does\n",
    );
    expect(result.stdout).toMatch(/^VERIFY_IDENTITY +tls +declared in mysql-5.7.41-good-ca$/m);
  });

  it("shows expectations a file inherited by the built-in that declared them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-cli-"));
    const file = join(dir, "percona.yaml");
    writeFileSync(
      file,
      "extends: cert-wrong-host\ndescription: as cert-wrong-host, with another banner\nserver:\n  versionComment: Percona Server (GPL)\n",
    );
    const result = await cli("scenarios", "show", file);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(
      /^PREFERRED +tls +inherited from cert-wrong-host +— PREFERRED and REQUIRED encrypt/m,
    );
    expect(result.stdout).toMatch(/^VERIFY_CA +tls +inherited from cert-wrong-host$/m);
    // The drop happened one level up, and still explains where the table starts.
    expect(result.stdout).toContain(
      "# dropped, not inherited from mysql-5.7.41-good-ca: cert-wrong-host changes server.tls.certificates",
    );
  });

  it("shows a file that dropped its inherited expectations and declares none, with a warning", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-cli-"));
    const file = join(dir, "no-tls.yaml");
    writeFileSync(
      file,
      "extends: mysql-5.7.41-autocert\ndescription: TLS off, no table\nserver:\n  tls: false\n",
    );
    const result = await cli("scenarios", "show", file);
    expect(result.code).toBe(0);
    for (const mode of SSL_MODES) {
      expect(result.stdout).toMatch(new RegExp(`^${mode} +\\(no expectation\\)$`, "m"));
    }
    expect(result.stdout).toContain(
      "# dropped, not inherited from mysql-5.7.41-autocert: this scenario changes server.tls,",
    );
    expect(result.stdout).toMatch(/^PREFERRED +tls +declared in mysql-5.7.41-autocert$/m);
    expect(result.stderr.trim()).toBe(
      "mysql-tls-mock: warning: no-tls has no expectations: it changes server.tls, so nothing is inherited from mysql-5.7.41-autocert, and none are declared in their place; it can be served, but an audit has nothing to judge",
    );
  });

  it("rejects a bad scenario file with the file, the path and what was expected, and no stack trace", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "mysql-tls-mock-cli-")), "bad.yaml");
    writeFileSync(file, "description: bad\nserver:\n  tls:\n    versions: [TLSv1.4]\n");
    const result = await cli("scenarios", "show", file);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `mysql-tls-mock: ${file}:4: server.tls.versions[0]: expected one of "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3", found "TLSv1.4"`,
    );
  });

  it("prints the text a scenario file carries with its control characters escaped", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-cli-"));
    const file = join(dir, "evil\x1b]0;name\x07.yaml");
    writeFileSync(
      file,
      'extends: mysql-5.7.41-notls\ndescription: "shop\\e]0;pwned\\a\\x9b2J\\u202eevil"\n' +
        'expect:\n  DISABLED:\n    outcome: plaintext\n    why: "a\\nforged line\\x85"\n',
    );
    const result = await cli("scenarios", "show", file);
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).not.toMatch(RAW_CONTROL);
    expect(result.stdout).toContain("# evil\\x1b]0;name\\x07 (");
    expect(result.stdout).toContain("\\x9b2J\\u202eevil");
    expect(result.stdout).toMatch(/^DISABLED +plaintext +own +— a\\nforged line\\x85$/m);

    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, 'description: bad\n"key\\x9b2J\\e]0;t\\a": 1\n');
    const refused = await cli("scenarios", "show", bad);
    expect(refused.code).toBe(1);
    expect(refused.stderr).not.toMatch(RAW_CONTROL);
    expect(refused.stderr).toContain("unknown key");
  });
});

describe("mysql-tls-mock serve --scenario", () => {
  it("serves the scenario, with --user/--password changing the scenario's one account, and says so", async () => {
    const { child, port, output } = await startCli([
      "--scenario",
      "mysql-5.7.41-notls",
      "-u",
      "app",
      "-p",
      "pw",
    ]);
    try {
      expect(output()).toContain("scenario mysql-5.7.41-notls, MySQL 5.7.41, TLS off");
      expect(output()).toContain(
        "--user/--password changed the scenario's account root: user root → app, password; kept from the scenario: plugin mysql_native_password (the server's default), REQUIRE NONE\n",
      );
      const mine = await runMariadbCli({ port, user: "app", password: "pw", flags: ["--skip-ssl"] });
      expect(mine.code).toBe(0);
      // Changed, not joined: the scenario's own credentials no longer log in.
      const scenarios = await runMariadbCli({ port, user: "root", password: "root", flags: ["--skip-ssl"] });
      expect(scenarios.stderr).toContain("Access denied for user 'root'");
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  });

  it("keeps rogue-cleartext-switch's plugin for the --user/--password account: the real client is still switched to mysql_clear_password", async () => {
    const { child, port, output } = await startCli([
      "--scenario",
      "rogue-cleartext-switch",
      "-u",
      "app",
      "-p",
      "s3cret",
    ]);
    try {
      // The mariadb CLI hands its password to a switch to mysql_clear_password (a known deviation).
      const result = await runMariadbCli({ port, user: "app", password: "s3cret", flags: ["--skip-ssl"] });
      expect(result.code).toBe(0);
      await waitFor(() => output().includes(" closed: "));
      expect(output()).toMatch(/#1 auth switch to mysql_clear_password/);
      expect(output()).toMatch(/#1 authenticated as app/);
      expect(output()).toMatch(/#1 closed: .* \[critical\] .*mysql_clear_password/);
      expect(output()).not.toContain("s3cret");
      expect(output()).toContain(
        "--user/--password changed the scenario's account root: user root → app, password; kept from the scenario: plugin mysql_clear_password, REQUIRE NONE\n",
      );
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  });
});

async function waitFor(predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
