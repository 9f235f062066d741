import {
  checkRequirement,
  describeRequirement,
  parseRequireClause,
  RequireClauseError,
} from "../../src/auth/account-requirements";

const CERT = { subject: "/C=SE/O=MySQL/CN=client", issuer: "/C=SE/O=MySQL/CN=ca" };
const TLS = {
  tls: { cipher: "ECDHE-RSA-AES128-GCM-SHA256" },
  clientCertificate: CERT,
  clientCertificateVerified: true,
};

describe("parseRequireClause", () => {
  it.each([
    ["NONE", "NONE"],
    ["REQUIRE SSL", "SSL"],
    ["x509", "X509"],
    ["SUBJECT '/CN=client'", { subject: "/CN=client" }],
    [
      "REQUIRE ISSUER '/CN=ca' AND SUBJECT '/CN=client' AND CIPHER 'AES128-SHA'",
      { issuer: "/CN=ca", subject: "/CN=client", cipher: "AES128-SHA" },
    ],
    ["SUBJECT '/O=O''Brien' CIPHER 'X'", { subject: "/O=O'Brien", cipher: "X" }],
  ])("reads %s", (clause, expected) => {
    expect(parseRequireClause(clause)).toEqual(expected);
  });

  it.each(["TLS", "SUBJECT /CN=x", "SUBJECT 'a' AND SUBJECT 'b'", ""])(
    "rejects %j with the clause in the message",
    (clause) => {
      expect(() => parseRequireClause(clause)).toThrow(RequireClauseError);
    },
  );

  it("renders a requirement back as SHOW CREATE USER does", () => {
    expect(describeRequirement({ subject: "/CN=a", cipher: "X" })).toBe(
      "REQUIRE SUBJECT '/CN=a' AND CIPHER 'X'",
    );
  });
});

describe("checkRequirement, as acl_check_ssl", () => {
  it("lets anything through REQUIRE NONE", () => {
    expect(
      checkRequirement("NONE", { tls: null, clientCertificate: null, clientCertificateVerified: false }).ok,
    ).toBe(true);
  });

  it("wants encryption for SSL and nothing more", () => {
    expect(checkRequirement("SSL", { ...TLS, clientCertificate: null }).ok).toBe(true);
    expect(
      checkRequirement("SSL", { tls: null, clientCertificate: null, clientCertificateVerified: false }),
    ).toEqual({
      ok: false,
      reason: "REQUIRE SSL: the connection is not encrypted",
    });
  });

  it("wants a verified certificate for X509", () => {
    expect(checkRequirement("X509", TLS).ok).toBe(true);
    expect(checkRequirement("X509", { ...TLS, clientCertificate: null }).ok).toBe(false);
    expect(checkRequirement("X509", { ...TLS, clientCertificateVerified: false }).ok).toBe(false);
  });

  it("wants a client certificate even when only CIPHER is required", () => {
    const cipherOnly = { cipher: "ECDHE-RSA-AES128-GCM-SHA256" };
    expect(checkRequirement(cipherOnly, TLS).ok).toBe(true);
    expect(checkRequirement(cipherOnly, { ...TLS, clientCertificate: null })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("no certificate"),
    });
  });

  it("compares subject and issuer byte for byte, with no normalisation", () => {
    expect(checkRequirement({ subject: CERT.subject, issuer: CERT.issuer }, TLS).ok).toBe(true);
    expect(checkRequirement({ subject: "/C=SE/O=MySQL/CN=Client" }, TLS)).toEqual({
      ok: false,
      reason: "X509 subject mismatch: should be '/C=SE/O=MySQL/CN=Client' but is '/C=SE/O=MySQL/CN=client'",
    });
    expect(checkRequirement({ issuer: "/O=MySQL/C=SE/CN=ca" }, TLS).ok).toBe(false);
    expect(checkRequirement({ cipher: "AES128-SHA" }, TLS).ok).toBe(false);
  });
});
