import type { ResolvedAccount } from "../../auth/accounts";
import type { AuthConversation } from "../../auth/auth-plugin";

/**
 * Where one connection is, tagged with the record's `Phase` names (src/record/connection-record.ts:
 * what packets, events and outcomes are labelled with), in the order a login walks through them:
 * greeting → handshake-response → (tls-handshake → tls-handshake-response →) authentication →
 * command → closed. A state carries the data that exists only while it lasts.
 */
export type SessionState =
  /** Nothing sent yet. */
  | { readonly tag: "greeting" }
  /** The greeting went out; the client's first packet is awaited: an SSLRequest or its response. */
  | { readonly tag: "handshake-response" }
  | TlsHandshake
  /** TLS is up; the handshake response is awaited inside it. */
  | { readonly tag: "tls-handshake-response" }
  | Authentication
  | CommandPhase
  /** Nothing more is read or written; the record is final once the socket has closed. */
  | { readonly tag: "closed" };

/**
 * The TLS acceptor is at work on the raw socket: no MySQL packet is read. A timeout meanwhile is
 * kept for the acceptor's result to settle; so is the socket's close (the lifecycle keeps that).
 */
export interface TlsHandshake {
  readonly tag: "tls-handshake";
  /** connect_timeout passed: whatever the acceptor then reports, the cause is the timeout. */
  connectTimedOut: boolean;
}

/** An auth conversation is under way: the login's, or a COM_CHANGE_USER's after it. */
export type Authentication = {
  readonly tag: "authentication";
  /** The account named, or undefined for an unknown user (who walks through the default plugin). */
  readonly account: ResolvedAccount | undefined;
  /** The plugin's side of the exchange, fed the client's auth data in order. */
  readonly conversation: AuthConversation;
  /** The name of the plugin conducting it. */
  readonly plugin: string;
  /** Whether the client sent any auth data: MySQL's "(using password: YES)". */
  usedPassword: boolean;
} & (
  | { readonly purpose: "login" }
  /** Who the client is becoming, once the exchange succeeds. */
  | { readonly purpose: "change-user"; readonly user: string; readonly database: string | null }
);

/** Logged in, between commands. */
export interface CommandPhase {
  readonly tag: "command";
  /** The user the session runs as: the login's, or the last COM_CHANGE_USER's. */
  readonly user: string;
  /** The account it logged in to. */
  readonly account: ResolvedAccount;
  /**
   * Set while the server awaits the file a LOAD DATA LOCAL request asked for: the client's packets
   * are its contents, numbered on from the request's sequence id, until an empty one.
   */
  readonly awaitingLocalFile?: true;
}

export const GREETING: SessionState = { tag: "greeting" };
export const AWAITING_RESPONSE: SessionState = { tag: "handshake-response" };
export const AWAITING_RESPONSE_IN_TLS: SessionState = { tag: "tls-handshake-response" };
export const CLOSED: SessionState = { tag: "closed" };

/** A TLS handshake that has just begun. */
export function tlsHandshake(): TlsHandshake {
  return { tag: "tls-handshake", connectTimedOut: false };
}
