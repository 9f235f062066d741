import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CertificateSet } from "../certs";
import { startMockProxy } from "../mock-proxy";
import { startMockServer } from "../mock-server";
import type { ProxyAttack } from "../options/proxy-options";
import type { ConnectionRecord } from "../record/connection-record";
import { DEFAULT_ACCOUNT, type MockServerOptions } from "../server/options";
import type { TemplateFields } from "./command-template";

/** The real server an `upstream` audit runs its client against, through the proxy. */
export interface UpstreamTarget {
  host: string;
  port: number;
  /** An account of the real server: `{user}` and `{password}` in the template. */
  user: string;
  password: string;
  /** The CA (PEM) that signed the real server's certificate: `{ca}` in the template. */
  ca: string;
  /** How the proxy's own TLS to the server is checked (strip, the terminating attacks). Default `no-verify`. */
  upstreamTls?: "verify" | "no-verify" | "off";
}

/** What one audit run points its client at: a fake server, or the proxy before a real one. */
export interface AuditTarget {
  host: string;
  port: number;
  /** The Unix socket, or empty on TCP. */
  socket: string;
  user: string;
  password: string;
  /** Writes `{ca}`, `{cert}` and `{key}` for the client into `dir`. */
  writeClientFiles(
    dir: string,
    goodSet: () => Promise<CertificateSet>,
  ): Promise<Pick<TemplateFields, "ca" | "cert" | "key">>;
  readonly connections: readonly ConnectionRecord[];
  settled(): Promise<unknown>;
  stop(): Promise<void>;
}

function writeFiles(dir: string, ca: string, client: { cert: string; key: string }) {
  const files = {
    ca: join(dir, "ca.pem"),
    cert: join(dir, "client-cert.pem"),
    key: join(dir, "client-key.pem"),
  };
  writeFileSync(files.ca, ca, { mode: 0o600 });
  writeFileSync(files.cert, client.cert, { mode: 0o600 });
  writeFileSync(files.key, client.key, { mode: 0o600 });
  return files;
}

/** A fake server serving the scenario's options, with its first account. */
export async function serverTarget(
  options: MockServerOptions,
  goodSet: () => Promise<CertificateSet>,
): Promise<AuditTarget> {
  const server = await startMockServer(options);
  const account = server.options.accounts[0] ?? { ...DEFAULT_ACCOUNT };
  return {
    host: server.host,
    port: server.port,
    socket: server.socketPath ?? "",
    user: account.user,
    password: account.password,
    // A scenario without TLS still needs a CA for a client told to verify; the good set's serves.
    writeClientFiles: async (dir) =>
      writeFiles(
        dir,
        server.ca ?? (await goodSet()).ca,
        server.tls?.certificateSet?.client ?? (await goodSet()).client!,
      ),
    get connections() {
      return server.connections;
    },
    settled: () => server.settled(),
    stop: () => server.stop(),
  };
}

/** The proxy with `attack` before the real server; the client uses the real server's account and CA. */
export async function proxyTarget(upstream: UpstreamTarget, attack: ProxyAttack): Promise<AuditTarget> {
  const proxy = await startMockProxy({
    upstream: { host: upstream.host, port: upstream.port },
    attack,
    upstreamTls: upstream.upstreamTls ?? "no-verify",
    ...(upstream.upstreamTls === "verify" ? { upstreamCa: upstream.ca } : {}),
  });
  return {
    host: proxy.host,
    port: proxy.port,
    socket: "",
    user: upstream.user,
    password: upstream.password,
    // The client certificate is the catalogue's: the real server's accounts are the user's business.
    writeClientFiles: async (dir, goodSet) => writeFiles(dir, upstream.ca, (await goodSet()).client!),
    get connections() {
      return proxy.connections;
    },
    settled: () => proxy.settled(),
    stop: () => proxy.stop(),
  };
}
