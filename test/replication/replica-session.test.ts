import { startMockServer } from "../../src";
import { encodePacket } from "../../src/protocol/framing";
import { encodeComBinlogDump } from "../../src/protocol/packets/com-binlog-dump";
import { encodeComRegisterSlave } from "../../src/protocol/packets/com-register-slave";
import { decodeErr } from "../../src/protocol/packets/err-packet";
import { LoginClient } from "../helpers/login-client";

const REPORT_PASSWORD = "report-secret-7f3a";

describe("a session that acts as a replica's source", () => {
  it("records COM_REGISTER_SLAVE without its payload, so the report password is on no record", async () => {
    await using server = await startMockServer({ recordPackets: true, recordPayloadBytes: 4096 });
    const client = await LoginClient.connect(server.port);
    await client.readGreeting();
    await client.login(server.user, server.password);
    client.write(
      encodePacket(
        encodeComRegisterSlave({
          serverId: 9,
          reportHost: "r1",
          reportUser: "u",
          reportPassword: REPORT_PASSWORD,
          reportPort: 3306,
          recoveryRank: 0,
          masterId: 0,
        }),
        0,
      ),
    );
    expect((await client.read()).payload[0]).toBe(0x00);
    client.write(encodePacket(encodeComBinlogDump({ position: 4, flags: 0, serverId: 9, fileName: "" }), 0));
    const err = await client.read();
    expect(decodeErr(err.payload, client.greeting!.capabilityFlags)).toMatchObject({
      code: 1236,
      message: "Binary log is not open",
    });
    await client.closed;

    const [record] = await server.settled();
    const register = record!.packets.find((p) => p.type === "COM_REGISTER_SLAVE");
    expect(register).toMatchObject({ redacted: true, length: 39 });
    expect(register?.payloadHex).toBeUndefined();
    expect(JSON.stringify(record)).not.toContain(Buffer.from(REPORT_PASSWORD).toString("hex"));
    expect(JSON.stringify(record)).not.toContain(REPORT_PASSWORD);
    expect(record!.commands.map((c) => c.command)).toEqual(["COM_REGISTER_SLAVE", "COM_BINLOG_DUMP"]);
    expect(record!.outcome).toMatchObject({ kind: "authenticated", ended: "error" });
  });
});
