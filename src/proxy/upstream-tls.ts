import { isIP, type Socket } from "node:net";
import { connect as tlsConnect, type TLSSocket } from "node:tls";
import type { ResolvedProxyOptions } from "../options/proxy-options";

/**
 * Starts the proxy's own TLS with the real server on `socket` (after an SSLRequest), as
 * `upstreamTls` says: `verify` checks the chain against `upstreamCa` (or the system's roots) and
 * the name, `no-verify` takes any certificate. A host name goes out as SNI; an address does not.
 */
export function connectUpstreamTls(socket: Socket, options: ResolvedProxyOptions): TLSSocket {
  const verify = options.upstreamTls === "verify";
  const { host } = options.upstream;
  return tlsConnect({
    socket,
    rejectUnauthorized: verify,
    ...(verify && options.upstreamCa ? { ca: options.upstreamCa } : {}),
    ...(isIP(host) ? {} : { servername: host }),
  });
}
