/**
 * Certificate factory: MySQL's own certificate sets and a catalogue of sets that are each wrong in exactly one
 * way, generated in-process against an injectable clock and cached per process and on disk.
 *
 * @example
 * const set = await getCertificateSet("expired");
 * tls.createServer({ cert: set.server.cert, key: set.server.key });
 */
export type { CertificateSetName } from "./catalogue";
export { getCertificateSet, listCertificateSets, resetCertificateFactory } from "./certificate-sets";
export { UnknownCertificateSetError } from "./errors";
export { getKeyPoolStats, type KeyPoolStats } from "./key-pool";
export type { CertificateOptions, CertificateSet, KeySpec, PemCertificate } from "./types";
export { CertificateWriteError, writeCertificateSet } from "./write-set";
