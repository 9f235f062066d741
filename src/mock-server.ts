import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
import { listen, type ServerFiles, type ServerParts } from "./server/listen";
import { ServerCore } from "./server/server-core";

/*
 * The facade: what a user starts. It resolves a scenario into server options, then starts a
 * server; below it, the server knows options only and the scenarios know nothing of servers.
 */

export { type ServerFiles } from "./server/listen";
export { ConnectionRecordDroppedError, ServerStoppedError } from "./server/server-core";

/** Options of {@link startMockServer} beyond the server's behaviour. */
export interface StartOptions extends MockServerOptions, ServerFiles {
  /**
   * A scenario to serve: a built-in name (`mysql-tls-mock scenarios`), a path to a scenario file,
   * or a scenario object. The other options given here override what it sets.
   */
  scenario?: string | ScenarioFile;
}

/** What a scenario may be given as: a built-in name, a path, or a scenario object. */
const scenarioReference = z.custom<string | ScenarioFile>(
  (value) => typeof value === "string" || isPlainObject(value),
  {
    error: (issue) =>
      `expected a scenario name, a path or a scenario object, got ${describeValue(issue.input)}`,
  },
);

/**
 * The CA a client trusts, as a file: written in a private folder (mode 0700, the file 0600) so no
 * other user can swap what the client trusts. Written the first time someone asks for it — most
 * servers never are, and a start should not cost a folder and a file — and again whenever the CA
 * it was asked for has changed; removed at stop.
 */
class CaFileHolder {
  private dir: string | null = null;
  private written: string | null = null;

  /** The file holding `ca` (written now if it does not hold it yet), or undefined without a CA. */
  pathFor(ca: string | undefined): string | undefined {
    if (ca === undefined) {
      this.remove();
      return undefined;
    }
    this.dir ??= mkdtempSync(join(tmpdir(), "mysql-tls-mock-ca-"));
    const path = join(this.dir, "ca.pem");
    if (this.written !== ca) {
      writeFileSync(path, ca, { mode: 0o600 });
      this.written = ca;
    }
    return path;
  }

  /** Whether a file was handed out: it must then follow the CA. */
  get inUse(): boolean {
    return this.written !== null;
  }

  remove(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
    this.written = null;
  }
}

/**
 * How a server makes its options from the scenario it serves: at start, and again for every
 * {@link MockServer.setScenario}. {@link startMockServer}'s rule: its own options override the
 * scenario's. The CLI's: its flags override the scenario's as `serve` documents.
 */
export type ScenarioOptionsRule = (scenario: Scenario | null) => MockServerOptions;

/** The rule of {@link startMockServer}: the options given override the scenario's. */
const overriding =
  (serverOptions: MockServerOptions): ScenarioOptionsRule =>
  (scenario) =>
    scenario ? { ...scenarioToOptions(scenario), ...serverOptions } : serverOptions;

/**
 * A running mock MySQL server. Create one with {@link startMockServer}; stop it with
 * {@link MockServer.stop} or `await using`.
 */
export class MockServer extends ServerCore {
  private served: Scenario | null;
  private readonly caFileHolder = new CaFileHolder();

  /** @internal use {@link startMockServer} */
  constructor(
    parts: ServerParts,
    scenario: Scenario | null = null,
    /** How this server makes options from a scenario: at start, and for every setScenario. */
    private readonly optionsFor: ScenarioOptionsRule = overriding({}),
  ) {
    super(parts);
    this.served = scenario;
  }

  /** The scenario new connections are served, with `extends` applied; null when none was given. */
  get scenario(): Scenario | null {
    return this.served;
  }

  /**
   * A PEM file holding {@link ca}, the CA a correctly configured client trusts (`--ssl-ca`,
   * `sslrootcert`, …): written in a private temp folder when first asked for, kept up to date by
   * {@link setScenario} and removed by {@link stop}. Undefined when TLS is off or there is no CA,
   * and once the server is stopped.
   */
  get caFile(): string | undefined {
    if (this.stopped) return undefined;
    return this.caFileHolder.pathFor(this.ca);
  }

  /**
   * Serves another scenario — a built-in name, a path, a scenario object, or null for none — to
   * NEW connections; connections already open go on as they started. The scenario is resolved as
   * {@link startMockServer} resolves one, the options given at start still overriding it. Throws a
   * `ScenarioError` or {@link ServerConfigurationError} and changes nothing when it cannot be
   * served, or when it would move the listener (host, port, socketPath, backlog) or change
   * keepConnections, or once the server is stopped.
   */
  async setScenario(scenario: string | ScenarioFile | null): Promise<void> {
    // A stopped server serves no new connection, and its CA file must not come back.
    if (this.stopped) throw new Error("setScenario: the mock server was stopped");
    if (scenario !== null) parseOptions(optionObject({ scenario: scenarioReference }), { scenario });
    const loaded = scenario === null ? null : loadScenario(scenario);
    const resolved = await resolveOptions(this.optionsFor(loaded));
    // Compared as the options state them: `socketPath: true` picks a new folder at each resolve.
    if (resolved.socketDir !== null && this.options.socketDir !== null) {
      resolved.socketPath = this.options.socketPath;
    }
    this.reconfigure(resolved);
    this.served = loaded;
    // A file already handed out follows the new CA (or goes, without one).
    if (this.caFileHolder.inUse) this.caFileHolder.pathFor(this.ca);
  }

  /** Stops the server (see {@link ServerCore.stop}) and removes {@link caFile}. */
  override async stop(): Promise<void> {
    await super.stop();
    this.caFileHolder.remove();
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
  scenario: scenarioReference.optional(),
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
  return startServing(scenario, overriding(serverOptions), { eventsFile, keylogFile, onWarning });
}

/**
 * @internal For the CLI: starts a server on `scenario` (loaded) whose options, now and for every
 * {@link MockServer.setScenario}, come from `optionsFor`.
 */
export async function startServing(
  scenario: Scenario | null,
  optionsFor: ScenarioOptionsRule,
  files: ServerFiles,
): Promise<MockServer> {
  const resolved = await resolveOptions(optionsFor(scenario));
  const parts = await listen(resolved, files);
  return new MockServer(parts, scenario, optionsFor);
}
