import type { ConnectionRecord } from "../record/connection-record";
import { factsOf } from "../record/facts";
import { EXPOSURE_WORDS } from "../record/verdict";
import { judgeRun } from "../record/judgement";
import type { SslMode } from "../record/findings";
import { loadScenario } from "../scenarios/load-scenario";
import { type Scenario, SSL_MODES } from "../scenarios/scenario-schema";
import { findingsText, hasFinding, line, type Print, verdict } from "./record-lines";

/**
 * Jest matchers over what the mock server recorded. Register them once with
 * `setupFilesAfterEnv: ["mysql-tls-mock/jest"]`, or yourself with `expect.extend(matchers)`.
 *
 * **Subject.** Each matcher takes a `ConnectionRecord`, an array of records, or anything with a
 * `connections` array: a `MockServer` or the object `useMockServer()` returns.
 *
 * **Several connections.** The positive form passes when ANY connection matches; `.not` passes when
 * NONE does. A failure message lists every connection in one line each.
 *
 * **No connection.** The positive form fails with a message saying the client never connected.
 * `.not` passes on an empty list — pair it with a positive assertion (or `toHaveLength`) when "the
 * client did connect" matters.
 *
 * **Synchronous.** The matchers read the records as they are at that moment and wait for nothing:
 * `await server.settled()` (or `await mock.settled()`) after the client is done and before
 * asserting. A message points out connections that were still open.
 *
 * @packageDocumentation
 */

/** The part of jest's matcher context (`this` inside a matcher) these matchers use; vitest's has it too. */
export interface MatcherContextLike {
  readonly isNot?: boolean;
  readonly promise?: string;
  readonly utils: {
    matcherHint(
      matcherName: string,
      received?: string,
      expected?: string,
      options?: { isNot?: boolean; promise?: string },
    ): string;
    printReceived(value: unknown): string;
    printExpected(value: unknown): string;
  };
}

export interface MatcherResult {
  pass: boolean;
  message(): string;
}

/** What the matchers accept: one record, several, or a server / fixture holding them. */
export type ConnectionsSubject =
  ConnectionRecord | readonly ConnectionRecord[] | { readonly connections: readonly ConnectionRecord[] };

// --- the subject ----------------------------------------------------------------------------------

function isRecord(value: unknown): value is ConnectionRecord {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Partial<ConnectionRecord>;
  return (
    typeof candidate.sslRequest === "boolean" &&
    typeof candidate.greeting === "object" &&
    typeof candidate.outcome === "object"
  );
}

