import { getCertificateSet } from "../../src/certs";
import { builtinScenarioNames, loadScenario } from "../../src/scenarios/load-scenario";
import type { SslMode } from "../../src/scenarios/scenario-schema";
import { CapabilityFlags } from "../../src/protocol/constants";
import { type MockServer, startMockServer } from "../../src/mock-server";
import { pemFile } from "../helpers/mariadb-cli";
import { newConnections } from "../helpers/new-connections";
import { runOpensslStartTls } from "../helpers/openssl-client";

/**
 * `openssl s_client -starttls mysql` — the reference TLS verifier — against every built-in scenario,
 * in the modes where the scenario's point is TLS itself: it cannot log in, so only `tls` (the
 * handshake completes and verifies) and `refuse-before-credentials` (it does not) are checked.
 */
const MODES: Partial<Record<SslMode, (caFile: string) => string[]>> = {
  REQUIRED: () => [],
  VERIFY_CA: (caFile) => ["-verify_return_error", "-CAfile", caFile],
  VERIFY_IDENTITY: (caFile) => ["-verify_return_error", "-CAfile", caFile, "-verify_ip", "127.0.0.1"],
};

const cases = builtinScenarioNames().flatMap((name) => {
  const scenario = loadScenario(name);
  if (scenario.server?.unixSocket) return [];
  return (Object.keys(MODES) as SslMode[]).flatMap((mode) => {
    const outcome = scenario.expect[mode]?.outcome;
    if (outcome !== "tls" && outcome !== "refuse-before-credentials") return [];
    return [{ name, mode, expected: outcome }];
  });
});

describe.each([...new Set(cases.map((c) => c.name))])("openssl s_client against %s", (name) => {
  let server: MockServer;
  let caFile: string;
  beforeAll(async () => {
    server = await startMockServer({ scenario: name });
    // Without TLS on the server, s_client still needs a CA it can load, or it never connects.
    caFile = pemFile(server.ca ?? (await getCertificateSet("good")).ca);
  });
  afterAll(async () => {
    await server.stop();
  });

  test.each(cases.filter((c) => c.name === name))("in $mode: $expected", async ({ mode, expected }) => {
    const connection = newConnections(server);
    const result = await runOpensslStartTls(server.port, MODES[mode]!(caFile));
    const record = await connection.only();
    // s_client asks for TLS exactly when the greeting offers it (CLIENT_SSL).
    const offered = (server.options.capabilityFlags & CapabilityFlags.CLIENT_SSL) !== 0;
    expect(record.sslRequest).toBe(offered);
    // "New, TLSv1.x, Cipher is …" once a handshake completed; "New, (NONE)" when it did not.
    const completed = result.code === 0 && /^New, TLSv1/m.test(result.stdout);
    if (expected === "tls") {
      expect(completed).toBe(true);
      expect(record.tls?.outcome).toBe("negotiated");
    } else {
      expect(completed).toBe(false);
      // Refused: the server never saw a TLS session come up.
      expect(record.tls?.outcome).not.toBe("negotiated");
    }
  });
});
