import { Command } from "../../../src/protocol/constants";
import { MalformedPacketError } from "../../../src/protocol/errors";
import {
  type ComRegisterSlave,
  decodeComRegisterSlave,
  encodeComRegisterSlave,
} from "../../../src/protocol/packets/com-register-slave";
import { Bytes, hex } from "../../helpers/bytes";
import { expectTruncations } from "../malformed";

/**
 * COM_REGISTER_SLAVE as Debian 12's mariadbd 10.11.19 sent it as a replica (server_id 7, no
 * report_host/report_user/report_password, so report_port is the replica's own port, 34989),
 * captured through a TCP relay in front of the mock; framed, sequence id 0.
 */
const MARIADB_10_11_REGISTER = hex("12 00 00 00 15 07 00 00 00 00 00 00 ad 88 00 00 00 00 00 00 00 00");

const captured: ComRegisterSlave = {
  serverId: 7,
  reportHost: "",
  reportUser: "",
  reportPassword: "",
  reportPort: 34989,
  recoveryRank: 0,
  masterId: 0,
};

describe("COM_REGISTER_SLAVE", () => {
  it("decodes what a MariaDB 10.11 replica really sends", () => {
    expect(decodeComRegisterSlave(MARIADB_10_11_REGISTER.subarray(4))).toEqual(captured);
  });

  it("encodes it byte for byte", () => {
    expect(encodeComRegisterSlave(captured)).toEqual(MARIADB_10_11_REGISTER.subarray(4));
  });

  it("reads each report string behind a one-byte length, as a source's register_slave does", () => {
    const packet = new Bytes()
      .int1(Command.COM_REGISTER_SLAVE)
      .int4(42)
      .int1(7)
      .string("replica")
      .int1(4)
      .string("repl")
      .int1(6)
      .string("s3cret")
      .int2(3307)
      .int4(0)
      .int4(1)
      .build();
    const decoded = decodeComRegisterSlave(packet);
    expect(decoded).toEqual({
      serverId: 42,
      reportHost: "replica",
      reportUser: "repl",
      reportPassword: "s3cret",
      reportPort: 3307,
      recoveryRank: 0,
      masterId: 1,
    });
    expect(encodeComRegisterSlave(decoded)).toEqual(packet);
  });

  it("refuses every packet cut short of its last field, naming the field", () => {
    const rejected = expectTruncations(
      decodeComRegisterSlave,
      MARIADB_10_11_REGISTER.subarray(4),
      "COM_REGISTER_SLAVE",
      [],
    );
    expect(rejected.get(1)?.message).toContain("server id");
    expect(rejected.get(17)?.message).toContain("master id");
  });

  it("is not another command", () => {
    expect(() => decodeComRegisterSlave(hex("12 04 00 00 00 00 00 07 00 00 00"))).toThrow(
      MalformedPacketError,
    );
  });

  it("cannot encode a report string longer than its one-byte length", () => {
    expect(() => encodeComRegisterSlave({ ...captured, reportHost: "h".repeat(256) })).toThrow(RangeError);
  });
});
