/** TLS protocol versions, named as OpenSSL and MySQL's `Ssl_version` name them. */
export const TLS_VERSIONS = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];

export function isTlsVersion(value: string): value is TlsVersion {
  return (TLS_VERSIONS as readonly string[]).includes(value);
}

export function compareTlsVersions(a: TlsVersion, b: TlsVersion): number {
  return TLS_VERSIONS.indexOf(a) - TLS_VERSIONS.indexOf(b);
}
