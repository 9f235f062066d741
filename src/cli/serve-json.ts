import type { MockServer } from "../mock-server";
import type { Scenario } from "../scenarios/scenario-schema";
import { CapabilityFlags } from "../protocol/constants";

/**
 * The first line `serve --json` prints: where the server is and what a client needs to reach it,
 * so a test suite in any language can start `serve --json`, read one line and connect.
 */
export interface ListeningLine {
  type: "listening";
  /** The `serve` process, for the caller to signal (SIGTERM stops it cleanly). */
  pid: number;
  /** The address listened on; `localhost` on a Unix socket. */
  host: string;
  /** The TCP port (the real one when started with `--port 0`); 0 on a Unix socket. */
  port: number;
  socketPath: string | null;
  /** A PEM file holding the CA a correctly configured client trusts; null without TLS. */
  caFile: string | null;
  /** The scenario's name, or null when none was served. */
  scenario: string | null;
  serverVersion: string;
  /** Whether the greeting offers TLS (`CLIENT_SSL`), and which versions it serves. */
  tls: { offered: boolean; minVersion: string; maxVersion: string; certificates: string | null } | null;
  /** The first account, for a client to log in as. */
  user: string | null;
  /** The control API's base URL (`--control-port`), or null when it is off. */
  control: string | null;
  /** The version of mysql-tls-mock serving. */
  version: string;
}

/** The `listening` line for `server`. */
export function listeningLine(
  server: MockServer,
  scenario: Scenario | null,
  version: string,
  control: string | null = null,
): ListeningLine {
  const tls = server.tls;
  return {
    type: "listening",
    pid: process.pid,
    host: server.host,
    port: server.port,
    socketPath: server.socketPath,
    caFile: server.caFile ?? null,
    scenario: scenario ? scenario.name : null,
    serverVersion: server.options.serverVersion,
    tls: tls
      ? {
          offered: (server.options.capabilityFlags & CapabilityFlags.CLIENT_SSL) !== 0,
          minVersion: tls.minVersion,
          maxVersion: tls.maxVersion,
          certificates: tls.certificateSet?.name ?? null,
        }
      : null,
    user: server.options.accounts[0]?.user ?? null,
    control,
    version,
  };
}
