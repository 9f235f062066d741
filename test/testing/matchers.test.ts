import { startMockServer } from "../../src/mock-server";
import { useMockServer } from "../../src/testing/jest";
import { pemFile, runMariadbCli } from "../helpers/mariadb-cli";
import { runOpensslStartTls } from "../helpers/openssl-client";
import { failureOf, mysql2Login } from "./clients";

/**
 * Every matcher, both ways, against real clients and built-in scenarios over loopback. A fresh
 * server per test (useMockServer's default), so each test asserts on its own connections.
 */

describe("toHaveSentSslRequest", () => {
  const mock = useMockServer();

  it("passes when mysql2 with an ssl option asks for TLS", async () => {
    await mysql2Login({ port: mock.port, ssl: { rejectUnauthorized: false } });
    await mock.settled();
    expect(mock).toHaveSentSslRequest();
  });

  it(".not passes when the mariadb CLI runs with --skip-ssl", async () => {
    const result = await runMariadbCli({ port: mock.port, flags: ["--skip-ssl"] });
    expect(result.code).toBe(0);
    await mock.settled();
    expect(mock).not.toHaveSentSslRequest();
  });
});

describe("toHaveNegotiatedTls", () => {
  const mock = useMockServer();

  it("passes, with the version or without, when openssl s_client -tls1_2 completes a handshake", async () => {
    await runOpensslStartTls(mock.port, ["-tls1_2"]);
    await mock.settled();
    expect(mock).toHaveNegotiatedTls();
    expect(mock).toHaveNegotiatedTls("TLSv1.2");
  });

  it(".not passes for a version that was not negotiated", async () => {
    await mysql2Login({ port: mock.port, ssl: { rejectUnauthorized: false } });
    await mock.settled();
    expect(mock).toHaveNegotiatedTls("TLSv1.2");
    expect(mock).not.toHaveNegotiatedTls("TLSv1.3");
    expect(mock).not.toHaveNegotiatedTls("TLSv1");
  });

  it(".not passes when mysql2 without ssl stays in plaintext", async () => {
    await mysql2Login({ port: mock.port });
    await mock.settled();
    expect(mock).not.toHaveNegotiatedTls();
  });
});

describe("toHaveOfferedTlsVersions", () => {
  const mock = useMockServer();

  it("reads legacy_version when the ClientHello has no supported_versions (openssl -tls1_2)", async () => {
    await runOpensslStartTls(mock.port, ["-tls1_2"]);
    const [record] = await mock.settled();
    expect(record?.tls?.clientHello?.supportedVersions).toBeNull();
    expect(mock).toHaveOfferedTlsVersions(["TLSv1.2"]);
    expect(mock).not.toHaveOfferedTlsVersions(["TLSv1.3", "TLSv1.2"]);
  });

  it("reads supported_versions, in any order and exactly (mysql2 offers TLSv1.3 and TLSv1.2)", async () => {
    await mysql2Login({ port: mock.port, ssl: { rejectUnauthorized: false } });
    await mock.settled();
    expect(mock).toHaveOfferedTlsVersions(["TLSv1.3", "TLSv1.2"]);
    expect(mock).toHaveOfferedTlsVersions(["TLSv1.2", "TLSv1.3"]);
    expect(mock).not.toHaveOfferedTlsVersions(["TLSv1.2"]);
    expect(mock).not.toHaveOfferedTlsVersions(["TLSv1.3", "TLSv1.2", "TLSv1.1"]);
  });

  it("reads the ClientHello of a handshake that failed (openssl -tls1_3 against 5.7's TLSv1–1.2)", async () => {
    await runOpensslStartTls(mock.port, ["-tls1_3"]);
    await mock.settled();
    expect(mock).not.toHaveNegotiatedTls();
    expect(mock).toHaveOfferedTlsVersions(["TLSv1.3"]);
  });

  it(".not passes when the client sent no ClientHello (mysql2 without ssl)", async () => {
    await mysql2Login({ port: mock.port });
    await mock.settled();
    expect(mock).not.toHaveOfferedTlsVersions(["TLSv1.2"]);
  });
});

