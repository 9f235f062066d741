import {
  type ConnectionRecord,
  factsOf,
  judgeRun,
  type MockServer,
  observedOutcome,
  startMockServer,
} from "../../src";
import { type MariadbServer, startMariadbServer } from "../helpers/mariadb-server";
import { REPLICA_SERVER_ID, replicaStatus, type ReplicationRun, replicate } from "./replica";

/**
 * A replica is a client like any other (MySQL manual, "Setting Up Replication to Use Encrypted
 * Connections"; MariaDB KB, "Securing Connections for Client and Server" and "CHANGE MASTER TO"):
 * Debian 12's mariadbd 10.11 as the replica, the mock as its source. One replica serves every
 * test; each points it at a fresh mock with CHANGE MASTER and reads what both sides kept: the
 * replica's SHOW SLAVE STATUS and the mock's records, judged like any client's.
 */

let replica: MariadbServer;

beforeAll(async () => {
  replica = await startMariadbServer({ ssl: null });
  const setup = await replica.admin(`SET GLOBAL server_id=${REPLICA_SERVER_ID}`);
  if (setup.code !== 0) throw new Error(`server_id: ${setup.stderr}`);
}, 180_000);

afterAll(async () => {
  await replica?.stop();
}, 60_000);

async function against(scenario: string, run: (mock: MockServer) => Promise<ReplicationRun>) {
  const mock = await startMockServer({ scenario });
  try {
    return await run(mock);
  } finally {
    await mock.stop();
  }
}

const VERIFYING = { ssl: true, verifyServerCert: true, ca: true };

/** What a 10.11 replica sends a MySQL-versioned source after login, in order (MariaDB sql/slave.cc). */
const TO_A_MYSQL_SOURCE = [
  "SELECT UNIX_TIMESTAMP()",
  "SHOW VARIABLES LIKE 'SERVER_ID'",
  "SET @master_heartbeat_period= 30000001024",
  "SET @master_binlog_checksum= @@global.binlog_checksum",
  "SELECT @master_binlog_checksum",
  "SET @mariadb_slave_capability=4",
  // A source below version 10 has no MariaDB GTIDs: the replica falls back to file and position.
  "SELECT binlog_gtid_pos('',4)",
  "COM_REGISTER_SLAVE",
  "COM_BINLOG_DUMP",
];

/** The same to a MariaDB-versioned source: the GTID handshake replaces binlog_gtid_pos. */
const TO_A_MARIADB_SOURCE = [
  ...TO_A_MYSQL_SOURCE.slice(0, 6),
  "SELECT @@GLOBAL.gtid_domain_id",
  "SET @slave_connect_state=''",
  "SET @slave_gtid_strict_mode=0",
  "SET @slave_gtid_ignore_duplicates=0",
  "COM_REGISTER_SLAVE",
  "COM_BINLOG_DUMP",
];

const commandsOf = (record: ConnectionRecord) => record.commands.map((c) => c.query ?? c.command);

