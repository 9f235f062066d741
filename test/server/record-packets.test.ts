import * as mysql2 from "mysql2/promise";
import { startMockServer } from "../../src/mock-server";

async function login(port: number): Promise<void> {
  const connection = await mysql2.createConnection({
    host: "127.0.0.1",
    port,
    user: "root",
    password: "root",
    ssl: { rejectUnauthorized: false },
  });
  await connection.query("SELECT 1");
  await connection.end();
}

describe("recordPackets", () => {
  it("keeps every packet of a TLS login by default", async () => {
    await using server = await startMockServer();
    await login(server.port);
    const [record] = await server.settled();
    expect(record?.packets.map((p) => p.type).slice(0, 3)).toEqual([
      "HandshakeV10",
      "SSLRequest",
      "HandshakeResponse41",
    ]);
  });

  it("when false, drops the packet trail and packet events but keeps TLS, credentials, outcome and verdict", async () => {
    await using server = await startMockServer({ recordPackets: false });
    const packetEvents: unknown[] = [];
    server.on("packet", (event) => packetEvents.push(event));
    await login(server.port);
    const [record] = await server.settled();
    expect(record?.packets).toEqual([]);
    expect(packetEvents).toEqual([]);
    expect(record).toMatchObject({
      sslRequest: true,
      tls: { outcome: "negotiated" },
      user: "root",
      credentialsInPlaintext: false,
      outcome: { kind: "authenticated", ended: "quit" },
      verdict: { kind: "accepted-bad-certificate" },
    });
  });
});
