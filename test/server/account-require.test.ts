import { getCertificateSet } from "../../src/certs";
import { type MockServer, startMockServer } from "../../src/mock-server";
import { connectWithMysql2 } from "../helpers/drivers";
import { newConnections } from "../helpers/new-connections";

/** Accounts with each REQUIRE rule, against the good certificate set (client CN "mysql-tls-mock client"). */
const CLIENT_SUBJECT = "/CN=mysql-tls-mock client";

describe("account REQUIRE rules, checked after the password", () => {
  let server: MockServer;
  let ca: string;
  let client: { cert: string; key: string };
  beforeAll(async () => {
    const good = await getCertificateSet("good");
    ca = good.ca;
    client = good.client!;
    server = await startMockServer({
      tls: { certificates: "good" },
      accounts: [
        { user: "ssl", password: "pw", require: "SSL" },
        { user: "x509", password: "pw", require: "X509" },
        { user: "subject", password: "pw", require: `SUBJECT '${CLIENT_SUBJECT}'` },
        { user: "wrongsubject", password: "pw", require: "SUBJECT '/CN=someone else'" },
        { user: "cipher", password: "pw", require: { cipher: "AES128-SHA" } },
      ],
    });
  });
  afterAll(() => server.stop());

  const tls = () => ({ ca, rejectUnauthorized: true });
  const withCert = () => ({ ...tls(), cert: client.cert, key: client.key });

  it("REQUIRE SSL: refuses a plaintext login with the same 1045 as a wrong password", async () => {
    const refused = newConnections(server);
    await expect(connectWithMysql2({ port: server.port, user: "ssl", password: "pw" })).rejects.toMatchObject(
      {
        errno: 1045,
        message: "Access denied for user 'ssl'@'localhost' (using password: YES)",
      },
    );
    const record = await refused.only();
    expect(record.outcome).toEqual({
      kind: "refused",
      code: 1045,
      sqlState: "28000",
      message: "Access denied for user 'ssl'@'localhost' (using password: YES)",
      reason: "REQUIRE SSL: the connection is not encrypted",
    });
    expect(
      (await connectWithMysql2({ port: server.port, user: "ssl", password: "pw", ssl: tls() })).sslVersion,
    ).toBe("TLSv1.2");
  });

  it("REQUIRE X509: wants a client certificate", async () => {
    await expect(
      connectWithMysql2({ port: server.port, user: "x509", password: "pw", ssl: tls() }),
    ).rejects.toMatchObject({
      errno: 1045,
    });
    const withCertificate = newConnections(server);
    const view = await connectWithMysql2({
      port: server.port,
      user: "x509",
      password: "pw",
      ssl: withCert(),
    });
    expect(view.sslVersion).toBe("TLSv1.2");
    const record = await withCertificate.only();
    expect(record.tls).toMatchObject({
      clientCertificate: { subject: CLIENT_SUBJECT },
      clientCertificateVerified: true,
    });
  });

  it("REQUIRE SUBJECT: matches the one-line subject exactly", async () => {
    await connectWithMysql2({ port: server.port, user: "subject", password: "pw", ssl: withCert() });
    const refused = newConnections(server);
    await expect(
      connectWithMysql2({ port: server.port, user: "wrongsubject", password: "pw", ssl: withCert() }),
    ).rejects.toMatchObject({ errno: 1045 });
    const record = await refused.only();
    expect(record.outcome).toEqual({
      kind: "refused",
      code: 1045,
      sqlState: "28000",
      message: "Access denied for user 'wrongsubject'@'localhost' (using password: YES)",
      reason: `X509 subject mismatch: should be '/CN=someone else' but is '${CLIENT_SUBJECT}'`,
    });
  });

  it("REQUIRE CIPHER: refuses a session on another cipher", async () => {
    const refused = newConnections(server);
    await expect(
      connectWithMysql2({ port: server.port, user: "cipher", password: "pw", ssl: withCert() }),
    ).rejects.toMatchObject({
      errno: 1045,
    });
    const record = await refused.only();
    expect(record.outcome).toEqual({
      kind: "refused",
      code: 1045,
      sqlState: "28000",
      message: "Access denied for user 'cipher'@'localhost' (using password: YES)",
      reason: expect.stringMatching(/^cipher mismatch: should be 'AES128-SHA'/),
    });
  });

  it("checks the password first: a wrong password with a matching certificate is still a wrong password", async () => {
    const refused = newConnections(server);
    await expect(
      connectWithMysql2({ port: server.port, user: "x509", password: "nope", ssl: withCert() }),
    ).rejects.toMatchObject({
      errno: 1045,
    });
    const record = await refused.only();
    expect(record.outcome).toEqual({
      kind: "refused",
      code: 1045,
      sqlState: "28000",
      message: "Access denied for user 'x509'@'localhost' (using password: YES)",
      reason: "wrong password",
    });
  });
});
