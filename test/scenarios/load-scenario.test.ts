import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BUILTIN_SCENARIO_DIR,
  builtinScenarioNames,
  loadScenario,
  ScenarioError,
} from "../../src/scenarios/load-scenario";
import { scenarioToOptions } from "../../src/scenarios/scenario-options";
import { scenarioJsonSchema } from "../../src/scenarios/scenario-schema";
import { startMockServer } from "../../src/server/mock-server";

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
    expect(Object.keys(scenario.expect).length).toBeGreaterThanOrEqual(5);
    expect(() => scenarioToOptions(scenario)).not.toThrow();
  });

  it("include the names the facts sheet's §8 uses", () => {
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
        "expect:",
        "  VERIFY_IDENTITY: tls",
      ].join("\n"),
    );
    const scenario = loadScenario(path);
    expect(scenario.name).toBe("child");
    expect(scenario.server?.version).toBe("5.7.41");
    expect(scenario.server?.tls).toMatchObject({
      versions: ["TLSv1.2"],
      certificates: "good",
      ciphers: "mysql-5.7-openssl",
    });
    expect(scenario.expect.VERIFY_IDENTITY).toEqual({ outcome: "tls" });
    expect(scenario.expect.DISABLED).toEqual({ outcome: "plaintext" });
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
