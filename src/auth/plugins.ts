import { constants, createHash, privateDecrypt, publicEncrypt, timingSafeEqual } from "node:crypto";
import {
  type AuthContext,
  type AuthConversation,
  type AuthPlugin,
  type AuthStep,
  type CredentialExposure,
  type RsaKeys,
  scrambleWithNul,
  stripNul,
} from "./auth-plugin";
import { NATIVE_PASSWORD_PLUGIN, verifyNativePasswordReply } from "./native-password";

/** Bytes of the caching_sha2 / sha256 exchange (sql-common/client_authentication.cc). */
export const Sha2AuthByte = {
  /** sha256_password's key request. */
  REQUEST_PUBLIC_KEY_SHA256: 0x01,
  /** caching_sha2_password's key request. */
  REQUEST_PUBLIC_KEY_CACHING_SHA2: 0x02,
  /** After the fast path: the scramble matched the cache; an OK follows. */
  FAST_AUTH_SUCCESS: 0x03,
  /** After the fast path: no cache entry; send the password (over TLS) or ask for the key. */
  PERFORM_FULL_AUTHENTICATION: 0x04,
} as const;
const {
  REQUEST_PUBLIC_KEY_SHA256,
  REQUEST_PUBLIC_KEY_CACHING_SHA2,
  FAST_AUTH_SUCCESS,
  PERFORM_FULL_AUTHENTICATION,
} = Sha2AuthByte;

type Received = ReturnType<AuthConversation["receive"]>;

function done(
  accepted: boolean,
  exposure: CredentialExposure | null,
  reason?: string,
  moreData?: Buffer[],
): Received {
  const step: AuthStep = {
    kind: "done",
    accepted,
    ...(reason ? { reason } : {}),
    ...(moreData ? { moreData } : {}),
  };
  return { step, exposure };
}

function more(data: Buffer, exposure: CredentialExposure | null = null): Received {
  return { step: { kind: "more", data }, exposure };
}

/** Accepts when the context has an account and `matches` its stored password. */
function checkAccount(
  context: AuthContext,
  exposure: CredentialExposure | null,
  matches: (storedPassword: string) => boolean,
): Received {
  const account = context.account;
  if (!account) return done(false, exposure, "unknown user");
  return matches(account.password) ? done(true, exposure) : done(false, exposure, "wrong password");
}

function checkPassword(context: AuthContext, password: string, exposure: CredentialExposure): Received {
  return checkAccount(context, exposure, (stored) => stored === password);
}

/**
 * What a SHA-2 plugin's client sends over plaintext once it has the server's public key:
 * (password ‖ NUL) XOR nonce, RSA-OAEP-encrypted (sql-common/client_authentication.cc).
 */
export function encryptPasswordForServer(
  password: string,
  scramble: Buffer,
  publicKeyPem: string | Buffer,
): Buffer {
  const plain = Buffer.concat([Buffer.from(password, "utf8"), Buffer.from([0])]);
  const xored = Buffer.from(plain.map((b, i) => b ^ scramble[i % scramble.length]!));
  return publicEncrypt({ key: publicKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING }, xored);
}

/** RSA-OAEP-decrypts (password ‖ NUL) XOR nonce, as both SHA-2 plugins send it over plaintext. */
export function decryptPassword(rsa: RsaKeys, scramble: Buffer, data: Buffer): string | null {
  let xored: Buffer;
  try {
    xored = privateDecrypt({ key: rsa.privateKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING }, data);
  } catch {
    return null;
  }
  const plain = Buffer.from(xored.map((b, i) => b ^ scramble[i % scramble.length]!));
  return stripNul(plain);
}

function isEmptyPassword(data: Buffer): boolean {
  return data.length === 0 || (data.length === 1 && data[0] === 0);
}

/** mysql_native_password: one scramble reply, any transport. */
export const nativePasswordPlugin: AuthPlugin = {
  name: NATIVE_PASSWORD_PLUGIN,
  switchData: scrambleWithNul,
  start(context) {
    return {
      receive(data) {
        const exposure = data.length > 0 ? "scramble-reply" : null;
        return checkAccount(context, exposure, (stored) =>
          verifyNativePasswordReply(stored, context.scramble, data),
        );
      },
    };
  },
};

/** mysql_clear_password: the password itself, NUL-terminated. 5.7 Community has no server side; a mock uses it as a rogue switch. */
export const clearPasswordPlugin: AuthPlugin = {
  name: "mysql_clear_password",
  switchData: () => Buffer.alloc(0),
  start(context) {
    return { receive: (data) => checkPassword(context, stripNul(data), "cleartext-password") };
  },
};

