import * as mysql from "mysql2/promise";
import { startMockServer } from "../../src/mock-server";

/*
 * A client that connects to an IP literal sends no SNI and verifies the certificate against the
 * address it connected to: the record judges the served certificate for that same address,
 * whatever the listener is bound to.
 */

async function judgedHostsFor(listenHost: string, connectHost: string): Promise<string[] | undefined> {
  await using server = await startMockServer({ host: listenHost });
  const connection = await mysql.createConnection({
    host: connectHost,
    port: server.port,
    user: server.user,
    password: server.password,
    ssl: { rejectUnauthorized: false },
  });
  await connection.end();
  const [record] = await server.settled();
  return record?.serverCertificate?.hosts;
}

describe("the address a TLS client without SNI is judged by", () => {
  it("is the address of a listener bound to one address", async () => {
    expect(await judgedHostsFor("127.0.0.1", "127.0.0.1")).toEqual(["127.0.0.1"]);
  });

  it("is the address the client connected to on a listener bound to every address (0.0.0.0)", async () => {
    expect(await judgedHostsFor("0.0.0.0", "127.0.0.1")).toEqual(["127.0.0.1"]);
  });

  it("is the IPv4 address, not its IPv6-mapped form, on a dual-stack listener (::)", async () => {
    expect(await judgedHostsFor("::", "127.0.0.1")).toEqual(["127.0.0.1"]);
  });
});
