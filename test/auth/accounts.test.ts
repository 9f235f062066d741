import { clientHostNames, displayClientHost, findAccount, resolveAccount } from "../../src/auth/accounts";

describe("accounts", () => {
  const accounts = [
    resolveAccount({ user: "app", password: "any-host" }),
    resolveAccount({ user: "app", password: "local", host: "localhost" }),
    resolveAccount({ user: "app", password: "lan", host: "10.0.%" }),
    resolveAccount({ user: "ops", password: "x", host: "192.168.1._" }),
  ];

  it("knows a loopback client as localhost first, then by its address", () => {
    expect(clientHostNames("127.0.0.1")).toEqual(["localhost", "127.0.0.1"]);
    expect(clientHostNames("::ffff:127.0.0.1")).toEqual(["localhost", "127.0.0.1"]);
    expect(clientHostNames("::1")).toEqual(["localhost", "::1"]);
    expect(displayClientHost("10.0.0.5")).toBe("10.0.0.5");
  });

  it("prefers the most specific host pattern, as MySQL sorts its grant table", () => {
    expect(findAccount(accounts, "app", "127.0.0.1")?.password).toBe("local");
    expect(findAccount(accounts, "app", "10.0.3.4")?.password).toBe("lan");
    expect(findAccount(accounts, "app", "172.16.0.1")?.password).toBe("any-host");
  });

  it("matches _ as exactly one character and user names case-sensitively", () => {
    expect(findAccount(accounts, "ops", "192.168.1.7")).toBeDefined();
    expect(findAccount(accounts, "ops", "192.168.1.77")).toBeUndefined();
    expect(findAccount(accounts, "APP", "127.0.0.1")).toBeUndefined();
  });
});
