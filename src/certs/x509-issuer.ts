// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect metadata polyfill
// loaded before the library itself. Keep this import first.
import "reflect-metadata";
import { createHash, type KeyObject, webcrypto } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import * as asn1X509 from "@peculiar/asn1-x509";
import * as x509 from "@peculiar/x509";
import type { ExtensionsSpec, KeyUsageName, NameSpec } from "./set-definition";

/**
 * Signs one certificate. X.509 v3 goes through @peculiar/x509's generator; v1 (which that generator cannot emit:
 * it always writes `version: v3`) is assembled with @peculiar/asn1-x509 and signed with the same WebCrypto.
 */

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** Everything needed to sign one certificate, with names and dates already resolved. */
export interface IssueRequest {
  version: 1 | 3;
  /** Positive serial number as even-length hex. */
  serialHex: string;
  subject: NameSpec;
  issuer: NameSpec;
  notBefore: Date;
  notAfter: Date;
  subjectPublicKey: KeyObject;
  /** The issuer's public key, for the authority key identifier. */
  issuerPublicKey: KeyObject;
  signingKey: KeyObject;
  signatureHash: "SHA-256" | "SHA-1";
  extensions: ExtensionsSpec;
}

/** Signs the certificate and returns it as DER. */
export async function issueCertificate(request: IssueRequest): Promise<Buffer> {
  const spki = request.subjectPublicKey.export({ type: "spki", format: "der" });
  const signingKey = await toSigningCryptoKey(request.signingKey, request.signatureHash);
  if (request.version === 1) return issueVersion1(request, spki, signingKey);

  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: request.serialHex,
    subject: toX509Name(request.subject),
    issuer: toX509Name(request.issuer),
    notBefore: request.notBefore,
    notAfter: request.notAfter,
    publicKey: spki,
    signingKey,
    // For RSA the hash is the one bound to `signingKey`; ECDSA keys carry none, so it is taken from here.
    signingAlgorithm: {
      name: signingKey.algorithm.name,
      hash: request.signatureHash,
    } as webcrypto.EcdsaParams,
    extensions: buildExtensions(request, spki),
  });
  return Buffer.from(certificate.rawData);
}

/**
 * sha1WithRSAEncryption / sha256WithRSAEncryption (RFC 8017 A.2.4). Spelled out because @peculiar/asn1-rsa 2.11's
 * ready-made `sha256WithRSAEncryption` constant carries the sha512-256 OID.
 */
const RSA_SIGNATURE_OIDS = { "SHA-1": "1.2.840.113549.1.1.5", "SHA-256": "1.2.840.113549.1.1.11" } as const;

async function issueVersion1(
  request: IssueRequest,
  spki: Buffer,
  signingKey: webcrypto.CryptoKey,
): Promise<Buffer> {
  if (signingKey.algorithm.name !== "RSASSA-PKCS1-v1_5") {
    throw new Error("v1 certificates are RSA-signed only");
  }
  const signatureAlgorithm = new asn1X509.AlgorithmIdentifier({
    algorithm: RSA_SIGNATURE_OIDS[request.signatureHash],
    parameters: null,
  });
  const tbsCertificate = new asn1X509.TBSCertificate({
    version: asn1X509.Version.v1,
    serialNumber: toArrayBuffer(Buffer.from(request.serialHex, "hex")),
    signature: signatureAlgorithm,
    issuer: AsnConvert.parse(toX509Name(request.issuer).toArrayBuffer(), asn1X509.Name),
    validity: new asn1X509.Validity({ notBefore: request.notBefore, notAfter: request.notAfter }),
    subject: AsnConvert.parse(toX509Name(request.subject).toArrayBuffer(), asn1X509.Name),
    subjectPublicKeyInfo: AsnConvert.parse(toArrayBuffer(spki), asn1X509.SubjectPublicKeyInfo),
  });
  const tbs = AsnConvert.serialize(tbsCertificate);
  const signatureValue = await webcrypto.subtle.sign("RSASSA-PKCS1-v1_5", signingKey, tbs);
  const certificate = new asn1X509.Certificate({ tbsCertificate, signatureAlgorithm, signatureValue });
  return Buffer.from(AsnConvert.serialize(certificate));
}

/** WebCrypto keys are bound to one hash, so the issuer's key is imported once per hash it signs with. */
const cryptoKeys = new WeakMap<KeyObject, Map<string, Promise<webcrypto.CryptoKey>>>();

