import type { AddressInfo } from "node:net";
import * as tls from "node:tls";
import { type CertificateSet, type CertificateSetName, getCertificateSet } from "../../src/certs";

/** Real TLS handshakes over loopback with node:tls: what a verifying Node client makes of each set. */

interface ServerOptions {
  /** Ask for a client certificate and verify it against the set's CA. */
  requestClientCert?: boolean;
}

interface Handshake {
  /** The client's verdict: authorized, or Node's error code. */
  client: { authorized: true } | { authorized: false; code: string };
  /** What the server made of the client certificate, if it asked for one. */
  serverSawClient?: { authorized: boolean; error?: string };
}

async function handshake(
  set: CertificateSet,
  client: Partial<tls.ConnectionOptions>,
  serverOptions: ServerOptions = {},
): Promise<Handshake> {
  let serverSawClient: Handshake["serverSawClient"];
  const server = tls.createServer({
    cert: set.server.cert,
    key: set.server.key,
    ca: set.ca,
    requestCert: serverOptions.requestClientCert ?? false,
    rejectUnauthorized: false,
  });
  server.on("secureConnection", (socket) => {
    serverSawClient = { authorized: socket.authorized, error: socket.authorizationError?.toString() };
    socket.end();
  });
  server.on("tlsClientError", () => undefined);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const verdict = await new Promise<Handshake["client"]>((resolve) => {
      const socket = tls.connect({ host: "127.0.0.1", port, ca: set.ca, servername: "localhost", ...client });
      socket.once("secureConnect", () => {
        resolve({ authorized: true });
        socket.end();
      });
      socket.once("error", (error: NodeJS.ErrnoException) =>
        resolve({ authorized: false, code: String(error.code) }),
      );
    });
    // Let the server finish its side before reading what it saw.
    await new Promise((resolve) => setTimeout(resolve, 50));
    return { client: verdict, ...(serverOptions.requestClientCert ? { serverSawClient } : {}) };
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

const load = (name: CertificateSetName) => getCertificateSet(name, { cacheDir: false });

describe("TLS handshake with node:tls", () => {
  it("authorizes the good set for servername localhost", async () => {
    expect((await handshake(await load("good"), {})).client).toEqual({ authorized: true });
  });

  it("lets a good client certificate through to a server that verifies clients", async () => {
    const set = await load("good");
    const result = await handshake(
      set,
      { cert: set.client!.cert, key: set.client!.key },
      { requestClientCert: true },
    );
    expect(result.serverSawClient).toEqual({ authorized: true, error: undefined });
  });

  it.each<[CertificateSetName, string]>([
    ["wrong-host", "ERR_TLS_CERT_ALTNAME_INVALID"],
    ["untrusted-root", "UNABLE_TO_VERIFY_LEAF_SIGNATURE"],
    ["expired", "CERT_HAS_EXPIRED"],
    ["not-yet-valid", "CERT_NOT_YET_VALID"],
    ["self-signed", "DEPTH_ZERO_SELF_SIGNED_CERT"],
    ["incomplete-chain", "UNABLE_TO_VERIFY_LEAF_SIGNATURE"],
    // TLS verification checks the sslserver purpose, which a CA:FALSE issuer fails before the plain CA check.
    ["ca-is-leaf", "INVALID_PURPOSE"],
    ["cn-injection", "ERR_TLS_CERT_ALTNAME_INVALID"],
  ])("a verifying client rejects %s with %s", async (name, code) => {
    expect((await handshake(await load(name), {})).client).toEqual({ authorized: false, code });
  });

  it("accepts san-only for localhost: the CN is not consulted when a SAN exists", async () => {
    expect((await handshake(await load("san-only"), {})).client).toEqual({ authorized: true });
  });

  it("rejects the mysql-auto server cert for localhost (no SAN, CN is not a host) yet trusts its chain", async () => {
    const set = await load("mysql-auto");
    expect((await handshake(set, {})).client).toEqual({
      authorized: false,
      code: "ERR_TLS_CERT_ALTNAME_INVALID",
    });
    // VERIFY_CA-style: chain check only.
    expect((await handshake(set, { checkServerIdentity: () => undefined })).client).toEqual({
      authorized: true,
    });
  });

  it.each<[CertificateSetName, string]>([
    ["client-untrusted", "UNABLE_TO_VERIFY_LEAF_SIGNATURE"],
    ["client-expired", "CERT_HAS_EXPIRED"],
  ])(
    "a server verifying clients against ca.pem refuses the %s client certificate (%s)",
    async (name, error) => {
      const set = await load(name);
      const result = await handshake(
        set,
        { cert: set.client!.cert, key: set.client!.key },
        { requestClientCert: true },
      );
      expect(result.client).toEqual({ authorized: true });
      expect(result.serverSawClient).toEqual({ authorized: false, error });
    },
  );
});
