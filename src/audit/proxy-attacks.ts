import type { ProxyAttack } from "../options/proxy-options";
import type { ClientOutcome, Expectation, Scenario, SslMode } from "../scenarios/scenario-schema";

/**
 * The proxy's attacks as audit scenarios (`audit --upstream`): what a correct client does in each
 * ssl-mode when the proxy in front of the user's real server makes that one change. The client is
 * given the real server's CA as `{ca}`, and the real server is taken to offer TLS with a
 * certificate that names the address the client connects to (the proxy's, 127.0.0.1 by default);
 * `audit --upstream` checks that first and, where it does not, expects VERIFY_IDENTITY to refuse.
 */

type Row = { outcome: ClientOutcome; why?: string };

interface AuditedAttack {
  attack: ProxyAttack;
  description: string;
  expect: Record<SslMode, Row>;
}

const PLAINTEXT: Row = { outcome: "plaintext", why: "DISABLED never asks for TLS" };
const REFUSE: Row = { outcome: "refuse-before-credentials" };

/** The catalogue's certificate served to a client that trusts the real server's CA only. */
const swapped = (set: string): AuditedAttack => ({
  attack: `cert:${set}` as ProxyAttack,
  description: `A man in the middle serves the catalogue's ${set} certificate and re-encrypts to the real server`,
  expect: {
    DISABLED: PLAINTEXT,
    PREFERRED: { outcome: "tls", why: "PREFERRED does not verify: it logs in through the man in the middle" },
    REQUIRED: { outcome: "tls", why: "REQUIRED does not verify either" },
    VERIFY_CA: {
      outcome: "refuse-before-credentials",
      why: "the certificate does not chain to the real server's CA",
    },
    VERIFY_IDENTITY: {
      outcome: "refuse-before-credentials",
      why: "the certificate does not chain to the real server's CA",
    },
  },
});

/** Every attack the audit runs through the proxy, `passthrough` (the baseline) first. */
export const AUDITED_ATTACKS: readonly AuditedAttack[] = [
  {
    attack: "passthrough",
    description: "The real server, relayed unchanged: the baseline",
    expect: {
      DISABLED: PLAINTEXT,
      PREFERRED: { outcome: "tls" },
      REQUIRED: { outcome: "tls" },
      VERIFY_CA: { outcome: "tls", why: "the client is given the real server's CA" },
      VERIFY_IDENTITY: {
        outcome: "tls",
        why: "taken: the real certificate names the address the client connects to",
      },
    },
  },
  {
    attack: "strip",
    description:
      "CLIENT_SSL cleared in the real greeting; the proxy speaks TLS to the server (BACKRONYM, CVE-2015-3152)",
    expect: {
      DISABLED: PLAINTEXT,
      PREFERRED: { outcome: "plaintext", why: "PREFERRED goes on without TLS when the greeting offers none" },
      REQUIRED: { ...REFUSE, why: "a client that requires TLS stops before its response" },
      VERIFY_CA: REFUSE,
      VERIFY_IDENTITY: REFUSE,
    },
  },
  {
    attack: "riddle",
    description:
      "The SSLRequest is answered with the real server's own ERR in plaintext (Riddle, CVE-2017-3305)",
    expect: {
      DISABLED: { outcome: "plaintext", why: "a client that sends no SSLRequest is relayed as it is" },
      PREFERRED: {
        ...REFUSE,
        why: "an ERR where TLS should start: a correct client stops without credentials",
      },
      REQUIRED: REFUSE,
      VERIFY_CA: REFUSE,
      VERIFY_IDENTITY: REFUSE,
    },
  },
  swapped("untrusted-root"),
  swapped("self-signed"),
  {
    attack: "tls-version:TLSv1.1",
    description: "TLS terminated by the proxy offering TLSv1.1 alone (deprecated by RFC 8996)",
    expect: {
      DISABLED: PLAINTEXT,
      PREFERRED: { ...REFUSE, why: "clients of today do not negotiate TLSv1.1" },
      REQUIRED: REFUSE,
      VERIFY_CA: REFUSE,
      VERIFY_IDENTITY: REFUSE,
    },
  },
  {
    attack: "cleartext-switch",
    description:
      "A plaintext login is switched to mysql_clear_password; the password is then relayed to the real server",
    expect: {
      DISABLED: {
        outcome: "refused-after-credentials",
        why: "a correct client refuses to send its password in the clear; its first response has crossed already",
      },
      PREFERRED: { outcome: "tls", why: "a login inside TLS is relayed untouched" },
      REQUIRED: { outcome: "tls" },
      VERIFY_CA: { outcome: "tls" },
      VERIFY_IDENTITY: { outcome: "tls" },
    },
  },
  {
    attack: "local-infile:/etc/hostname",
    description: "The first plaintext query is answered with a LOAD DATA LOCAL request for /etc/hostname",
    expect: {
      DISABLED: { outcome: "plaintext", why: "and a correct client sends no file it did not ask for" },
      PREFERRED: { outcome: "tls", why: "a client inside TLS is relayed untouched" },
      REQUIRED: { outcome: "tls" },
      VERIFY_CA: { outcome: "tls" },
      VERIFY_IDENTITY: { outcome: "tls" },
    },
  },
];

const SOURCE = "(proxy attack)";

/** Where a relayed real certificate meets a client that checks the name against the proxy's address. */
const NAME_REFUSED: Row = {
  outcome: "refuse-before-credentials",
  why: "the real server's certificate does not name the address the client connects to (the proxy's): checking the name, a correct client refuses",
};

/** The real server's certificate, as checked before the audit for the address clients connect to. */
export interface AttackContext {
  /** The certificate names the proxy's address (default true: the expectations then hold as written). */
  certificateNamesProxy?: boolean;
}

/**
 * The attacks as scenarios (`name` is the attack), for {@link runAudit}'s `upstream` mode. Where
 * the real certificate does not name the proxy's address, every attack that relays the real
 * certificate expects VERIFY_IDENTITY to refuse.
 */
export function attackScenarios(names?: readonly string[], context: AttackContext = {}): Scenario[] {
  const chosen = names ? AUDITED_ATTACKS.filter((a) => names.includes(a.attack)) : AUDITED_ATTACKS;
  return chosen.map(({ attack, description, expect: written }) => {
    const relaysRealCertificate = written.VERIFY_IDENTITY.outcome === "tls" && !attack.startsWith("cert:");
    const expect =
      context.certificateNamesProxy === false && relaysRealCertificate
        ? { ...written, VERIFY_IDENTITY: NAME_REFUSED }
        : written;
    const from = { name: attack, source: SOURCE };
    const expectations = Object.fromEntries(
      Object.entries(expect).map(([mode, row]) => [mode, { ...row, from } satisfies Expectation]),
    ) as Record<SslMode, Expectation>;
    return { name: attack, source: SOURCE, description, expect: expectations, notes: [] };
  });
}
