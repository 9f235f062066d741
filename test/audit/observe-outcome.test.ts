import type { AuditConnection } from "../../src/audit/audit-report";
import { mostTellingConnection } from "../../src/audit/observe-outcome";

function connection(id: number, verdict: string): AuditConnection {
  return {
    id,
    sslRequest: false,
    tls: null,
    offeredTlsVersions: null,
    user: null,
    authPlugin: null,
    credentialsInPlaintext: false,
    outcome: "client-went-away",
    verdict,
    summary: `connection ${id}: ${verdict}`,
  };
}

describe("mostTellingConnection", () => {
  it("names a run after its connection whose verdict comes first in the verdict's own headline order", () => {
    const connections = [
      connection(1, "tls"),
      connection(2, "credentials-exposed"),
      connection(3, "plaintext-fallback"),
      connection(4, "incomplete"),
    ];
    expect(mostTellingConnection(connections)?.id).toBe(3);
  });

  it("ranks an incomplete connection last and keeps the first of equals", () => {
    expect(mostTellingConnection([connection(1, "incomplete"), connection(2, "tls-failed")])?.id).toBe(2);
    expect(mostTellingConnection([connection(1, "tls"), connection(2, "tls")])?.id).toBe(1);
    expect(mostTellingConnection([connection(1, "incomplete")])?.id).toBe(1);
  });

  it("is null without connections", () => {
    expect(mostTellingConnection([])).toBeNull();
  });
});
