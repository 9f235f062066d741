import { X509Certificate } from "node:crypto";
import { getCertificateSet, getKeyPoolStats, resetCertificateFactory } from "../../src/certs";

/** The in-process memo and the key pool: what one jest worker pays for many servers. */

beforeEach(() => resetCertificateFactory());

describe("getCertificateSet in one process", () => {
  it("builds a set once for many concurrent callers", async () => {
    const sets = await Promise.all(
      Array.from({ length: 5 }, () => getCertificateSet("good", { cacheDir: false })),
    );
    expect(getKeyPoolStats()).toMatchObject({ shipped: 3, generated: 0 });
    for (const set of sets) expect(set).toEqual(sets[0]);
  });

  it("hands out copies, so a caller cannot change what the next one gets", async () => {
    const first = await getCertificateSet("good", { cacheDir: false });
    first.files["ca.pem"] = "tampered";
    expect((await getCertificateSet("good", { cacheDir: false })).files["ca.pem"]).toContain(
      "BEGIN CERTIFICATE",
    );
  });

  it("shares the good CA's key with every set it signs", async () => {
    const good = await getCertificateSet("good", { cacheDir: false, freshKeys: true });
    const generated = getKeyPoolStats().generated;
    const expired = await getCertificateSet("expired", { cacheDir: false, freshKeys: true });
    expect(getKeyPoolStats().generated).toBe(generated);
    // Same CA key and name: a client trusting good's ca.pem recognises the issuer of expired's leaf.
    expect(new X509Certificate(expired.server.cert).verify(new X509Certificate(good.ca).publicKey)).toBe(
      true,
    );
  });

  it("builds MySQL's sets with their own keys, like separate servers", async () => {
    const auto = await getCertificateSet("mysql-auto", { cacheDir: false });
    const setup = await getCertificateSet("mysql-ssl-rsa-setup", { cacheDir: false });
    expect(new X509Certificate(auto.ca).publicKey.export({ format: "pem", type: "spki" })).not.toBe(
      new X509Certificate(setup.ca).publicKey.export({ format: "pem", type: "spki" }),
    );
  });

  it("builds from exactly the injected clock, even after a build at another time", async () => {
    const a = await getCertificateSet("mysql-auto", {
      cacheDir: false,
      now: new Date("2030-01-01T00:00:00Z"),
    });
    const b = await getCertificateSet("mysql-auto", {
      cacheDir: false,
      now: new Date("2030-01-01T12:00:00Z"),
    });
    expect(new X509Certificate(a.ca).validFrom).toBe("Jan  1 00:00:00 2030 GMT");
    expect(new X509Certificate(b.ca).validFrom).toBe("Jan  1 12:00:00 2030 GMT");
  });
});
