import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, startCli } from "../helpers/cli-process";
import { runMariadbCli } from "../helpers/mariadb-cli";

/**
 * A user's own certificates in a scenario file, end to end: `certs write` makes the files, a
 * scenario next to them names them by relative paths, `serve --scenario FILE` serves them, and
 * the mariadb CLI verifying the server against that ca.pem logs in over TLS.
 */

let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "mysql-tls-mock-tls-files-cli-"));
  const written = await runCli(["certs", "write", "good", "--out", join(root, "certs")]);
  expect(written.code).toBe(0);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function scenario(name: string, certDir: string): string {
  const file = join(root, name);
  writeFileSync(
    file,
    `description: my own certificates\nserver:\n  tls:\n    files:\n` +
      `      cert: ${certDir}/server-cert.pem\n      key: ${certDir}/server-key.pem\n      ca: ${certDir}/ca.pem\n`,
  );
  return file;
}

describe("serve --scenario FILE with server.tls.files", () => {
  jest.setTimeout(60_000);

  it("serves the files, and a client verifying against the named ca logs in over TLS", async () => {
    const cli = await startCli(["--scenario", scenario("own.yaml", "certs")]);
    try {
      const result = await runMariadbCli({
        port: cli.port,
        flags: ["--ssl-verify-server-cert", `--ssl-ca=${join(root, "certs", "ca.pem")}`],
        sql: "SHOW STATUS LIKE 'Ssl_version'",
      });
      expect(result.stderr).toBe("");
      expect(result.stdout).toMatch(/^Variable_name\tValue\nSsl_version\tTLSv1\.[23]\n$/);
      expect(result.code).toBe(0);
    } finally {
      cli.child.kill("SIGTERM");
      await once(cli.child, "exit");
    }
  });

  it("lets --certs NAME replace the scenario's files as a whole, its CA included", async () => {
    const cli = await startCli(["--scenario", scenario("replaced.yaml", "certs"), "--certs", "wrong-host"]);
    try {
      const result = await runMariadbCli({
        port: cli.port,
        flags: ["--ssl-verify-server-cert", `--ssl-ca=${join(root, "certs", "ca.pem")}`],
        sql: "SELECT 1",
      });
      // The catalogue's wrong-host certificate is served (and its good CA trusted): the name check fails.
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/certificate|hostname|name/i);
    } finally {
      cli.child.kill("SIGTERM");
      await once(cli.child, "exit");
    }
  });

  it("refuses to start on a wrong relative path, naming the scenario file, the key and the path", async () => {
    const file = scenario("wrong.yaml", "cert");
    const result = await runCli(["serve", "--port", "0", "--scenario", file], { timeoutMs: 30_000 });
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe("");
    const missing = (name: string) => `cert/${name} (${join(root, "cert", name)}): cannot read it`;
    expect(result.stderr).toContain(`${file}:5: server.tls.files.cert: ${missing("server-cert.pem")}`);
    expect(result.stderr).toContain(`${file}:6: server.tls.files.key: ${missing("server-key.pem")}`);
    expect(result.stderr).toContain(`${file}:7: server.tls.files.ca: ${missing("ca.pem")}`);
  });
});
