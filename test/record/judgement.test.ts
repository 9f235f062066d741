import { factsOf } from "../../src/record/facts";
import { findingsOf, severityIn, SSL_MODES, type SslMode } from "../../src/record/findings";
import { judgeRun, observedOutcome } from "../../src/record/judgement";
import { verdictOf } from "../../src/record/verdict";
import { aRecord, flawed, NO_TLS_GREETING, negotiated, PLAINTEXT_LOGIN, TLS_LOGIN } from "../helpers/records";

/**
 * The rules that decide what a run observed, how bad each finding is in each ssl-mode, and whether
 * a run passes — on hand-built records, one rule at a time. Real clients provoke the same records
 * in the client suites; here each rule is pinned so that breaking it fails a test.
 */

const STRIPPED = NO_TLS_GREETING;

describe("what a run observed", () => {
  it("is nothing when the client never connected", () => {
    expect(observedOutcome([])).toBeNull();
  });

  it("is tls when a connection logged in and every login went inside TLS", () => {
    expect(observedOutcome([aRecord(TLS_LOGIN)])).toBe("tls");
  });

  it("is plaintext when a connection logged in without TLS", () => {
    expect(observedOutcome([aRecord(PLAINTEXT_LOGIN)])).toBe("plaintext");
  });

  it("is plaintext when one connection logged in over TLS and another logged in without it", () => {
    const records = [aRecord({ ...TLS_LOGIN, id: 1 }), aRecord({ ...PLAINTEXT_LOGIN, id: 2 })];
    expect(observedOutcome(records)).toBe("plaintext");
    expect(observedOutcome([...records].reverse())).toBe("plaintext");
  });

  it("is plaintext when a refused plaintext attempt came before a TLS login that succeeded", () => {
    const leaked = aRecord({
      ...PLAINTEXT_LOGIN,
      id: 1,
      outcome: { kind: "refused", code: 1045, sqlState: "28000", message: "Access denied" },
    });
    expect(observedOutcome([leaked, aRecord({ ...TLS_LOGIN, id: 2 })])).toBe("plaintext");
  });

  it("is refused-after-credentials when the client sent its credentials and hung up before any answer", () => {
    const hungUp = aRecord({
      ...STRIPPED,
      ...PLAINTEXT_LOGIN,
      outcome: { kind: "client-went-away", phase: "authentication", how: "closed" },
    });
    expect(observedOutcome([hungUp])).toBe("refused-after-credentials");
  });

  it("is refused-after-credentials when the credentials rode inside an SSLRequest that TLS never followed", () => {
    const inSslRequest = aRecord({
      sslRequest: true,
      credentialsInPlaintext: true,
      tls: { outcome: "failed", failure: { cause: "closed", message: "closed" }, clientHello: null },
      outcome: { kind: "tls-failed", failure: { cause: "closed", message: "closed" } },
    });
    expect(observedOutcome([inSslRequest])).toBe("refused-after-credentials");
  });

  it("is plaintext when the credentials rode inside the SSLRequest of a login that then succeeded over TLS", () => {
    expect(observedOutcome([aRecord({ ...TLS_LOGIN, credentialsInPlaintext: true })])).toBe("plaintext");
  });

  it("is refused-after-credentials when a response that asked for TLS got Bad handshake", () => {
    const askedForTls = aRecord({
      ...STRIPPED,
      ...PLAINTEXT_LOGIN,
      tlsAskedInResponse: true,
      outcome: { kind: "refused", code: 1043, sqlState: "08S01", message: "Bad handshake" },
    });
    expect(observedOutcome([askedForTls])).toBe("refused-after-credentials");
  });

  it("is refuse-before-credentials when no connection sent a login", () => {
    const refused = aRecord({
      ...STRIPPED,
      outcome: { kind: "client-went-away", phase: "handshake-response", how: "closed" },
    });
    expect(observedOutcome([refused, aRecord({ ...refused, id: 2 })])).toBe("refuse-before-credentials");
  });

  it("is refuse-before-credentials after a TLS 1.3 close following the server's flight", () => {
    const closed = aRecord({
      ...flawed("host-mismatch"),
      sslRequest: true,
      tls: {
        outcome: "failed",
        failure: { cause: "closed", message: "closed", afterServerFlight: true } as never,
        clientHello: null,
      },
      outcome: { kind: "tls-failed", failure: { cause: "closed", message: "closed" } },
    });
    expect(observedOutcome([closed])).toBe("refuse-before-credentials");
    expect(verdictOf(closed)).toMatchObject({
      kind: "tls-verified-refused",
      findings: [{ kind: "tls-verified-refused", evidence: "inferred" }],
      summary: expect.stringContaining("inferred"),
    });
  });
});

