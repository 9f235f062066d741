import { startMockServer } from "../../src/mock-server";
import { connectWithMariadb, connectWithMysql2 } from "../helpers/drivers";
import { RawClient } from "../helpers/raw-client";

describe("a MariaDB greeting", () => {
  it("carries the 5.5.5- version prefix, bit 0 cleared and the extended capabilities in the reserved bytes", async () => {
    await using server = await startMockServer({ scenario: "mariadb-10.11-greeting" });
    const client = await RawClient.connect(server.port);
    const greeting = await client.readGreeting();
    expect(greeting.serverVersion).toBe("5.5.5-10.11.19-MariaDB-0+deb12u1");
    expect(greeting.capabilityFlags & 1).toBe(0);
    expect(greeting.reserved?.readUInt32LE(6)).toBe(0x1d);
    client.end();
  });

  it("is recognised as MariaDB by the mariadb driver, which strips the prefix", async () => {
    await using server = await startMockServer({ scenario: "mariadb-10.11-greeting" });
    const view = await connectWithMariadb({
      port: server.port,
      ssl: { ca: server.ca!, rejectUnauthorized: true },
    });
    // 10.11 serves TLSv1.2 and TLSv1.3 (tls_version), and node's clients offer TLSv1.3.
    expect(view.sslVersion).toBe("TLSv1.3");
    const [record] = await server.settled();
    // The mariadb driver, seeing MariaDB, echoes extended capabilities in bytes 28-31 of its SSLRequest.
    const sslRequest = record?.packets.find((p) => p.type === "SSLRequest");
    expect(sslRequest?.payloadHex?.slice(56, 64)).not.toBe("00000000");
  });

  it("still lets mysql2 log in over TLS", async () => {
    await using server = await startMockServer({ scenario: "mariadb-10.11-greeting" });
    const view = await connectWithMysql2({
      port: server.port,
      ssl: { ca: server.ca!, rejectUnauthorized: true },
    });
    // 10.11 serves TLSv1.2 and TLSv1.3 (tls_version), and node's clients offer TLSv1.3.
    expect(view.sslVersion).toBe("TLSv1.3");
  });
});