function isThenable(value: unknown): boolean {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

/** The server's URL for "never connected to …", or null when the subject cannot say (a fixture read outside a test throws). */
function whereOf(holder: { url?: unknown }): string | null {
  try {
    // The URL carries the account's password, which no message shows.
    return typeof holder.url === "string" ? holder.url.replace(/\/\/[^@/]*@/, "//").replace(/\/$/, "") : null;
  } catch {
    return null;
  }
}

interface Subject {
  records: readonly ConnectionRecord[];
  /** Where the server listens, when the subject says (a MockServer or fixture). */
  where: string | null;
}

function subjectOf(context: MatcherContextLike, hint: string, received: unknown): Subject {
  const invalid = (why: string) =>
    new Error(
      `${hint}\n\nMatcher error: ${why}\n\n` +
        "It takes a ConnectionRecord, an array of them, or a MockServer (anything with `connections`).\n" +
        `Received: ${context.utils.printReceived(received)}`,
    );
  if (isThenable(received)) {
    throw new Error(
      `${hint}\n\nMatcher error: received a Promise. These matchers are synchronous and wait for ` +
        "nothing: await first, e.g.\n  await server.settled();\n  expect(server).…",
    );
  }
  if (isRecord(received)) return { records: [received], where: null };
  if (Array.isArray(received)) {
    if (!received.every(isRecord)) throw invalid("the array holds something that is not a ConnectionRecord");
    return { records: received, where: null };
  }
  if (typeof received === "object" && received !== null && "connections" in received) {
    const holder = received as { connections: unknown; url?: unknown };
    const records = holder.connections;
    if (!Array.isArray(records) || !records.every(isRecord)) {
      throw invalid("its `connections` is not an array of ConnectionRecords");
    }
    return { records, where: whereOf(holder) };
  }
  throw invalid("received value is neither a ConnectionRecord, an array of them nor a MockServer");
}

// --- the engine -----------------------------------------------------------------------------------

interface Spec {
  name: string;
  /** The expected argument as the hint shows it ("" for none). */
  expectedHint: string;
  /** "that negotiated TLS "TLSv1.2"" — completes "a connection …" / "no connection …". */
  expectation: string;
  matches(record: ConnectionRecord): boolean;
  /** The part of the record this matcher looks at, when the common line does not show it. */
  relevant?(record: ConnectionRecord): string | null;
  /** Extra paragraphs for the message, e.g. why a near miss did not count. */
  notes?(records: readonly ConnectionRecord[]): string[];
}

function plural(n: number): string {
  return `${n} connection${n === 1 ? "" : "s"}`;
}

function run(context: MatcherContextLike, received: unknown, spec: Spec): MatcherResult {
  const isNot = context.isNot === true;
  const hint = context.utils.matcherHint(spec.name, undefined, spec.expectedHint, {
    isNot,
    ...(context.promise ? { promise: context.promise } : {}),
  });
  const { records, where } = subjectOf(context, hint, received);
  const matching = records.filter((record) => spec.matches(record));
  const pass = matching.length > 0;
  const message = () => {
    const print: Print = (value) => context.utils.printReceived(value);
    const expected = `Expected: ${isNot ? "no connection" : "a connection"} ${spec.expectation}`;
    if (records.length === 0) {
      const server = where ? ` to ${where}` : "";
      return `${hint}\n\n${expected}\nReceived: no connection — the client never connected${server}`;
    }
    const summary = pass
      ? `${matching.length} of ${plural(records.length)} did:`
      : `${plural(records.length)}, none did:`;
    const lines = records.map((record) => {
      const marker = pass && matching.includes(record) ? "› " : "  ";
      return `${marker}${line(record, spec.relevant?.(record) ?? null, print)}`;
    });
    const notes = [...(spec.notes?.(records) ?? []), ...pendingNotes(records)];
    return [
      hint,
      "",
      expected,
      `Received: ${summary}`,
      ...lines,
      ...(pass && records.length > 1 ? ["(› marks the connections that match)"] : []),
      ...notes.flatMap((note) => ["", note]),
    ].join("\n");
  };
  return { pass, message };
}

function pendingNotes(records: readonly ConnectionRecord[]): string[] {
  const open = records.filter((record) => record.outcome.kind === "pending");
  if (open.length === 0) return [];
  const ids = open.map((record) => `#${record.id}`).join(", ");
  return [
    `${open.length === 1 ? "Connection" : "Connections"} ${ids} ${open.length === 1 ? "was" : "were"} still open, ` +
      "so the record is not final: the matchers wait for nothing. `await server.settled()` " +
      "(or `await mock.settled()`) once the client is done, then assert.",
  ];
}

function requireString(context: MatcherContextLike, name: string, value: unknown, what: string): void {
  if (value !== undefined && typeof value !== "string") {
    throw new Error(
      `${context.utils.matcherHint(name, undefined, what)}\n\nMatcher error: ${what} must be a string when given\n` +
        `Expected has value: ${context.utils.printExpected(value)}`,
    );
  }
}

// --- the matchers ---------------------------------------------------------------------------------

/** Passes when a connection sent an SSLRequest (asked to upgrade to TLS). */
export function toHaveSentSslRequest(this: MatcherContextLike, received: unknown): MatcherResult {
  return run(this, received, {
    name: "toHaveSentSslRequest",
    expectedHint: "",
    expectation: "that sent an SSLRequest",
    matches: (record) => record.sslRequest,
  });
}

/** Passes when a connection completed a TLS handshake, with `version` (e.g. `"TLSv1.2"`) when given. */
export function toHaveNegotiatedTls(
  this: MatcherContextLike,
  received: unknown,
  version?: string,
): MatcherResult {
  requireString(this, "toHaveNegotiatedTls", version, "version");
  return run(this, received, {
    name: "toHaveNegotiatedTls",
    expectedHint: version === undefined ? "" : "version",
    expectation:
      version === undefined
        ? "that negotiated TLS"
        : `that negotiated TLS ${this.utils.printExpected(version)}`,
    matches: (record) =>
      record.tls?.outcome === "negotiated" && (version === undefined || record.tls.version === version),
  });
}

/** The versions a ClientHello offered, and where they were read from. */
function offeredVersions(
  record: ConnectionRecord,
): { versions: string[]; from: "supported_versions" | "legacy_version" } | null {
  const hello = record.tls?.clientHello;
  if (!hello) return null;
  return hello.supportedVersions !== null
    ? { versions: hello.supportedVersions, from: "supported_versions" }
    : { versions: [hello.legacyVersion], from: "legacy_version" };
}

/**
 * Passes when a connection's ClientHello offered exactly `versions`, in any order: its
 * supported_versions extension, or — when the client sent none, as TLS 1.2-only clients do — its
 * legacy_version alone.
 */
export function toHaveOfferedTlsVersions(
  this: MatcherContextLike,
  received: unknown,
  versions: readonly string[],
): MatcherResult {
  if (!Array.isArray(versions) || versions.length === 0 || !versions.every((v) => typeof v === "string")) {
    throw new Error(
      `${this.utils.matcherHint("toHaveOfferedTlsVersions", undefined, "versions")}\n\n` +
        'Matcher error: versions must be a non-empty array of names such as ["TLSv1.3", "TLSv1.2"]\n' +
        `Expected has value: ${this.utils.printExpected(versions)}`,
    );
  }
  const wanted = new Set(versions);
  const print: Print = (value) => this.utils.printReceived(value);
  return run(this, received, {
    name: "toHaveOfferedTlsVersions",
    expectedHint: "versions",
    expectation: `whose ClientHello offered exactly ${this.utils.printExpected(versions)} (in any order)`,
    matches: (record) => {
      const offered = offeredVersions(record);
      return (
        offered !== null &&
        new Set(offered.versions).size === wanted.size &&
        offered.versions.every((v) => wanted.has(v))
      );
    },
    relevant: (record) => {
      const offered = offeredVersions(record);
      if (offered === null) {
        return record.tls === null ? "no ClientHello" : "no ClientHello recorded (it could not be read)";
      }
      return offered.from === "supported_versions"
        ? `offered ${print(offered.versions)} (supported_versions extension)`
        : `offered ${print(offered.versions)} (legacy_version: the ClientHello has no supported_versions extension)`;
    },
  });
}

function rejectedDuringHandshake(record: ConnectionRecord, alert: string | undefined): boolean {
  const tls = record.tls;
  return (
    tls?.outcome === "failed" &&
    tls.failure.cause === "cert-rejected" &&
    (alert === undefined || tls.failure.alert === alert)
  );
}

/**
 * Refused without an alert, by a pattern the verdict infers a refusal from: a close after the
 * server's whole TLS 1.3 flight, or an abrupt close right after a TLS 1.2 handshake.
 */
function rejectedWithoutAlert(record: ConnectionRecord): boolean {
  return hasFinding(record, "tls-verified-refused") && factsOf(record).certificateRefusal?.how !== "alert";
}

/** Negotiated and left before sending credentials, in a way that says nothing about the certificate (`tls-abandoned`). */
function leftAfterHandshake(record: ConnectionRecord): boolean {
  return hasFinding(record, "tls-abandoned");
}

/**
 * Passes when a client rejected the server's certificate, by the verdict's own rule (finding
 * `tls-verified-refused`):
 * - observed: its TLS handshake failed with cause `cert-rejected` — the client sent a certificate
 *   alert, as OpenSSL-based clients do; with `alert` given, only when that alert was sent
 *   (`"unknown_ca"`, `"certificate_expired"`, `"bad_certificate"` …);
 * - inferred, without `alert`: the certificate is flawed and the client closed without an alert
 *   after the server's whole TLS 1.3 flight and before its own Finished, or at once after a TLS 1.2
 *   handshake without a close_notify — how Node's TLS stack (mysql2, mysql, mariadb) refuses.
 *
 * A client that completes the handshake and quits in an orderly way (`openssl s_client` without
 * `-verify_return_error`) has shown no refusal and does not pass.
 */
export function toHaveRejectedCertificate(
  this: MatcherContextLike,
  received: unknown,
  alert?: string,
): MatcherResult {
  requireString(this, "toHaveRejectedCertificate", alert, "alert");
  const print: Print = (value) => this.utils.printReceived(value);
  return run(this, received, {
    name: "toHaveRejectedCertificate",
    expectedHint: alert === undefined ? "" : "alert",
    expectation:
      alert === undefined
        ? "that rejected the server certificate"
        : `that rejected the server certificate with alert ${this.utils.printExpected(alert)}`,
    matches: (record) =>
      rejectedDuringHandshake(record, alert) || (alert === undefined && rejectedWithoutAlert(record)),
    relevant: (record) => {
      // Without a TLS handshake the client never saw the certificate.
      if (record.tls === null) return null;
      const flaws = `certificate flaws ${print(record.serverCertificate?.flaws ?? [])}`;
      if (rejectedDuringHandshake(record, undefined)) return `rejected during the handshake; ${flaws}`;
      if (rejectedWithoutAlert(record)) {
        const how = factsOf(record).certificateRefusal?.how;
        return how === "closed-after-server-flight"
          ? `closed without an alert after the server's TLS 1.3 flight, before its Finished (a refusal, inferred); ${flaws}`
          : `closed at once after the handshake without close_notify, before credentials (a refusal, inferred); ${flaws}`;
      }
      if (leftAfterHandshake(record)) {
        return `completed the handshake and left before credentials, in a way that does not show a refusal; ${flaws}`;
      }
      return flaws;
    },
    notes: (records) => {
      if (alert === undefined) return [];
      const silent = records.filter(rejectedWithoutAlert).map((record) => `#${record.id}`);
      if (silent.length === 0) return [];
      return [
        `${silent.join(", ")} refused the certificate after the handshake without sending an alert, so there ` +
          `is no alert to compare with ${this.utils.printExpected(alert)}. Node-based clients (mysql2, mysql, ` +
          "mariadb) reject that way: use toHaveRejectedCertificate() without an argument for them.",
      ];
    },
  });
}

/**
 * Passes when a connection fell back to plaintext: the greeting offered no TLS (a TLS-less server
 * or a stripping proxy) and the client logged in anyway (verdict finding `plaintext-fallback`).
 */
export function toHaveFallenBackToPlaintext(this: MatcherContextLike, received: unknown): MatcherResult {
  return run(this, received, {
    name: "toHaveFallenBackToPlaintext",
    expectedHint: "",
    expectation: "that fell back to plaintext when the greeting offered no TLS",
    matches: (record) => hasFinding(record, "plaintext-fallback"),
    relevant: (record) => `findings ${findingsText(record)}`,
    notes: (records) =>
      records.some((record) => !record.greeting.tlsOffered)
        ? []
        : [
            "Every greeting here offered TLS. A fallback is a client going on in plaintext after a greeting " +
              "WITHOUT TLS (a TLS-less server, or a stripping proxy as in scenario strip-backronym); a client " +
              "that skips TLS the server offered is verdict `plaintext` (see toHaveExposedCredentials).",
          ],
  });
}

function exposureText(record: ConnectionRecord): string {
  const exposure = verdict(record).exposure;
  if (exposure) return `exposed its ${exposure.plugin} ${EXPOSURE_WORDS[exposure.what]} without TLS`;
  // Credentials in the SSLRequest itself: no plugin's response to name.
  if (record.credentialsInPlaintext) return "exposed its credentials without TLS";
  if (record.user === null) return "sent no credentials";
  return record.tls?.outcome === "negotiated"
    ? "credentials only inside TLS"
    : "sent a response without password-bearing data";
}

/**
 * Passes when a connection's password-bearing response (a scramble reply, an RSA-encrypted password
 * or the password itself) crossed without TLS. The message names the plugin and what was exposed;
 * the record never holds the password, so no message can show it.
 */
export function toHaveExposedCredentials(this: MatcherContextLike, received: unknown): MatcherResult {
  return run(this, received, {
    name: "toHaveExposedCredentials",
    expectedHint: "",
    expectation: "whose credentials crossed without TLS",
    matches: (record) => factsOf(record).passwordOutsideTls,
    relevant: exposureText,
  });
}

/** Passes when a connection logged in (the server sent OK), as `user` when given. */
export function toHaveAuthenticated(
  this: MatcherContextLike,
  received: unknown,
  user?: string,
): MatcherResult {
  requireString(this, "toHaveAuthenticated", user, "user");
  return run(this, received, {
    name: "toHaveAuthenticated",
    expectedHint: user === undefined ? "" : "user",
    expectation:
      user === undefined ? "that authenticated" : `that authenticated as ${this.utils.printExpected(user)}`,
    matches: (record) =>
      record.outcome.kind === "authenticated" && (user === undefined || record.user === user),
  });
}

function isScenario(value: unknown): value is Scenario {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Partial<Scenario>).name === "string" &&
    typeof (value as Partial<Scenario>).expect === "object"
  );
}

