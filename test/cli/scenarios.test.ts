import { once } from "node:events";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, startCli } from "../helpers/cli-process";
import { SSL_MODES } from "../../src/scenarios/scenario-schema";
import { runMariadbCli } from "../helpers/mariadb-cli";

const cli = (...args: string[]) => runCli(args);

describe("mysql-tls-mock scenarios", () => {
  it("lists the built-ins with a one-line description each", async () => {
    const result = await cli("scenarios");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^strip-backronym\s+A TLS-stripping proxy cleared CLIENT_SSL/m);
    expect(result.stdout).toMatch(/^mysql-5\.7\.41-notls\s+/m);
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
});

describe("mysql-tls-mock serve --scenario", () => {
  it("serves the scenario, with --user/--password adding an account the client can use", async () => {
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
      const mine = await runMariadbCli({ port, user: "app", password: "pw", flags: ["--skip-ssl"] });
      expect(mine.code).toBe(0);
      const scenarios = await runMariadbCli({ port, user: "root", password: "root", flags: ["--skip-ssl"] });
      expect(scenarios.code).toBe(0);
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  });
});
