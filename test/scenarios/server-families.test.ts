import { CapabilityFlags, ErrorCode } from "../../src/protocol/constants";
import { decodeAuthSwitchRequest } from "../../src/protocol/packets/auth-switch-request";
import { decodeErr } from "../../src/protocol/packets/err-packet";
import { type MockServer, startMockServer } from "../../src/mock-server";
import { ServerConfigurationError } from "../../src/options/configuration-error";
import { connectWithMysql, connectWithMysql2 } from "../helpers/drivers";
import { pemFile } from "../helpers/mariadb-cli";
import { newConnections } from "../helpers/new-connections";
import { runOpensslStartTls } from "../helpers/openssl-client";
import { CLIENT_CAPABILITIES, handshakeResponse, RawClient } from "../helpers/raw-client";
import * as mysql2 from "mysql2/promise";

/**
 * What tells the server families of 2026 apart, each checked against its built-in profile: the
 * greeting (version, capability word, collation, default plugin), the TLS versions and ciphers the
 * server accepts, and what a client meets that speaks only mysql_native_password.
 */

/** MySQL 8.x's 0xDFFFFFFF less compression (bits 5, 26) and optional metadata (bit 25), which the mock does not speak. */
const MYSQL_8_GREETING_WORD = 0xd9ffffdf;
const MYSQL_8_PROFILES = ["mysql-8.0.40", "mysql-8.4.3-lts", "mysql-9.1.0"] as const;

async function greetingOf(scenario: string, tls?: false) {
  const server = await startMockServer({ scenario, ...(tls === false ? { tls: false } : {}) });
  try {
    const client = await RawClient.connect(server.port);
    const greeting = await client.readGreeting();
    client.end();
    return greeting;
  } finally {
    await server.stop();
  }
}

describe("the MySQL 8.x profiles' greeting", () => {
  it.each(MYSQL_8_PROFILES.map((name) => [name, name.replace(/^mysql-|-lts$/g, "")]))(
    "%s greets as %s with caching_sha2_password, utf8mb4_0900_ai_ci and the 8.x capability word",
    async (scenario, version) => {
      const greeting = await greetingOf(scenario);
      expect(greeting.serverVersion).toBe(version);
      expect(greeting.authPluginName).toBe("caching_sha2_password");
      expect(greeting.characterSet).toBe(255);
      expect(greeting.capabilityFlags >>> 0).toBe(MYSQL_8_GREETING_WORD);
    },
  );

  it("advertises query attributes and multi-factor authentication, which 8.0.23+ and 8.0.27+ send", async () => {
    const { capabilityFlags } = await greetingOf("mysql-8.0.40");
    expect(capabilityFlags & CapabilityFlags.CLIENT_QUERY_ATTRIBUTES).not.toBe(0);
    expect(capabilityFlags & CapabilityFlags.MULTI_FACTOR_AUTHENTICATION).not.toBe(0);
  });

  it("leaves out what would change the wire format the mock speaks: compression and optional metadata", async () => {
    const { capabilityFlags } = await greetingOf("mysql-8.0.40");
    for (const bit of [
      CapabilityFlags.CLIENT_COMPRESS,
      CapabilityFlags.CLIENT_ZSTD_COMPRESSION_ALGORITHM,
      CapabilityFlags.CLIENT_OPTIONAL_RESULTSET_METADATA,
    ]) {
      expect(capabilityFlags & bit).toBe(0);
    }
  });

  it("drops CLIENT_SSL and CLIENT_SSL_VERIFY_SERVER_CERT when served without TLS, as 8.0 started without certificates", async () => {
    const { capabilityFlags } = await greetingOf("mysql-8.0.40", false);
    expect(capabilityFlags >>> 0).toBe(0x99fff7df);
  });
});

