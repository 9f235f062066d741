import { getCertificateSet } from "../../src/certs";
import type { ConnectionRecord } from "../../src/record/connection-record";
import { judgeRun } from "../../src/record/judgement";
import { builtinScenarioNames, loadScenario } from "../../src/scenarios/load-scenario";
import type { ClientOutcome, SslMode } from "../../src/scenarios/scenario-schema";
import { type MockServer, startMockServer } from "../../src/mock-server";
import { scenarioToOptions } from "../../src/scenarios/scenario-options";
import {
  BATCH_PRESETS,
  type BatchPreset,
  MATRIX_MODES,
  NO_UNIX_SOCKET,
  ProbeBatch,
} from "../clients/preset-batch";
import { pemFile } from "../helpers/mariadb-cli";
import { classifyOutcome, describeRecord } from "../helpers/ssl-modes";
import { type KnownDeviation, knownPresetDeviation, PRESET_DEVIATIONS } from "./known-deviations";

/**
 * Every built-in scenario against every audit preset whose driver Debian packages, in PREFERRED
 * (where the preset can express it) and VERIFY_IDENTITY: the audit's own probe programs, each in
 * batch mode (one process per preset for the whole file). Known deviations are asserted as
 * observed, as in builtin-scenarios.test.ts. The mariadb-cli, pymysql, php-mysqli and
 * go-sql-driver presets run the programs builtin-scenarios.test.ts already runs in every mode.
 */

const MODES: readonly SslMode[] = ["PREFERRED", "VERIFY_IDENTITY"];
const PHRASES: Record<ClientOutcome, string> = {
  plaintext: "logs in without TLS",
  tls: "logs in over TLS",
  "refuse-before-credentials": "refuses before sending credentials",
  "refused-after-credentials": "is refused after sending credentials",
};

interface Case {
  title: string;
  preset: BatchPreset;
  mode: SslMode;
  expected: ClientOutcome;
  deviation: KnownDeviation<BatchPreset> | undefined;
}

function casesFor(scenario: string): Case[] {
  const loaded = loadScenario(scenario);
  const expect = loaded.expect;
  const overSocket = scenarioToOptions(loaded).socketPath !== undefined;
  return BATCH_PRESETS.filter((preset) => !(overSocket && NO_UNIX_SOCKET[preset])).flatMap((preset) =>
    MODES.flatMap((mode): Case[] => {
      const expectation = expect[mode];
      if (!MATRIX_MODES[preset][mode] || !expectation) return [];
      const deviation = knownPresetDeviation(preset, mode, scenario);
      const title = deviation
        ? `${preset} in ${mode} against ${scenario} ${PHRASES[deviation.observed]} ` +
          `(known deviation; a correct client ${PHRASES[expectation.outcome]})`
        : `${preset} in ${mode} against ${scenario} ${PHRASES[expectation.outcome]}`;
      return [{ title, preset, mode, expected: expectation.outcome, deviation }];
    }),
  );
}

const SCENARIOS = builtinScenarioNames();
const ACCOUNT = { user: "root", password: "root" };
const batches = new Map(BATCH_PRESETS.map((preset) => [preset, new ProbeBatch(preset)]));
afterAll(() => Promise.all([...batches.values()].map((batch) => batch.close())));

/** A login that left caching_sha2_password's cache warm: the next case needs a fresh server. */
function leftServerState(record: ConnectionRecord): boolean {
  return (
    record.outcome.kind === "authenticated" &&
    (record.authSwitchedTo ?? record.clientAuthPlugin) === "caching_sha2_password"
  );
}

describe.each(SCENARIOS)("the %s scenario with the audit presets", (scenario) => {
  let server: MockServer;
  let caFile = "";
  let fresh = false;
  async function start(): Promise<void> {
    server = await startMockServer({ scenario });
    caFile = pemFile(server.ca ?? (await getCertificateSet("good")).ca);
    fresh = true;
  }
  beforeAll(start);
  beforeEach(async () => {
    if (fresh) return;
    await server.stop();
    await start();
  });
  afterAll(() => server?.stop());

  const cases = casesFor(scenario);
  if (cases.length === 0) it.todo(`has no PREFERRED or VERIFY_IDENTITY expectation a preset can express`);
  test.each(cases)("$title", async ({ preset, mode, expected, deviation }) => {
    const before = server.connections.length;
    const result = await batches.get(preset)!.run({
      host: "127.0.0.1",
      port: server.port,
      socket: server.socketPath ?? null,
      ...ACCOUNT,
      mode,
      ca: caFile,
    });
    expect(result.notExpressible).toBeNull();
    expect(server.connections.length).toBeGreaterThan(before);
    const record = await server.waitForConnection(before + 1);
    await server.settled();
    if (leftServerState(record)) fresh = false;
    expect(server.connections.length).toBe(before + 1);
    const seen = {
      outcome: classifyOutcome(result, record),
      how: MATRIX_MODES[preset][mode],
      client: result.error,
      server: describeRecord(record),
    };
    const judged = judgeRun([record], mode, expected);
    expect(seen).toEqual({ ...seen, outcome: deviation?.observed ?? expected });
    expect({ status: judged.status, severity: judged.severity }).toEqual({
      status: deviation ? "deviation" : "pass",
      severity: deviation ? deviation.severity : expect.stringMatching(/^(info|medium)$/),
    });
    if (seen.outcome === "refuse-before-credentials") expect(record.credentialsInPlaintext).toBe(false);
  });
});

describe("the presets' known deviations", () => {
  const applied = new Set(
    SCENARIOS.flatMap((scenario) => casesFor(scenario).flatMap((c) => (c.deviation ? [c.deviation] : []))),
  );

  it("name each case at most once", () => {
    const keys = PRESET_DEVIATIONS.map((d) => `${d.client} ${d.mode} ${d.scenario}`);
    expect(keys.filter((key, i) => keys.indexOf(key) !== i)).toEqual([]);
  });

  it.each(PRESET_DEVIATIONS.map((d) => [`${d.client} ${d.mode} ${d.scenario}`, d] as const))(
    "%s applies to a case the matrix runs and differs from the expectation",
    (_name, deviation) => {
      expect(deviation.reason.length).toBeGreaterThan(20);
      expect(applied.has(deviation)).toBe(true);
      const expected = loadScenario(deviation.scenario).expect[deviation.mode]?.outcome;
      expect(deviation.observed).not.toBe(expected);
    },
  );
});