describe("toHaveRejectedCertificate", () => {
  describe("against a certificate from a CA the client does not trust (cert-untrusted-ca)", () => {
    const mock = useMockServer({ scenario: "cert-untrusted-ca" });

    it("passes, with the alert or without, when the mariadb CLI --ssl-ca alerts unknown_ca", async () => {
      const result = await runMariadbCli({
        port: mock.port,
        flags: ["--ssl", `--ssl-ca=${pemFile(mock.ca!)}`],
      });
      expect(result.stderr).toContain("ERROR 2026");
      await mock.settled();
      expect(mock).toHaveRejectedCertificate("unknown_ca");
      expect(mock).toHaveRejectedCertificate();
      expect(mock).not.toHaveRejectedCertificate("certificate_expired");
      expect(mock).not.toHaveExposedCredentials();
      expect(mock).not.toHaveAuthenticated();
    });

    it("passes without an alert when mysql2 verifying the CA closes after the handshake, before its credentials", async () => {
      const attempt = await mysql2Login({ port: mock.port, ssl: { ca: mock.ca!, rejectUnauthorized: true } });
      expect(attempt.error).toMatch(/certificate/);
      await mock.settled();
      expect(mock).toHaveNegotiatedTls();
      expect(mock).toHaveRejectedCertificate();
      // Node-based clients verify after the handshake and send no alert: there is none to name.
      expect(mock).not.toHaveRejectedCertificate("unknown_ca");
      expect(mock).not.toHaveExposedCredentials();
      expect(mock).not.toHaveAuthenticated();
    });
  });

  it("passes with certificate_expired when the mariadb CLI verifies an expired certificate (cert-expired)", async () => {
    await using server = await startMockServer({ scenario: "cert-expired" });
    await runMariadbCli({ port: server.port, flags: ["--ssl", `--ssl-ca=${pemFile(server.ca!)}`] });
    await server.settled();
    expect(server).toHaveRejectedCertificate("certificate_expired");
    expect(server).not.toHaveRejectedCertificate("unknown_ca");
  });

  describe("against a certificate from the trusted CA (mysql-5.7.41-good-ca)", () => {
    const mock = useMockServer({ scenario: "mysql-5.7.41-good-ca" });

    it(".not passes when mysql2 verifies the certificate and logs in", async () => {
      const attempt = await mysql2Login({ port: mock.port, ssl: { ca: mock.ca!, rejectUnauthorized: true } });
      expect(attempt.error).toBeNull();
      await mock.settled();
      expect(mock).not.toHaveRejectedCertificate();
    });

    it(".not passes when openssl s_client completes the handshake and leaves without credentials", async () => {
      await runOpensslStartTls(mock.port, ["-CAfile", pemFile(mock.ca!)]);
      await mock.settled();
      expect(mock).toHaveNegotiatedTls();
      expect(mock).not.toHaveRejectedCertificate();
    });
  });
});

describe("toHaveFallenBackToPlaintext", () => {
  describe("behind a TLS-stripping proxy (strip-backronym)", () => {
    const mock = useMockServer({ scenario: "strip-backronym" });

    it("passes when mysql2 without ssl logs in through the stripped greeting", async () => {
      const attempt = await mysql2Login({ port: mock.port });
      expect(attempt.loggedIn).toBe(true);
      await mock.settled();
      expect(mock).toHaveFallenBackToPlaintext();
      expect(mock).toHaveExposedCredentials();
      expect(mock).not.toHaveSentSslRequest();
    });

    it(".not passes when mysql2 with ssl refuses the stripped greeting before sending credentials", async () => {
      const attempt = await mysql2Login({ port: mock.port, ssl: { ca: mock.ca!, rejectUnauthorized: true } });
      expect(attempt.error).toMatch(/does not support secure connection/);
      await mock.settled();
      expect(mock).not.toHaveFallenBackToPlaintext();
      expect(mock).not.toHaveExposedCredentials();
      expect(mock).not.toHaveAuthenticated();
    });
  });

  it(".not passes when the greeting offered TLS and the client chose plaintext: that is no fallback", async () => {
    await using server = await startMockServer();
    await runMariadbCli({ port: server.port, flags: ["--skip-ssl"] });
    await server.settled();
    expect(server).not.toHaveFallenBackToPlaintext();
    expect(server).toHaveExposedCredentials();
  });
});

describe("toHaveExposedCredentials", () => {
  const mock = useMockServer();

  it("passes when the mariadb CLI with --skip-ssl sends its scramble reply in plaintext", async () => {
    await runMariadbCli({ port: mock.port, flags: ["--skip-ssl"] });
    await mock.settled();
    expect(mock).toHaveExposedCredentials();
    expect(mock).toHaveAuthenticated("root");
  });

  it(".not passes when mysql2 sends its credentials inside TLS", async () => {
    await mysql2Login({ port: mock.port, ssl: { rejectUnauthorized: false } });
    await mock.settled();
    expect(mock).not.toHaveExposedCredentials();
  });
});

