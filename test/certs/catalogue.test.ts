import { X509Certificate } from "node:crypto";
import {
  type CertificateSet,
  type CertificateSetName,
  getCertificateSet,
  listCertificateSets,
  UnknownCertificateSetError,
} from "../../src/certs";
import {
  certificateText,
  epochSeconds,
  extensionsText,
  openssl,
  pemBlocks,
  TempDirs,
  verifyClient,
  verifyServer,
} from "./openssl-cli";

/**
 * Every catalogue entry, proven with a real verifier: the set is written to a temp folder and checked with
 * `openssl verify` (the good set passes; each bad one fails with its specific error, and passes once that one
 * defect is taken out of the picture), plus `openssl x509 -text` for the field that makes it bad.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
const dirs = new TempDirs();
afterAll(() => dirs.cleanup());

async function load(name: CertificateSetName, now?: Date): Promise<{ set: CertificateSet; dir: string }> {
  const set = await getCertificateSet(name, { cacheDir: false, ...(now ? { now } : {}) });
  return { set, dir: await dirs.writeSet(set) };
}

const proofs: Record<CertificateSetName, () => Promise<void>> = {
  "mysql-auto": async () => {
    const { dir } = await load("mysql-auto");
    expect(verifyServer(dir).output).toContain("server-cert.pem: OK");
    expect(verifyClient(dir).output).toContain("client-cert.pem: OK");
    // VERIFY_IDENTITY can never pass: the CN is not a host name and there is no SAN.
    expect(verifyServer(dir, "-verify_hostname", "localhost").output).toContain("hostname mismatch");
  },
  "mysql-auto-v1": async () => {
    const { dir } = await load("mysql-auto-v1");
    expect(certificateText(dir, "ca.pem")).toContain("Version: 1 (0x0)");
    expect(verifyServer(dir).output).toContain("server-cert.pem: OK");
  },
  "mysql-ssl-rsa-setup": async () => {
    const { dir } = await load("mysql-ssl-rsa-setup");
    expect(extensionsText(certificateText(dir, "ca.pem"))).toMatch(/X509v3 Basic Constraints: \n\s+CA:TRUE/);
    expect(verifyServer(dir).output).toContain("server-cert.pem: OK");
  },
  good: async () => {
    const { dir } = await load("good");
    expect(verifyServer(dir, "-verify_hostname", "localhost", "-purpose", "sslserver").output).toContain(
      "server-cert.pem: OK",
    );
    expect(verifyServer(dir, "-verify_ip", "127.0.0.1").output).toContain("server-cert.pem: OK");
    expect(verifyServer(dir, "-verify_ip", "::1").output).toContain("server-cert.pem: OK");
    expect(verifyServer(dir, "-auth_level", "2").output).toContain("server-cert.pem: OK");
    expect(verifyClient(dir, "-purpose", "sslclient").output).toContain("client-cert.pem: OK");
  },
  expired: async () => {
    // Built on an injected clock (now), so its dates follow from it exactly (whole seconds).
    const now = new Date();
    const { set, dir } = await load("expired", now);
    expect(verifyServer(dir).output).toContain("certificate has expired");
    // Nothing else is wrong: a week earlier it verified.
    expect(verifyServer(dir, "-attime", epochSeconds(new Date(now.getTime() - 7 * DAY_MS))).ok).toBe(true);
    const notAfter = new Date(new X509Certificate(set.server.cert).validTo);
    expect(notAfter.getTime()).toBe(Math.floor(now.getTime() / 1000) * 1000 - DAY_MS);
  },
  "not-yet-valid": async () => {
    const { dir } = await load("not-yet-valid");
    expect(verifyServer(dir).output).toContain("certificate is not yet valid");
    expect(verifyServer(dir, "-attime", epochSeconds(new Date(Date.now() + 31 * DAY_MS))).ok).toBe(true);
  },
  "wrong-host": async () => {
    const { dir } = await load("wrong-host");
    expect(verifyServer(dir, "-verify_hostname", "localhost").output).toContain("hostname mismatch");
    expect(verifyServer(dir, "-verify_ip", "127.0.0.1").output).toContain("IP address mismatch");
    expect(verifyServer(dir, "-verify_hostname", "wrong.example").ok).toBe(true);
  },
  "self-signed": async () => {
    const { dir } = await load("self-signed");
    expect(verifyServer(dir).output).toContain("self-signed certificate");
    expect(openssl(["x509", "-in", "server-cert.pem", "-noout", "-issuer", "-subject"], dir).output).toBe(
      "issuer=CN = localhost\nsubject=CN = localhost\n",
    );
  },
  "untrusted-root": async () => {
    const { set, dir } = await load("untrusted-root");
    expect(verifyServer(dir).output).toContain("unable to get local issuer certificate");
    expect(certificateText(dir, "server-cert.pem")).toContain("Issuer: CN = mysql-tls-mock Rogue CA");
    expect(new X509Certificate(set.ca).subject).toBe("CN=mysql-tls-mock Test CA");
  },
  "cn-only": async () => {
    const { dir } = await load("cn-only");
    expect(certificateText(dir, "server-cert.pem")).not.toContain("Subject Alternative Name");
    expect(verifyServer(dir, "-verify_ip", "127.0.0.1").output).toContain("IP address mismatch");
    // OpenSSL still falls back to the CN for DNS names; RFC 6125-strict clients (Go ≥ 1.15) do not.
    expect(verifyServer(dir, "-verify_hostname", "localhost").ok).toBe(true);
  },
  "san-only": async () => {
    const { dir } = await load("san-only");
    const text = certificateText(dir, "server-cert.pem");
    expect(text).toContain("Subject: CN = server.internal");
    expect(text).toContain("DNS:localhost, IP Address:127.0.0.1");
    expect(verifyServer(dir, "-verify_hostname", "localhost").ok).toBe(true);
    expect(verifyServer(dir, "-verify_ip", "127.0.0.1").ok).toBe(true);
    // A SAN-aware verifier ignores the CN once a DNS SAN exists.
    expect(verifyServer(dir, "-verify_hostname", "server.internal").output).toContain("hostname mismatch");
  },
  "cn-injection": async () => {
    const { dir } = await load("cn-injection");
    const oneLine = openssl(
      ["x509", "-in", "server-cert.pem", "-noout", "-subject", "-nameopt", "compat"],
      dir,
    ).output;
    // X509_NAME_oneline of OpenSSL 1.x (what MySQL 5.7 links) prints the OU value raw; OpenSSL 3 escapes its "/".
    expect(oneLine).toMatch(/^subject=\/OU=\\?\/CN=localhost\/CN=evil\.example\n$/);
    expect(oneLine.replace("\\/", "/")).toBe("subject=/OU=/CN=localhost/CN=evil.example\n");
    expect(certificateText(dir, "server-cert.pem")).not.toContain("Subject Alternative Name");
    expect(verifyServer(dir, "-verify_hostname", "localhost").output).toContain("hostname mismatch");
    expect(verifyServer(dir, "-verify_hostname", "evil.example").ok).toBe(true);
  },
  "sha1-signature": async () => {
    const { dir } = await load("sha1-signature");
    expect(certificateText(dir, "server-cert.pem")).toContain("Signature Algorithm: sha1WithRSAEncryption");
    expect(verifyServer(dir, "-auth_level", "2").output).toContain("CA signature digest algorithm too weak");
  },
  "rsa-1024": async () => {
    const { dir } = await load("rsa-1024");
    expect(certificateText(dir, "server-cert.pem")).toContain("Public-Key: (1024 bit)");
    expect(verifyServer(dir, "-auth_level", "2").output).toContain("EE certificate key too weak");
  },
  "incomplete-chain": async () => {
    const { set, dir } = await load("incomplete-chain");
    expect(pemBlocks(set.server.cert)).toHaveLength(1);
    expect(pemBlocks(set.ca)).toHaveLength(1);
    expect(verifyServer(dir).output).toContain("unable to get local issuer certificate");
    // The chain itself is sound: with the intermediate supplied it verifies.
    expect(verifyServer(dir, "-untrusted", "intermediate-ca.pem", "-verify_hostname", "localhost").ok).toBe(
      true,
    );
  },
  "ca-is-leaf": async () => {
    const { set, dir } = await load("ca-is-leaf");
    const [, sentIssuer] = pemBlocks(set.server.cert);
    expect(new X509Certificate(sentIssuer!).ca).toBe(false);
    expect(verifyServer(dir).output).toContain("invalid CA certificate");
  },
  "client-untrusted": async () => {
    const { dir } = await load("client-untrusted");
    expect(verifyServer(dir, "-verify_hostname", "localhost").ok).toBe(true);
    expect(verifyClient(dir).output).toContain("unable to get local issuer certificate");
  },
  "client-expired": async () => {
    const { dir } = await load("client-expired");
    expect(verifyServer(dir, "-verify_hostname", "localhost").ok).toBe(true);
    expect(verifyClient(dir).output).toContain("certificate has expired");
  },
};

describe("certificate catalogue", () => {
  it("lists every set once, with a one-line description", () => {
    const listed = listCertificateSets();
    expect(listed.map((entry) => entry.name).sort()).toEqual(Object.keys(proofs).sort());
    for (const { description } of listed) expect(description).toMatch(/^[^\n]{10,200}$/);
  });

  it.each(Object.keys(proofs) as CertificateSetName[])(
    "%s shows its defect to openssl verify",
    async (name) => {
      await proofs[name]();
    },
  );

  it("gives every certificate a positive serial that is unique per issuer across the catalogue", async () => {
    const seen = new Set<string>();
    for (const { name } of listCertificateSets().filter((entry) => !entry.name.startsWith("mysql-"))) {
      const set = await getCertificateSet(name, { cacheDir: false });
      for (const pem of [...pemBlocks(set.server.cert), ...pemBlocks(set.client?.cert ?? "")]) {
        const certificate = new X509Certificate(pem);
        // 127 random bits with a non-zero top octet below 0x80: positive and at least 2^120.
        expect(BigInt(`0x${certificate.serialNumber}`) >= 2n ** 120n).toBe(true);
        const key = `${certificate.issuer}#${certificate.serialNumber}`;
        expect(seen.has(key)).toBe(false);
        seen.add(key);
      }
    }
  });

  it("rejects an unknown name, listing the valid ones", async () => {
    const attempt = getCertificateSet("bogus" as CertificateSetName, { cacheDir: false });
    await expect(attempt).rejects.toBeInstanceOf(UnknownCertificateSetError);
    await expect(attempt).rejects.toThrow(/Valid names: mysql-auto, .*client-expired/);
  });
});
