import { z } from "zod";
import { loadScenario } from "./scenarios/load-scenario";
import { scenarioToOptions } from "./scenarios/scenario-options";
import type { Scenario, ScenarioFile } from "./scenarios/scenario-schema";
import type { SinkWarning } from "./record/append-sink";
import { describeValue, isPlainObject } from "./options/describe-value";
import { callback, optionObject, text } from "./options/option-types";
import { parseOptions } from "./options/parse-options";
import { type MockServerOptions, serverOptionFields } from "./options/server-options";
import { resolveOptions } from "./server/options";
import { listen, ServerCore, type ServerFiles, type ServerParts } from "./server/server-core";

/*
 * The facade: what a user starts. It resolves a scenario into server options, then starts a
 * server; below it, the server knows options only and the scenarios know nothing of servers.
 */

export { ConnectionRecordDroppedError, type ServerFiles, ServerStoppedError } from "./server/server-core";

/** Options of {@link startMockServer} beyond the server's behaviour. */
export interface StartOptions extends MockServerOptions, ServerFiles {
  /**
   * A scenario to serve: a built-in name (`mysql-tls-mock scenarios`), a path to a scenario file,
   * or a scenario object. The other options given here override what it sets.
   */
  scenario?: string | ScenarioFile;
}

/**
 * A running mock MySQL server. Create one with {@link startMockServer}; stop it with
 * {@link MockServer.stop} or `await using`.
 */
export class MockServer extends ServerCore {
  /** @internal use {@link startMockServer} */
  constructor(
    parts: ServerParts,
    /** The scenario served, with `extends` applied, when one was given. */
    readonly scenario: Scenario | null = null,
  ) {
    super(parts);
  }
}

/** A file option: a path to open. */
const pathOption = () => text({ nonEmpty: true, noNul: true }).optional();

/**
 * What {@link StartOptions} takes: the server's options and the keys it adds. Checked before a
 * scenario is loaded, so a misspelt key is named first; the server's options are checked again,
 * with the rules between them, once the scenario's are merged in.
 */
const startOptionsSchema = optionObject({
  ...serverOptionFields,
  scenario: z
    .custom<string | ScenarioFile>((value) => typeof value === "string" || isPlainObject(value), {
      error: (issue) =>
        `expected a scenario name, a path or a scenario object, got ${describeValue(issue.input)}`,
    })
    .optional(),
  eventsFile: pathOption(),
  keylogFile: pathOption(),
  onWarning: callback<(warning: SinkWarning) => void>().optional(),
});

/**
 * Starts a mock MySQL server. Every option is checked first (a {@link ServerConfigurationError}
 * names the one that cannot work); the events and key-log files are opened before the server
 * listens; a start that fails leaves nothing behind — no listener, no open file, no temp folder.
 *
 * @example
 * ```ts
 * await using server = await startMockServer({ accounts: [{ user: "app", password: "secret" }] });
 * // connect a client to server.host / server.port, then:
 * const [record] = await server.settled();
 * expect(record.tls?.outcome).toBe("negotiated");
 * ```
 */
export async function startMockServer(options: StartOptions = {}): Promise<MockServer> {
  parseOptions(startOptionsSchema, options);
  const { eventsFile, keylogFile, onWarning, scenario: scenarioReference, ...serverOptions } = options;
  const scenario = scenarioReference === undefined ? null : loadScenario(scenarioReference);
  const resolved = await resolveOptions(
    scenario ? { ...scenarioToOptions(scenario), ...serverOptions } : serverOptions,
  );
  const parts = await listen(resolved, { eventsFile, keylogFile, onWarning });
  return new MockServer(parts, scenario);
}