/**
 * sha256_password (5.7): over TLS the password in the clear; over plaintext the client asks for the
 * RSA public key (0x01) and sends the password encrypted to it. Without RSA keys and TLS, login fails.
 */
export const sha256PasswordPlugin: AuthPlugin = {
  name: "sha256_password",
  switchData: scrambleWithNul,
  start(context) {
    return {
      receive(data) {
        if (isEmptyPassword(data)) return checkPassword(context, "", "cleartext-password");
        if (context.secure) return checkPassword(context, stripNul(data), "cleartext-password");
        if (!context.rsa)
          return done(false, null, "Authentication requires either RSA keys or SSL encryption");
        if (data.length === 1 && data[0] === REQUEST_PUBLIC_KEY_SHA256) {
          return more(Buffer.from(context.rsa.publicKeyPem));
        }
        const password = decryptPassword(context.rsa, context.scramble, data);
        if (password === null)
          return done(false, "encrypted-password", "the RSA-encrypted password did not decrypt");
        return checkPassword(context, password, "encrypted-password");
      },
    };
  },
};

function sha256(...parts: Buffer[]): Buffer {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** The caching_sha2 fast-path reply: SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) ‖ nonce) — stage2 first. */
export function computeCachingSha2Reply(password: string, scramble: Buffer): Buffer {
  if (password === "") return Buffer.alloc(0);
  const stage1 = sha256(Buffer.from(password, "utf8"));
  const mask = sha256(sha256(stage1), scramble);
  return Buffer.from(stage1.map((b, i) => b ^ mask[i]!));
}

/**
 * caching_sha2_password (8.0 default): a fast path against the server's cache, else full
 * authentication — the password over TLS, or RSA-encrypted after a key request (0x02).
 */
export const cachingSha2PasswordPlugin: AuthPlugin = {
  name: "caching_sha2_password",
  switchData: scrambleWithNul,
  start(context) {
    let phase: "scramble" | "full" | "encrypted" = "scramble";
    return {
      receive(data) {
        if (phase === "scramble") {
          if (isEmptyPassword(data)) return checkPassword(context, "", "cleartext-password");
          const account = context.account;
          if (account && context.cached) {
            const expected = computeCachingSha2Reply(account.password, context.scramble);
            const matches = data.length === expected.length && timingSafeEqual(data, expected);
            return matches
              ? done(true, "scramble-reply", undefined, [Buffer.from([FAST_AUTH_SUCCESS])])
              : done(false, "scramble-reply", "wrong password");
          }
          phase = "full";
          return more(Buffer.from([PERFORM_FULL_AUTHENTICATION]), "scramble-reply");
        }
        if (phase === "full") {
          if (context.secure) return checkPassword(context, stripNul(data), "cleartext-password");
          if (data.length === 1 && data[0] === REQUEST_PUBLIC_KEY_CACHING_SHA2) {
            if (!context.rsa) return done(false, null, "Authentication requires secure connection");
            phase = "encrypted";
            return more(Buffer.from(context.rsa.publicKeyPem));
          }
          // A client that sends its password in the clear over plaintext: accept the check, record it.
          return checkPassword(context, stripNul(data), "cleartext-password");
        }
        const password = context.rsa ? decryptPassword(context.rsa, context.scramble, data) : null;
        if (password === null)
          return done(false, "encrypted-password", "the RSA-encrypted password did not decrypt");
        return checkPassword(context, password, "encrypted-password");
      },
    };
  },
};

/**
 * The wire names of the plugins in {@link AUTH_PLUGINS}, as a literal tuple for validators (the
 * scenario schema); a test checks the two list the same plugins.
 */
export const AUTH_PLUGIN_NAMES = [
  NATIVE_PASSWORD_PLUGIN,
  "sha256_password",
  "caching_sha2_password",
  "mysql_clear_password",
] as const;
export type AuthPluginName = (typeof AUTH_PLUGIN_NAMES)[number];

/** The plugins the server can run, by wire name. */
export const AUTH_PLUGINS: Readonly<Record<string, AuthPlugin>> = {
  [nativePasswordPlugin.name]: nativePasswordPlugin,
  [sha256PasswordPlugin.name]: sha256PasswordPlugin,
  [cachingSha2PasswordPlugin.name]: cachingSha2PasswordPlugin,
  [clearPasswordPlugin.name]: clearPasswordPlugin,
};