describe("how bad a finding is in each ssl-mode", () => {
  const table: Array<[string, Parameters<typeof aRecord>[0], Record<SslMode, string>]> = [
    [
      "credentials in plaintext after a greeting without TLS",
      { ...STRIPPED, ...PLAINTEXT_LOGIN },
      {
        DISABLED: "info",
        PREFERRED: "info",
        REQUIRED: "critical",
        VERIFY_CA: "critical",
        VERIFY_IDENTITY: "critical",
      },
    ],
    [
      "credentials in plaintext though the greeting offered TLS",
      { ...PLAINTEXT_LOGIN },
      {
        DISABLED: "info",
        PREFERRED: "critical",
        REQUIRED: "critical",
        VERIFY_CA: "critical",
        VERIFY_IDENTITY: "critical",
      },
    ],
    [
      "the password itself in plaintext, after a rogue switch to mysql_clear_password",
      {
        ...STRIPPED,
        ...PLAINTEXT_LOGIN,
        credentialExposure: "cleartext-password",
        authSwitchedTo: "mysql_clear_password",
      },
      {
        DISABLED: "critical",
        PREFERRED: "critical",
        REQUIRED: "critical",
        VERIFY_CA: "critical",
        VERIFY_IDENTITY: "critical",
      },
    ],
    [
      "a plaintext fallback without a password",
      {
        ...STRIPPED,
        user: "app",
        credentialExposure: null,
        outcome: { kind: "authenticated", ended: "quit" },
      },
      { DISABLED: "info", PREFERRED: "info", REQUIRED: "high", VERIFY_CA: "high", VERIFY_IDENTITY: "high" },
    ],
    [
      "a password sent to a certificate from an untrusted issuer",
      { ...TLS_LOGIN, ...flawed("untrusted-issuer") },
      {
        DISABLED: "info",
        PREFERRED: "info",
        REQUIRED: "info",
        VERIFY_CA: "critical",
        VERIFY_IDENTITY: "critical",
      },
    ],
    [
      "a password sent to a certificate for another host",
      { ...TLS_LOGIN, ...flawed("host-mismatch") },
      {
        DISABLED: "info",
        PREFERRED: "info",
        REQUIRED: "info",
        VERIFY_CA: "info",
        VERIFY_IDENTITY: "critical",
      },
    ],
    [
      "a login without a password to an expired certificate",
      { ...TLS_LOGIN, credentialExposure: null, ...flawed("expired") },
      { DISABLED: "info", PREFERRED: "info", REQUIRED: "info", VERIFY_CA: "high", VERIFY_IDENTITY: "high" },
    ],
    [
      "a login to an RSA-1024 certificate",
      { ...TLS_LOGIN, ...flawed("weak-key") },
      {
        DISABLED: "info",
        PREFERRED: "medium",
        REQUIRED: "medium",
        VERIFY_CA: "medium",
        VERIFY_IDENTITY: "medium",
      },
    ],
    [
      "a login over TLSv1",
      { ...TLS_LOGIN, tls: negotiated({ version: "TLSv1" }) },
      {
        DISABLED: "info",
        PREFERRED: "medium",
        REQUIRED: "medium",
        VERIFY_CA: "medium",
        VERIFY_IDENTITY: "medium",
      },
    ],
    [
      "a login with 3DES",
      { ...TLS_LOGIN, tls: negotiated({ cipher: "DES-CBC3-SHA" }) },
      {
        DISABLED: "info",
        PREFERRED: "medium",
        REQUIRED: "medium",
        VERIFY_CA: "medium",
        VERIFY_IDENTITY: "medium",
      },
    ],
    [
      "a login inside TLS to a flawless certificate",
      { ...TLS_LOGIN },
      { DISABLED: "info", PREFERRED: "info", REQUIRED: "info", VERIFY_CA: "info", VERIFY_IDENTITY: "info" },
    ],
  ];

  it.each(table)("%s", (_what, overrides, expected) => {
    const record = aRecord(overrides);
    const seen = Object.fromEntries(
      SSL_MODES.map((mode) => [mode, judgeRun([record], mode, "tls").severity]),
    );
    expect(seen).toEqual(expected);
  });

  it("weighs a record's own verdict as for a client that meant to verify (VERIFY_IDENTITY)", () => {
    const record = aRecord({ ...TLS_LOGIN, ...flawed("host-mismatch") });
    expect(verdictOf(record).severity).toBe("critical");
    expect(verdictOf(record).findings).toEqual(findingsOf(record, "VERIFY_IDENTITY"));
  });

  it("puts every kind that no mode forbids at info", () => {
    const facts = factsOf(aRecord(TLS_LOGIN));
    for (const mode of SSL_MODES) {
      for (const kind of [
        "tls",
        "tls-verified-refused",
        "refused-plaintext",
        "tls-abandoned",
        "tls-failed",
        "incomplete",
      ] as const) {
        expect(severityIn(kind, facts, mode)).toBe("info");
      }
    }
  });
});

