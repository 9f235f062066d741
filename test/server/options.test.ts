import { ServerConfigurationError, startMockServer } from "../../src/index";
import { resolveOptions } from "../../src/server/options";

describe("server options", () => {
  it("default to a stock 5.7.41 server on 127.0.0.1 with TLSv1–TLSv1.2 and MySQL's cipher list", async () => {
    const options = await resolveOptions();
    expect(options.host).toBe("127.0.0.1");
    expect(options.port).toBe(0);
    expect(options.serverVersion).toBe("5.7.41");
    expect(options.capabilityFlags).toBe(0xc1ffffff);
    expect(options.tls).toMatchObject({
      minVersion: "TLSv1",
      maxVersion: "TLSv1.2",
      clientCertificates: "request",
    });
    expect(options.tls?.ciphers).toMatch(
      /^!aNULL:!eNULL:!EXPORT:.*ECDHE-ECDSA-AES128-GCM-SHA256.*:@SECLEVEL=0$/,
    );
  });

  it("greet without CLIENT_SSL when TLS is off", async () => {
    expect((await resolveOptions({ tls: false })).capabilityFlags).toBe(0x81fff7ff);
  });

  it.each([
    [{ tls: { minVersion: "TLSv1.3", maxVersion: "TLSv1.2" } }, "tls.minVersion"],
    [{ tls: { minVersion: "SSLv3" } }, "tls.minVersion"],
    [{ tls: { key: "-----BEGIN PRIVATE KEY-----" } }, "tls.cert"],
    [{ port: 70000 }, "port"],
    [{ accounts: [{ user: "x", password: "y", plugin: "dialog" }] }, "accounts[0].plugin"],
    [{ tls: false, capabilityFlags: 0xc1ffffff }, "capabilityFlags"],
  ])("reject %j, naming the option %s", async (options, option) => {
    const error = await resolveOptions(options as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerConfigurationError);
    expect((error as ServerConfigurationError).option).toBe(option);
  });

  it("fail to start, rather than listen, when misconfigured", async () => {
    await expect(startMockServer({ tls: { maxVersion: "TLSv9" as never } })).rejects.toThrow(
      "invalid option tls.maxVersion: expected TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3",
    );
  });
});
