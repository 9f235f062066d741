import type { ResolvedAccount } from "./accounts";

/** What the client's auth data revealed, for the record (never the data itself). */
export type CredentialExposure =
  /** A hash derived from the password and the nonce (native, caching_sha2 fast path). */
  | "scramble-reply"
  /** The password itself. */
  | "cleartext-password"
  /** The password, RSA-encrypted to the server's public key. */
  | "encrypted-password";

/** RSA keys for sha256_password and caching_sha2_password over plaintext connections. */
export interface RsaKeys {
  privateKeyPem: string;
  publicKeyPem: string;
}

/** What an auth conversation knows about the login. */
export interface AuthContext {
  /** The 20-byte nonce of the greeting (or of the auth switch). */
  scramble: Buffer;
  /** The account, or undefined for an unknown user (which must fail like a wrong password). */
  account: ResolvedAccount | undefined;
  /** Whether the connection is encrypted (TLS). */
  secure: boolean;
  /** The server's RSA keys, or null where the server has none (yaSSL builds). */
  rsa: RsaKeys | null;
  /** caching_sha2_password: whether this account's hash is in the server's cache (fast auth). */
  cached: boolean;
}

/** The conversation's next move after a client packet. */
export type AuthStep =
  /** Send these bytes in an AuthMoreData packet (0x01 + data) and wait for the client. */
  | { kind: "more"; data: Buffer }
  /** The conversation is over; `moreData` goes out (as AuthMoreData) before the OK or ERR. */
  | { kind: "done"; accepted: boolean; reason?: string; moreData?: Buffer[] };

/** One login's exchange with one plugin, fed the client's packets in order. */
export interface AuthConversation {
  receive(data: Buffer): { step: AuthStep; exposure: CredentialExposure | null };
}

/** A server-side auth plugin. */
export interface AuthPlugin {
  /** The name on the wire, e.g. `mysql_native_password`. */
  readonly name: string;
  /** The data an AuthSwitchRequest to this plugin carries: 5.7 sends the nonce plus a NUL. */
  switchData(scramble: Buffer): Buffer;
  start(context: AuthContext): AuthConversation;
}

/** The 20-byte nonce plus NUL, as 5.7's native, sha256 and caching_sha2 plugins send it. */
export function scrambleWithNul(scramble: Buffer): Buffer {
  return Buffer.concat([scramble, Buffer.from([0])]);
}

/** A password sent in the clear ends with a NUL; the NUL is not part of it. */
export function stripNul(data: Buffer): string {
  const end = data.indexOf(0);
  return data.subarray(0, end === -1 ? data.length : end).toString("utf8");
}
