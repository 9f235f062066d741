import type { ConnectionRecord, MockServer } from "../../src";
import type { MariadbServer } from "../helpers/mariadb-server";

/** The replica's own server_id: anything but the mock's (0 unless a scenario sets one). */
export const REPLICA_SERVER_ID = 7;

/** The TLS settings of one CHANGE MASTER, as a replica's administrator writes them. */
export interface ReplicaTls {
  /** MASTER_SSL. */
  ssl: boolean;
  /** MASTER_SSL_VERIFY_SERVER_CERT. */
  verifyServerCert: boolean;
  /** MASTER_SSL_CA: the mock's CA file, or none. */
  ca: boolean;
}

/** The columns of `SHOW SLAVE STATUS` a test reads. */
export interface ReplicaStatus {
  ioRunning: string;
  lastIoErrno: number;
  lastIoError: string;
  usingGtid: string;
  sslAllowed: string;
  sslVerifyServerCert: string;
}

/** What one replication attempt left: the replica's status when it was stopped, and the mock's records. */
export interface ReplicationRun {
  status: ReplicaStatus;
  records: readonly ConnectionRecord[];
}

const quote = (text: string) => `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/** The CHANGE MASTER TO statement pointing `replica` at the mock (root/root, retry every second). */
export function changeMaster(mock: MockServer, tls: ReplicaTls): string {
  const ca = tls.ca ? mock.caFile : undefined;
  if (tls.ca && ca === undefined) throw new Error("the scenario has no CA to give the replica");
  return [
    `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${mock.port}`,
    `MASTER_USER=${quote(mock.user)}, MASTER_PASSWORD=${quote(mock.password)}`,
    // GTID if the source supports it (a MariaDB profile); a MySQL profile makes the replica fall back.
    "MASTER_CONNECT_RETRY=1, MASTER_USE_GTID=slave_pos",
    `MASTER_SSL=${tls.ssl ? 1 : 0}, MASTER_SSL_VERIFY_SERVER_CERT=${tls.verifyServerCert ? 1 : 0}`,
    `MASTER_SSL_CA=${quote(ca ?? "")}`,
  ].join(", ");
}

function column(output: string, name: string): string {
  return new RegExp(`^\\s*${name}: (.*)$`, "m").exec(output)?.[1] ?? "";
}

/** `SHOW SLAVE STATUS`, the columns a test reads. */
export async function replicaStatus(replica: MariadbServer): Promise<ReplicaStatus> {
  const result = await replica.admin("SHOW SLAVE STATUS\\G");
  if (result.code !== 0) throw new Error(`SHOW SLAVE STATUS failed: ${result.stderr}`);
  const out = result.stdout;
  return {
    ioRunning: column(out, "Slave_IO_Running"),
    lastIoErrno: Number(column(out, "Last_IO_Errno") || 0),
    lastIoError: column(out, "Last_IO_Error"),
    usingGtid: column(out, "Using_Gtid"),
    sslAllowed: column(out, "Master_SSL_Allowed"),
    sslVerifyServerCert: column(out, "Master_SSL_Verify_Server_Cert"),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long a replica may take to show the outcome of its first connection: a bound, not a measurement. */
const DEADLINE_MS = 20_000;

/**
 * Points the replica at the mock, starts replication and waits until the IO thread has an error
 * and the mock has closed at least one connection of it — the replica either stopped for good
 * (1236 after COM_BINLOG_DUMP) or failed to connect and will retry every second — then stops the
 * replica and returns its status with every record the mock kept.
 */
export async function replicate(
  replica: MariadbServer,
  mock: MockServer,
  tls: ReplicaTls,
): Promise<ReplicationRun> {
  const setup = await replica.admin(`STOP SLAVE; RESET SLAVE ALL; ${changeMaster(mock, tls)}; START SLAVE`);
  if (setup.code !== 0) throw new Error(`CHANGE MASTER failed: ${setup.stderr}`);
  const deadline = Date.now() + DEADLINE_MS;
  let status = await replicaStatus(replica);
  while (status.lastIoErrno === 0 || !mock.connections.some((r) => r.endedAt !== null)) {
    if (Date.now() > deadline) {
      await replica.admin("STOP SLAVE");
      throw new Error(`the replica showed no outcome in ${DEADLINE_MS} ms: ${JSON.stringify(status)}`);
    }
    await sleep(100);
    status = await replicaStatus(replica);
  }
  const stop = await replica.admin("STOP SLAVE");
  if (stop.code !== 0) throw new Error(`STOP SLAVE failed: ${stop.stderr}`);
  const records = await mock.settled();
  return { status, records };
}
