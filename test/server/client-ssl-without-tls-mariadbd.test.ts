import { CapabilityFlags } from "../../src/protocol/constants";
import { encodePacket, type Packet } from "../../src/protocol/framing";
import { loadScenario } from "../../src/scenarios/load-scenario";
import { scenarioToOptions } from "../../src/scenarios/scenario-options";
import { type MockServer, startMockServer } from "../../src/mock-server";
import { type MariadbServer, startMariadbServer } from "../helpers/mariadb-server";
import { CLIENT_CAPABILITIES, handshakeResponse, RawClient, sslRequest } from "../helpers/raw-client";

/**
 * A real MariaDB 10.11 without TLS against the mock's `mariadb-10.11-notls` profile, given the same
 * bytes: a whole login that sets CLIENT_SSL the greeting did not offer (MariaDB masks the bit and
 * logs the client in), and a bare SSLRequest (Bad handshake). The answers must be the same bytes.
 */

const ACCOUNT = { user: "app", password: "Mask-pa55" };
const ASKS_FOR_TLS = CLIENT_CAPABILITIES | CapabilityFlags.CLIENT_SSL;

let real: MariadbServer;
let mock: MockServer;

beforeAll(async () => {
  real = await startMariadbServer({ ssl: null });
  const setup = await real.admin(
    `CREATE USER '${ACCOUNT.user}'@'127.0.0.1' IDENTIFIED VIA mysql_native_password USING PASSWORD('${ACCOUNT.password}')`,
  );
  if (setup.code !== 0) throw new Error(`account setup failed: ${setup.stderr}`);
  const scenario = loadScenario("mariadb-10.11-notls");
  mock = await startMockServer({ ...scenarioToOptions(scenario), accounts: [ACCOUNT] });
}, 180_000);

afterAll(async () => {
  await mock?.stop();
  await real?.stop();
}, 60_000);

/** The first packet the server answers `send` with, as wire bytes. */
async function answerTo(port: number, send: (client: RawClient, scramble: Buffer) => void): Promise<Packet> {
  const client = await RawClient.connect(port);
  const greeting = await client.readGreeting();
  expect(greeting.capabilityFlags & CapabilityFlags.CLIENT_SSL).toBe(0);
  send(client, greeting.authPluginData);
  const packet = (await client.read())!;
  client.end();
  return packet;
}

const wire = (packet: Packet) => encodePacket(packet.payload, packet.sequenceId);

describe("CLIENT_SSL the greeting did not offer, real MariaDB 10.11 beside the mock", () => {
  it("a whole login that asks for TLS is logged in, with the same OK bytes from both", async () => {
    const login = (client: RawClient, scramble: Buffer) =>
      client.send(handshakeResponse({ ...ACCOUNT, scramble, capabilities: ASKS_FOR_TLS }), 1);
    const fromReal = await answerTo(real.port, login);
    const fromMock = await answerTo(mock.port, login);
    expect(fromReal.payload[0]).toBe(0x00);
    expect(wire(fromMock)).toEqual(wire(fromReal));
    const [record] = await mock.settled();
    expect(record).toMatchObject({
      tlsAskedInResponse: true,
      sslRequest: false,
      outcome: { kind: "authenticated" },
    });
  });

  it("a bare SSLRequest gets Bad handshake, with the same ERR bytes from both", async () => {
    const request = (client: RawClient) => client.send(sslRequest(), 1);
    const fromReal = await answerTo(real.port, request);
    const fromMock = await answerTo(mock.port, request);
    expect(fromReal.payload.readUInt16LE(1)).toBe(1043);
    expect(wire(fromMock)).toEqual(wire(fromReal));
  });
});