describe("toHaveAuthenticated", () => {
  const mock = useMockServer();

  it("passes, with the user or without, when mysql2 logs in as root", async () => {
    await mysql2Login({ port: mock.port, ssl: { rejectUnauthorized: false } });
    await mock.settled();
    expect(mock).toHaveAuthenticated();
    expect(mock).toHaveAuthenticated("root");
    expect(mock).not.toHaveAuthenticated("app");
  });

  it(".not passes when the server refuses a wrong password (1045)", async () => {
    const attempt = await mysql2Login({
      port: mock.port,
      password: "wrong",
      ssl: { rejectUnauthorized: false },
    });
    expect(attempt.error).toMatch(/Access denied/);
    await mock.settled();
    expect(mock).not.toHaveAuthenticated();
    expect(mock).not.toHaveAuthenticated("root");
  });
});

describe("what the matchers take", () => {
  const mock = useMockServer();

  it("takes a MockServer, the fixture, an array of records and one record", async () => {
    await mysql2Login({ port: mock.port, ssl: { rejectUnauthorized: false } });
    const records = await mock.settled();
    expect(mock.server).toHaveNegotiatedTls("TLSv1.2");
    expect(mock).toHaveNegotiatedTls("TLSv1.2");
    expect(records).toHaveNegotiatedTls("TLSv1.2");
    expect(records[0]).toHaveNegotiatedTls("TLSv1.2");
  });

  it("with several connections, passes if any connection matches and .not only if none does", async () => {
    await mysql2Login({ port: mock.port, ssl: { rejectUnauthorized: false } });
    await mysql2Login({ port: mock.port });
    const [overTls, plaintext] = await mock.settled();
    expect(mock).toHaveSentSslRequest();
    expect(mock).toHaveExposedCredentials();
    expect(overTls).not.toHaveExposedCredentials();
    expect(plaintext).not.toHaveSentSslRequest();
    expect(() => expect(mock).not.toHaveSentSslRequest()).toThrow();
    expect(() => expect(mock).not.toHaveExposedCredentials()).toThrow();
    expect(mock).not.toHaveRejectedCertificate();
  });

  it("fails the positive form when the client never connected, and passes .not", async () => {
    await mock.settled();
    expect(() => expect(mock).toHaveAuthenticated()).toThrow(/never connected/);
    expect(() => expect([]).toHaveSentSslRequest()).toThrow(/never connected/);
    expect(mock).not.toHaveExposedCredentials();
  });

  it("refuses a Promise, telling the test to await first", async () => {
    await mysql2Login({ port: mock.port });
    const pending = mock.settled();
    expect(() => expect(pending).toHaveAuthenticated()).toThrow(/received a Promise.*await/s);
    await pending;
  });

  it("refuses what is not a record, and arguments of the wrong type", async () => {
    await mysql2Login({ port: mock.port });
    await mock.settled();
    expect(() => expect({ port: 3306 }).toHaveAuthenticated()).toThrow(/neither a ConnectionRecord/);
    expect(() => expect([{}]).toHaveAuthenticated()).toThrow(/not a ConnectionRecord/);
    expect(() => expect(mock).toHaveOfferedTlsVersions([])).toThrow(/non-empty array/);
    // @ts-expect-error: the declarations on jest.Matchers take an array of versions
    expect(() => expect(mock).toHaveOfferedTlsVersions("TLSv1.2")).toThrow(/non-empty array/);
    expect(() => expect(mock).toHaveNegotiatedTls(1.2 as unknown as string)).toThrow(
      /version must be a string/,
    );
    expect(failureOf(() => expect(mock).toHaveNegotiatedTls())).toContain("none did");
  });
});

describe("what the matchers take, without a fixture", () => {
  it("reads a server that has been stopped, also one nobody connected to", async () => {
    const server = await startMockServer();
    await mysql2Login({ port: server.port });
    await server.stop();
    expect(server).toHaveAuthenticated("root");
    const idle = await startMockServer();
    await idle.stop();
    expect(() => expect(idle).toHaveAuthenticated()).toThrow(
      /the client never connected to mysql:\/\/127\.0\.0\.1:\d+$/,
    );
  });
});
