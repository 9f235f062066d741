import { X509Certificate } from "node:crypto";
import { type CertificateSetName, getCertificateSet } from "../../src/certs";
import { assessServerCertificate, type CertificateFlaw } from "../../src/certs/assess-certificate";
import { CERTIFICATE_SET_NAMES } from "../../src/certs/catalogue";

/**
 * The flaws a verifying OpenSSL client finds in each catalogue set's server chain, judged against
 * the set's `ca` (what a correctly configured client trusts) for a client connecting to localhost
 * or 127.0.0.1. catalogue.test.ts proves each defect with `openssl verify`; this table must agree.
 */
const EXPECTED: Record<CertificateSetName, CertificateFlaw[]> = {
  // MySQL's own sets name no host: a chain check passes, a host check cannot.
  "mysql-auto": ["host-mismatch"],
  "mysql-auto-v1": ["host-mismatch"],
  "mysql-ssl-rsa-setup": ["host-mismatch"],
  good: [],
  expired: ["expired"],
  "not-yet-valid": ["not-yet-valid"],
  "wrong-host": ["host-mismatch"],
  "self-signed": ["self-signed"],
  "untrusted-root": ["untrusted-issuer"],
  "cn-only": [],
  "san-only": [],
  "cn-injection": ["host-mismatch"],
  "sha1-signature": ["sha1-signature"],
  "rsa-1024": ["weak-key"],
  "incomplete-chain": ["untrusted-issuer"],
  "ca-is-leaf": ["issuer-not-a-ca"],
  "client-untrusted": [],
  "client-expired": [],
};

const HOSTS = ["localhost", "127.0.0.1"];

describe("assessServerCertificate", () => {
  it.each(CERTIFICATE_SET_NAMES.map((name) => [name, EXPECTED[name]] as const))(
    "finds in the %s set's server chain exactly %j",
    async (name, flaws) => {
      const set = await getCertificateSet(name);
      const assessment = assessServerCertificate({ chain: set.server.cert, trusted: set.ca, hosts: HOSTS });
      expect(assessment.flaws).toEqual(flaws);
    },
  );

  it("accepts the incomplete chain once the server sends the intermediate", async () => {
    const set = await getCertificateSet("incomplete-chain");
    const chain = set.server.cert + set.files["intermediate-ca.pem"];
    expect(assessServerCertificate({ chain, trusted: set.ca, hosts: HOSTS }).flaws).toEqual([]);
  });

  it("judges the host against the names a client connects by", async () => {
    const set = await getCertificateSet("wrong-host");
    const assessment = assessServerCertificate({
      chain: set.server.cert,
      trusted: set.ca,
      hosts: ["wrong.example"],
    });
    expect(assessment).toEqual({ subject: "/CN=wrong.example", flaws: [], hosts: ["wrong.example"] });
  });

  it("does not judge the chain without a trusted CA, and still checks dates and host", async () => {
    const set = await getCertificateSet("expired");
    expect(
      assessServerCertificate({ chain: set.server.cert, trusted: undefined, hosts: ["db.example"] }),
    ).toEqual({
      subject: "/CN=localhost",
      flaws: ["expired", "host-mismatch"],
      hosts: ["db.example"],
    });
  });

  it("judges a CN-only certificate for localhost flawed for a client that verifies 127.0.0.1, and not for one that verifies localhost", async () => {
    const set = await getCertificateSet("cn-only");
    const assess = (host: string) =>
      assessServerCertificate({ chain: set.server.cert, trusted: set.ca, hosts: [host] }).flaws;
    expect(assess("127.0.0.1")).toEqual(["host-mismatch"]);
    expect(assess("localhost")).toEqual([]);
  });

  it("uses the clock it is given", async () => {
    const set = await getCertificateSet("good");
    const later = new Date(Date.now() + 50 * 365 * 24 * 3600 * 1000);
    expect(
      assessServerCertificate({ chain: set.server.cert, trusted: set.ca, hosts: HOSTS, now: later }).flaws,
    ).toEqual(["expired"]);
  });

  it("judges the dates afresh on every call for a chain it has judged before", async () => {
    const set = await getCertificateSet("good");
    const at = (now: Date) =>
      assessServerCertificate({ chain: set.server.cert, trusted: set.ca, hosts: HOSTS, now }).flaws;
    const notBefore = new Date(new X509Certificate(set.server.cert).validFrom);
    expect(at(new Date())).toEqual([]);
    expect(at(new Date(Date.now() + 50 * 365 * 24 * 3600 * 1000))).toEqual(["expired"]);
    expect(at(new Date(notBefore.getTime() - 60_000))).toEqual(["not-yet-valid"]);
    expect(at(new Date())).toEqual([]);
  });

  it("judges the same chain afresh against another trust anchor or another host name", async () => {
    const good = await getCertificateSet("good");
    // Another anchor: the self-signed set's certificate, which issued nothing of the good set.
    const other = (await getCertificateSet("self-signed")).server.cert;
    const assess = (trusted: string | undefined, hosts: string[]) =>
      assessServerCertificate({ chain: good.server.cert, trusted, hosts }).flaws;
    expect(assess(good.ca, HOSTS)).toEqual([]);
    expect(assess(other, HOSTS)).toEqual(["untrusted-issuer"]);
    expect(assess(good.ca, ["db.example"])).toEqual(["host-mismatch"]);
    expect(assess(good.ca, HOSTS)).toEqual([]);
  });

  it("rejects a chain with no certificate in it", () => {
    expect(() => assessServerCertificate({ chain: "not a pem", trusted: undefined, hosts: HOSTS })).toThrow(
      "the server chain holds no PEM certificate",
    );
  });
});
