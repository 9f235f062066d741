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