describe("whether a run passes", () => {
  it("never passes a leak: credentials in plaintext where the client should have refused", () => {
    const leak = aRecord({
      ...STRIPPED,
      ...PLAINTEXT_LOGIN,
      tlsAskedInResponse: true,
      outcome: { kind: "refused", code: 1043, sqlState: "08S01", message: "Bad handshake" },
    });
    for (const mode of ["REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY"] as const) {
      expect(judgeRun([leak], mode, "refuse-before-credentials")).toMatchObject({
        observed: "refused-after-credentials",
        status: "deviation",
        severity: "critical",
      });
    }
  });

  it("is a deviation when the outcome matches but a finding the mode forbids is high or worse", () => {
    // Expected "refused-after-credentials", and the login was refused — but it crossed in plaintext.
    const record = aRecord({
      ...PLAINTEXT_LOGIN,
      outcome: { kind: "refused", code: 3159, sqlState: "HY000", message: "insecure transport" },
    });
    expect(judgeRun([record], "REQUIRED", "refused-after-credentials")).toMatchObject({
      observed: "refused-after-credentials",
      status: "deviation",
      severity: "critical",
    });
    // The same run in DISABLED is what the mode asks for.
    expect(judgeRun([record], "DISABLED", "refused-after-credentials")).toMatchObject({
      status: "pass",
      severity: "info",
    });
  });

  it("passes with a medium finding: a correct client against a TLSv1-only server", () => {
    const record = aRecord({ ...TLS_LOGIN, tls: negotiated({ version: "TLSv1" }) });
    expect(judgeRun([record], "REQUIRED", "tls")).toMatchObject({ status: "pass", severity: "medium" });
  });

  it("names the worst connection the telling one, whatever the order", () => {
    const quiet = aRecord({ id: 1, ...TLS_LOGIN });
    const leak = aRecord({ id: 2, ...PLAINTEXT_LOGIN });
    expect(judgeRun([quiet, leak], "REQUIRED", "tls").telling?.record.id).toBe(2);
    expect(judgeRun([leak, quiet], "REQUIRED", "tls").telling?.record.id).toBe(2);
  });

  it("has nothing to judge without a connection", () => {
    expect(judgeRun([], "REQUIRED", "tls")).toMatchObject({
      status: "no-connection",
      observed: null,
      telling: null,
    });
  });
});
