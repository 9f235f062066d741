import { getCertificateSet } from "../../src/certs";
import { checkSecureContext } from "../../src/options/key-material";
import { ServerConfigurationError } from "../../src/options/configuration-error";

/**
 * checkSecureContext builds the TLS context the acceptor will build, so what OpenSSL refuses only
 * in combination fails at start. It keeps the settings it has accepted, so a second server with
 * the same ones is not checked again: every part of the settings must count.
 */
describe("checkSecureContext", () => {
  const settings = async (set: "good" | "rsa-1024", ciphers: string) => {
    const { server, ca } = await getCertificateSet(set);
    return { key: server.key, cert: server.cert, ca, ciphers, minVersion: "TLSv1.2", maxVersion: "TLSv1.3" };
  };
  const refusal = (check: () => void) => {
    try {
      check();
    } catch (error) {
      return error as ServerConfigurationError;
    }
    throw new Error("expected a refusal");
  };

  it("refuses a key too small for the cipher string's security level, naming the tls option, every time", async () => {
    const small = await settings("rsa-1024", "DEFAULT@SECLEVEL=2");
    for (let attempt = 0; attempt < 2; attempt++) {
      const error = refusal(() => checkSecureContext(small));
      expect(error).toBeInstanceOf(ServerConfigurationError);
      expect(error.option).toBe("tls");
      expect(error.message).toMatch(
        /OpenSSL refuses the key, certificates and ciphers together \(.*too small/,
      );
    }
  });

  it("refuses the same key and certificate under a stricter cipher string after accepting them under a laxer one", async () => {
    const lax = await settings("rsa-1024", "DEFAULT@SECLEVEL=1");
    expect(() => checkSecureContext(lax)).not.toThrow();
    expect(() => checkSecureContext({ ...lax, ciphers: "DEFAULT@SECLEVEL=2" })).toThrow(/too small/);
  });

  it("refuses a key that is not the certificate's after accepting the certificate with its own key", async () => {
    const good = await settings("good", "DEFAULT");
    const other = await settings("rsa-1024", "DEFAULT");
    expect(() => checkSecureContext(good)).not.toThrow();
    expect(() => checkSecureContext({ ...good, key: other.key })).toThrow(/key values mismatch/);
    expect(() => checkSecureContext({ ...good, cert: other.cert })).toThrow(/key values mismatch/);
  });
});
