import { LRUCache } from "lru-cache";
import { createHash, X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate, Version } from "@peculiar/asn1-x509";
import { onelineFromMultiline } from "../tls/tls-session";

/**
 * What a verifying client should object to in the certificate a server presents, judged against
 * the CA a correctly configured client trusts. The record uses it to tell a client that checked
 * from one that went on regardless (the `accepted-bad-certificate` verdict).
 *
 * The checks are OpenSSL's, as clients linked against it apply them: chain to a trust anchor,
 * issuers that are CAs (a self-signed v1 root counts, as in OpenSSL's check_ca), validity dates,
 * host name (RFC 6125: SAN first, CN only without DNS names), and Debian's security level 2 (RSA
 * keys of 2048 bits and more, no SHA-1 signatures).
 */
export type CertificateFlaw =
  /** The leaf's notAfter is in the past. */
  | "expired"
  /** The leaf's notBefore is in the future. */
  | "not-yet-valid"
  /** The leaf is its own issuer and not a trusted certificate. */
  | "self-signed"
  /** The chain does not reach the trusted CA (a rogue root, or an intermediate the server does not send). */
  | "untrusted-issuer"
  /** A certificate in the chain that issued another is not a CA (basicConstraints CA:FALSE). */
  | "issuer-not-a-ca"
  /** The leaf names none of the hosts a client would connect to. */
  | "host-mismatch"
  /** RSA key under 2048 bits: refused at OpenSSL security level 2. */
  | "weak-key"
  /** Signed with SHA-1: refused at OpenSSL security level 2. */
  | "sha1-signature";

export interface CertificateAssessment {
  /** The leaf's subject in X509_NAME_oneline form. */
  subject: string;
  /** Empty when a verifying client has nothing to object to. */
  flaws: CertificateFlaw[];
  /**
   * The names `host-mismatch` was judged against: the one name a client verified (its SNI, or the
   * address it connected to), or every name a client may connect by when no connection says.
   */
  hosts: string[];
}

