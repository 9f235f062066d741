import pc from "picocolors";
import { escapeControlCharacters, formatEvent } from "../../src/cli/format-event";
import type { MockServerEvent } from "../../src/record/events";

/**
 * Every line `serve` prints goes through formatEvent; every string in an event may have come from a
 * client (user, database, query, SNI, certificate subject, error text). Each event type, with every
 * string field set to text full of control characters, must print as exactly one line with none.
 */

/** A newline, an OSC title change, a CSI from C1, a bidi override and DEL. */
const POISON = "a\nb\x1b]0;t\x07c\u009b2Jd\u202ee\x7f";
const ESCAPED = "a\\nb\\x1b]0;t\\x07c\\x9b2Jd\\u202ee\\x7f";
// eslint-disable-next-line no-control-regex
const ANY_CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;

const base = { time: "2026-01-01T12:00:00.000Z", connectionId: 7 };
const failure = { cause: POISON, alert: POISON, message: POISON };
const verdict = { kind: "tls", severity: "info", findings: [], summary: POISON, exposure: null };

const OUTCOMES = [
  { kind: "authenticated", ended: POISON },
  { kind: "refused", code: 1045, sqlState: POISON, message: POISON },
  { kind: "tls-failed", failure },
  { kind: "client-went-away", phase: POISON, how: "closed" },
  { kind: "protocol-error", phase: POISON, message: POISON },
  { kind: "timeout", phase: POISON },
  { kind: "server-stopped", phase: POISON },
  { kind: "fault", point: POISON, action: POISON },
  { kind: "server-error", phase: POISON, message: POISON },
  { kind: "future-kind", message: POISON },
];

const EVENTS = [
  { type: "connection-opened", client: { address: POISON, port: 1 } },
  { type: "greeting-sent", serverVersion: POISON, capabilities: [], tlsOffered: false },
  {
    type: "tls-negotiated",
    tls: {
      outcome: "negotiated",
      version: POISON,
      cipher: POISON,
      sni: POISON,
      clientHello: null,
      clientCertificate: { subject: POISON },
      clientCertificateVerified: false,
    },
  },
  { type: "tls-failed", tls: { outcome: "failed", failure, clientHello: null } },
  {
    type: "handshake-response",
    user: POISON,
    database: POISON,
    authPlugin: POISON,
    capabilities: [],
    encrypted: false,
    credentialsInPlaintext: true,
  },
  { type: "auth-switch", plugin: POISON },
  { type: "authenticated", user: POISON },
  { type: "access-denied", user: POISON, code: 1045, message: POISON, reason: POISON },
  { type: "command", command: POISON, query: POISON },
  { type: "command", command: POISON },
  { type: "protocol-error", phase: POISON, message: POISON },
  { type: "fault", point: POISON, action: POISON },
  {
    type: "packet",
    packet: {
      atMs: 0,
      direction: "client",
      phase: POISON,
      sequenceId: 0,
      length: 1,
      type: POISON,
      encrypted: false,
    },
  },
  ...OUTCOMES.map((outcome) => ({ type: "connection-closed", outcome, verdict })),
].map((event) => ({ ...base, ...event }) as unknown as MockServerEvent);

describe("formatEvent", () => {
  const cases = EVENTS.map((event) => {
    const detail =
      event.type === "connection-closed"
        ? ` (${event.outcome.kind})`
        : event.type === "command"
          ? ` (${event.query === undefined ? "no query" : "query"})`
          : "";
    return [`${event.type}${detail}`, event] as const;
  });
  it.each(cases)("%s: client text prints as one line without control characters", (_type, event) => {
    for (const colors of [pc.createColors(false), pc.createColors(true)]) {
      const line = formatEvent(event, { packets: true, colors })!;
      expect(line).toContain(ESCAPED);
      // With colours on, only picocolors' own SGR sequences may remain.
      const withoutColour = line.replace(/\x1b\[\d+m/g, ""); // eslint-disable-line no-control-regex
      expect(withoutColour).not.toMatch(ANY_CONTROL);
    }
  });
});

describe("escapeControlCharacters", () => {
  it("writes C0, DEL, C1 and bidi controls as escapes and leaves other text, backslashes included, as it is", () => {
    expect(escapeControlCharacters("\t\r\n\0\x1b\x7f\u0085\u2028\u2066")).toBe(
      "\\t\\r\\n\\x00\\x1b\\x7f\\x85\\u2028\\u2066",
    );
    expect(escapeControlCharacters("C:\\data\\x1b é 数据 😀")).toBe("C:\\data\\x1b é 数据 😀");
  });
});
