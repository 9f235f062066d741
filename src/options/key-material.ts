import { LRUCache } from "lru-cache";
import { createHash, createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from "node:crypto";
import { createSecureContext } from "node:tls";
import { ServerConfigurationError } from "./configuration-error";
import { describeValue } from "./describe-value";

/**
 * Checks of TLS and RSA key material: that it parses, that the pieces belong together, and that
 * OpenSSL takes them, so a bad key fails at start and names its option, not at the first client.
 */

function fail(option: string, message: string): never {
  throw new ServerConfigurationError(option, message);
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** OpenSSL's reason, e.g. `DECODER routines::unsupported`, kept as a detail after ours. */
function opensslDetail(error: unknown): string {
  // Not `instanceof Error`: node's errors come from another realm under a test runner's vm.
  const message =
    typeof error === "object" && error !== null && "message" in error ? String(error.message) : String(error);
  return message.replace(/^error:[0-9A-F]+:/, "");
}

/** PKCS#8 `ENCRYPTED PRIVATE KEY`, or a traditional PEM with `Proc-Type: 4,ENCRYPTED`. */
const ENCRYPTED_PEM = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/;

/** The private key in `pem`, or what is wrong with it. */
function readPrivateKey(pem: string | Buffer): KeyObject | string {
  if (ENCRYPTED_PEM.test(pem.toString())) {
    return "the private key is encrypted (it needs a passphrase); give it decrypted";
  }
  try {
    return createPrivateKey(pem);
  } catch (error) {
    return `not a PEM private key (${opensslDetail(error)})`;
  }
}

/** Parses a private key, naming `option` and what is wrong when it does not parse. */
export function parsePrivateKey(option: string, pem: string | Buffer): KeyObject {
  const key = readPrivateKey(pem);
  return typeof key === "string" ? fail(option, key) : key;
}

/**
 * Parses every PEM certificate in `pem` (a chain, or a CA bundle), naming `option` and which one
 * is wrong; text with no certificate at all is refused too.
 */
export function parseCertificates(option: string, pem: string | Buffer): X509Certificate[] {
  const blocks = pem.toString().match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) fail(option, "contains no PEM certificate (no -----BEGIN CERTIFICATE----- block)");
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      const which = blocks.length > 1 ? `certificate ${i + 1} of ${blocks.length}` : "the certificate";
      return fail(option, `${which} does not parse (${opensslDetail(error)})`);
    }
  });
}

/** Throws unless `key` is the private key of `leaf`. */
export function checkKeyMatchesCertificate(
  keyOption: string,
  key: KeyObject,
  certOption: string,
  leaf: X509Certificate,
): void {
  let matches: boolean;
  try {
    matches = leaf.checkPrivateKey(key);
  } catch {
    matches = false;
  }
  if (!matches) {
    fail(
      keyOption,
      `is not the private key of the certificate in ${certOption} (subject ${leaf.subject.replace(/\n/g, ", ")})`,
    );
  }
}

/** Throws unless OpenSSL accepts `ciphers` for the version range. */
export function checkCiphers(option: string, ciphers: string, minVersion: string, maxVersion: string): void {
  try {
    createSecureContext({
      ciphers,
      minVersion: minVersion as never,
      maxVersion: maxVersion as never,
    });
  } catch (error) {
    fail(option, `OpenSSL accepts none of ${describeValue(ciphers)} (${opensslDetail(error)})`);
  }
}

/**
 * Settings OpenSSL has taken in this process (bounded): building a context to check it costs
 * about 1 ms, and an audit starts a server per run with the same settings. Only acceptance is
 * kept; a refusal is checked again, so its error always names what OpenSSL said.
 */
const acceptedContexts = new LRUCache<string, true>({ max: 64 });

/**
 * The whole TLS context as the acceptor will build it, so what only the combination refuses (a key
 * too small for the cipher string's security level, say) fails at start, not at the first client.
 */
export function checkSecureContext(settings: {
  key: string | Buffer;
  cert: string | Buffer;
  ca: string | Buffer | undefined;
  ciphers: string;
  minVersion: string;
  maxVersion: string;
}): void {
  const key = createHash("sha256");
  for (const part of [
    settings.key,
    settings.cert,
    settings.ca ?? "",
    settings.ciphers,
    settings.minVersion,
    settings.maxVersion,
  ]) {
    key.update(part).update("\0");
  }
  const digest = key.digest("base64");
  if (acceptedContexts.get(digest)) return;
  try {
    createSecureContext({
      key: settings.key,
      cert: settings.cert,
      ...(settings.ca !== undefined ? { ca: settings.ca } : {}),
      ciphers: settings.ciphers,
      minVersion: settings.minVersion as never,
      maxVersion: settings.maxVersion as never,
    });
  } catch (error) {
    fail("tls", `OpenSSL refuses the key, certificates and ciphers together (${opensslDetail(error)})`);
  }
  acceptedContexts.set(digest, true);
}

/** A problem with one key of an RSA pair. */
export interface KeyPairProblem {
  key: "privateKeyPem" | "publicKeyPem";
  problem: string;
}

/**
 * What is wrong with an RSA key pair for sha256_password / caching_sha2_password — a key that does
 * not parse, is not RSA, or is not the other's half — or null when nothing is. `option` is where
 * the pair is given, for naming the private key in a mismatch.
 */
export function rsaKeyPairProblem(
  keys: { privateKeyPem: string | Buffer; publicKeyPem: string | Buffer },
  option: string,
): KeyPairProblem | null {
  const privateKey = readPrivateKey(keys.privateKeyPem);
  if (typeof privateKey === "string") return { key: "privateKeyPem", problem: privateKey };
  if (privateKey.asymmetricKeyType !== "rsa") {
    return {
      key: "privateKeyPem",
      problem: `expected an RSA key, got ${privateKey.asymmetricKeyType ?? "an unknown type"}`,
    };
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(keys.publicKeyPem);
  } catch (error) {
    return { key: "publicKeyPem", problem: `not a PEM public key (${opensslDetail(error)})` };
  }
  const spki = (key: KeyObject) => key.export({ type: "spki", format: "der" });
  if (!spki(createPublicKey(privateKey)).equals(spki(publicKey))) {
    return { key: "publicKeyPem", problem: `is not the public half of ${option}.privateKeyPem` };
  }
  return null;
}
