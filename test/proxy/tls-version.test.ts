import * as mysql from "mysql2/promise";
import { getCertificateSet } from "../../src/certs";
import { startMockProxy } from "../../src/mock-proxy";
import { runMariadbCli } from "../helpers/mariadb-cli";
import { runOpensslStartTls } from "../helpers/openssl-client";
import { ACCOUNT, useRealMariadb } from "./real-server";

/**
 * `tls-version:V` in front of Debian's mariadbd: the proxy terminates the client's TLS offering
 * version V alone (with the catalogue's `good` set, whose CA the clients here are given), so
 * whether a client connects says whether it accepts V.
 */

const real = useRealMariadb();

const pinned = (version: "TLSv1.1" | "TLSv1.3") =>
  startMockProxy({ upstream: { host: "127.0.0.1", port: real.port }, attack: `tls-version:${version}` });

describe("the tls-version attack in front of mariadbd", () => {
  it("mysql2, whose floor is TLSv1.2, refuses a server offering TLSv1.1 alone, before its credentials", async () => {
    await using proxy = await pinned("TLSv1.1");
    await expect(
      mysql.createConnection({
        host: "127.0.0.1",
        port: proxy.port,
        ...ACCOUNT,
        ssl: { ca: (await getCertificateSet("good")).ca },
      }),
    ).rejects.toThrow();
    const [record] = await proxy.settled();
    expect(record).toMatchObject({ sslRequest: true, user: null, tls: { outcome: "failed" } });
    expect(record!.tls?.outcome === "failed" && record!.tls.failure.cause).toBe("protocol-version");
  });

  it("an openssl client that allows TLSv1.1 negotiates it, and the record says so", async () => {
    await using proxy = await pinned("TLSv1.1");
    const run = await runOpensslStartTls(proxy.port, ["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"]);
    expect(run.stdout).toMatch(/Protocol\s*: TLSv1\.1/);
    const [record] = await proxy.settled();
    expect(record!.tls).toMatchObject({ outcome: "negotiated", version: "TLSv1.1" });
  });

  it("the mariadb CLI logs in through a server offering TLSv1.3 alone, and its query is answered", async () => {
    await using proxy = await pinned("TLSv1.3");
    const cli = await runMariadbCli({
      port: proxy.port,
      ...ACCOUNT,
      flags: [`--ssl-ca=${real.caFile}`, "--ssl-verify-server-cert"],
      sql: "SELECT @@version",
    });
    expect({ code: cli.code, stderr: cli.stderr }).toEqual({ code: 0, stderr: "" });
    expect(cli.stdout).toMatch(/MariaDB/);
    const [record] = await proxy.settled();
    expect(record).toMatchObject({ tls: { outcome: "negotiated", version: "TLSv1.3" }, user: ACCOUNT.user });
  });
});
