import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BUILTIN_SCENARIO_DIR,
  builtinScenarioNames,
  loadScenario,
  OUTCOME_NEUTRAL_KEYS,
  ScenarioError,
} from "../../src/scenarios/load-scenario";
import { scenarioToOptions } from "../../src/scenarios/scenario-options";
import { SSL_MODES, scenarioJsonSchema } from "../../src/scenarios/scenario-schema";
import { startMockServer } from "../../src/mock-server";
import { runMariadbCli } from "../helpers/mariadb-cli";

const dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-scenarios-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function scenarioFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("the built-in scenarios", () => {
  it.each(builtinScenarioNames())("%s validates, resolves and maps to server options", (name) => {
    const scenario = loadScenario(name);
    expect(scenario.description.length).toBeGreaterThan(10);
    expect(scenario.references?.length).toBeGreaterThan(0);
    expect(() => scenarioToOptions(scenario)).not.toThrow();
  });

  it.each(builtinScenarioNames())(
    "%s says what a correct client does in all five ssl-modes (or deliberately in none), without warnings",
    (name) => {
      const scenario = loadScenario(name);
      const modes = Object.keys(scenario.expect);
      if (modes.length === 0) {
        // Deliberately none: the loader says so, for `scenarios show` and the audit to pass on.
        expect(scenario.notes.map((n) => n.message).join("\n")).toMatch(/has no expectations/);
      } else {
        expect(modes.sort()).toEqual([...SSL_MODES].sort());
        expect(scenario.notes).toEqual([]);
      }
    },
  );

  it("include the core MySQL 5.7 scenarios by name", () => {
    expect(builtinScenarioNames()).toEqual(
      expect.arrayContaining([
        "mysql-5.7.41-notls",
        "mysql-5.7.41-autocert",
        "mysql-5.7.20-yassl",
        "require-secure-transport",
        "strip-backronym",
        "cert-expired",
        "cert-wrong-host",
      ]),
    );
  });

  it("publish a JSON Schema that matches the validator (run npm run schema after changing it)", () => {
    const published = JSON.parse(readFileSync(join(BUILTIN_SCENARIO_DIR, "scenario.schema.json"), "utf8"));
    expect(published).toEqual(JSON.parse(JSON.stringify(scenarioJsonSchema())));
  });
});

describe("extends", () => {
  it("merges objects key by key and lets the extending file replace arrays and scalars", () => {
    const path = scenarioFile(
      "child.yaml",
      [
        "extends: mysql-5.7.41-autocert",
        "description: TLS 1.2 only, with the good certificates",
        "server:",
        "  tls:",
        "    versions: [TLSv1.2]",
        "    certificates: good",
        "accounts:",
        "  - { user: app, password: secret }",
      ].join("\n"),
    );
    const scenario = loadScenario(path);
    expect(scenario.name).toBe("child");
    expect(scenario.server?.version).toBe("5.7.41");
    expect(scenario.server?.tls).toMatchObject({
      versions: ["TLSv1.2"],
      certificates: "good",
      ciphers: "mysql-5.7-openssl",
      clientCertificates: "request",
    });
    expect(scenario.accounts).toEqual([{ user: "app", password: "secret" }]);
  });

  it("follows chains across built-ins and detects cycles", () => {
    expect(loadScenario("require-secure-transport-notls").server).toMatchObject({
      tls: false,
      requireSecureTransport: true,
    });
    scenarioFile("a.yaml", "extends: ./b.yaml\ndescription: a");
    const b = scenarioFile("b.yaml", "extends: ./a.yaml\ndescription: b");
    expect(() => loadScenario(b)).toThrow(/circular extends: b.yaml → a.yaml → b.yaml/);
  });
});

