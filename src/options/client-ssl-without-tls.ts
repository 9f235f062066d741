/**
 * How a server answers a client that sets CLIENT_SSL although the greeting did not offer it —
 * PyMySQL does so in a full HandshakeResponse41 whenever it is given `ssl=`. Real servers differ:
 * - `bad-handshake`: MySQL 5.7 and 8.0 test the client's bits unmasked and, having no TLS
 *   acceptor, answer ERR 1043 "Bad handshake" — after the response, credentials included, crossed
 *   (`parse_client_handshake_packet` in sql/auth/sql_authentication.cc).
 * - `mask`: MariaDB and MySQL 5.6 and older first mask the client's bits with the server's
 *   ("precautionary measure, if the client lies", Bug#27944), so a full response is a plaintext
 *   login that succeeds; a bare 32-byte SSLRequest, which has no user name, still gets 1043.
 * - `strip`: a TLS-stripping man in the middle in front of a TLS server (CVE-2015-3152) clears
 *   the bit on its way: a full response is a plaintext login that succeeds, and a bare SSLRequest
 *   reaches the real server, which completes TLS.
 */
export const CLIENT_SSL_WITHOUT_TLS = ["bad-handshake", "mask", "strip"] as const;
export type ClientSslWithoutTls = (typeof CLIENT_SSL_WITHOUT_TLS)[number];
