/** TLS protocol versions, named as OpenSSL and MySQL's `Ssl_version` name them. */
export const TLS_VERSIONS = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];

export function isTlsVersion(value: string): value is TlsVersion {
  return (TLS_VERSIONS as readonly string[]).includes(value);
}

export function compareTlsVersions(a: TlsVersion, b: TlsVersion): number {
  return TLS_VERSIONS.indexOf(a) - TLS_VERSIONS.indexOf(b);
}

/** OpenSSL's names for TLS protocol numbers, which are also what MySQL shows in `Ssl_version`. */
const PROTOCOL_NAMES: Readonly<Record<number, string>> = {
  0x0300: "SSLv3",
  0x0301: "TLSv1",
  0x0302: "TLSv1.1",
  0x0303: "TLSv1.2",
  0x0304: "TLSv1.3",
};

/** The name of a protocol number on the wire (`0x0303` → `TLSv1.2`), or its hex for one without a name. */
export function protocolName(version: number): string {
  return PROTOCOL_NAMES[version] ?? `0x${version.toString(16).padStart(4, "0")}`;
}
