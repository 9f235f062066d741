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

  it("knows only 127.0.0.1 and ::1 as localhost, as mariadbd 10.11 names a client from 127.0.0.2 by its address", () => {
    expect(displayClientHost("127.0.0.2")).toBe("127.0.0.2");
    expect(clientHostNames("127.1.2.3")).toEqual(["127.1.2.3"]);
  });

  it("with skip_name_resolve knows a loopback TCP client by its address alone; a Unix-socket client stays localhost", () => {
    expect(clientHostNames("127.0.0.1", true)).toEqual(["127.0.0.1"]);
    expect(clientHostNames("::ffff:127.0.0.1", true)).toEqual(["127.0.0.1"]);
    expect(displayClientHost("::1", true)).toBe("::1");
    expect(displayClientHost("localhost", true)).toBe("localhost");
    // A 'localhost' account no longer matches a TCP client from 127.0.0.1: the next most specific does.
    expect(findAccount(accounts, "app", "127.0.0.1", true)?.password).toBe("any-host");
    expect(findAccount(accounts, "app", "localhost", true)?.password).toBe("local");
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
