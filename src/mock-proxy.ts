import { createServer, type Server } from "node:net";
import type { SinkWarning } from "./record/append-sink";
import type { JsonLinesSink } from "./record/jsonl-sink";
import { type MockProxyOptions, proxyOptionsSchema, terminatedTls } from "./options/proxy-options";
import { mysql57CipherString } from "./tls/mysql-ciphers";
import { parseOptions } from "./options/parse-options";
import { ProxyCore } from "./proxy/proxy-core";
import { memoizedAssessment } from "./certs/assess-certificate";
import type { RsaKeys } from "./auth/auth-plugin";
import { getCertificateSet } from "./certs";
import { openEventsFile } from "./server/listen";
import { TlsAcceptor } from "./tls/tls-acceptor";
import type { SwappedCertificate } from "./proxy/terminating-link";

/** Options of {@link startMockProxy}: the proxy's, and the files it writes. */
export interface StartProxyOptions extends MockProxyOptions {
  /** Append every event as a JSON line to this file (mode 0600), as the mock server does. */
  eventsFile?: string;
  /** Told when writing the events file fails or falls behind; default `process.emitWarning`. */
  onWarning?: (warning: SinkWarning) => void;
}

/**
 * A proxy between real clients and a real MySQL or MariaDB server (`upstream`), recording what
 * each client does: its records, events, `settled()`, `waitForConnection()` and `await using`
 * are the mock server's.
 */
export class MockProxy extends ProxyCore {}

/**
 * Starts a proxy to `options.upstream` and resolves once it listens (127.0.0.1, port 0 by
 * default). With `attack: "passthrough"` (the default) it relays every byte unchanged, TLS
 * included, and records what it can see: the greeting, the SSLRequest and capabilities, the
 * ClientHello, the version and suite the server chose, a plaintext login and its commands.
 *
 * @example
 * ```ts
 * await using proxy = await startMockProxy({ upstream: { host: "127.0.0.1", port: 3306 } });
 * await runMyApp({ host: proxy.host, port: proxy.port });
 * const [record] = await proxy.settled();
 * expect(record).toHaveNegotiatedTls("TLSv1.3");
 * ```
 */
export async function startMockProxy(options: StartProxyOptions): Promise<MockProxy> {
  const { eventsFile, onWarning, ...proxyOptions } = options;
  const resolved = parseOptions(proxyOptionsSchema, proxyOptions);
  const swapped = await swappedCertificate(terminatedTls(resolved.attack));
  const rsaKeys = resolved.attack === "strip" ? await substituteRsaKeys() : null;
  const sink: JsonLinesSink | null = eventsFile ? openEventsFile(eventsFile, onWarning) : null;
  let server: Server | null = null;
  try {
    const listening = createServer({ noDelay: true });
    server = listening;
    await new Promise<void>((resolve, reject) => {
      listening.once("error", reject);
      listening.listen({ port: resolved.port, host: resolved.host }, () => {
        listening.off("error", reject);
        resolve();
      });
    });
    return new MockProxy({ server: listening, options: resolved, sink, swapped, rsaKeys });
  } catch (error) {
    if (server?.listening) await new Promise<void>((resolve) => server!.close(() => resolve()));
    await sink?.close();
    throw error;
  }
}

/**
 * The RSA key pair `strip` hands a client that asks for the server's key: the catalogue's
 * `mysql-ssl-rsa-setup` pair, the one the mock server serves for caching_sha2_password.
 */
async function substituteRsaKeys(): Promise<RsaKeys> {
  const files = (await getCertificateSet("mysql-ssl-rsa-setup")).files;
  return { privateKeyPem: files["private_key.pem"]!, publicKeyPem: files["public_key.pem"]! };
}

/**
 * The TLS a terminating attack serves the client, as a server of today would: TLSv1.2 and
 * TLSv1.3 with OpenSSL's default suites (or the one version `tls-version:V` pins, TLSv1 and
 * TLSv1.1 with the suites and security level a 5.7 server allowed), no client certificate asked for.
 */
async function swappedCertificate(
  served: ReturnType<typeof terminatedTls>,
): Promise<SwappedCertificate | null> {
  if (served === null) return null;
  // The catalogue's set as `certs write` writes it, so a client given that set's CA trusts it.
  const set = await getCertificateSet(served.certificates);
  const old = served.version === "TLSv1" || served.version === "TLSv1.1";
  const acceptor = new TlsAcceptor({
    key: set.server.key,
    cert: set.server.cert,
    ca: set.ca,
    minVersion: served.version ?? "TLSv1.2",
    maxVersion: served.version ?? "TLSv1.3",
    ciphers: old ? mysql57CipherString() : "DEFAULT",
    clientCertificates: "none",
  });
  return { acceptor, assessFor: memoizedAssessment(set.server.cert, set.ca) };
}
