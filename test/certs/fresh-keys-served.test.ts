import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import { startMockServer } from "../../src/mock-server";
import { resetCertificateFactory } from "../../src/certs";
import { SHIPPED_KEY_POOL_FILE, type ShippedKeyPoolFile } from "../../src/certs/shipped-keys";
import { join } from "node:path";
import { runCli, startCli } from "../helpers/cli-process";
import { RawClient } from "../helpers/raw-client";
import { TempDirs } from "./openssl-cli";

/**
 * What a client sees: a server started without `freshKeys` (library) or `--fresh-keys` (CLI)
 * presents a certificate for the package's public test key; with it, a key of its own.
 */

const dirs = new TempDirs();
const savedCacheHome = process.env.XDG_CACHE_HOME;

beforeEach(async () => {
  // Each start as on a machine that never ran the mock: no cached set to fall back on.
  process.env.XDG_CACHE_HOME = await dirs.make();
  resetCertificateFactory();
});
afterAll(async () => {
  if (savedCacheHome === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = savedCacheHome;
  await dirs.cleanup();
});

const spki = (key: KeyObject) => key.export({ type: "spki", format: "pem" }).toString();

/** The public half of the shipped key `poolId`, as SPKI PEM. */
async function shippedKey(poolId: string): Promise<string> {
  const file = JSON.parse(await readFile(SHIPPED_KEY_POOL_FILE, "utf8")) as ShippedKeyPoolFile;
  return spki(createPublicKey(createPrivateKey(file.keys[poolId]!)));
}

/** The shipped public key of the default set's (`mysql-auto`) server certificate. */
const shippedServerKey = () => shippedKey("mysql-auto-server/rsa-2048");

/** The public key of the certificate the server on `port` presents in a TLS handshake after SSLRequest. */
async function servedKey(port: number): Promise<string> {
  const client = await RawClient.connect(port);
  await client.readGreeting();
  const tls = await client.startTlsCoalesced();
  const key = spki(tls.getPeerX509Certificate()!.publicKey);
  client.end();
  return key;
}

describe("the key a started server presents", () => {
  it("is the shipped test key by default", async () => {
    await using server = await startMockServer();
    expect(await servedKey(server.port)).toBe(await shippedServerKey());
  });

  it("is a generated key with freshKeys", async () => {
    await using server = await startMockServer({ freshKeys: true });
    expect(await servedKey(server.port)).not.toBe(await shippedServerKey());
  });

  it("comes with an RSA pair (sha256_password over plaintext) that is shipped by default, generated with freshKeys", async () => {
    const shippedPair = await shippedKey("mysql-ssl-rsa-setup-rsa/rsa-2048");
    await using shipped = await startMockServer({ defaultAuthPlugin: "sha256_password" });
    expect(shipped.options.rsaKeys!.publicKeyPem).toBe(shippedPair);
    await using fresh = await startMockServer({ defaultAuthPlugin: "sha256_password", freshKeys: true });
    expect(fresh.options.rsaKeys!.publicKeyPem).not.toBe(shippedPair);
  });
});

describe("mysql-tls-mock serve", () => {
  it.each([
    ["without --fresh-keys, the shipped test key", [], true],
    ["with --fresh-keys, a generated key", ["--fresh-keys"], false],
  ])(
    "presents %s",
    async (_what, flags, shipped) => {
      const cli = await startCli(flags);
      try {
        const served = await servedKey(cli.port);
        if (shipped) expect(served).toBe(await shippedServerKey());
        else expect(served).not.toBe(await shippedServerKey());
      } finally {
        cli.child.kill("SIGTERM");
      }
    },
    60_000,
  );
});

describe("mysql-tls-mock certs write", () => {
  it.each([
    ["without --fresh-keys, the shipped test key", [], true],
    ["with --fresh-keys, a generated key", ["--fresh-keys"], false],
  ])(
    "writes %s",
    async (_what, flags, shipped) => {
      const out = await dirs.make();
      const written = await runCli(["certs", "write", "mysql-auto", "-o", out, ...flags], {
        timeoutMs: 60_000,
      });
      expect(written.code).toBe(0);
      const key = spki(createPublicKey(await readFile(join(out, "server-key.pem"), "utf8")));
      if (shipped) expect(key).toBe(await shippedServerKey());
      else expect(key).not.toBe(await shippedServerKey());
    },
    60_000,
  );
});
