/**
 * Per-account TLS requirements, MySQL's `CREATE USER … REQUIRE …` (MySQL 5.7 manual §13.7.1.2 CREATE USER, REQUIRE options;
 * `acl_check_ssl` in 5.7's sql_authentication.cc).
 */

/** A REQUIRE clause: `NONE`, `SSL`, `X509`, or any of ISSUER / SUBJECT / CIPHER (AND-ed). */
export type AccountRequirement =
  "NONE" | "SSL" | "X509" | { issuer?: string; subject?: string; cipher?: string };

/** What the connection offers for the check. */
export interface RequirementContext {
  /** Null on a plaintext connection. */
  tls: { cipher: string } | null;
  /** The client certificate in X509_NAME_oneline form, or null when none was presented. */
  clientCertificate: { subject: string; issuer: string } | null;
  /** Whether the presented certificate verified against the server's CA. */
  clientCertificateVerified: boolean;
}

export type RequirementResult = { ok: true } | { ok: false; reason: string };

/** A REQUIRE clause that cannot be read; names the offending text. */
export class RequireClauseError extends Error {
  constructor(
    readonly clause: string,
    detail: string,
  ) {
    super(`cannot read REQUIRE clause ${JSON.stringify(clause)}: ${detail}`);
    this.name = "RequireClauseError";
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/**
 * Reads MySQL's syntax, with or without the leading `REQUIRE`: `SSL`,
 * `SUBJECT '/CN=client' AND ISSUER '/CN=ca'`, `CIPHER 'ECDHE-RSA-AES128-GCM-SHA256'`.
 */
export function parseRequireClause(clause: string): AccountRequirement {
  const text = clause.trim().replace(/^REQUIRE\s+/i, "");
  const keyword = text.toUpperCase();
  if (keyword === "NONE" || keyword === "SSL" || keyword === "X509") return keyword;
  const specified: { issuer?: string; subject?: string; cipher?: string } = {};
  // MySQL allows AND between the parts, or nothing at all.
  const part = /\s*(?:AND\s+)?(ISSUER|SUBJECT|CIPHER)\s+'((?:[^'\\]|\\.|'')*)'/iy;
  let offset = 0;
  while (offset < text.length) {
    part.lastIndex = offset;
    const match = part.exec(text);
    if (!match) {
      throw new RequireClauseError(
        clause,
        `expected NONE, SSL, X509 or ISSUER/SUBJECT/CIPHER '…' at "${text.slice(offset)}"`,
      );
    }
    const name = match[1]!.toLowerCase() as "issuer" | "subject" | "cipher";
    if (specified[name] !== undefined)
      throw new RequireClauseError(clause, `${name.toUpperCase()} given twice`);
    specified[name] = match[2]!.replace(/''/g, "'").replace(/\\(.)/g, "$1");
    offset = part.lastIndex;
    if (/^\s*$/.test(text.slice(offset))) break;
  }
  if (Object.keys(specified).length === 0) throw new RequireClauseError(clause, "nothing required");
  return specified;
}

/** Renders a requirement the way SHOW CREATE USER would, for records and messages. */
export function describeRequirement(requirement: AccountRequirement): string {
  if (typeof requirement === "string") return `REQUIRE ${requirement}`;
  const parts = (["issuer", "subject", "cipher"] as const)
    .filter((k) => requirement[k] !== undefined)
    .map((k) => `${k.toUpperCase()} '${requirement[k]}'`);
  return `REQUIRE ${parts.join(" AND ")}`;
}

/**
 * Checks a requirement as 5.7 does after the password verified. Comparisons are exact `strcmp`s:
 * no normalisation of the one-line names, and the cipher by its OpenSSL name.
 */
export function checkRequirement(
  requirement: AccountRequirement,
  context: RequirementContext,
): RequirementResult {
  if (requirement === "NONE") return { ok: true };
  if (!context.tls)
    return { ok: false, reason: `${describeRequirement(requirement)}: the connection is not encrypted` };
  if (requirement === "SSL") return { ok: true };
  const cert = context.clientCertificate;
  // Even a CIPHER-only requirement needs a certificate in 5.7 (the check reads the peer certificate first).
  if (!cert)
    return { ok: false, reason: `${describeRequirement(requirement)}: the client presented no certificate` };
  if (!context.clientCertificateVerified) {
    return {
      ok: false,
      reason: `${describeRequirement(requirement)}: the client certificate did not verify`,
    };
  }
  if (requirement === "X509") return { ok: true };
  if (requirement.cipher !== undefined && requirement.cipher !== context.tls.cipher) {
    return {
      ok: false,
      reason: `cipher mismatch: should be '${requirement.cipher}' but is '${context.tls.cipher}'`,
    };
  }
  if (requirement.issuer !== undefined && requirement.issuer !== cert.issuer) {
    return {
      ok: false,
      reason: `X509 issuer mismatch: should be '${requirement.issuer}' but is '${cert.issuer}'`,
    };
  }
  if (requirement.subject !== undefined && requirement.subject !== cert.subject) {
    return {
      ok: false,
      reason: `X509 subject mismatch: should be '${requirement.subject}' but is '${cert.subject}'`,
    };
  }
  return { ok: true };
}
