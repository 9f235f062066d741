import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers/cli-process";
import { CERTIFICATE_SET_NAMES } from "../../src/certs/catalogue";
import { builtinScenarioNames } from "../../src/scenarios/load-scenario";
import { SSL_MODES } from "../../src/scenarios/scenario-schema";

const cli = (...args: string[]) => runCli(args);

function scratchFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "mysql-tls-mock-cli-")), name);
  writeFileSync(file, text);
  return file;
}

describe("JSON output of the listing commands", () => {
  it("scenarios --json: every built-in, sorted, with its file and its expectation in each ssl-mode", async () => {
    const result = await cli("scenarios", "--json");
    expect(result.code).toBe(0);
    const list = JSON.parse(result.stdout) as Array<{
      name: string;
      family: string;
      description: string;
      file: string;
      references: string[];
      expect: Record<string, { outcome: string; why: string | null; from: string }>;
    }>;
    expect(list.map((s) => s.name)).toEqual(builtinScenarioNames());
    for (const scenario of list) {
      expect(scenario.file).toMatch(new RegExp(`scenarios/${scenario.name}\\.yaml$`));
      expect(scenario.description.length).toBeGreaterThan(0);
      // Every built-in declares all five modes (scenarios/README.md).
      expect(Object.keys(scenario.expect)).toEqual([...SSL_MODES]);
    }
    const family = Object.fromEntries(list.map((s) => [s.name, s.family]));
    expect(family).toMatchObject({
      "cert-wrong-host": "MySQL 5.7",
      "caching-sha2-8.0": "MySQL 8.0",
      "mariadb-10.11-greeting": "MariaDB 10.11",
    });
    const wrongHost = list.find((s) => s.name === "cert-wrong-host")!;
    expect(wrongHost.expect.VERIFY_IDENTITY).toEqual({
      outcome: "refuse-before-credentials",
      why: "neither the CN nor the SAN names the host",
      from: "cert-wrong-host",
    });
  });

  it("scenarios show NAME --json: the definition with extends applied, each expectation's origin and what was dropped", async () => {
    const result = await cli("scenarios", "show", "cert-wrong-host", "--json");
    expect(result.code).toBe(0);
    const shown = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(shown)).toEqual(["name", "source", "definition", "expect", "dropped", "notes"]);
    expect(shown).toMatchObject({
      name: "cert-wrong-host",
      definition: { server: { tls: { certificates: "wrong-host", ciphers: "mysql-5.7-openssl" } } },
      expect: { DISABLED: { outcome: "plaintext", why: null, from: "cert-wrong-host" } },
      dropped: {
        by: "cert-wrong-host",
        parent: "mysql-5.7.41-good-ca",
        changedKeys: ["server.tls.certificates"],
        expect: { VERIFY_IDENTITY: { outcome: "tls", from: "mysql-5.7.41-good-ca" } },
      },
      notes: [],
    });
  });

  it("scenarios show FILE --json: a file's inherited expectations name the built-in that declared them", async () => {
    const file = scratchFile(
      "percona.yaml",
      "extends: cert-wrong-host\ndescription: as cert-wrong-host\nserver:\n  versionComment: Percona\n",
    );
    const result = await cli("scenarios", "show", file, "--json");
    expect(result.code).toBe(0);
    const shown = JSON.parse(result.stdout) as { name: string; expect: Record<string, { from: string }> };
    expect(shown.name).toBe("percona");
    expect(shown.expect.VERIFY_IDENTITY!.from).toBe("cert-wrong-host");
  });

  it("certs list --json: every catalogue set with its description", async () => {
    const result = await cli("certs", "list", "--json");
    expect(result.code).toBe(0);
    const sets = JSON.parse(result.stdout) as Array<{ name: string; description: string }>;
    expect(sets.map((s) => s.name)).toEqual([...CERTIFICATE_SET_NAMES]);
    for (const set of sets) expect(Object.keys(set)).toEqual(["name", "description"]);
  });
});

describe("CLI usage errors", () => {
  it("prints the error and where the help is, not the help itself, and suggests a misspelt option", async () => {
    const result = await cli("serve", "--prot", "3307");
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      "error: unknown option '--prot'\n(Did you mean --port?)\n(see mysql-tls-mock serve --help)\n",
    );
  });

  it("points a subcommand's error at that subcommand's help", async () => {
    const result = await cli("certs", "write", "good");
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "error: required option '-o, --out <dir>' not specified\n(see mysql-tls-mock certs write --help)\n",
    );
  });

  it("suggests the nearest certificate set for a misspelt --certs and certs write name", async () => {
    const serve = await cli("serve", "--certs", "wrong-hots");
    expect(serve.code).toBe(1);
    expect(serve.stderr).toContain("; did you mean wrong-host?\n(see mysql-tls-mock serve --help)\n");
    const write = await cli("certs", "write", "self-singed", "-o", tmpdir());
    expect(write.code).toBe(1);
    expect(write.stderr).toContain("unknown certificate set self-singed; did you mean self-signed?");
  });

  it("suggests the nearest built-in scenario for a misspelt name, and none for a name like no other", async () => {
    const near = await cli("scenarios", "show", "strip-backronim");
    expect(near.code).toBe(1);
    expect(near.stderr).toBe(
      'mysql-tls-mock: strip-backronim: no built-in scenario named "strip-backronim"; did you mean strip-backronym? (see mysql-tls-mock scenarios)\n',
    );
    const far = await cli("serve", "--scenario", "zzzzzzzzzzzz");
    expect(far.code).toBe(1);
    expect(far.stderr).not.toContain("did you mean");
  });

  it("reports every problem in a scenario file at once, a line each, in file order", async () => {
    const file = scratchFile(
      "bad.yaml",
      "description: bad\nserverr: 1\nserver:\n  tls:\n    versions: [TLSv1.4]\n  version: 5\nexpect:\n  PREFERRED: maybe\n",
    );
    const result = await cli("scenarios", "show", file);
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n").filter(Boolean)).toEqual([
      `mysql-tls-mock: ${file}:2: unknown key "serverr"`,
      `mysql-tls-mock: ${file}:5: server.tls.versions[0]: expected one of "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3", found "TLSv1.4"`,
      `mysql-tls-mock: ${file}:6: server.version: expected string, found 5`,
      `mysql-tls-mock: ${file}:8: expect.PREFERRED: expected "plaintext" or "tls" or "refuse-before-credentials" or "refused-after-credentials" or object, found "maybe"`,
    ]);
  });

  it("gives a YAML syntax error's line and column", async () => {
    const file = scratchFile("broken.yaml", "description: x\nserver:\n  version: a: b\n");
    const result = await cli("serve", "--scenario", file);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `mysql-tls-mock: ${file}:3:12: not valid YAML: Nested mappings are not allowed in compact mappings\n`,
    );
  });
});
