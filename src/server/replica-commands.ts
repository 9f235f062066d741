import { Command } from "../protocol/constants";
import { ProtocolError } from "../protocol/errors";
import { type ComBinlogDump, decodeComBinlogDump } from "../protocol/packets/com-binlog-dump";
import { type ComRegisterSlave, decodeComRegisterSlave } from "../protocol/packets/com-register-slave";
import type { UserVariables } from "../sql/replica-queries";

/** Error numbers of a source's answers to a replica (include/mysqld_error.h). */
export const ReplicationErrorCode = {
  ER_UNKNOWN_ERROR: 1105,
  ER_MASTER_FATAL_ERROR_READING_BINLOG: 1236,
  ER_MALFORMED_PACKET: 1835,
} as const;

/** An ERR the session sends: code, SQL state and text. */
export interface ReplicaErr {
  code: number;
  sqlState: string;
  message: string;
}

/** What the session does with one replication command. */
export type ReplicaAnswer =
  /** Answer OK and go on. */
  | { kind: "ok" }
  /** Answer this ERR and go on (a replica then reconnects, as after a failed registration). */
  | { kind: "error"; err: ReplicaErr }
  /** Answer this ERR and end the connection: `reason` goes on the record. */
  | { kind: "end"; err: ReplicaErr; reason: string };

/**
 * What a source answers to a registration it cannot read: MySQL's sql/rpl_master.cc and MariaDB's
 * sql/repl_failsafe.cc, register_slave (`my_message(ER_UNKNOWN_ERROR, errmsg)`).
 */
const BAD_REGISTRATION: ReplicaErr = {
  code: ReplicationErrorCode.ER_UNKNOWN_ERROR,
  sqlState: "HY000",
  message: "Wrong parameters to function register_slave",
};

/**
 * What a source without a binary log answers to COM_BINLOG_DUMP. MariaDB's sql/sql_repl.cc
 * (init_binlog_sender) and MySQL's sql/rpl_binlog_sender.cc both send ER_MASTER_FATAL_ERROR_READING_BINLOG
 * with this text when `log_bin` is OFF — which is what the mock's `log_bin` reads. A replica stops
 * its IO thread on it for good (MariaDB sql/slave.cc, handle_slave_io: 1236 is fatal, never retried),
 * so the exchange ends after one connection.
 */
export const BINLOG_NOT_OPEN: ReplicaErr = {
  code: ReplicationErrorCode.ER_MASTER_FATAL_ERROR_READING_BINLOG,
  sqlState: "HY000",
  message: "Binary log is not open",
};

/** MySQL 5.7's answer to a COM_BINLOG_DUMP too short for its fixed fields (sql/rpl_master.cc, CHECK_PACKET_SIZE). */
const MALFORMED_DUMP: ReplicaErr = {
  code: ReplicationErrorCode.ER_MALFORMED_PACKET,
  sqlState: "HY000",
  message: "Malformed communication packet.",
};

/**
 * The replica side of one session: its registration and the user variables it set, so the
 * record can say who asked for what. A session that never sends a replication command keeps an
 * empty one.
 */
export class ReplicaSession {
  /** The last COM_REGISTER_SLAVE, without its report password. */
  registration: Omit<ComRegisterSlave, "reportPassword"> | null = null;

  constructor(private readonly variables: UserVariables) {}

  /** COM_REGISTER_SLAVE: remembered and acknowledged; the report password is dropped here. */
  registerSlave(payload: Buffer): ReplicaAnswer {
    let packet: ComRegisterSlave;
    try {
      packet = decodeComRegisterSlave(payload);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      return { kind: "error", err: BAD_REGISTRATION };
    }
    const { reportPassword: _secret, ...registration } = packet;
    this.registration = registration;
    return { kind: "ok" };
  }

  /**
   * COM_BINLOG_DUMP: the source has no binary log to send, so it answers as a real source with
   * `log_bin` OFF does and ends the connection, which a real source does after every dump
   * ("fake COM_QUIT" in sql/sql_parse.cc). The reason says what the replica asked for.
   */
  binlogDump(payload: Buffer): ReplicaAnswer {
    let dump: ComBinlogDump;
    try {
      dump = decodeComBinlogDump(payload);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      return {
        kind: "end",
        err: MALFORMED_DUMP,
        reason: `the replica sent a malformed COM_BINLOG_DUMP: ${error.message}`,
      };
    }
    return { kind: "end", err: BINLOG_NOT_OPEN, reason: this.describeDump(dump) };
  }

  /** One sentence for the record: who asked for which part of the binary log, and what it got. */
  describeDump(dump: ComBinlogDump): string {
    const where = [`file ${JSON.stringify(dump.fileName)} position ${dump.position}`];
    // A MariaDB replica using GTIDs names its position in @slave_connect_state, not in the packet.
    if (this.variables.has("slave_connect_state")) {
      where.push(`GTID position ${JSON.stringify(String(this.variables.get("slave_connect_state") ?? ""))}`);
    }
    const registered =
      this.registration === null
        ? "unregistered"
        : `registered${this.registration.reportHost ? ` as ${this.registration.reportHost}:${this.registration.reportPort}` : ""}`;
    return (
      `replica with server_id ${dump.serverId} (${registered}) requested the binary log ` +
      `(COM_BINLOG_DUMP, ${where.join(", ")}, flags ${dump.flags}); ` +
      `the source has none to send and answered ${BINLOG_NOT_OPEN.code} "${BINLOG_NOT_OPEN.message}"`
    );
  }
}

/** The command bytes {@link ReplicaSession} answers. */
export const REPLICA_COMMANDS: ReadonlySet<number> = new Set([
  Command.COM_REGISTER_SLAVE,
  Command.COM_BINLOG_DUMP,
]);
