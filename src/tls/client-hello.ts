import type { Readable } from "node:stream";
import {
  CIPHER_SUITES,
  calculateJa3,
  calculateJa4,
  getExtensionData,
  isGREASE,
  readTlsClientHello,
  SIGNATURE_ALGORITHMS,
  SUPPORTED_GROUPS,
  type TlsClientHelloMessage,
} from "read-tls-client-hello";

/** What the client offered in its TLS ClientHello, in the names a person reads. */
export interface ClientHelloSummary {
  /** ClientHello.legacy_version, e.g. `TLSv1.2` (the highest version of a pre-1.3 client). */
  legacyVersion: string;
  /** The supported_versions extension, highest first as sent; null when the client sent none. */
  supportedVersions: string[] | null;
  /** Cipher suites by IANA name (GREASE values removed), in the client's order. */
  cipherSuites: string[];
  /** Server Name Indication, or null when the client sent none (as for IP-literal hosts). */
  sni: string | null;
  /** ALPN protocols offered, empty when none. */
  alpn: string[];
  /** The supported_groups extension (key-exchange groups) by IANA name, GREASE removed; empty when absent. */
  supportedGroups: string[];
  /** The signature_algorithms extension by IANA name, in the client's order; empty when absent. */
  signatureAlgorithms: string[];
  ja3: string;
  ja4: string;
}

/** OpenSSL's names for protocol numbers, which are also what MySQL shows in `Ssl_version`. */
const PROTOCOL_NAMES: Record<number, string> = {
  768: "SSLv3",
  769: "TLSv1",
  770: "TLSv1.1",
  771: "TLSv1.2",
  772: "TLSv1.3",
};

function protocolName(version: number): string {
  return PROTOCOL_NAMES[version] ?? `0x${version.toString(16).padStart(4, "0")}`;
}

/** A registry name, or the code point in hex for values the registry does not know. */
function named(table: Readonly<Record<number, string | undefined>>, id: number): string {
  return table[id] ?? `0x${id.toString(16).padStart(4, "0")}`;
}

export function summarizeClientHello(hello: TlsClientHelloMessage): ClientHelloSummary {
  const versions = getExtensionData(hello, "supported_versions") as { versions: number[] } | null | undefined;
  const sni = getExtensionData(hello, "server_name") as { serverName?: string } | null | undefined;
  const alpn = getExtensionData(hello, "application_layer_protocol_negotiation") as
    { protocols: string[] } | null | undefined;
  const groups = getExtensionData(hello, "supported_groups") as { groups: number[] } | null | undefined;
  const signatures = getExtensionData(hello, "signature_algorithms") as
    { algorithms: number[] } | null | undefined;
  return {
    legacyVersion: protocolName(hello.version),
    supportedVersions: versions ? versions.versions.filter((v) => !isGREASE(v)).map(protocolName) : null,
    cipherSuites: hello.cipherSuites.filter((id) => !isGREASE(id)).map((id) => named(CIPHER_SUITES, id)),
    sni: sni?.serverName ?? null,
    alpn: alpn?.protocols ?? [],
    supportedGroups: (groups?.groups ?? [])
      .filter((id) => !isGREASE(id))
      .map((id) => named(SUPPORTED_GROUPS, id)),
    signatureAlgorithms: (signatures?.algorithms ?? []).map((id) => named(SIGNATURE_ALGORITHMS, id)),
    ja3: calculateJa3(hello),
    ja4: calculateJa4(hello),
  };
}

export type ClientHelloRead =
  | { kind: "client-hello"; summary: ClientHelloSummary }
  /** The first bytes after the SSLRequest are not a TLS handshake record (e.g. a plaintext packet). */
  | { kind: "not-tls"; firstBytes: Buffer }
  /** TLS-looking bytes that could not be parsed as a ClientHello; the handshake is still attempted. */
  | { kind: "unparsable"; message: string }
  | { kind: "closed" };

/**
 * Reads the ClientHello without consuming it: read-tls-client-hello un-shifts every byte it read,
 * so the same socket can then be handed to node:tls.
 */
export async function peekClientHello(socket: Readable): Promise<ClientHelloRead> {
  try {
    return { kind: "client-hello", summary: summarizeClientHello(await readTlsClientHello(socket)) };
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    if (/not a TLS stream/.test(message)) {
      const first = socket.read() as Buffer | null;
      if (first) socket.unshift(first);
      return { kind: "not-tls", firstBytes: first ? first.subarray(0, 16) : Buffer.alloc(0) };
    }
    if (/closed|ended|premature/i.test(message) || socket.destroyed || socket.readableEnded) {
      return { kind: "closed" };
    }
    return { kind: "unparsable", message };
  }
}