function toSigningCryptoKey(key: KeyObject, hash: "SHA-256" | "SHA-1"): Promise<webcrypto.CryptoKey> {
  let byHash = cryptoKeys.get(key);
  if (!byHash) {
    byHash = new Map();
    cryptoKeys.set(key, byHash);
  }
  let imported = byHash.get(hash);
  if (!imported) {
    const algorithm: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams =
      key.asymmetricKeyType === "ec"
        ? {
            name: "ECDSA",
            namedCurve: key.asymmetricKeyDetails?.namedCurve === "secp384r1" ? "P-384" : "P-256",
          }
        : { name: "RSASSA-PKCS1-v1_5", hash };
    imported = webcrypto.subtle.importKey(
      "pkcs8",
      key.export({ type: "pkcs8", format: "der" }),
      algorithm,
      false,
      ["sign"],
    );
    byHash.set(hash, imported);
  }
  return imported;
}

/** UTF8String for every attribute (what OpenSSL ≥ 1.1 writes for `-subj` and MySQL's generator), except C. */
function toX509Name(name: NameSpec): x509.Name {
  return new x509.Name(
    name.map(([attribute, value]) => ({
      [attribute]: [attribute === "C" ? { printableString: value } : { utf8String: value }],
    })),
  );
}

const KEY_USAGE_FLAGS: Record<KeyUsageName, x509.KeyUsageFlags> = {
  digitalSignature: x509.KeyUsageFlags.digitalSignature,
  nonRepudiation: x509.KeyUsageFlags.nonRepudiation,
  keyEncipherment: x509.KeyUsageFlags.keyEncipherment,
  dataEncipherment: x509.KeyUsageFlags.dataEncipherment,
  keyAgreement: x509.KeyUsageFlags.keyAgreement,
  keyCertSign: x509.KeyUsageFlags.keyCertSign,
  cRLSign: x509.KeyUsageFlags.cRLSign,
};

const EXTENDED_KEY_USAGES = {
  serverAuth: x509.ExtendedKeyUsage.serverAuth,
  clientAuth: x509.ExtendedKeyUsage.clientAuth,
} as const;

function buildExtensions(request: IssueRequest, spki: Buffer): x509.Extension[] {
  const spec = request.extensions;
  const extensions: x509.Extension[] = [];
  if (spec.basicConstraints) {
    const { ca, pathLength, critical } = spec.basicConstraints;
    extensions.push(new x509.BasicConstraintsExtension(ca, pathLength, critical));
  }
  if (spec.keyUsage) {
    const flags = spec.keyUsage.reduce((all, usage) => all | KEY_USAGE_FLAGS[usage], 0);
    extensions.push(new x509.KeyUsagesExtension(flags, true));
  }
  if (spec.extendedKeyUsage) {
    extensions.push(
      new x509.ExtendedKeyUsageExtension(spec.extendedKeyUsage.map((u) => EXTENDED_KEY_USAGES[u])),
    );
  }
  if (spec.subjectAltName) {
    const names: x509.JsonGeneralNames = [
      ...(spec.subjectAltName.dns ?? []).map((value) => ({ type: "dns" as const, value })),
      ...(spec.subjectAltName.ip ?? []).map((value) => ({ type: "ip" as const, value })),
    ];
    extensions.push(new x509.SubjectAlternativeNameExtension(names));
  }
  if (spec.subjectKeyIdentifier) {
    extensions.push(new x509.SubjectKeyIdentifierExtension(keyIdentifier(spki)));
  }
  if (spec.authorityKeyIdentifier) {
    const issuerSpki = request.issuerPublicKey.export({ type: "spki", format: "der" });
    extensions.push(new x509.AuthorityKeyIdentifierExtension(keyIdentifier(issuerSpki)));
  }
  return extensions;
}

/** RFC 5280 §4.2.1.2 method 1 (what OpenSSL uses): SHA-1 of the subjectPublicKey BIT STRING contents. */
function keyIdentifier(spki: Buffer): string {
  const info = AsnConvert.parse(toArrayBuffer(spki), asn1X509.SubjectPublicKeyInfo);
  return createHash("sha1").update(Buffer.from(info.subjectPublicKey)).digest("hex");
}

function toArrayBuffer(buffer: Buffer): ArrayBuffer {
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
}

/** DER → PEM with 64-column lines and a trailing newline, as OpenSSL writes it (so files concatenate cleanly). */
export function toPem(der: Buffer, label: string): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