describe("expectations through extends", () => {
  const AUTOCERT = join(BUILTIN_SCENARIO_DIR, "mysql-5.7.41-autocert.yaml");
  const autocert = { name: "mysql-5.7.41-autocert", source: AUTOCERT };
  const parentTable = () => loadScenario("mysql-5.7.41-autocert").expect;

  it("allow-lists exactly the keys that cannot change a client's TLS or login outcome", () => {
    expect([...OUTCOME_NEUTRAL_KEYS].sort()).toEqual(
      ["description", "references", "server.systemVariables", "server.versionComment"].sort(),
    );
  });

  it("are inherited mode by mode, each naming the scenario that declared it, when only prose, the version comment and system variables change", () => {
    const path = scenarioFile(
      "prose.yaml",
      [
        "extends: mysql-5.7.41-autocert",
        "description: the same server, described differently",
        "references: [MySQL 5.7 manual 5.1.7 version_comment]",
        "server:",
        "  versionComment: Percona Server (GPL)",
        "  systemVariables: { require_secure_transport: 'ON', have_ssl: DISABLED }",
        "  version: 5.7.41", // set to what it already was: no change
      ].join("\n"),
    );
    const scenario = loadScenario(path);
    expect(scenario.expect).toEqual(parentTable());
    for (const mode of SSL_MODES) expect(scenario.expect[mode]?.from).toEqual(autocert);
    expect(scenario.expect.VERIFY_IDENTITY?.why).toMatch(/never a host/);
    expect(scenario.droppedExpectations).toBeUndefined();
    expect(scenario.notes).toEqual([]);
  });

  it("let the child's own entries win over inherited ones, and say so down a chain of files", () => {
    const middle = scenarioFile(
      "own-wins.yaml",
      [
        "extends: mysql-5.7.41-autocert",
        "description: the same server, with a stricter reading of PREFERRED",
        "expect:",
        "  PREFERRED: { outcome: refuse-before-credentials, why: a test of precedence }",
      ].join("\n"),
    );
    const leaf = scenarioFile("own-wins-leaf.yaml", "extends: ./own-wins.yaml\ndescription: leaf");
    const own = { name: "own-wins", source: middle };
    expect(loadScenario(middle).expect.PREFERRED).toEqual({
      outcome: "refuse-before-credentials",
      why: "a test of precedence",
      from: own,
    });
    const scenario = loadScenario(leaf);
    expect(scenario.expect.PREFERRED?.from).toEqual(own);
    expect(scenario.expect.PREFERRED?.outcome).toBe("refuse-before-credentials");
    expect(scenario.expect.DISABLED).toEqual({ outcome: "plaintext", from: autocert });
    expect(scenario.expect.VERIFY_CA?.from).toEqual(autocert);
  });

  const outcomeChanges: Array<[string, string[], string[]]> = [
    ["TLS switched off", ["server:", "  tls: false"], ["server.tls"]],
    ["another certificate set", ["server:", "  tls: { certificates: expired }"], ["server.tls.certificates"]],
    ["other TLS versions", ["server:", "  tls: { versions: [TLSv1.2] }"], ["server.tls.versions"]],
    [
      "an account's plugin",
      ["accounts:", "  - { user: root, password: root, plugin: sha256_password }"],
      ["accounts[0].plugin"],
    ],
    [
      "another account added",
      ["accounts:", "  - { user: root, password: root }", "  - { user: b, password: c }"],
      ["accounts"],
    ],
    ["the capability word", ["server:", "  capabilityFlags: 0xC1FFF7FF"], ["server.capabilityFlags"]],
    ["a fault", ["server:", "  faults: { delayMs: 5 }"], ["server.faults"]],
    [
      "require_secure_transport",
      ["server:", "  requireSecureTransport: true"],
      ["server.requireSecureTransport"],
    ],
    ["the server version", ["server:", "  version: 5.7.20"], ["server.version"]],
    [
      "several keys",
      ["server:", "  version: 8.0.35", "  tls: { ciphers: DEFAULT }", "  versionComment: x"],
      ["server.version", "server.tls.ciphers"],
    ],
  ];

  it.each(outcomeChanges)(
    "are all dropped when the child changes what decides a client's outcome (%s), with the changed keys recorded",
    (label, lines, changed) => {
      const name = `drops-${label.replace(/\W+/g, "-")}`;
      const path = scenarioFile(
        `${name}.yaml`,
        ["extends: mysql-5.7.41-autocert", "description: x", ...lines].join("\n"),
      );
      const scenario = loadScenario(path);
      expect(scenario.expect).toEqual({});
      expect(scenario.droppedExpectations).toEqual({
        by: { name, source: path },
        parent: autocert,
        changedKeys: changed,
        expectations: parentTable(),
      });
      expect(scenario.notes).toEqual([
        {
          level: "warning",
          message: `${name} has no expectations: it changes ${changed.join(", ")}, so nothing is inherited from mysql-5.7.41-autocert, and none are declared in their place; it can be served, but an audit has nothing to judge`,
        },
      ]);
    },
  );

  it("after a drop are only the child's own, and a partial table gets a warning naming the modes left without one", () => {
    const path = scenarioFile(
      "partial.yaml",
      [
        "extends: mysql-5.7.41-autocert",
        "description: x",
        "server:",
        "  tls: false",
        "expect:",
        "  DISABLED: plaintext",
      ].join("\n"),
    );
    const scenario = loadScenario(path);
    expect(scenario.expect).toEqual({
      DISABLED: { outcome: "plaintext", from: { name: "partial", source: path } },
    });
    expect(scenario.notes).toHaveLength(1);
    expect(scenario.notes[0]!.message).toBe(
      "partial has no expectation for PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY: it changes server.tls, so nothing is inherited from mysql-5.7.41-autocert, and only DISABLED is declared in their place",
    );
  });

  it("after a drop need no warning when the child declares all five itself", () => {
    const scenario = loadScenario("mysql-5.7.41-notls");
    expect(scenario.droppedExpectations).toMatchObject({ parent: autocert, changedKeys: ["server.tls"] });
    for (const mode of SSL_MODES) expect(scenario.expect[mode]?.from.name).toBe("mysql-5.7.41-notls");
    expect(scenario.notes).toEqual([]);
  });

  it("dropped by an ancestor stay dropped for a child that changes only prose, and the warning names the ancestor", () => {
    const middle = scenarioFile(
      "no-tls-no-table.yaml",
      ["extends: mysql-5.7.41-autocert", "description: x", "server:", "  tls: false"].join("\n"),
    );
    const leaf = scenarioFile("no-tls-leaf.yaml", "extends: ./no-tls-no-table.yaml\ndescription: y");
    const scenario = loadScenario(leaf);
    expect(scenario.expect).toEqual({});
    expect(scenario.droppedExpectations?.by).toEqual({ name: "no-tls-no-table", source: middle });
    expect(scenario.notes[0]?.message).toMatch(
      /^no-tls-leaf has no expectations: no-tls-no-table changes server.tls, so nothing is inherited from mysql-5.7.41-autocert/,
    );
  });

  it("dropped without replacement leave a scenario a real client can still log in to", async () => {
    await using server = await startMockServer({
      scenario: {
        extends: "mysql-5.7.41-notls",
        description: "inline",
        accounts: [{ user: "a", password: "b" }],
      },
    });
    expect(server.scenario?.expect).toEqual({});
    expect(server.scenario?.notes[0]?.message).toMatch(/has no expectations: it changes accounts\[0\]/);
    const login = await runMariadbCli({ port: server.port, user: "a", password: "b", flags: ["--skip-ssl"] });
    expect(login.code).toBe(0);
  });
});