describe("the MariaDB 11.4 profile's greeting", () => {
  it("has no 5.5.5- prefix, clears CLIENT_MYSQL and names mysql_native_password", async () => {
    const greeting = await greetingOf("mariadb-11.4.5");
    expect(greeting.serverVersion).toBe("11.4.5-MariaDB");
    expect(greeting.capabilityFlags & CapabilityFlags.CLIENT_LONG_PASSWORD).toBe(0);
    expect(greeting.capabilityFlags & CapabilityFlags.CLIENT_SSL).not.toBe(0);
    expect(greeting.authPluginName).toBe("mysql_native_password");
  });
});

describe.each(["mysql-8.0.40", "mysql-8.4.3-lts", "mysql-9.1.0"])("the %s profile's TLS", (scenario) => {
  let server: MockServer;
  let caFile: string;
  beforeAll(async () => {
    server = await startMockServer({ scenario });
    caFile = pemFile(server.ca!);
  });
  afterAll(async () => {
    await server.stop();
  });

  it("refuses TLSv1.1 from openssl s_client (8.0.28 removed TLSv1 and TLSv1.1)", async () => {
    const connection = newConnections(server);
    const result = await runOpensslStartTls(server.port, ["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"]);
    expect(result.stdout).not.toMatch(/^New, TLSv1/m);
    const record = await connection.only();
    expect(record.tls?.outcome).not.toBe("negotiated");
  });

  it("negotiates TLSv1.3 with openssl s_client, with the client's first suite (no server preference)", async () => {
    const connection = newConnections(server);
    const result = await runOpensslStartTls(server.port, [
      "-CAfile",
      caFile,
      "-ciphersuites",
      "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256",
    ]);
    expect(result.stdout).toMatch(/^New, TLSv1\.3, Cipher is TLS_CHACHA20_POLY1305_SHA256/m);
    expect((await connection.only()).tls).toMatchObject({ outcome: "negotiated", version: "TLSv1.3" });
  });

  it("refuses a TLSv1.2 client that offers only CBC suites, which the 8.x list left out (5.7 took them)", async () => {
    const connection = newConnections(server);
    const result = await runOpensslStartTls(server.port, [
      "-tls1_2",
      "-cipher",
      "ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA:AES128-SHA",
    ]);
    expect(result.stdout).not.toMatch(/^New, TLSv1/m);
    expect((await connection.only()).tls?.outcome).not.toBe("negotiated");
  });

  it("negotiates an AEAD suite with a TLSv1.2 client that puts a CBC suite first", async () => {
    const connection = newConnections(server);
    const result = await runOpensslStartTls(server.port, [
      "-tls1_2",
      "-cipher",
      "ECDHE-RSA-AES128-SHA256:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384",
    ]);
    expect(result.stdout).toMatch(/^New, TLSv1\.2, Cipher is ECDHE-RSA-CHACHA20-POLY1305/m);
    expect((await connection.only()).tls).toMatchObject({
      outcome: "negotiated",
      version: "TLSv1.2",
      cipher: "ECDHE-RSA-CHACHA20-POLY1305",
    });
  });

  it("logs mysql2 in over TLSv1.3 and reports it in Ssl_version", async () => {
    const connection = newConnections(server);
    const view = await connectWithMysql2({
      port: server.port,
      ssl: { ca: server.ca!, rejectUnauthorized: true },
    });
    expect(view.sslVersion).toBe("TLSv1.3");
    expect(view.socketTlsVersion).toBe("TLSv1.3");
    const record = await connection.only();
    expect(record.tls).toMatchObject({ outcome: "negotiated", version: "TLSv1.3" });
    expect(record.outcome.kind).toBe("authenticated");
  });
});

/** Serves `scenario`, logs mysql2 in verifying the server, and runs `use` on the connection. */
async function withVerifiedMysql2(
  scenario: string,
  use: (connection: mysql2.Connection, server: MockServer) => Promise<void>,
): Promise<void> {
  await using server = await startMockServer({ scenario });
  const connection = await mysql2.createConnection({
    host: "127.0.0.1",
    port: server.port,
    user: "root",
    password: "root",
    ssl: { ca: server.ca!, rejectUnauthorized: true },
  });
  try {
    await use(connection, server);
  } finally {
    await connection.end();
  }
}

