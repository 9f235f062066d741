/**
 * Public types of the certificate factory.
 *
 * Everything here is plain, serializable data: a {@link CertificateSet} can be written to disk, cached as JSON,
 * or handed to `tls.createServer` without conversion.
 */

/** The kind and size of a key pair. RSA keys use the public exponent 65537. */
export type KeySpec = { type: "rsa"; bits: 1024 | 2048 | 4096 } | { type: "ec"; curve: "P-256" | "P-384" };

/** A certificate (chain) and its private key, both PEM. */
export interface PemCertificate {
  /** PEM leaf certificate, followed by any intermediates that are sent with it. */
  cert: string;
  /** PEM private key of the leaf (PKCS#8 `BEGIN PRIVATE KEY`, or PKCS#1 `BEGIN RSA PRIVATE KEY` for MySQL's sets). */
  key: string;
}

/** One catalogue entry, built: what a server presents, what a client should trust, and the MySQL datadir files. */
export interface CertificateSet {
  /** Catalogue name, e.g. `"good"` or `"mysql-auto"`. */
  name: string;
  /** One line: what is wrong with this set (or what it is). */
  description: string;
  /** What the MySQL server presents: `cert` is the leaf followed by any intermediates it sends. */
  server: PemCertificate;
  /**
   * PEM bundle a *correctly configured* client should trust for this set. For `untrusted-root` this is the good CA,
   * not the rogue one that issued the server certificate.
   */
  ca: string;
  /** A client certificate for this set, if it has one. */
  client?: PemCertificate;
  /**
   * MySQL data-directory file names → PEM contents: `ca.pem`, `ca-key.pem`, `server-cert.pem`, `server-key.pem`,
   * `client-cert.pem`, `client-key.pem` (plus `private_key.pem` / `public_key.pem` for `mysql-ssl-rsa-setup`, and
   * `intermediate-ca.pem` where a set has an intermediate the server does not send).
   */
  files: Record<string, string>;
  /** The host name the server certificate is meant for, if any. */
  expectedHost?: string;
}

/** Options for {@link getCertificateSet}. */
export interface CertificateOptions {
  /**
   * MySQL server version used in the `MySQL_Server_<version>_Auto_Generated_*` common names of MySQL's sets.
   * Default `"5.7.41"`.
   */
  serverVersion?: string;
  /**
   * Injectable clock. Validity windows are computed from it (e.g. `expired` ends one day before `now`).
   * Default: the current time.
   */
  now?: Date;
  /**
   * On-disk cache folder. Default: `<user cache dir>/mysql-tls-mock/certs`, where the user cache dir is
   * `$XDG_CACHE_HOME` or `~/.cache`. `false` disables the disk cache (the in-process memo still applies).
   */
  cacheDir?: string | false;
  /**
   * Generate the set's keys instead of taking them from the package's shipped test keys. The shipped keys are
   * public (anyone with the package has them) and protect nothing; they make a first start sign certificates
   * without generating any key. Fresh keys are generated once per user and cached with the set like any other
   * (delete the cache folder, or pass `cacheDir: false`, for new ones). Default false.
   */
  freshKeys?: boolean;
}
