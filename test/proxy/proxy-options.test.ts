import { startMockProxy } from "../../src/mock-proxy";
import { isProxyAttack, terminatedTls, requestedFile } from "../../src/options/proxy-options";

describe("the proxy's options", () => {
  it("refuse a start without an upstream, naming it", async () => {
    await expect(startMockProxy({} as never)).rejects.toThrow(/upstream/);
  });

  it("refuse an unknown key, naming it", async () => {
    await expect(
      startMockProxy({ upstream: { host: "127.0.0.1", port: 3306 }, atack: "strip" } as never),
    ).rejects.toThrow(/atack/);
  });

  it.each([
    ["passthrough", true],
    ["strip", true],
    ["riddle", true],
    ["cleartext-switch", true],
    ["cert:untrusted-root", true],
    ["cert:nope", false],
    ["tls-version:TLSv1.1", true],
    ["tls-version:SSLv3", false],
    ["local-infile:/etc/hostname", true],
    ["local-infile:", false],
    ["local-infile:/a\0b", false],
    [`local-infile:/${"x".repeat(4096)}`, false],
  ])("name attacks: %j is %s", (attack, valid) => {
    expect(isProxyAttack(attack)).toBe(valid);
  });

  it("say what a terminating attack serves and which file an infile attack asks for", () => {
    expect(terminatedTls("cert:wrong-host")).toEqual({ certificates: "wrong-host", version: null });
    expect(terminatedTls("tls-version:TLSv1")).toEqual({ certificates: "good", version: "TLSv1" });
    expect(terminatedTls("strip")).toBeNull();
    expect(requestedFile("local-infile:/etc/passwd")).toBe("/etc/passwd");
    expect(requestedFile("riddle")).toBeNull();
  });
});