export interface AssessmentInput {
  /** The PEM chain the server sends, leaf first. */
  chain: string | Buffer;
  /** PEM bundle a correctly configured client trusts; without it the chain is not judged. */
  trusted: string | Buffer | undefined;
  /** Host names or IP literals a client may connect by. */
  hosts: readonly string[];
  now?: Date;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const SHA1_SIGNATURES = new Set([
  "1.2.840.113549.1.1.5", // sha1WithRSAEncryption
  "1.2.840.10045.4.1", // ecdsa-with-SHA1
  "1.2.840.10040.4.3", // dsa-with-sha1
]);
const MIN_RSA_BITS = 2048;
/** Deeper than any chain a MySQL server sends; bounds the walk if certificates issue each other. */
const MAX_CHAIN_DEPTH = 8;

function certificates(pem: string | Buffer | undefined): X509Certificate[] {
  if (pem === undefined) return [];
  return (pem.toString().match(PEM_CERTIFICATE) ?? []).map((block) => new X509Certificate(block));
}

/** ASN.1 views of certificates, decoded once: the chain walk asks the same issuer again. */
const decoded = new WeakMap<X509Certificate, Certificate>();

function decode(certificate: X509Certificate): Certificate {
  let asn = decoded.get(certificate);
  if (!asn) {
    asn = AsnConvert.parse(certificate.raw, Certificate);
    decoded.set(certificate, asn);
  }
  return asn;
}

function issuedBy(subject: X509Certificate, issuer: X509Certificate): boolean {
  return subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
}

/** Signed by its own key, whatever its key usage says (X509_check_issued would also demand keyCertSign). */
function selfSigned(certificate: X509Certificate): boolean {
  return certificate.subject === certificate.issuer && certificate.verify(certificate.publicKey);
}

/** OpenSSL's check_ca: basicConstraints CA:TRUE, or a self-signed v1 certificate. */
function isCa(certificate: X509Certificate): boolean {
  if (certificate.ca) return true;
  return decode(certificate).tbsCertificate.version === Version.v1 && selfSigned(certificate);
}

function chainFlaws(leaf: X509Certificate, sent: X509Certificate[], trusted: X509Certificate[]) {
  const flaws: CertificateFlaw[] = [];
  let current = leaf;
  for (let depth = 0; depth < MAX_CHAIN_DEPTH; depth++) {
    if (trusted.some((anchor) => anchor.fingerprint256 === current.fingerprint256)) return flaws;
    const anchor = trusted.find((candidate) => issuedBy(current, candidate));
    if (anchor) {
      if (!isCa(anchor)) flaws.push("issuer-not-a-ca");
      return flaws;
    }
    const next = sent.find((candidate) => candidate !== current && issuedBy(current, candidate));
    if (!next) {
      flaws.push(current === leaf && selfSigned(leaf) ? "self-signed" : "untrusted-issuer");
      return flaws;
    }
    if (!isCa(next)) flaws.push("issuer-not-a-ca");
    current = next;
  }
  flaws.push("untrusted-issuer");
  return flaws;
}

function namesHost(leaf: X509Certificate, hosts: readonly string[]): boolean {
  return hosts.some((host) => (isIP(host) ? leaf.checkIP(host) : leaf.checkHost(host)) !== undefined);
}

/** What an assessment is, apart from the dates: it depends on the certificates and names only. */
interface TimelessAssessment {
  subject: string;
  /** Every flaw but `expired` and `not-yet-valid`. */
  flaws: CertificateFlaw[];
  notBefore: Date;
  notAfter: Date;
}

/**
 * Chains judged in this process (bounded). The same certificates come back on every start of the
 * same scenario, and an audit starts a server per run: each judgement parses and verifies the
 * chain, about 1 ms.
 */
const judged = new LRUCache<string, TimelessAssessment>({ max: 128 });

function judgeTimeless(input: AssessmentInput): TimelessAssessment {
  const key = createHash("sha256")
    .update(input.chain)
    .update("\0")
    .update(input.trusted ?? "")
    .update("\0")
    .update(input.hosts.join("\0"))
    .digest("base64");
  const cached = judged.get(key);
  if (cached) return cached;
  const [leaf, ...sent] = certificates(input.chain);
  if (!leaf) throw new TypeError("the server chain holds no PEM certificate");
  const flaws: CertificateFlaw[] = [];
  const trusted = certificates(input.trusted);
  if (trusted.length > 0) flaws.push(...chainFlaws(leaf, sent, trusted));
  if (!namesHost(leaf, input.hosts)) flaws.push("host-mismatch");
  const keyDetails = leaf.publicKey.asymmetricKeyDetails;
  if (
    leaf.publicKey.asymmetricKeyType === "rsa" &&
    (keyDetails?.modulusLength ?? MIN_RSA_BITS) < MIN_RSA_BITS
  ) {
    flaws.push("weak-key");
  }
  if (SHA1_SIGNATURES.has(decode(leaf).signatureAlgorithm.algorithm)) flaws.push("sha1-signature");
  const timeless = {
    subject: onelineFromMultiline(leaf.subject),
    flaws,
    notBefore: new Date(leaf.validFrom),
    notAfter: new Date(leaf.validTo),
  };
  judged.set(key, timeless);
  return timeless;
}

/** Judges a server certificate chain the way a verifying client linked against OpenSSL would. */
export function assessServerCertificate(input: AssessmentInput): CertificateAssessment {
  const timeless = judgeTimeless(input);
  const now = input.now ?? new Date();
  const flaws: CertificateFlaw[] = [];
  if (timeless.notAfter < now) flaws.push("expired");
  if (timeless.notBefore > now) flaws.push("not-yet-valid");
  flaws.push(...timeless.flaws);
  return { subject: timeless.subject, flaws, hosts: [...input.hosts] };
}

/** Names a long-running server keeps assessments for; past it, each is judged afresh. */
const MAX_ASSESSED_NAMES = 64;

/**
 * `assessServerCertificate` for one chain and trust anchor, per host name asked, each name judged
 * once (a bounded number kept: a client choosing its SNI cannot grow the map without end).
 */
export function memoizedAssessment(
  cert: string | Buffer,
  ca: string | Buffer | undefined,
): (host: string) => CertificateAssessment {
  const byHost = new Map<string, CertificateAssessment>();
  return (host) => {
    let assessment = byHost.get(host);
    if (assessment === undefined) {
      assessment = assessServerCertificate({ chain: cert, trusted: ca, hosts: [host] });
      if (byHost.size < MAX_ASSESSED_NAMES) byHost.set(host, assessment);
    }
    return assessment;
  };
}
