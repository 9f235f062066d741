import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from "node:crypto";
import { createSecureContext } from "node:tls";
import { ServerConfigurationError } from "./errors";

/**
 * Checks one option's value (never called with `undefined`: an absent option takes its default)
 * and throws a {@link ServerConfigurationError} naming `option` when the value cannot work.
 */
export type OptionCheck = (value: unknown, option: string) => void;

/** Longest text of a bad value quoted back in an error. */
const QUOTED_CHARS = 60;

/** A bad value as an error message shows it: short, and never a whole PEM or a password. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") {
    const text = JSON.stringify(value.length > QUOTED_CHARS ? `${value.slice(0, QUOTED_CHARS)}…` : value);
    return text;
  }
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  if (value === null) return "null";
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return "an array";
  if (Buffer.isBuffer(value)) return "a Buffer";
  return typeof value === "object" ? "an object" : typeof value;
}

/** What kind of value it is, without its content: for secrets (passwords, private keys). */
export function describeKind(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return "an array";
  if (Buffer.isBuffer(value)) return "a Buffer";
  const kind = typeof value;
  return kind === "object" ? "an object" : `a ${kind}`;
}

function fail(option: string, message: string): never {
  throw new ServerConfigurationError(option, message);
}

/** An object literal's kind of value: not null, an array or a Buffer. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/** Levenshtein distance, for "did you mean" on a misspelt option. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Throws for the first key of `value` that is not in `known`, suggesting the nearest known one. */
export function checkKnownKeys(value: Record<string, unknown>, known: readonly string[], prefix = ""): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const nearest = known
      .map((name) => ({ name, distance: editDistance(key, name) }))
      .sort((a, b) => a.distance - b.distance)[0];
    const hint =
      nearest && nearest.distance <= Math.max(2, Math.floor(key.length / 3))
        ? `; did you mean ${prefix}${nearest.name}?`
        : "";
    fail(`${prefix}${key}`, `not an option${hint}`);
  }
}

/** Checks that `value` is an object with no key outside `known`; returns it typed for reading its fields. */
export function checkObject(
  value: unknown,
  option: string,
  known: readonly string[],
): Record<string, unknown> {
  if (!isPlainObject(value)) fail(option, `expected an object, got ${describeValue(value)}`);
  checkKnownKeys(value, known, `${option}.`);
  return value;
}

/** An integer from `min` to `max`, both included. */
export const integerIn =
  (min: number, max: number): OptionCheck =>
  (value, option) => {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      fail(option, `expected an integer from ${min} to ${max}, got ${describeValue(value)}`);
    }
  };

/** `true` or `false`, nothing truthy or falsy. */
export const booleanOption: OptionCheck = (value, option) => {
  if (typeof value !== "boolean") fail(option, `expected true or false, got ${describeValue(value)}`);
};

/** One of `values`, compared exactly. */
export const oneOf =
  (values: readonly (string | boolean)[]): OptionCheck =>
  (value, option) => {
    if (!values.includes(value as string)) {
      fail(
        option,
        `expected ${values.map((v) => JSON.stringify(v)).join(", ")}, got ${describeValue(value)}`,
      );
    }
  };

export interface StringRules {
  /** The empty string is refused. */
  nonEmpty?: boolean;
  /** A NUL is refused: the value goes out NUL-terminated (or into a C API) and would be cut there. */
  noNul?: boolean;
  /** Longest value in UTF-8 bytes. */
  maxBytes?: number;
  /** The value is a secret: an error says what kind of value it got, never the value. */
  secret?: boolean;
}

/** A string that keeps `rules`. */
export const stringOption =
  (rules: StringRules = {}): OptionCheck =>
  (value, option) => {
    if (typeof value !== "string") {
      fail(option, `expected a string, got ${rules.secret ? describeKind(value) : describeValue(value)}`);
    }
    if (rules.nonEmpty && value.length === 0) fail(option, "must not be empty");
    if (rules.noNul && value.includes("\0")) {
      fail(option, `contains a NUL byte (at ${value.indexOf("\0")}), which ends the string on the wire`);
    }
    if (rules.maxBytes !== undefined && Buffer.byteLength(value) > rules.maxBytes) {
      fail(option, `is ${Buffer.byteLength(value)} bytes long; at most ${rules.maxBytes} are allowed`);
    }
  };

/** A PEM given as a string or a Buffer. */
export const pemOption: OptionCheck = (value, option) => {
  if (typeof value !== "string" && !Buffer.isBuffer(value)) {
    fail(option, `expected PEM text (a string or a Buffer), got ${describeKind(value)}`);
  }
  if (value.length === 0) fail(option, "is empty");
};

// ---- TLS and RSA key material ---------------------------------------------------------------

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

/** Parses a private key, naming `option` and what is wrong when it does not parse. */
export function parsePrivateKey(option: string, pem: string | Buffer): KeyObject {
  if (ENCRYPTED_PEM.test(pem.toString())) {
    fail(option, "the private key is encrypted (it needs a passphrase); give it decrypted");
  }
  try {
    return createPrivateKey(pem);
  } catch (error) {
    fail(option, `not a PEM private key (${opensslDetail(error)})`);
  }
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
}

/** Checks an RSA key pair for sha256_password / caching_sha2_password: both parse, and they belong together. */
export function checkRsaKeys(value: unknown, option: string): void {
  if (value === false) return;
  const keys = checkObject(value, option, ["privateKeyPem", "publicKeyPem"]);
  for (const name of ["privateKeyPem", "publicKeyPem"]) {
    if (keys[name] === undefined) fail(`${option}.${name}`, "is required");
    pemOption(keys[name], `${option}.${name}`);
  }
  const privateKey = parsePrivateKey(`${option}.privateKeyPem`, keys.privateKeyPem as string);
  if (privateKey.asymmetricKeyType !== "rsa") {
    fail(
      `${option}.privateKeyPem`,
      `expected an RSA key, got ${privateKey.asymmetricKeyType ?? "an unknown type"}`,
    );
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(keys.publicKeyPem as string);
  } catch (error) {
    fail(`${option}.publicKeyPem`, `not a PEM public key (${opensslDetail(error)})`);
  }
  const spki = (key: KeyObject) => key.export({ type: "spki", format: "der" });
  if (!spki(createPublicKey(privateKey)).equals(spki(publicKey))) {
    fail(`${option}.publicKeyPem`, `is not the public half of ${option}.privateKeyPem`);
  }
}
