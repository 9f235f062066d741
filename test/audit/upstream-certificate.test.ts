import { attackScenarios } from "../../src/audit/proxy-attacks";
import { checkUpstreamCertificate } from "../../src/audit/upstream-certificate";
import { startMockServer } from "../../src/mock-server";

/**
 * `audit --upstream` checks the real server's certificate for the address clients will connect
 * to (the proxy's) before it runs: a certificate that does not name it makes VERIFY_IDENTITY's
 * refusal the correct outcome of every attack that relays the real certificate.
 */
describe("checkUpstreamCertificate", () => {
  it("reads the server's certificate over TLS and checks it for the given address", async () => {
    // The catalogue's good set names localhost, 127.0.0.1 and ::1.
    await using server = await startMockServer({ tls: { certificates: "good" } });
    const upstream = { host: "127.0.0.1", port: server.port };
    expect(await checkUpstreamCertificate(upstream, "127.0.0.1")).toEqual({
      namesHost: true,
      mismatch: null,
    });
    expect(await checkUpstreamCertificate(upstream, "10.9.8.7")).toEqual({
      namesHost: false,
      mismatch: expect.stringContaining("IP: 10.9.8.7 is not in the cert's list"),
    });
    // No login was attempted: the server saw a TLS handshake and nothing inside it.
    const records = await server.settled();
    expect(records.map((r) => [r.tls?.outcome, r.user])).toEqual([
      ["negotiated", null],
      ["negotiated", null],
    ]);
  });

  it("says null for a server that offers no TLS", async () => {
    await using server = await startMockServer({ tls: false });
    expect(await checkUpstreamCertificate({ host: "127.0.0.1", port: server.port }, "127.0.0.1")).toBeNull();
  });
});

describe("attackScenarios for a certificate that does not name the proxy's address", () => {
  const identity = (context: Parameters<typeof attackScenarios>[1]) =>
    Object.fromEntries(
      attackScenarios(undefined, context).map((s) => [s.name, s.expect.VERIFY_IDENTITY!.outcome]),
    );

  it("expects VERIFY_IDENTITY to refuse wherever the real certificate reaches the client", () => {
    expect(identity({ certificateNamesProxy: true })).toMatchObject({
      passthrough: "tls",
      "cleartext-switch": "tls",
      "local-infile:/etc/hostname": "tls",
    });
    expect(identity({ certificateNamesProxy: false })).toEqual({
      ...identity({ certificateNamesProxy: true }),
      passthrough: "refuse-before-credentials",
      "cleartext-switch": "refuse-before-credentials",
      "local-infile:/etc/hostname": "refuse-before-credentials",
    });
  });
});
