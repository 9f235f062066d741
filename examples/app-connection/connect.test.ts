import { useMockServer } from "mysql-tls-mock/jest";
import { connect, type DatabaseConfig } from "./connect";

/**
 * The application's connection module against MySQL servers that behave well and badly around TLS.
 * `useMockServer` starts a fresh mock server (a built-in scenario) around each test and stops it
 * afterwards; the matchers read what the server saw the client do.
 */

/** The app's configuration, pointed at the mock: it trusts the CA a correct deployment would. */
function configFor(
  mock: { host: string; port: number; ca: string | undefined },
  sslMode: DatabaseConfig["sslMode"],
) {
  return { host: mock.host, port: mock.port, user: "root", password: "root", sslMode, ca: mock.ca };
}

describe("connect() with sslMode VERIFY_IDENTITY", () => {
  describe("against MySQL 5.7 serving a certificate from our CA", () => {
    const mock = useMockServer({ scenario: "mysql-5.7.41-good-ca" });

    test("negotiates TLS and logs in, its credentials only inside TLS", async () => {
      const connection = await connect(configFor(mock, "VERIFY_IDENTITY"));
      await connection.query("SELECT 1");
      await connection.end();

      await mock.settled();
      expect(mock).toHaveNegotiatedTls("TLSv1.2");
      expect(mock).toHaveAuthenticated("root");
      expect(mock).not.toHaveExposedCredentials();
    });
  });

  describe("against a server whose certificate chains to a CA we do not trust", () => {
    const mock = useMockServer({ scenario: "cert-untrusted-ca" });

    test("refuses the certificate before sending credentials", async () => {
      await expect(connect(configFor(mock, "VERIFY_IDENTITY"))).rejects.toThrow();

      await mock.settled();
      expect(mock).toHaveRejectedCertificate();
      expect(mock).not.toHaveExposedCredentials();
      expect(mock).not.toHaveAuthenticated();
    });
  });

  describe("behind a proxy that strips TLS from the greeting (BACKRONYM)", () => {
    const mock = useMockServer({ scenario: "strip-backronym" });

    test("refuses, and never falls back to plaintext", async () => {
      await expect(connect(configFor(mock, "VERIFY_IDENTITY"))).rejects.toThrow();

      await mock.settled();
      // `.not` alone would also pass had the app never connected.
      expect(mock.connections).toHaveLength(1);
      expect(mock).not.toHaveFallenBackToPlaintext();
      expect(mock).not.toHaveExposedCredentials();
    });
  });
});

describe("connect() with sslMode REQUIRED", () => {
  describe("against MySQL 5.7 with TLS disabled", () => {
    const mock = useMockServer({ scenario: "mysql-5.7.41-notls" });

    test("refuses before sending credentials", async () => {
      await expect(connect(configFor(mock, "REQUIRED"))).rejects.toThrow();

      await mock.settled();
      expect(mock.connections).toHaveLength(1);
      expect(mock).not.toHaveSentSslRequest();
      expect(mock).not.toHaveExposedCredentials();
      expect(mock).not.toHaveAuthenticated();
    });
  });
});
