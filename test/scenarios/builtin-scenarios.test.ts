import { getCertificateSet } from "../../src/certs";
import type { ConnectionRecord } from "../../src/record/connection-record";
import { judgeRun } from "../../src/record/judgement";
import { builtinScenarioNames, loadScenario } from "../../src/scenarios/load-scenario";
import { type ClientOutcome, SSL_MODES, type SslMode } from "../../src/scenarios/scenario-schema";
import { type MockServer, startMockServer } from "../../src/mock-server";
import { pemFile } from "../helpers/mariadb-cli";
import {
  CLIENT_MODES,
  CLIENT_NAMES,
  type ClientName,
  type ClientTarget,
  classifyOutcome,
  describeRecord,
  reportedError,
} from "../helpers/ssl-modes";
import { KNOWN_DEVIATIONS, type KnownDeviation, knownDeviation } from "./known-deviations";
import { expectedRefusal, SCENARIOS_WITH_REFUSALS, serverSideOf } from "./refusals";

/**
 * Every built-in scenario against every real client in every ssl-mode the client can express and
 * the scenario has an expectation for: a scenario whose expectations a real, correct client
 * contradicts fails here. Known client deviations (known-deviations.ts) are asserted as observed.
 */

const PHRASES: Record<ClientOutcome, string> = {
  plaintext: "logs in without TLS",
  tls: "logs in over TLS",
  "refuse-before-credentials": "refuses before sending credentials",
  "refused-after-credentials": "is refused after sending credentials",
};

interface Case {
  title: string;
  client: ClientName;
  mode: SslMode;
  expected: ClientOutcome;
  deviation: KnownDeviation | undefined;
}

function casesFor(scenario: string): Case[] {
  const expect = loadScenario(scenario).expect;
  return CLIENT_NAMES.flatMap((client) =>
    SSL_MODES.flatMap((mode): Case[] => {
      const expectation = expect[mode];
      if (!CLIENT_MODES[client][mode] || !expectation) return [];
      const deviation = knownDeviation(client, mode, scenario);
      const title = deviation
        ? `${client} in ${mode} against ${scenario} ${PHRASES[deviation.observed]} ` +
          `(known deviation; a correct client ${PHRASES[expectation.outcome]})`
        : `${client} in ${mode} against ${scenario} ${PHRASES[expectation.outcome]}`;
      return [{ title, client, mode, expected: expectation.outcome, deviation }];
    }),
  );
}

const SCENARIOS = builtinScenarioNames();
const ACCOUNT = { user: "root", password: "root" };

/**
 * The one thing the mock carries from one connection to the next is caching_sha2_password's cache:
 * a successful login stores the account's hash and the next login takes the fast path, as in
 * MySQL 8.0. Expectations are for the scenario's server as started, so after such a login the
 * next case gets a fresh server.
 */
function leftServerState(record: ConnectionRecord): boolean {
  return (
    record.outcome.kind === "authenticated" &&
    (record.authSwitchedTo ?? record.clientAuthPlugin) === "caching_sha2_password"
  );
}

describe.each(SCENARIOS)("the %s scenario with real clients", (scenario) => {
  let server: MockServer;
  let target: ClientTarget;
  let fresh = false;
  async function start(): Promise<void> {
    server = await startMockServer({ scenario });
    // Without TLS on the server, a VERIFY_* client still needs a CA to be configured with.
    const ca = server.ca ?? (await getCertificateSet("good")).ca;
    target = {
      port: server.port,
      socketPath: server.socketPath,
      ...ACCOUNT,
      ca,
      caFile: target?.ca === ca ? target.caFile : pemFile(ca),
    };
    fresh = true;
  }
  beforeAll(start);
  beforeEach(async () => {
    if (fresh) return;
    await server.stop();
    await start();
  });
  afterAll(async () => {
    await server?.stop();
  });

  test.each(casesFor(scenario))("$title", async ({ client, mode, expected, deviation }) => {
    const before = server.connections.length;
    const spec = CLIENT_MODES[client][mode]!;
    const result = await spec.run(target);
    // The server accepted every connection the client made before the client could finish.
    expect(server.connections.length).toBeGreaterThan(before);
    const record = await server.waitForConnection(before + 1);
    await server.settled();
    if (leftServerState(record)) fresh = false;
    // One connection: no retry in plaintext on a new socket after a refusal.
    expect(server.connections.length).toBe(before + 1);

    const seen = {
      outcome: classifyOutcome(result, record),
      how: spec.how,
      client: result.error,
      server: describeRecord(record),
    };
    expect(seen).toEqual({ ...seen, outcome: deviation?.observed ?? expected });
    // The audit's judgement of the same run: a deviation exactly where the suite knows one, with
    // the severity the deviation is known by; a correct client at worst a medium finding.
    const judged = judgeRun([record], mode, expected);
    expect({ status: judged.status, severity: judged.severity, verdict: record.verdict?.kind }).toEqual({
      status: deviation ? "deviation" : "pass",
      severity: deviation ? deviation.severity : expect.stringMatching(/^(info|medium)$/),
      verdict: expect.any(String),
    });
    if (seen.outcome === "refuse-before-credentials") {
      expect(record.credentialsInPlaintext).toBe(false);
    }
    if (seen.outcome === "refused-after-credentials") {
      // Which refusal: the ERR the server sent (or the client hanging up mid-authentication), and
      // the code the client reported — refusals.ts says which for every such case.
      expect({ server: serverSideOf(record), client: reportedError(result) }).toEqual(
        expectedRefusal(client, mode, scenario) ??
          `a refusal in refusals.ts for ${client} ${mode} ${scenario}`,
      );
    }
  });
});

describe("the refusals after credentials", () => {
  it("name only built-in scenarios", () => {
    expect(SCENARIOS_WITH_REFUSALS.filter((name) => !SCENARIOS.includes(name))).toEqual([]);
  });
});

describe("the known deviations", () => {
  const applied = new Set(
    SCENARIOS.flatMap((scenario) => casesFor(scenario).flatMap((c) => (c.deviation ? [c.deviation] : []))),
  );

  it("name each case at most once", () => {
    const keys = KNOWN_DEVIATIONS.map((d) => `${d.client} ${d.mode} ${d.scenario}`);
    expect(keys.filter((key, i) => keys.indexOf(key) !== i)).toEqual([]);
  });

  it.each(KNOWN_DEVIATIONS.map((d) => [`${d.client} ${d.mode} ${d.scenario}`, d] as const))(
    "%s applies to a case, names a mode the client expresses, and differs from the expectation",
    (_name, deviation) => {
      expect(deviation.reason.length).toBeGreaterThan(20);
      expect(CLIENT_MODES[deviation.client][deviation.mode]).toBeDefined();
      expect(applied.has(deviation)).toBe(true);
      const scenarios = deviation.scenario === "*" ? SCENARIOS : [deviation.scenario];
      for (const scenario of scenarios) {
        const expected = loadScenario(scenario).expect[deviation.mode]?.outcome;
        // A deviation by its findings alone (rogue-local-infile: the login as expected, a file
        // sent) is one only at high or worse, as judgeRun has it.
        if (expected === undefined) continue;
        if (deviation.observed === expected) expect(["critical", "high"]).toContain(deviation.severity);
        else expect(deviation.observed).not.toBe(expected);
      }
    },
  );
});
