import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { z } from "zod";
import type { Account } from "../../src/auth/accounts";
import type { RsaKeys } from "../../src/auth/auth-plugin";
import { startMockServer } from "../../src/mock-server";
import { ServerConfigurationError } from "../../src/options/configuration-error";
import { type MockServerOptions, serverOptionFields } from "../../src/options/server-options";
import { servedVersionProblem, type TlsOptions, tlsOptionFields } from "../../src/options/tls-options";
import { resolveOptions } from "../../src/server/options";
import { listen } from "../../src/server/listen";

/**
 * The options schema (src/options) is the one definition of the server's options: the library's
 * types are derived from it, its defaults are what a server runs with, and resolving options
 * writes nothing.
 */

/** Compile-time: `A` and `B` are each assignable to the other. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <T extends true>(): T => true as T;

describe("the library's option types", () => {
  it("are the schema's input types, and take the auth layer's Account and RsaKeys as they are", () => {
    type OptionAccount = NonNullable<MockServerOptions["accounts"]>[number];
    expect(same<Same<OptionAccount, Account>>()).toBe(true);
    expect(same<Same<TlsOptions, Exclude<NonNullable<MockServerOptions["tls"]>, false>>>()).toBe(true);
    const keys: RsaKeys = { privateKeyPem: "", publicKeyPem: "" };
    const options: MockServerOptions = { rsaKeys: keys };
    expect(options.rsaKeys).toBe(keys);
  });
});

/** The options whose resolved value is the option's own value, defaults included. */
const PLAIN = Object.keys(serverOptionFields).filter(
  (name) => !["tls", "accounts", "systemVariables", "faults", "socketPath"].includes(name),
) as (keyof typeof serverOptionFields)[];

describe("resolveOptions", () => {
  it.each(PLAIN.filter((name) => serverOptionFields[name] instanceof z.ZodDefault))(
    "runs a server with the schema's default for %s",
    async (name) => {
      const resolved = await resolveOptions({ tls: false });
      expect(resolved[name]).toEqual((serverOptionFields[name] as z.ZodDefault).def.defaultValue);
    },
  );

  it("serves the schema's default TLS versions and client-certificate mode", async () => {
    const { tls } = await resolveOptions();
    expect(tls).toMatchObject({
      minVersion: tlsOptionFields.minVersion.def.defaultValue,
      maxVersion: tlsOptionFields.maxVersion.def.defaultValue,
      clientCertificates: tlsOptionFields.clientCertificates.def.defaultValue,
    });
  });

  it("makes no folder for `socketPath: true`: the server makes it when it listens and removes it when it stops", async () => {
    const resolved = await resolveOptions({ tls: false, socketPath: true });
    expect(resolved.socketDir).not.toBeNull();
    expect(resolved.socketPath!.startsWith(resolved.socketDir!)).toBe(true);
    expect(existsSync(resolved.socketDir!)).toBe(false);

    const server = await startMockServer({ tls: false, socketPath: true });
    const folder = server.options.socketDir!;
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    expect(statSync(server.socketPath!).isSocket()).toBe(true);
    await server.stop();
    expect(existsSync(folder)).toBe(false);
  });

  it("gives each resolve its own socket folder", async () => {
    const a = await resolveOptions({ tls: false, socketPath: true });
    const b = await resolveOptions({ tls: false, socketPath: true });
    expect(a.socketDir).not.toBe(b.socketDir);
  });

  it("refuses to listen in a socket folder that already exists, and leaves that folder alone", async () => {
    const resolved = await resolveOptions({ tls: false, socketPath: true });
    mkdirSync(resolved.socketDir!, { mode: 0o755 });
    try {
      await expect(listen(resolved)).rejects.toMatchObject({ code: "EEXIST" });
      expect(existsSync(resolved.socketDir!)).toBe(true);
    } finally {
      rmSync(resolved.socketDir!, { recursive: true, force: true });
    }
  });
});

describe("the rules between options, stated once in the schema", () => {
  it.each([
    [
      { tls: { minVersion: "TLSv1.2", maxVersion: "TLSv1.1" } },
      "tls.minVersion",
      /TLSv1.2 is above tls.maxVersion TLSv1.1/,
    ],
    [{ tls: { minVersion: "TLSv1.3" } }, "tls.minVersion", /TLSv1.3 is above tls.maxVersion TLSv1.2/],
    [{ tls: { cert: "x" } }, "tls.key", /key and cert go together/],
    [
      { tls: { certificates: "good", key: "k", cert: "c" } },
      "tls.certificates",
      /choose a catalogue set or key\/cert, not both/,
    ],
    [{ accounts: [{ user: "a", password: "b", require: "SUBJECT" }] }, "accounts[0].require", /./],
    [{ systemVariables: { "": 1 } }, "systemVariables", /a variable name is empty/],
    [
      { tls: { certificates: "goood" } },
      "tls.certificates",
      /Unknown certificate set "goood"\. Valid names: /,
    ],
    [{ rsaKeys: { privateKeyPem: "x" } }, "rsaKeys.publicKeyPem", /is required/],
  ])("refuse %j, naming %s", async (options, option, says) => {
    const error = await resolveOptions(options as MockServerOptions).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerConfigurationError);
    expect((error as ServerConfigurationError).option).toBe(option);
    expect((error as ServerConfigurationError).message).toMatch(says);
  });

  it("accept TLSv1.3 up to TLSv1.3 from an 8.0 server, and any capability word when TLS is off", async () => {
    await expect(
      resolveOptions({ serverVersion: "8.0.36", tls: { minVersion: "TLSv1.3", maxVersion: "TLSv1.3" } }),
    ).resolves.toBeTruthy();
    await expect(resolveOptions({ tls: false, capabilityFlags: 0x81fff7ff })).resolves.toBeTruthy();
    // MariaDB's 5.5.5- prefix is not a 5.7 version: 10.11 serves TLSv1.3.
    await expect(
      resolveOptions({ serverVersion: "5.5.5-10.11.19-MariaDB-0+deb12u1", tls: { maxVersion: "TLSv1.3" } }),
    ).resolves.toBeTruthy();
    // CLIENT_SSL in a pinned word is the profile's word with TLS: without TLS it is cleared, not refused.
    await expect(resolveOptions({ tls: false, capabilityFlags: 0x800 })).resolves.toMatchObject({
      capabilityFlags: 0,
    });
  });

  it("refuse TLSv1.3 from a server that calls itself 5.7, in the library as in scenario files", async () => {
    const error = await resolveOptions({ tls: { maxVersion: "TLSv1.3" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerConfigurationError);
    expect(error).toMatchObject({ option: "tls.maxVersion" });
    expect((error as Error).message).toBe(
      "invalid option tls.maxVersion: no MySQL 5.7 release negotiates TLSv1.3; use an 8.0 version",
    );
  });

  it("know that no MySQL 5.7 release serves TLSv1.3, and that 8.0 and MariaDB do", () => {
    expect(servedVersionProblem("5.7.41", "TLSv1.3")).toMatch(/no MySQL 5.7 release negotiates TLSv1.3/);
    expect(servedVersionProblem("5.7.44-log", "TLSv1.3")).not.toBeNull();
    expect(servedVersionProblem("5.7.41", "TLSv1.2")).toBeNull();
    expect(servedVersionProblem("8.0.35", "TLSv1.3")).toBeNull();
    expect(servedVersionProblem("5.5.5-10.11.6-MariaDB", "TLSv1.3")).toBeNull();
  });
});