describe("the MySQL 8.x profiles after login", () => {
  it("answers @@version and @@version_comment as a Community build", async () => {
    await withVerifiedMysql2("mysql-8.4.3-lts", async (connection) => {
      const [rows] = await connection.query(
        "SELECT @@version AS v, @@version_comment AS c, @@tls_version AS t",
      );
      expect(rows).toEqual([{ v: "8.4.3", c: "MySQL Community Server - GPL", t: "TLSv1.2,TLSv1.3" }]);
    });
  });

  it.each(["mysql-8.0.40", "mysql-8.4.3-lts", "mysql-9.1.0"])(
    "%s answers @@server_id 1, the 8.0 default (5.7 started at 0)",
    async (scenario) => {
      await withVerifiedMysql2(scenario, async (connection) => {
        const [rows] = await connection.query("SELECT @@server_id AS id, @@GLOBAL.server_id AS g");
        expect(rows).toEqual([{ id: 1, g: 1 }]);
      });
    },
  );

  it("reads a query that mysql2 sends with query attributes, which the greeting's bit 27 allows", async () => {
    await withVerifiedMysql2("mysql-8.0.40", async (connection, server) => {
      const [rows] = await connection.query({
        sql: "SELECT 1 AS one",
        attributes: { trace: "abc", n: 42, none: null },
      } as never);
      expect(rows).toEqual([{ one: 1 }]);
      const [record] = server.connections.slice(-1);
      expect(record!.commands).toContainEqual({ command: "COM_QUERY", query: "SELECT 1 AS one" });
      // The attributes did cross: the packet is longer than the command byte, the empty prefix and the SQL.
      const query = record!.packets.find((p) => p.type === "COM_QUERY" && p.direction === "client");
      expect(query!.length).toBeGreaterThan(1 + 2 + "SELECT 1 AS one".length);
    });
  });

  it("answers a plaintext login under require_secure_transport with 3159 and the 8.0 text", async () => {
    const server = await startMockServer({
      scenario: "mysql-8.0.40-require-secure-transport",
      cachingSha2CacheWarm: true,
    });
    try {
      const connection = newConnections(server);
      await expect(connectWithMysql2({ port: server.port })).rejects.toMatchObject({
        errno: 3159,
        message: "Connections using insecure transport are prohibited while --require_secure_transport=ON.",
      });
      const record = await connection.only();
      expect(record.outcome).toMatchObject({ kind: "refused", code: 3159 });
      expect(record.credentialsInPlaintext).toBe(true);
    } finally {
      await server.stop();
    }
  });
});

describe("a client that speaks only mysql_native_password", () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await startMockServer({ scenario: "mysql-8.4.3-lts" });
  });
  afterAll(async () => {
    await server.stop();
  });

  it("without CLIENT_PLUGIN_AUTH (mysqljs) gets 8.4's 1251 after its native reply crossed", async () => {
    const connection = newConnections(server);
    await expect(connectWithMysql({ port: server.port })).rejects.toMatchObject({
      code: "ER_NOT_SUPPORTED_AUTH_MODE",
      errno: 1251,
    });
    const record = await connection.only();
    expect(record.outcome).toMatchObject({ kind: "refused", code: ErrorCode.ER_NOT_SUPPORTED_AUTH_MODE });
    expect(record.authSwitchedTo).toBeNull();
    expect(record.credentialExposure).toBe("scramble-reply");
  });

  it("with CLIENT_PLUGIN_AUTH is switched to caching_sha2_password, which it cannot answer", async () => {
    const connection = newConnections(server);
    const client = await RawClient.connect(server.port);
    const greeting = await client.readGreeting();
    client.send(handshakeResponse({ user: "root", password: "root", scramble: greeting.authPluginData }), 1);
    const reply = await client.read();
    expect(decodeAuthSwitchRequest(reply!.payload).pluginName).toBe("caching_sha2_password");
    // A native-only client has no answer for it and hangs up.
    client.end();
    const record = await connection.only();
    expect(record.authSwitchedTo).toBe("caching_sha2_password");
    expect(record.outcome.kind).not.toBe("authenticated");
  });
});

