import { generateKeyPairSync } from "node:crypto";
import { type CertificateSet, getCertificateSet } from "../../src/certs";
import {
  ServerConfigurationError,
  type StartOptions,
  startMockServer,
  type TlsOptions,
} from "../../src/index";
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

  it("derive CLIENT_SSL from whether TLS is served: a pinned word loses CLIENT_SSL and bit 30 when TLS is off", async () => {
    // Debian 12's mariadbd 10.11.19: 0x81FFFFFE with TLS, 0x81FFF7FE started without certificates.
    expect((await resolveOptions({ tls: false, capabilityFlags: 0x81fffffe })).capabilityFlags).toBe(
      0x81fff7fe,
    );
    // The stock 5.7 word with TLS becomes the stock 5.7 word without it.
    expect((await resolveOptions({ tls: false, capabilityFlags: 0xc1ffffff })).capabilityFlags).toBe(
      0x81fff7ff,
    );
    expect((await resolveOptions({ capabilityFlags: 0x81fffffe })).capabilityFlags).toBe(0x81fffffe);
  });

  it("keep a pinned word without CLIENT_SSL as given while TLS is on: a stripping proxy, not a server without TLS", async () => {
    const options = await resolveOptions({ capabilityFlags: 0xc1fff7ff });
    expect(options.capabilityFlags).toBe(0xc1fff7ff);
    expect(options.tls).not.toBeNull();
    expect(options.clientSslWithoutTls).toBe("strip");
  });

  it.each([
    [{ tls: { minVersion: "TLSv1.3", maxVersion: "TLSv1.2" } }, "tls.minVersion"],
    [{ tls: { minVersion: "SSLv3" } }, "tls.minVersion"],
    [{ tls: { key: "-----BEGIN PRIVATE KEY-----" } }, "tls.cert"],
    [{ port: 70000 }, "port"],
    [{ accounts: [{ user: "x", password: "y", plugin: "dialog" }] }, "accounts[0].plugin"],
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

/** A value of every option that cannot work, the option the refusal must name, and what it must say. */
const BAD_VALUES: { [K in keyof Required<StartOptions>]: [bad: unknown, option: string, says: RegExp] } = {
  host: ["", "host", /must not be empty/],
  port: [70000, "port", /from 0 to 65535, got 70000/],
  socketPath: [`/tmp/${"s".repeat(200)}.sock`, "socketPath", /at most 107/],
  serverVersion: ["5.7.41\0-evil", "serverVersion", /NUL/],
  versionComment: [42, "versionComment", /expected a string, got 42/],
  tls: ["on", "tls", /expected an object/],
  accounts: [[{ user: "app" }], "accounts[0].password", /expected a string, got undefined/],
  defaultAuthPlugin: ["dialog", "defaultAuthPlugin", /not supported/],
  capabilityFlags: [2 ** 32, "capabilityFlags", /got 4294967296/],
  requireSecureTransport: ["yes", "requireSecureTransport", /true or false/],
  mariadbCapabilities: [1.5, "mariadbCapabilities", /integer/],
  authPluginDataLengthByte: [999, "authPluginDataLengthByte", /from 0 to 255, got 999/],
  zeroConfigFingerprint: ["maybe", "zeroConfigFingerprint", /"correct", "wrong"/],
  characterSet: [999, "characterSet", /from 0 to 255, got 999/],
  firstConnectionId: [2 ** 32, "firstConnectionId", /from 0 to 4294967295/],
  maxPacketSize: [-5, "maxPacketSize", /from 1024 to 1073741824, got -5/],
  connectTimeoutMs: [0, "connectTimeoutMs", /milliseconds/],
  waitTimeoutMs: [Infinity, "waitTimeoutMs", /milliseconds/],
  netWriteTimeoutMs: [0, "netWriteTimeoutMs", /milliseconds/],
  netReadTimeoutMs: [-1, "netReadTimeoutMs", /milliseconds/],
  unknownQuery: ["ignore", "unknownQuery", /"error", "ok"/],
  systemVariables: [
    { max_connections: {} },
    "systemVariables.max_connections",
    /string, a finite number or null/,
  ],
  recordPayloadBytes: [-1, "recordPayloadBytes", /from 0 to 65536/],
  recordPackets: [1, "recordPackets", /true or false/],
  rsaKeys: [
    { privateKeyPem: "garbage", publicKeyPem: "garbage" },
    "rsaKeys.privateKeyPem",
    /not a PEM private key/,
  ],
  cachingSha2CacheWarm: ["no", "cachingSha2CacheWarm", /true or false/],
  freshKeys: ["yes", "freshKeys", /true or false/],
  faults: [
    { refuseLoginWith: { code: 1045, sqlState: "28", message: "no" } },
    "faults.refuseLoginWith.sqlState",
    /five printable ASCII/,
  ],
  clientSslWithoutTls: ["drop", "clientSslWithoutTls", /"bad-handshake", "mask", "strip"/],
  maxConnections: [0, "maxConnections", /from 1 to 100000/],
  backlog: [70000, "backlog", /from 1 to 65535/],
  keepConnections: [-1, "keepConnections", /integer from 0/],
  keepPackets: [1.5, "keepPackets", /integer from 0/],
  keepCommands: ["all", "keepCommands", /integer from 0/],
  skipNameResolve: ["yes", "skipNameResolve", /true or false/],
  disabledAuthPlugins: [["dialog"], "disabledAuthPlugins[0]", /not supported/],
  localInfileRequest: [{ path: "/etc/\0hostname" }, "localInfileRequest.path", /NUL/],
  scenario: [42, "scenario", /a scenario name, a path or a scenario object/],
  eventsFile: ["", "eventsFile", /must not be empty/],
  keylogFile: ["keys\0.log", "keylogFile", /NUL/],
  onWarning: ["stderr", "onWarning", /expected a function/],
};

async function refusal(options: unknown): Promise<ServerConfigurationError> {
  const started = await startMockServer(options as StartOptions).then(
    async (server) => {
      await server.stop();
      return null;
    },
    (error: unknown) => error,
  );
  expect(started).toBeInstanceOf(ServerConfigurationError);
  return started as ServerConfigurationError;
}

describe("every option is checked at start", () => {
  it.each(Object.entries(BAD_VALUES))("refuses a bad %s, naming it", async (name, [bad, option, says]) => {
    const error = await refusal({ [name]: bad });
    expect(error.option).toBe(option);
    expect(error.message).toMatch(says);
  });

  it.each([
    [{ scenaro: "cert-expired" }, "scenaro", /not an option; did you mean scenario\?/],
    [{ tls: { cipher: "AES128-SHA" } }, "tls.cipher", /did you mean tls.ciphers\?/],
    [
      { faults: { breakAt: { point: "after-greeting", action: "close", when: 1 } } },
      "faults.breakAt.when",
      /not an option/,
    ],
    [
      { accounts: [{ user: "a", password: "b", pasword: "c" }] },
      "accounts[0].pasword",
      /did you mean accounts\[0\].password\?/,
    ],
    [{ frobnicate: true }, "frobnicate", /^invalid option frobnicate: not an option$/],
  ])("refuses the unknown key in %j, naming it", async (options, option, says) => {
    const error = await refusal(options);
    expect(error.option).toBe(option);
    expect(error.message).toMatch(says);
  });

  it("never quotes a password it refuses", async () => {
    const error = await refusal({ accounts: [{ user: "app", password: 73519 }] });
    expect(error.option).toBe("accounts[0].password");
    expect(error.message).toBe("invalid option accounts[0].password: expected a string, got a number");
  });

  it("takes what JavaScript's bitwise operators give for a capability word (a signed 32-bit number)", async () => {
    const withoutSsl = 0xc1ffffff & ~0x800;
    expect(withoutSsl).toBeLessThan(0);
    expect((await resolveOptions({ capabilityFlags: withoutSsl })).capabilityFlags).toBe(0xc1fff7ff);
  });

  it("refuses RSA keys that are not a pair", async () => {
    const one = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const other = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const error = await refusal({
      rsaKeys: {
        privateKeyPem: one.privateKey.export({ type: "pkcs8", format: "pem" }),
        publicKeyPem: other.publicKey.export({ type: "spki", format: "pem" }),
      },
    });
    expect(error.option).toBe("rsaKeys.publicKeyPem");
    expect(error.message).toMatch(/not the public half of rsaKeys.privateKeyPem/);
  });
});

describe("TLS key material is checked at start", () => {
  let good: CertificateSet;
  beforeAll(async () => {
    good = await getCertificateSet("good");
  });
  const pem = (label: string, body: string) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
  const ecKey = () =>
    generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({
      type: "pkcs8",
      format: "pem",
    });
  const encryptedKey = () =>
    generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({
      type: "pkcs8",
      format: "pem",
      cipher: "aes-128-cbc",
      passphrase: "secret",
    });

  const cases: Array<[string, () => TlsOptions, string, RegExp]> = [
    [
      "a key that is not PEM",
      () => ({ key: "garbage", cert: good.server.cert }),
      "tls.key",
      /not a PEM private key/,
    ],
    [
      "a certificate given as the key",
      () => ({ key: good.server.cert, cert: good.server.cert }),
      "tls.key",
      /not a PEM private key/,
    ],
    ["an encrypted key", () => ({ key: encryptedKey(), cert: good.server.cert }), "tls.key", /encrypted/],
    [
      "a certificate that is not PEM",
      () => ({ key: good.server.key, cert: "garbage" }),
      "tls.cert",
      /contains no PEM certificate/,
    ],
    [
      "a certificate block that does not parse",
      () => ({ key: good.server.key, cert: pem("CERTIFICATE", "bm90IGEgY2VydGlmaWNhdGU=") }),
      "tls.cert",
      /the certificate does not parse/,
    ],
    [
      "a key that does not match the certificate",
      () => ({ key: ecKey(), cert: good.server.cert }),
      "tls.key",
      /is not the private key of the certificate in tls.cert \(subject .*CN=/,
    ],
    ["a CA that is not PEM", () => ({ ca: "garbage" }), "tls.ca", /contains no PEM certificate/],
    [
      "a private key given as the CA",
      () => ({ ca: good.server.key }),
      "tls.ca",
      /contains no PEM certificate/,
    ],
    [
      "a CA bundle with one broken certificate",
      () => ({ ca: `${good.ca}${pem("CERTIFICATE", "AAAA")}` }),
      "tls.ca",
      /certificate 2 of 2 does not parse/,
    ],
    [
      "ciphers OpenSSL does not know",
      () => ({ ciphers: "NOT-A-CIPHER" }),
      "tls.ciphers",
      /OpenSSL accepts none of "NOT-A-CIPHER"/,
    ],
  ];

  it.each(cases)("refuses %s, naming the option", async (_what, tls, option, says) => {
    const error = await refusal({ tls: tls() });
    expect(error.option).toBe(option);
    expect(error.message).toMatch(new RegExp(`^invalid option ${option.replace(".", "\\.")}: `));
    expect(error.message).toMatch(says);
  });

  it("starts with a matching key, certificate and CA, and serves them", async () => {
    await using server = await startMockServer({
      tls: {
        key: good.server.key,
        cert: good.server.cert,
        ca: good.ca,
        ciphers: "ECDHE-RSA-AES128-GCM-SHA256",
      },
    });
    expect(server.ca).toBe(good.ca);
    expect(server.tls?.ciphers).toBe("ECDHE-RSA-AES128-GCM-SHA256");
  });
});
