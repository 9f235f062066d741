import { encodeComBinlogDump } from "../../src/protocol/packets/com-binlog-dump";
import { encodeComRegisterSlave } from "../../src/protocol/packets/com-register-slave";
import { BINLOG_NOT_OPEN, ReplicaSession } from "../../src/server/replica-commands";
import { UserVariables } from "../../src/sql/replica-queries";
import { hex } from "../helpers/bytes";

const REGISTER = {
  serverId: 7,
  reportHost: "replica-1",
  reportUser: "monitor",
  reportPassword: "report-secret",
  reportPort: 3307,
  recoveryRank: 0,
  masterId: 0,
};

describe("the source's answers to a replica's COM_REGISTER_SLAVE and COM_BINLOG_DUMP", () => {
  it("acknowledges a registration and keeps it without the report password", () => {
    const replica = new ReplicaSession(new UserVariables());
    expect(replica.registerSlave(encodeComRegisterSlave(REGISTER))).toEqual({ kind: "ok" });
    expect(replica.registration).toEqual({
      serverId: 7,
      reportHost: "replica-1",
      reportUser: "monitor",
      reportPort: 3307,
      recoveryRank: 0,
      masterId: 0,
    });
    expect(JSON.stringify(replica)).not.toContain("report-secret");
  });

  it("answers a registration it cannot read as a source does (1105), and goes on", () => {
    const replica = new ReplicaSession(new UserVariables());
    expect(replica.registerSlave(hex("15 07 00 00 00 05 61"))).toEqual({
      kind: "error",
      err: { code: 1105, sqlState: "HY000", message: "Wrong parameters to function register_slave" },
    });
    expect(replica.registration).toBeNull();
  });

  it("refuses the dump as a source without binary log does, and ends with what was asked for", () => {
    const replica = new ReplicaSession(new UserVariables());
    replica.registerSlave(encodeComRegisterSlave(REGISTER));
    const answer = replica.binlogDump(
      encodeComBinlogDump({ position: 107, flags: 0, serverId: 7, fileName: "mysql-bin.000002" }),
    );
    expect(answer).toEqual({
      kind: "end",
      err: { code: 1236, sqlState: "HY000", message: "Binary log is not open" },
      reason:
        'replica with server_id 7 (registered as replica-1:3307) requested the binary log (COM_BINLOG_DUMP, file "mysql-bin.000002" position 107, flags 0); ' +
        'the source has none to send and answered 1236 "Binary log is not open"',
    });
    expect(BINLOG_NOT_OPEN.code).toBe(1236);
  });

  it("names the GTID position a MariaDB replica set in @slave_connect_state", () => {
    const variables = new UserVariables();
    variables.set("slave_connect_state", "0-1-42");
    const answer = new ReplicaSession(variables).binlogDump(
      encodeComBinlogDump({ position: 4, flags: 0, serverId: 7, fileName: "" }),
    );
    expect(answer.kind === "end" && answer.reason).toContain(
      '(unregistered) requested the binary log (COM_BINLOG_DUMP, file "" position 4, GTID position "0-1-42", flags 0)',
    );
  });

  it("ends a dump too short to read with 1835 Malformed communication packet", () => {
    const answer = new ReplicaSession(new UserVariables()).binlogDump(hex("12 04 00 00"));
    expect(answer).toMatchObject({
      kind: "end",
      err: { code: 1835, message: "Malformed communication packet." },
    });
    expect(answer.kind === "end" && answer.reason).toContain("malformed COM_BINLOG_DUMP");
  });
});
