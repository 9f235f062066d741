import { once } from "node:events";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, startCli } from "../helpers/cli-process";
import { runMariadbCli } from "../helpers/mariadb-cli";

const cli = (...args: string[]) => runCli(args);

describe("mysql-tls-mock scenarios", () => {
  it("lists the built-ins with a one-line description each", async () => {
    const result = await cli("scenarios");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^strip-backronym\s+A TLS-stripping proxy cleared CLIENT_SSL/m);
    expect(result.stdout).toMatch(/^mysql-5\.7\.41-notls\s+/m);
  });

  it("shows a resolved scenario and what a correct client does in each ssl-mode", async () => {
    const result = await cli("scenarios", "show", "cert-wrong-host");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("certificates: wrong-host");
    expect(result.stdout).toContain("ciphers: mysql-5.7-openssl");
    expect(result.stdout).toMatch(/VERIFY_IDENTITY\s+refuse-before-credentials/);
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
