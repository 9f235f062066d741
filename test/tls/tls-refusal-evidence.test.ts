import * as mariadb from "mariadb";
import mysql from "mysql";
import * as mysql2 from "mysql2/promise";
import type { CertificateSetName } from "../../src/certs";
import type { ConnectionRecord, TlsRecord } from "../../src/record/connection-record";
import { type MockServer, startMockServer } from "../../src/mock-server";
// Registers the matchers, as a user's setupFilesAfterEnv does.
import "../../src/testing/jest";
import type { TlsVersion } from "../../src/tls/tls-versions";
import { pemFile, runMariadbCli } from "../helpers/mariadb-cli";
import { runOpensslStartTls } from "../helpers/openssl-client";

/**
 * How a client that walks away from TLS ends it, as the server records it — measured with the real
 * clients, over TLSv1.3 and TLSv1.2, against a certificate for another host and one from an
 * untrusted CA (docs/discoveries.md has the wire captures behind these facts):
 * - Node's TLS stack (mysql2, mysql, mariadb) refuses over TLSv1.3 before sending its Finished and
 *   without an alert: the failure says the server's whole flight had gone out and nothing came back;
 * - over TLSv1.2 Node completes the handshake and then closes without close_notify;
 * - `openssl s_client` without verification completes and sends close_notify, which the server
 *   sees over TLSv1.2 and cannot rule out over TLSv1.3; with `-verify_return_error` it sends an alert;
 * - the mariadb CLI sends an alert for an untrusted chain and checks the host name after the
 *   handshake, closing without close_notify.
 */

const ACCOUNT = { user: "app", password: "secret" };
const VERSIONS: readonly TlsVersion[] = ["TLSv1.3", "TLSv1.2"];
const SETS: readonly CertificateSetName[] = ["wrong-host", "untrusted-root"];

/** The version a server serving only `version` calls itself: no MySQL 5.7 release negotiates TLSv1.3. */
function serverVersionFor(version: TlsVersion): string {
  return version === "TLSv1.3" ? "8.0.36" : "5.7.41";
}

type Negotiated = Extract<TlsRecord, { outcome: "negotiated" }>;

/** The record's verdict calls it a refusal, on the evidence it names, and the matcher agrees. */
function expectRefusal(record: ConnectionRecord, evidence: "observed" | "inferred"): void {
  expect(record.verdict).toMatchObject({
    kind: "tls-verified-refused",
    severity: "info",
    findings: [{ kind: "tls-verified-refused", evidence }],
  });
  expect(record.verdict?.summary).toContain(`(${evidence}`);
  expect(record).toHaveRejectedCertificate();
}

/** The record shows no refusal: the client completed TLS and left, and the server says it cannot tell why. */
function expectNoRefusalClaimed(record: ConnectionRecord): void {
  expect(record.verdict).toMatchObject({ kind: "tls-abandoned", findings: [{ kind: "tls-abandoned" }] });
  expect(record.verdict?.summary).toContain("the server cannot tell");
  expect(record).not.toHaveRejectedCertificate();
}
type Failed = Extract<TlsRecord, { outcome: "failed" }>;

/** What a driver run ended with: a login, or the driver's error code. */
interface DriverRun {
  loggedIn: boolean;
  errorCode: string | null;
}

function driverError(error: unknown): DriverRun {
  const code = (error as { code?: unknown } | null)?.code;
  return { loggedIn: false, errorCode: typeof code === "string" ? code : null };
}

/**
 * The npm drivers, each set up to check the server as far as it can: the chain against `ca`, and
 * the host name where the driver has a switch for it (mysqljs has none and never checks it).
 * A fresh `ssl` object per run: mysql2 keys its TLS session cache on it, so nothing is resumed.
 */
const DRIVERS = {
  async mysql2(port: number, ca: string): Promise<DriverRun> {
    try {
      const connection = await mysql2.createConnection({
        host: "127.0.0.1",
        port,
        ...ACCOUNT,
        ssl: { ca, rejectUnauthorized: true, verifyIdentity: true },
      });
      await connection.end();
      return { loggedIn: true, errorCode: null };
    } catch (error) {
      return driverError(error);
    }
  },
  async mariadb(port: number, ca: string): Promise<DriverRun> {
    try {
      const connection = await mariadb.createConnection({
        host: "127.0.0.1",
        port,
        ...ACCOUNT,
        connectTimeout: 10_000,
        ssl: { ca, rejectUnauthorized: true },
      });
      await connection.end();
      return { loggedIn: true, errorCode: null };
    } catch (error) {
      return driverError(error);
    }
  },
  mysql(port: number, ca: string): Promise<DriverRun> {
    const connection = mysql.createConnection({
      host: "127.0.0.1",
      port,
      ...ACCOUNT,
      ssl: { ca, rejectUnauthorized: true },
    });
    return new Promise((resolve) =>
      connection.connect((error) => {
        if (!error) {
          connection.end(() => resolve({ loggedIn: true, errorCode: null }));
          return;
        }
        connection.destroy();
        resolve(driverError(error));
      }),
    );
  },
} satisfies Record<string, (port: number, ca: string) => Promise<DriverRun>>;