describe("a MariaDB 10.11 replica with the mock as its source", () => {
  it("verifying a good certificate: logs in over TLS, registers, asks for the binary log, and stops on 1236", async () => {
    const { status, records } = await against("mysql-5.7.41-good-ca", (mock) =>
      replicate(replica, mock, VERIFYING),
    );

    expect(status).toMatchObject({
      ioRunning: "No",
      lastIoErrno: 1236,
      lastIoError:
        "Got fatal error 1236 from master when reading data from binary log: 'Binary log is not open'",
      usingGtid: "No",
    });
    // 1236 is fatal: one connection, not a retry loop.
    expect(records).toHaveLength(1);
    const [record] = records as [ConnectionRecord];
    expect(commandsOf(record)).toEqual(TO_A_MYSQL_SOURCE);
    expect(record.outcome).toEqual({
      kind: "authenticated",
      ended: "error",
      error:
        `replica with server_id ${REPLICA_SERVER_ID} (registered) requested the binary log ` +
        `(COM_BINLOG_DUMP, file "" position 4, flags 0); the source has none to send and answered 1236 "Binary log is not open"`,
    });
    expect(record.verdict?.kind).toBe("tls");
    expect(judgeRun(records, "VERIFY_IDENTITY", "tls").status).toBe("pass");

    const replicationPackets = record.packets.filter(
      (p) => p.type === "COM_REGISTER_SLAVE" || p.type === "COM_BINLOG_DUMP",
    );
    expect(replicationPackets.map((p) => [p.type, p.encrypted, p.redacted ?? false])).toEqual([
      ["COM_REGISTER_SLAVE", true, true],
      ["COM_BINLOG_DUMP", true, false],
    ]);
  });

  it("stops exactly as a real mariadbd source without binary log makes it stop", async () => {
    const source = await startMariadbServer({ ssl: null });
    try {
      const grant = await source.admin(
        "CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY 'repl'; GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1'",
      );
      if (grant.code !== 0) throw new Error(grant.stderr);
      const setup = await replica.admin(
        `STOP SLAVE; RESET SLAVE ALL; CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${source.port}, ` +
          "MASTER_USER='repl', MASTER_PASSWORD='repl', MASTER_CONNECT_RETRY=1, MASTER_USE_GTID=slave_pos, " +
          "MASTER_SSL=0, MASTER_SSL_CA='', MASTER_SSL_VERIFY_SERVER_CERT=0; START SLAVE",
      );
      if (setup.code !== 0) throw new Error(setup.stderr);
      let status = await replicaStatus(replica);
      for (const deadline = Date.now() + 20_000; status.lastIoErrno === 0 && Date.now() < deadline;) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        status = await replicaStatus(replica);
      }
      await replica.admin("STOP SLAVE");
      const { status: mocked } = await against("mariadb-10.11-notls", (mock) =>
        replicate(replica, mock, { ssl: false, verifyServerCert: false, ca: false }),
      );
      expect(mocked).toEqual(status);
      expect(status).toMatchObject({ ioRunning: "No", lastIoErrno: 1236, usingGtid: "Slave_Pos" });
    } finally {
      await source.stop();
    }
  }, 120_000);

  it("to a MariaDB profile: sends the GTID handshake and names its GTID position with the dump", async () => {
    const { status, records } = await against("mariadb-10.11-greeting", (mock) =>
      replicate(replica, mock, VERIFYING),
    );

    expect(status).toMatchObject({ lastIoErrno: 1236, usingGtid: "Slave_Pos" });
    expect(records).toHaveLength(1);
    const [record] = records as [ConnectionRecord];
    expect(commandsOf(record)).toEqual(TO_A_MARIADB_SOURCE);
    expect(record.outcome).toMatchObject({ ended: "error" });
    expect(record.outcome.kind === "authenticated" && record.outcome.error).toContain(`GTID position ""`);
    expect(record.verdict?.kind).toBe("tls");
  });

  it("(a) verifying, against a stripped greeting: refuses before sending credentials, and retries", async () => {
    const { status, records } = await against("strip-backronym", (mock) =>
      replicate(replica, mock, VERIFYING),
    );

    // A connection error is not fatal: the IO thread keeps retrying every MASTER_CONNECT_RETRY seconds.
    expect(status).toMatchObject({ ioRunning: "Connecting", lastIoErrno: 2026, sslVerifyServerCert: "Yes" });
    expect(status.lastIoError).toContain("SSL is required, but the server does not support it");
    expect(records.length).toBeGreaterThanOrEqual(1);
    for (const record of records) {
      expect(factsOf(record).sentLogin).toBe(false);
      expect(record.credentialExposure).toBeNull();
      expect(record.verdict?.kind).toBe("refused-plaintext");
    }
    expect(observedOutcome(records)).toBe("refuse-before-credentials");
    expect(judgeRun(records, "VERIFY_IDENTITY", "refuse-before-credentials").status).toBe("pass");
  });

  it("MASTER_SSL=1 without verification, against a stripped greeting: falls back to plaintext, and the verdict says so", async () => {
    const { status, records } = await against("strip-backronym", (mock) =>
      replicate(replica, mock, { ssl: true, verifyServerCert: false, ca: true }),
    );

    // The replica went all the way to the dump without TLS: MASTER_SSL=1 alone is "TLS if offered".
    expect(status).toMatchObject({ lastIoErrno: 1236, sslAllowed: "Yes", sslVerifyServerCert: "No" });
    expect(records).toHaveLength(1);
    const [record] = records as [ConnectionRecord];
    expect(record.tls).toBeNull();
    expect(record.credentialsInPlaintext).toBe(true);
    expect(record.verdict).toMatchObject({ kind: "plaintext-fallback", severity: "critical" });
    expect(record.verdict?.findings.map((f) => f.kind)).toEqual([
      "plaintext-fallback",
      "credentials-exposed",
    ]);
    expect(commandsOf(record)).toEqual(TO_A_MYSQL_SOURCE);
    const run = judgeRun(records, "REQUIRED", "refuse-before-credentials");
    expect(run).toMatchObject({ observed: "plaintext", status: "deviation", severity: "critical" });
  });

  it("(b) verifying, against a certificate for another host: refuses after the TLS handshake, before credentials", async () => {
    const { status, records } = await against("cert-wrong-host", (mock) =>
      replicate(replica, mock, VERIFYING),
    );

    expect(status).toMatchObject({ ioRunning: "Connecting", lastIoErrno: 2026 });
    expect(status.lastIoError).toContain("SSL certificate validation failure");
    expect(records.length).toBeGreaterThanOrEqual(1);
    for (const record of records) {
      expect(record.tls?.outcome).toBe("negotiated");
      expect(record.user).toBeNull();
      expect(record.credentialExposure).toBeNull();
      expect(record.verdict?.kind).toBe("tls-verified-refused");
    }
    expect(judgeRun(records, "VERIFY_IDENTITY", "refuse-before-credentials").status).toBe("pass");
  });

  it("(c) not verifying, against a certificate for another host: logs in anyway (accepted-bad-certificate)", async () => {
    const { status, records } = await against("cert-wrong-host", (mock) =>
      replicate(replica, mock, { ssl: true, verifyServerCert: false, ca: true }),
    );

    expect(status).toMatchObject({ lastIoErrno: 1236, sslVerifyServerCert: "No" });
    expect(records).toHaveLength(1);
    const [record] = records as [ConnectionRecord];
    expect(record.tls?.outcome).toBe("negotiated");
    expect(record.verdict).toMatchObject({ kind: "accepted-bad-certificate", severity: "critical" });
    expect(record.serverCertificate?.flaws).toEqual(["host-mismatch"]);
    expect(commandsOf(record)).toEqual(TO_A_MYSQL_SOURCE);
    // Without the host check the replica behaves as VERIFY_CA: a pass there, a critical finding in VERIFY_IDENTITY.
    expect(judgeRun(records, "VERIFY_CA", "tls").status).toBe("pass");
    expect(judgeRun(records, "VERIFY_IDENTITY", "refuse-before-credentials")).toMatchObject({
      status: "deviation",
      severity: "critical",
    });
  });
});
