import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { serverOptionFields } from "../../src/options/server-options";
import { tlsOptionFields } from "../../src/options/tls-options";
import { builtinScenarioNames, loadScenario, ScenarioError } from "../../src/scenarios/load-scenario";
import { scenarioToOptions } from "../../src/scenarios/scenario-options";
import { scenarioSchema } from "../../src/scenarios/scenario-schema";
import { resolveOptions } from "../../src/server/options";

/**
 * A scenario file's `server` section is the server's options as a file writes them: the same
 * definitions (src/options), so a value the server would refuse is refused when the file is read,
 * with the option's own words, and scenarioToOptions only renames and maps.
 */

const dir = mkdtempSync(join(tmpdir(), "mysql-tls-mock-scenario-options-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function load(name: string, text: string) {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, text);
  return loadScenario(path);
}

const serverSection = scenarioSchema.shape.server.unwrap();

/** The keys a file writes another way than the option of the same name, and what they become. */
const MAPPED_KEYS = {
  version: "serverVersion",
  unixSocket: "socketPath: true",
  tls: "tls, with versions as a list",
  rsaKeys: "rsaKeys: false, or the default pair",
  capabilityFlags: "capabilityFlags, unsigned",
  mariadbCapabilities: "mariadbCapabilities, unsigned",
  defaultAuthPlugin: "defaultAuthPlugin, one of the listed names",
};

/** The schema inside `.optional()` and `.default()`. */
function inner(schema: z.ZodType): z.ZodType {
  return schema instanceof z.ZodOptional || schema instanceof z.ZodDefault
    ? inner(schema.unwrap() as z.ZodType)
    : schema;
}

describe("the server section of a scenario file", () => {
  const sameName = Object.keys(serverSection.shape).filter((key) => !(key in MAPPED_KEYS));

  it("has only keys that are options, or mapped onto one", () => {
    for (const key of sameName) expect(Object.keys(serverOptionFields)).toContain(key);
  });

  it.each(sameName)("defines %s with the option's own definition", (key) => {
    const field = serverSection.shape[key as keyof typeof serverSection.shape] as z.ZodType;
    const option = serverOptionFields[key as keyof typeof serverOptionFields] as z.ZodType;
    expect(inner(field)).toBe(inner(option));
  });

  it("writes the TLS certificates and client-certificate mode with the options' definitions", () => {
    const tls = inner(serverSection.shape.tls) as z.ZodUnion<[z.ZodLiteral<false>, z.ZodObject]>;
    const section = tls.options[1].shape as Record<string, z.ZodType>;
    expect(inner(section.certificates!)).toBe(inner(tlsOptionFields.certificates));
    expect(inner(section.clientCertificates!)).toBe(inner(tlsOptionFields.clientCertificates));
  });

  it.each([
    ["characterSet: 999", "server.characterSet", "expected an integer from 0 to 255, found 999"],
    ["version: ''", "server.version", 'must not be empty, found ""'],
    [
      "faults: { delayMs: 3000000000 }",
      "server.faults.delayMs",
      "expected milliseconds from 0 to 2147483647",
    ],
    [
      "faults: { refuseLoginWith: { code: 1045, sqlState: '28\\u00e9\\u00e9\\u00e9', message: x } }",
      "server.faults.refuseLoginWith.sqlState",
      "expected five printable ASCII characters",
    ],
    ["systemVariables: { '': 1 }", "server.systemVariables", "a variable name is empty"],
    ["capabilityFlags: -1", "server.capabilityFlags", "expected an integer from 0 to 4294967295, found -1"],
  ])("refuses `%s` when read, as the server would, naming %s", (line, path, says) => {
    let error: unknown;
    try {
      load(path.replace(/\W/g, "-"), `description: x\nserver:\n  ${line}\n`);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).path).toBe(path);
    expect((error as ScenarioError).message).toContain(says);
  });

  it("refuses an account the server would refuse, with the option's words", () => {
    expect(() =>
      load("account-host", "description: x\naccounts:\n  - { user: a, password: b, host: '' }\n"),
    ).toThrow(/accounts\[0\]\.host: must not be empty/);
  });
});

describe("a 5.7 scenario and TLSv1.3", () => {
  it("is refused with or without an explicit 5.7 version: the default version is 5.7.41", () => {
    const scenario = load(
      "default-version-tls13",
      "description: x\nserver:\n  tls:\n    versions: [TLSv1.3]\n",
    );
    expect(() => scenarioToOptions(scenario)).toThrow(
      /server.tls.versions: no MySQL 5.7 release negotiates TLSv1.3/,
    );
  });

  it("is served on an 8.0 version", async () => {
    const scenario = load(
      "8.0-tls13",
      "description: x\nserver:\n  version: 8.0.35\n  tls:\n    versions: [TLSv1.2, TLSv1.3]\n",
    );
    const options = await resolveOptions(scenarioToOptions(scenario));
    expect(options.tls).toMatchObject({ minVersion: "TLSv1.2", maxVersion: "TLSv1.3" });
  });
});

describe("every built-in scenario", () => {
  it.each(builtinScenarioNames())("%s maps to options the server resolves", async (name) => {
    await expect(resolveOptions(scenarioToOptions(loadScenario(name)))).resolves.toBeTruthy();
  });
});