type DriverName = keyof typeof DRIVERS;

/** The drivers that refuse each set: mysqljs checks no host name, so it logs in to `wrong-host`. */
const REFUSING_DRIVERS: Record<string, readonly DriverName[]> = {
  "wrong-host": ["mysql2", "mariadb"],
  "untrusted-root": ["mysql2", "mysql", "mariadb"],
};

/** Runs one client and returns the record of the one connection it made. */
async function recordOf(server: MockServer, run: () => Promise<unknown>): Promise<ConnectionRecord> {
  const before = server.connections.length;
  await run();
  const record = await server.waitForConnection(before + 1);
  await server.settled();
  expect(server.connections.length).toBe(before + 1);
  return record;
}

function negotiated(record: ConnectionRecord): Negotiated {
  expect(record.tls).toMatchObject({ outcome: "negotiated" });
  return record.tls as Negotiated;
}

function failed(record: ConnectionRecord): Failed {
  expect(record.tls).toMatchObject({ outcome: "failed" });
  return record.tls as Failed;
}

interface Served {
  server: MockServer;
  ca: string;
  caFile: string;
}

const served = new Map<string, Served>();

function servedFor(set: CertificateSetName, version: TlsVersion): Served {
  const entry = served.get(`${set} ${version}`);
  if (!entry) throw new Error(`no server for ${set} over ${version}`);
  return entry;
}

beforeAll(async () => {
  await Promise.all(
    SETS.flatMap((set) =>
      VERSIONS.map(async (version) => {
        const server = await startMockServer({
          serverVersion: serverVersionFor(version),
          tls: { certificates: set, minVersion: version, maxVersion: version },
          accounts: [ACCOUNT],
        });
        // The CA a correctly configured client trusts: the good one, never a rogue chain's issuer.
        const ca = server.tls!.certificateSet!.ca;
        served.set(`${set} ${version}`, { server, ca, caFile: pemFile(ca) });
      }),
    ),
  );
});

afterAll(async () => {
  await Promise.all([...served.values()].map(({ server }) => server.stop()));
});

describe.each(SETS)("against the %s certificate", (set) => {
  describe("Node's TLS stack over TLSv1.3 refuses before its Finished, without an alert", () => {
    it.each(REFUSING_DRIVERS[set]!)(
      "%s: the server's whole flight went out, the client sent nothing back and closed",
      async (driver) => {
        const { server, ca } = servedFor(set, "TLSv1.3");
        let run: DriverRun | undefined;
        const record = await recordOf(server, async () => {
          run = await DRIVERS[driver](server.port, ca);
        });
        expect(run?.loggedIn).toBe(false);
        expect(record.user).toBeNull();
        const failure = failed(record).failure;
        expect(failure).toMatchObject({ cause: "closed", afterServerFlight: true, bytesAfterClientHello: 0 });
        expect(failure.alert).toBeUndefined();
        expect(record.outcome).toMatchObject({ kind: "tls-failed", failure: { afterServerFlight: true } });
        expectRefusal(record, "inferred");
      },
    );
  });

  describe("Node's TLS stack over TLSv1.2 completes the handshake, then closes without close_notify", () => {
    it.each(REFUSING_DRIVERS[set]!)(
      "%s: a negotiated session the client closed having sent nothing after the handshake",
      async (driver) => {
        const { server, ca } = servedFor(set, "TLSv1.2");
        let run: DriverRun | undefined;
        const record = await recordOf(server, async () => {
          run = await DRIVERS[driver](server.port, ca);
        });
        expect(run?.loggedIn).toBe(false);
        expect(record.user).toBeNull();
        expect(negotiated(record).clientClosed).toEqual({
          closeNotify: false,
          bytesAfterHandshake: 0,
          afterMs: expect.any(Number),
        });
        expect(record.outcome).toEqual({
          kind: "client-went-away",
          phase: "tls-handshake-response",
          how: "closed",
        });
        expectRefusal(record, "inferred");
      },
    );
  });

  describe("openssl s_client -verify_return_error sends an alert", () => {
    it.each(VERSIONS)(
      "over %s: cert-rejected with its alert, never counted as walking away",
      async (version) => {
        const { server, caFile } = servedFor(set, version);
        const record = await recordOf(server, () =>
          runOpensslStartTls(server.port, [
            "-verify_return_error",
            "-CAfile",
            caFile,
            "-verify_hostname",
            "localhost",
          ]),
        );
        const failure = failed(record).failure;
        expect(failure).toMatchObject({
          cause: "cert-rejected",
          alert: set === "wrong-host" ? "bad_certificate" : "unknown_ca",
        });
        expect(failure.afterServerFlight).toBeUndefined();
        // The alert itself is all the client sent after its ClientHello.
        expect(failure.bytesAfterClientHello).toBeGreaterThan(0);
        expectRefusal(record, "observed");
      },
    );
  });
});