describe("a bad scenario file", () => {
  const cases: Array<[string, string, string, RegExp]> = [
    ["unknown top-level key", "description: x\nservre: {}", "", /unknown key "servre"/],
    ["missing description", "server: {}", "description", /expected string, found nothing/],
    [
      "TLS version typo",
      "description: x\nserver:\n  tls:\n    versions: [TLSv1.2, TLS1.3]",
      "server.tls.versions[1]",
      /expected one of "TLSv1".*found "TLS1.3"/,
    ],
    [
      "unknown ssl-mode",
      "description: x\nexpect:\n  VERIFY_FULL: tls",
      "expect",
      /unknown key "VERIFY_FULL"/,
    ],
    ["unknown outcome", "description: x\nexpect:\n  REQUIRED: connect", "expect.REQUIRED", /found "connect"/],
    [
      "capability word out of range",
      "description: x\nserver:\n  capabilityFlags: 0x1FFFFFFFF",
      "server.capabilityFlags",
      /found 8589934591/,
    ],
    [
      "account without password",
      "description: x\naccounts:\n  - user: app",
      "accounts[0].password",
      /expected string, found nothing/,
    ],
    [
      "unsupported plugin",
      "description: x\naccounts:\n  - {user: a, password: b, plugin: dialog}",
      "accounts[0].plugin",
      /found "dialog"/,
    ],
    [
      "unknown certificate set",
      "description: x\nserver:\n  tls:\n    certificates: goood",
      "server.tls.certificates",
      /expected one of "mysql-auto".*found "goood"/,
    ],
    [
      "tls given as a string",
      "description: x\nserver:\n  tls: yes",
      "server.tls",
      /expected false or object, found "yes"/,
    ],
    [
      "wrong type of requireSecureTransport",
      "description: x\nserver:\n  requireSecureTransport: ON",
      "server.requireSecureTransport",
      /expected boolean, found "ON"/,
    ],
    [
      "unknown key in an account",
      "description: x\naccounts:\n  - {user: a, password: b, requires: SSL}",
      "accounts[0]",
      /unknown key "requires"/,
    ],
    [
      "extends a scenario that does not exist",
      "extends: no-such-scenario\ndescription: x",
      "extends",
      /no built-in scenario named "no-such-scenario"/,
    ],
    ["broken YAML", "description: [unclosed", "", /not valid YAML/],
  ];

  it.each(cases)(
    "is rejected (%s) with the file, the path and what was expected",
    (label, text, path, message) => {
      const file = scenarioFile(`${label.replace(/\W+/g, "-")}.yaml`, text);
      let error: unknown;
      try {
        loadScenario(file);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ScenarioError);
      const scenarioError = error as ScenarioError;
      expect(scenarioError.file).toBe(file);
      expect(scenarioError.path).toBe(path);
      expect(scenarioError.message).toMatch(message);
      expect(scenarioError.message.startsWith(file)).toBe(true);
      expect(scenarioError.stack ?? "").not.toContain("node_modules/zod");
    },
  );

  it("names the line of the offending node", () => {
    const file = scenarioFile(
      "lines.yaml",
      "description: x\nserver:\n  version: 5.7.41\n  tls:\n    versions: [TLSv9]\n",
    );
    expect(() => loadScenario(file)).toThrow(`${file}:5: server.tls.versions[0]`);
  });

  it("offering TLSv1.3 on a 5.7 version is refused: no 5.7 release negotiates it", () => {
    const file = scenarioFile(
      "tls13.yaml",
      "description: x\nserver:\n  version: 5.7.41\n  tls:\n    versions: [TLSv1.2, TLSv1.3]",
    );
    expect(() => scenarioToOptions(loadScenario(file))).toThrow(
      /server.tls.versions: no MySQL 5.7 release negotiates TLSv1.3/,
    );
  });

  it("with versions that leave a gap is refused when loaded, naming the line", () => {
    const file = scenarioFile("gap.yaml", "description: x\nserver:\n  tls:\n    versions: [TLSv1, TLSv1.2]");
    expect(() => scenarioToOptions(loadScenario(file))).toThrow(
      /server.tls.versions: the versions must form a range/,
    );
    expect(() => loadScenario(file)).toThrow(
      `${file}:4: server.tls.versions: the versions must form a range`,
    );
  });
});

describe("startMockServer({ scenario })", () => {
  it("serves a built-in scenario by name, and lets explicit options override it", async () => {
    await using server = await startMockServer({ scenario: "strip-backronym", serverVersion: "5.7.2" });
    expect(server.scenario?.name).toBe("strip-backronym");
    expect(server.options.capabilityFlags).toBe(0xc1fff7ff);
    expect(server.options.serverVersion).toBe("5.7.2");
  });

  it("serves a scenario object", async () => {
    await using server = await startMockServer({
      scenario: {
        extends: "mysql-5.7.41-notls",
        description: "inline",
        accounts: [{ user: "a", password: "b" }],
      },
    });
    expect(server.tls).toBeNull();
    expect(server.options.accounts.map((a) => a.user)).toEqual(["a"]);
  });
});
