import { X509Certificate } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { getPooledKeyPair } from "../../src/certs/key-pool";
import type { KeySpec } from "../../src/certs/types";
import { type IssueRequest, issueCertificate, toPem } from "../../src/certs/x509-issuer";
import { certificateText, openssl, TempDirs } from "./openssl-cli";

/** Signing single certificates: every supported key type, both X.509 versions, both hashes. */

const dirs = new TempDirs();
afterAll(() => dirs.cleanup());

async function selfSigned(spec: KeySpec, overrides: Partial<IssueRequest> = {}): Promise<X509Certificate> {
  const keys = await getPooledKeyPair(spec, "issuer-test");
  const der = await issueCertificate({
    version: 3,
    serialHex: "0a",
    subject: [["CN", "issuer test"]],
    issuer: [["CN", "issuer test"]],
    notBefore: new Date("2030-01-01T00:00:00Z"),
    notAfter: new Date("2031-01-01T00:00:00Z"),
    subjectPublicKey: keys.publicKey,
    issuerPublicKey: keys.publicKey,
    signingKey: keys.privateKey,
    signatureHash: "SHA-256",
    extensions: { basicConstraints: { ca: true, critical: true }, subjectKeyIdentifier: true },
    ...overrides,
  });
  const certificate = new X509Certificate(toPem(der, "CERTIFICATE"));
  expect(certificate.verify(keys.publicKey)).toBe(true);
  return certificate;
}

/** Writes the certificate to a temp folder and returns that folder (the file is `cert.pem`). */
async function written(certificate: X509Certificate): Promise<string> {
  const dir = await dirs.make();
  await writeFile(join(dir, "cert.pem"), certificate.toString());
  return dir;
}

describe("issueCertificate", () => {
  it.each<[KeySpec, string]>([
    [{ type: "rsa", bits: 1024 }, "sha256WithRSAEncryption"],
    [{ type: "rsa", bits: 4096 }, "sha256WithRSAEncryption"],
    [{ type: "ec", curve: "P-256" }, "ecdsa-with-SHA256"],
    [{ type: "ec", curve: "P-384" }, "ecdsa-with-SHA256"],
  ])("signs with a %j key (%s)", async (spec, algorithm) => {
    const dir = await written(await selfSigned(spec));
    expect(certificateText(dir, "cert.pem")).toContain(`Signature Algorithm: ${algorithm}`);
  });

  it("signs with SHA-1 when asked", async () => {
    const dir = await written(await selfSigned({ type: "rsa", bits: 1024 }, { signatureHash: "SHA-1" }));
    expect(certificateText(dir, "cert.pem")).toContain("Signature Algorithm: sha1WithRSAEncryption");
  });

  it("writes X.509 v1 with the sha256WithRSAEncryption OID (not asn1-rsa's mislabelled constant)", async () => {
    const dir = await written(await selfSigned({ type: "rsa", bits: 1024 }, { version: 1, extensions: {} }));
    const text = certificateText(dir, "cert.pem");
    expect(text).toContain("Version: 1 (0x0)");
    expect(text).toContain("Signature Algorithm: sha256WithRSAEncryption");
    expect(text).not.toContain("X509v3");
  });

  it("encodes names one attribute per RDN, in the given order, as UTF8String (PrintableString for C)", async () => {
    const certificate = await selfSigned(
      { type: "rsa", bits: 1024 },
      {
        subject: [
          ["C", "SE"],
          ["O", "MySQL"],
          ["CN", "client_1"],
        ],
      },
    );
    expect(certificate.subject).toBe("C=SE\nO=MySQL\nCN=client_1");
    const asn1 = openssl(["asn1parse", "-in", "cert.pem"], await written(certificate)).output;
    expect(asn1).toMatch(/PRINTABLESTRING\s+:SE\n/);
    expect(asn1).toMatch(/UTF8STRING\s+:MySQL\n/);
    expect(asn1).toMatch(/UTF8STRING\s+:client_1\n/);
  });
});
