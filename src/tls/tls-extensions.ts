/**
 * TLS extension code points this project reads (IANA "TLS ExtensionType Values"), named once for
 * the ClientHello and ServerHello readers and their tests.
 */
export const TlsExtension = {
  SERVER_NAME: 0x0000,
  SUPPORTED_GROUPS: 0x000a,
  EC_POINT_FORMATS: 0x000b,
  SIGNATURE_ALGORITHMS: 0x000d,
  ALPN: 0x0010,
  SUPPORTED_VERSIONS: 0x002b,
  KEY_SHARE: 0x0033,
} as const;