describe("an account on mysql_native_password", () => {
  it("cannot log in to 8.4: the server answers 1524 after reading the response", async () => {
    const server = await startMockServer({ scenario: "mysql-8.4.3-native-password-account" });
    try {
      const connection = newConnections(server);
      await expect(
        connectWithMysql2({ port: server.port, ssl: { ca: server.ca!, rejectUnauthorized: true } }),
      ).rejects.toMatchObject({
        errno: ErrorCode.ER_PLUGIN_IS_NOT_LOADED,
        sqlState: "HY000",
        message: "Plugin 'mysql_native_password' is not loaded",
      });
      const record = await connection.only();
      expect(record.outcome).toMatchObject({ kind: "refused", code: 1524 });
      expect(record.authSwitchedTo).toBeNull();
      expect(record.tls?.outcome).toBe("negotiated");
    } finally {
      await server.stop();
    }
  });

  it("still logs in to 8.0, where the plugin is loaded", async () => {
    const server = await startMockServer({
      scenario: "mysql-8.0.40",
      accounts: [{ user: "root", password: "root", plugin: "mysql_native_password" }],
    });
    try {
      const client = await RawClient.connect(server.port);
      const greeting = await client.readGreeting();
      client.send(
        handshakeResponse({ user: "root", password: "root", scramble: greeting.authPluginData }),
        1,
      );
      const reply = await client.read();
      expect(reply!.payload[0]).toBe(0x00);
      client.end();
    } finally {
      await server.stop();
    }
  });

  it("without CLIENT_PLUGIN_AUTH gets 1524 too: its plugin matches, and is still not loaded", async () => {
    const server = await startMockServer({ scenario: "mysql-8.4.3-native-password-account" });
    try {
      const client = await RawClient.connect(server.port);
      const greeting = await client.readGreeting();
      const caps = (CLIENT_CAPABILITIES & ~CapabilityFlags.CLIENT_PLUGIN_AUTH) >>> 0;
      client.send(
        handshakeResponse({
          user: "root",
          password: "root",
          scramble: greeting.authPluginData,
          capabilities: caps,
        }),
        1,
      );
      const reply = await client.read();
      expect(decodeErr(reply!.payload, caps).code).toBe(ErrorCode.ER_PLUGIN_IS_NOT_LOADED);
      client.end();
    } finally {
      await server.stop();
    }
  });
});

describe("the disabledAuthPlugins option", () => {
  it("refuses to disable the plugin the greeting names", async () => {
    const error = await startMockServer({
      defaultAuthPlugin: "caching_sha2_password",
      disabledAuthPlugins: ["caching_sha2_password"],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerConfigurationError);
    expect((error as ServerConfigurationError).message).toMatch(
      /the default auth plugin caching_sha2_password cannot be disabled/,
    );
  });

  it("leaves a native reply for a loaded plugin alone (5.7 profile, nothing disabled)", async () => {
    const server = await startMockServer({});
    try {
      const client = await RawClient.connect(server.port);
      const greeting = await client.readGreeting();
      const caps = (CLIENT_CAPABILITIES & ~CapabilityFlags.CLIENT_PLUGIN_AUTH) >>> 0;
      client.send(
        handshakeResponse({
          user: "root",
          password: "root",
          scramble: greeting.authPluginData,
          capabilities: caps,
        }),
        1,
      );
      expect((await client.read())!.payload[0]).toBe(0x00);
      client.end();
    } finally {
      await server.stop();
    }
  });
});
