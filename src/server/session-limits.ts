import type { ResolvedOptions } from "./options";

/**
 * Largest packet a client may send before its login completes. What a login needs is far less:
 * a HandshakeResponse41 is 32 fixed bytes, a user and database name of at most a few hundred
 * bytes, an auth response (an RSA-encrypted password for a 16384-bit key is 2 KiB) and connect
 * attributes, which 5.7 caps at 64 KiB (`read_client_connect_attrs` in
 * sql/auth/sql_authentication.cc). 128 KiB holds the largest such response with room to spare,
 * while a thousand connections that each send a bigger packet before logging in make the server
 * hold at most 128 MiB, not a thousand times max_allowed_packet.
 */
export const PRE_AUTH_MAX_PACKET_BYTES = 128 * 1024;

/**
 * Reply bytes queued for one client above which the server stops reading that client's commands
 * until the queue drains: a client that pipelines commands and never reads the replies cannot make
 * the server buffer more than this plus one reply. Well above one ordinary reply, so a client that
 * pipelines a few commands and then reads is never held up.
 */
export const OUTPUT_HIGH_WATER_BYTES = 1024 * 1024;

/** The limits one session enforces, read from the options once when it starts. */
export interface SessionLimits {
  /** MySQL's net_write_timeout: how long the client may read none of its queued replies. */
  netWriteTimeoutMs: number;
  /** MySQL's net_read_timeout: how long a half-sent packet (or an awaited auth reply) may stall after login. */
  netReadTimeoutMs: number;
  /** The largest packet accepted before the login completes: the smaller of max_allowed_packet and the pre-login cap. */
  preAuthMaxPacketSize: number;
}

/** The session limits in force for `options`. */
export function sessionLimits(options: ResolvedOptions): SessionLimits {
  return {
    netWriteTimeoutMs: options.netWriteTimeoutMs,
    netReadTimeoutMs: options.netReadTimeoutMs,
    preAuthMaxPacketSize: Math.min(options.maxPacketSize, PRE_AUTH_MAX_PACKET_BYTES),
  };
}
