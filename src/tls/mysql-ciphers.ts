/**
 * Cipher lists of MySQL 5.7 servers (vio/viosslfactories.c in the 5.7 sources).
 *
 * MySQL prepends a block list to whatever allow-list is in force; `ssl_cipher` replaces only the
 * allow-list. The server does not set SSL_OP_CIPHER_SERVER_PREFERENCE, so the client's order wins.
 */

/** Prepended by 5.7.10+ to every cipher list, OpenSSL and yaSSL builds alike. */
export const MYSQL_57_BLOCKED_CIPHERS = "!aNULL:!eNULL:!EXPORT:!LOW:!MD5:!DES:!RC2:!RC4:!PSK";

/** Added to the block list by OpenSSL builds only. */
export const MYSQL_57_OPENSSL_BLOCKED_CIPHERS =
  "!DHE-DSS-DES-CBC3-SHA:!DHE-RSA-DES-CBC3-SHA:!ECDH-RSA-DES-CBC3-SHA:!ECDH-ECDSA-DES-CBC3-SHA:!ECDHE-RSA-DES-CBC3-SHA:!ECDHE-ECDSA-DES-CBC3-SHA";

/**
 * The OpenSSL allow-list of 5.7.10+ (`tls_ciphers_list` in vio/viosslfactories.c). Reconstructed
 * from the 5.7 source (vio/viosslfactories.c) (starts with the ECDHE GCM suites, ends with
 * DES-CBC3-SHA); names OpenSSL 3 no longer knows (static DH/ECDH suites) are ignored by it.
 */
export const MYSQL_57_OPENSSL_CIPHERS = [
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-AES128-SHA256",
  "ECDHE-RSA-AES128-SHA256",
  "ECDHE-ECDSA-AES256-SHA384",
  "ECDHE-RSA-AES256-SHA384",
  "DHE-RSA-AES128-GCM-SHA256",
  "DHE-DSS-AES128-GCM-SHA256",
  "DHE-RSA-AES128-SHA256",
  "DHE-DSS-AES128-SHA256",
  "DHE-DSS-AES256-GCM-SHA384",
  "DHE-RSA-AES256-SHA256",
  "DHE-DSS-AES256-SHA256",
  "ECDHE-RSA-AES128-SHA",
  "ECDHE-ECDSA-AES128-SHA",
  "ECDHE-RSA-AES256-SHA",
  "ECDHE-ECDSA-AES256-SHA",
  "DHE-DSS-AES128-SHA",
  "DHE-RSA-AES128-SHA",
  "DHE-RSA-AES256-SHA",
  "AES128-GCM-SHA256",
  "AES256-GCM-SHA384",
  "AES128-SHA256",
  "AES256-SHA256",
  "AES128-SHA",
  "AES256-SHA",
  "DHE-RSA-AES256-GCM-SHA384",
  "CAMELLIA256-SHA",
  "CAMELLIA128-SHA",
  "DES-CBC3-SHA",
] as const;

/** The yaSSL allow-list of Community builds before 5.7.28: no ECDHE, no GCM, no SHA-256 MACs. */
export const MYSQL_57_YASSL_CIPHERS = [
  "DHE-RSA-AES256-SHA",
  "DHE-RSA-AES128-SHA",
  "AES128-RMD",
  "DES-CBC3-RMD",
  "DHE-RSA-AES256-RMD",
  "DHE-RSA-AES128-RMD",
  "DHE-RSA-DES-CBC3-RMD",
  "AES256-SHA",
  "RC4-SHA",
  "RC4-MD5",
  "DES-CBC3-SHA",
  "DES-CBC-SHA",
  "EDH-RSA-DES-CBC3-SHA",
  "EDH-RSA-DES-CBC-SHA",
  "AES128-SHA",
  "AES256-RMD",
] as const;

/**
 * The OpenSSL cipher string a 5.7 OpenSSL build hands to SSL_CTX_set_cipher_list, ending in
 * `@SECLEVEL=0`: 5.7 servers were linked against OpenSSL 1.0.x/1.1.x, which accepted TLSv1/1.1,
 * SHA-1 and 1024-bit keys that OpenSSL 3's default level 2 refuses.
 */
export function mysql57CipherString(allowList: readonly string[] = MYSQL_57_OPENSSL_CIPHERS): string {
  return [MYSQL_57_BLOCKED_CIPHERS, MYSQL_57_OPENSSL_BLOCKED_CIPHERS, ...allowList, "@SECLEVEL=0"].join(":");
}

/**
 * TLSv1.2 block list of MySQL 8.x servers (`blocked_tls12_ciphers` in include/tls_ciphers.h, as the
 * 8.0.45, 8.4 and 9.0.0 source documentation shows it), prepended to the allow-list as in 5.7.
 */
export const MYSQL_8_BLOCKED_TLS12_CIPHERS = "!aNULL:!eNULL:!EXPORT:!LOW:!MD5:!DES:!3DES:!RC2:!RC4:!PSK:!kDH";

/**
 * The TLSv1.2 allow-list a MySQL 8.x server uses when `ssl_cipher` is unset (`default_tls12_ciphers`
 * in include/tls_ciphers.h; "Improving TLS Ciphers usage in MySQL 8.2.0" lists the same order):
 * forward secrecy, SHA-2, AEAD only. No CBC suites, no static RSA key exchange.
 */
export const MYSQL_8_TLS12_CIPHERS = [
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-CHACHA20-POLY1305",
  "ECDHE-ECDSA-AES256-CCM",
  "ECDHE-ECDSA-AES128-CCM",
  "DHE-RSA-AES128-GCM-SHA256",
  "DHE-RSA-AES256-GCM-SHA384",
  "DHE-RSA-AES256-CCM",
  "DHE-RSA-AES128-CCM",
  "DHE-RSA-CHACHA20-POLY1305",
] as const;

/**
 * The TLSv1.3 suites a MySQL 8.x server sets when `tls_ciphersuites` is unset
 * (`default_tls13_ciphers` in include/tls_ciphers.h): OpenSSL's three defaults plus
 * TLS_AES_128_CCM_SHA256.
 */
export const MYSQL_8_TLS13_CIPHERSUITES = [
  "TLS_AES_128_GCM_SHA256",
  "TLS_AES_256_GCM_SHA384",
  "TLS_CHACHA20_POLY1305_SHA256",
  "TLS_AES_128_CCM_SHA256",
] as const;

/**
 * The OpenSSL string that gives node:tls a MySQL 8.x server's configuration: the TLSv1.3 suites
 * (node hands `TLS_*` names to SSL_CTX_set_ciphersuites), then the TLSv1.2 block list and
 * allow-list. No `@SECLEVEL`: 8.x servers leave OpenSSL's default level. Like 5.7, the 8.0.40, 8.4.3
 * and 9.1.0 servers do not set SSL_OP_CIPHER_SERVER_PREFERENCE (vio/viosslfactories.cc,
 * new_VioSSLFd), so the client's order picks the suite.
 */
export function mysql8CipherString(): string {
  return [...MYSQL_8_TLS13_CIPHERSUITES, MYSQL_8_BLOCKED_TLS12_CIPHERS, ...MYSQL_8_TLS12_CIPHERS].join(":");
}