describe("mysqljs, which never checks the host name", () => {
  it.each(VERSIONS)(
    "over %s logs in to the wrong-host server: its password went to an unverified peer, critical",
    async (version) => {
      const { server, ca } = servedFor("wrong-host", version);
      let run: DriverRun | undefined;
      const record = await recordOf(server, async () => {
        run = await DRIVERS.mysql(server.port, ca);
      });
      expect(run?.loggedIn).toBe(true);
      expect(record.verdict).toMatchObject({ kind: "accepted-bad-certificate", severity: "critical" });
      expect(record).not.toHaveRejectedCertificate();
    },
  );
});

describe("the mariadb CLI with --ssl-verify-server-cert --ssl-ca", () => {
  it.each(VERSIONS)(
    "over %s refuses an untrusted chain with the alert unknown_ca inside the handshake",
    async (version) => {
      const { server, caFile } = servedFor("untrusted-root", version);
      const record = await recordOf(server, () =>
        runMariadbCli({
          port: server.port,
          ...ACCOUNT,
          flags: ["--ssl-verify-server-cert", `--ssl-ca=${caFile}`],
        }),
      );
      const failure = failed(record).failure;
      expect(failure).toMatchObject({ cause: "cert-rejected", alert: "unknown_ca" });
      expect(failure.afterServerFlight).toBeUndefined();
      expectRefusal(record, "observed");
    },
  );

  it("over TLSv1.2 checks the host name after the handshake and closes without close_notify", async () => {
    const { server, caFile } = servedFor("wrong-host", "TLSv1.2");
    const record = await recordOf(server, () =>
      runMariadbCli({
        port: server.port,
        ...ACCOUNT,
        flags: ["--ssl-verify-server-cert", `--ssl-ca=${caFile}`],
      }),
    );
    expect(record.user).toBeNull();
    expect(negotiated(record).clientClosed).toMatchObject({ closeNotify: false, bytesAfterHandshake: 0 });
    expect(record.outcome).toMatchObject({ kind: "client-went-away", phase: "tls-handshake-response" });
    expectRefusal(record, "inferred");
  });

  it("over TLSv1.3 closes after its Finished with nothing behind it, which the server cannot tell from a close_notify sent with the Finished", async () => {
    const { server, caFile } = servedFor("wrong-host", "TLSv1.3");
    const record = await recordOf(server, () =>
      runMariadbCli({
        port: server.port,
        ...ACCOUNT,
        flags: ["--ssl-verify-server-cert", `--ssl-ca=${caFile}`],
      }),
    );
    expect(record.user).toBeNull();
    expect(negotiated(record).clientClosed).toMatchObject({ closeNotify: null, bytesAfterHandshake: 0 });
    // It did refuse, but nothing on the wire shows it: the record claims no refusal.
    expectNoRefusalClaimed(record);
  });
});

describe("openssl s_client without verification completes the handshake and quits on end of input", () => {
  it("over TLSv1.2 the server sees its close_notify after the handshake", async () => {
    const { server } = servedFor("wrong-host", "TLSv1.2");
    const record = await recordOf(server, () => runOpensslStartTls(server.port));
    const closed = negotiated(record).clientClosed;
    expect(closed).toMatchObject({ closeNotify: true });
    expect(closed?.bytesAfterHandshake).toBeGreaterThan(0);
    expect(record.outcome).toMatchObject({ kind: "client-went-away", how: "closed" });
    expectNoRefusalClaimed(record);
  });

  it("over TLSv1.3 it is never recorded as closing without close_notify (it writes one right behind its Finished)", async () => {
    const { server } = servedFor("wrong-host", "TLSv1.3");
    const record = await recordOf(server, () => runOpensslStartTls(server.port));
    const closed = negotiated(record).clientClosed;
    expect(closed).toBeDefined();
    // null when the close_notify came in the same read as the Finished, true when in a later one.
    expect(closed?.closeNotify).not.toBe(false);
    if (closed?.closeNotify === true) expect(closed.bytesAfterHandshake).toBeGreaterThan(0);
    else expect(closed?.bytesAfterHandshake).toBe(0);
    expectNoRefusalClaimed(record);
  });
});
