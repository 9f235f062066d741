import { startMockServer } from "../../src/mock-server";
import { useMockServer } from "../../src/testing/jest";
import { LoginClient } from "../helpers/login-client";
import { pemFile, runMariadbCli } from "../helpers/mariadb-cli";
import { runOpensslStartTls } from "../helpers/openssl-client";
import { failureOf, mysql2Login } from "./clients";

/**
 * What a failing matcher says, from records real clients left: the matcher and its argument, what
 * was expected, and one line per connection showing the part of the record the matcher looked at.
 */

const line = (message: string, id: number) =>
  message.split("\n").find((text) => new RegExp(`^[ ›] #${id} `).test(text)) ?? "";

describe("failure messages", () => {
  const mock = useMockServer();

  it("toHaveNegotiatedTls names the version expected and, per connection, the version and cipher negotiated", async () => {
    await runOpensslStartTls(mock.port, ["-tls1_2", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384"]);
    const [record] = await mock.settled();
    const message = failureOf(() => expect(mock).toHaveNegotiatedTls("TLSv1.3"));
    expect(message).toContain("expect(received).toHaveNegotiatedTls(version)");
    expect(message).toContain('Expected: a connection that negotiated TLS "TLSv1.3"');
    expect(message).toContain("Received: 1 connection, none did:");
    expect(line(message, record!.id)).toContain(
      `#${record!.id} 127.0.0.1:${record!.client.port}: TLS "TLSv1.2" negotiated (ECDHE-RSA-AES256-GCM-SHA384)`,
    );
  });

  it(".not lists every connection and marks the ones that match", async () => {
    await mysql2Login({ port: mock.port, ssl: { rejectUnauthorized: false } });
    await mysql2Login({ port: mock.port });
    const [overTls, plaintext] = await mock.settled();
    const message = failureOf(() => expect(mock).not.toHaveSentSslRequest());
    expect(message).toContain("expect(received).not.toHaveSentSslRequest()");
    expect(message).toContain("Expected: no connection that sent an SSLRequest");
    expect(message).toContain("Received: 1 of 2 connections did:");
    expect(line(message, overTls!.id)).toMatch(/^› .*TLS "TLSv1\.2" negotiated/);
    expect(line(message, plaintext!.id)).toMatch(/^ {2}.*no SSLRequest \(the greeting offered TLS\)/);
    expect(message).toContain("(› marks the connections that match)");
  });

  it("toHaveOfferedTlsVersions says whether it read supported_versions or legacy_version", async () => {
    await mysql2Login({ port: mock.port, ssl: { rejectUnauthorized: false } });
    await runOpensslStartTls(mock.port, ["-tls1_2"]);
    const [fromNode, fromOpenssl] = await mock.settled();
    const message = failureOf(() => expect(mock).toHaveOfferedTlsVersions(["TLSv1.1"]));
    expect(message).toContain(
      'Expected: a connection whose ClientHello offered exactly ["TLSv1.1"] (in any order)',
    );
    expect(line(message, fromNode!.id)).toContain(
      'offered ["TLSv1.3", "TLSv1.2"] (supported_versions extension)',
    );
    expect(line(message, fromOpenssl!.id)).toContain(
      'offered ["TLSv1.2"] (legacy_version: the ClientHello has no supported_versions extension)',
    );
  });

  it("toHaveAuthenticated shows who did log in, or how the login ended", async () => {
    await mysql2Login({ port: mock.port, ssl: { rejectUnauthorized: false } });
    await mysql2Login({ port: mock.port, password: "wrong", ssl: { rejectUnauthorized: false } });
    const [loggedIn, refused] = await mock.settled();
    const message = failureOf(() => expect(mock).toHaveAuthenticated("app"));
    expect(message).toContain('Expected: a connection that authenticated as "app"');
    expect(line(message, loggedIn!.id)).toContain("logged in as root");
    expect(line(message, refused!.id)).toContain(
      `login as "root" refused (1045 Access denied for user 'root'`,
    );
  });

  it("says the client never connected, and where the server was listening", async () => {
    const message = failureOf(() => expect(mock).toHaveSentSslRequest());
    // Where it listened, without the account's password that `url` carries.
    expect(message).toContain(
      `Received: no connection — the client never connected to mysql://127.0.0.1:${mock.port}`,
    );
    expect(message).not.toContain("root:root");
  });

  it("points out a connection still open: the matchers read records as they are and wait for nothing", async () => {
    const client = await LoginClient.connect(mock.port);
    try {
      await client.readGreeting();
      const [record] = mock.connections;
      const message = failureOf(() => expect(mock).toHaveAuthenticated());
      expect(line(message, record!.id)).toContain("STILL OPEN (phase handshake-response)");
      expect(message).toContain(`Connection #${record!.id} was still open, so the record is not final`);
      expect(message).toContain("await server.settled()");
    } finally {
      client.destroy();
    }
  });
});

describe("failure messages of toHaveRejectedCertificate (cert-untrusted-ca)", () => {
  const mock = useMockServer({ scenario: "cert-untrusted-ca" });

  it("shows the alert the client sent and the certificate's flaws", async () => {
    await runMariadbCli({ port: mock.port, flags: ["--ssl", `--ssl-ca=${pemFile(mock.ca!)}`] });
    const [record] = await mock.settled();
    const message = failureOf(() => expect(mock).toHaveRejectedCertificate("certificate_expired"));
    expect(message).toContain("expect(received).toHaveRejectedCertificate(alert)");
    expect(message).toContain(
      'Expected: a connection that rejected the server certificate with alert "certificate_expired"',
    );
    expect(line(message, record!.id)).toContain(
      'rejected during the handshake; certificate flaws ["untrusted-issuer"] — TLS failed: "cert-rejected", alert "unknown_ca"',
    );
  });

  it("explains that a Node client's rejection has no alert to compare", async () => {
    await mysql2Login({ port: mock.port, ssl: { ca: mock.ca!, rejectUnauthorized: true } });
    const [record] = await mock.settled();
    const message = failureOf(() => expect(mock).toHaveRejectedCertificate("unknown_ca"));
    expect(line(message, record!.id)).toContain(
      'closed at once after the handshake without close_notify, before credentials (a refusal, inferred); certificate flaws ["untrusted-issuer"]',
    );
    expect(message).toContain(
      `#${record!.id} refused the certificate after the handshake without sending an alert, so there is no alert to compare with "unknown_ca"`,
    );
    expect(message).toContain("use toHaveRejectedCertificate() without an argument");
  });

  it(".not shows the rejection it did not expect", async () => {
    await mysql2Login({ port: mock.port, ssl: { ca: mock.ca!, rejectUnauthorized: true } });
    const [record] = await mock.settled();
    const message = failureOf(() => expect(record).not.toHaveRejectedCertificate());
    expect(message).toContain("Expected: no connection that rejected the server certificate");
    expect(message).toContain("Received: 1 of 1 connection did:");
    expect(line(message, record!.id)).toMatch(/^› .*verdict tls-verified-refused$/);
  });
});

describe("failure messages of toHaveExposedCredentials", () => {
  it("names the plugin and what was exposed, never the password", async () => {
    const password = "hunter2-do-not-print";
    await using server = await startMockServer({ accounts: [{ user: "app", password }] });
    await runMariadbCli({ port: server.port, user: "app", password, flags: ["--skip-ssl"] });
    const [record] = await server.settled();
    const message = failureOf(() => expect(server).not.toHaveExposedCredentials());
    expect(message).toContain("Expected: no connection whose credentials crossed without TLS");
    expect(line(message, record!.id)).toContain(
      "exposed its mysql_native_password scramble reply without TLS — no SSLRequest (the greeting offered TLS); " +
        "logged in as app; verdict credentials-exposed",
    );
    expect(message).not.toContain(password);
  });
});

describe("failure messages of toHaveFallenBackToPlaintext", () => {
  it("shows each connection's findings (strip-backronym, mysql2 refusing)", async () => {
    await using server = await startMockServer({ scenario: "strip-backronym" });
    await mysql2Login({ port: server.port, ssl: { ca: server.ca!, rejectUnauthorized: true } });
    const [record] = await server.settled();
    const message = failureOf(() => expect(server).toHaveFallenBackToPlaintext());
    expect(message).toContain(
      "Expected: a connection that fell back to plaintext when the greeting offered no TLS",
    );
    expect(line(message, record!.id)).toContain(
      "findings refused-plaintext (info) — no SSLRequest (the greeting did not offer TLS)",
    );
  });

  it("says that a client skipping offered TLS is plaintext, not a fallback", async () => {
    await using server = await startMockServer();
    await mysql2Login({ port: server.port });
    await server.settled();
    const message = failureOf(() => expect(server).toHaveFallenBackToPlaintext());
    expect(message).toContain("findings credentials-exposed (critical), plaintext (high)");
    expect(message).toContain("Every greeting here offered TLS");
  });
});