/**
 * Passes when the connections, judged as one client run, are what a correct client does in `mode`
 * against `scenario` — the scenario's expected outcome for that mode, and no finding the mode
 * forbids at `high` or worse — as the audit judges a cell (`judgeRun`). `scenario` is a loaded
 * scenario (`server.scenario`, `loadScenario(…)`) or a built-in name or path to load.
 */
export function toHaveBehavedAsExpected(
  this: MatcherContextLike,
  received: unknown,
  scenario: unknown,
  mode: unknown,
): MatcherResult {
  const name = "toHaveBehavedAsExpected";
  const hintOf = () =>
    this.utils.matcherHint(name, undefined, "scenario, mode", { isNot: this.isNot === true });
  const misuse = (why: string, value: unknown) =>
    new Error(`${hintOf()}\n\nMatcher error: ${why}\nExpected has value: ${this.utils.printExpected(value)}`);
  if (typeof mode !== "string" || !(SSL_MODES as readonly string[]).includes(mode)) {
    throw misuse(`mode must be one of ${SSL_MODES.join(", ")}`, mode);
  }
  const loaded = typeof scenario === "string" ? loadScenario(scenario) : scenario;
  if (!isScenario(loaded))
    throw misuse("scenario must be a loaded scenario, a built-in name or a path", scenario);
  const expectation = loaded.expect[mode as SslMode];
  if (expectation === undefined) {
    throw misuse(`scenario ${loaded.name} states no expectation for ${mode}`, mode);
  }
  const { records } = subjectOf(this, hintOf(), received);
  const judged = judgeRun(records, mode as SslMode, expectation.outcome);
  const pass = judged.status === "pass";
  const message = () => {
    const print: Print = (value) => this.utils.printReceived(value);
    const expected =
      `Expected: ${this.isNot ? "not " : ""}what a correct client does in ${mode} against ${loaded.name}: ` +
      `${this.utils.printExpected(expectation.outcome)}, and no finding at high or worse` +
      (expectation.why ? `\n  (${expectation.why})` : "");
    if (judged.status === "no-connection") {
      return `${hintOf()}\n\n${expected}\nReceived: no connection — the client never connected`;
    }
    const lines = judged.connections.map((c) => `  ${line(c.record, findingsText(c.record) || null, print)}`);
    return [
      hintOf(),
      "",
      expected,
      `Received: ${print(judged.observed)}, worst finding ${judged.severity} — ${judged.status}`,
      ...lines,
      ...pendingNotes(records).flatMap((note) => ["", note]),
    ].join("\n");
  };
  return { pass, message };
}

/** Every matcher, for `expect.extend(matchers)`. */
export const matchers = {
  toHaveSentSslRequest,
  toHaveNegotiatedTls,
  toHaveOfferedTlsVersions,
  toHaveRejectedCertificate,
  toHaveFallenBackToPlaintext,
  toHaveExposedCredentials,
  toHaveAuthenticated,
  toHaveBehavedAsExpected,
};

export type { MysqlTlsMockMatchers } from "./matcher-types";
