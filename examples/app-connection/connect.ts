import * as mysql from "mysql2/promise";

/**
 * The application's database connection module — the code under test. Nothing in it knows about
 * the mock: it is pointed at one by configuration, as it would be at a real server.
 */

/** MySQL's --ssl-mode values this module supports (mysql2 has no PREFERRED). */
export type SslMode = "DISABLED" | "REQUIRED" | "VERIFY_CA" | "VERIFY_IDENTITY";

export interface DatabaseConfig {
  host: string;
  port: number;
  user: string;
  password: string;
  sslMode: SslMode;
  /** The CA certificate (PEM) that signs the server's certificate; needed by VERIFY_CA and VERIFY_IDENTITY. */
  ca?: string;
}

/** mysql2's `ssl` option for a mode: TLS is mandatory whenever it is set. */
function sslOptions(config: DatabaseConfig) {
  switch (config.sslMode) {
    case "DISABLED":
      return undefined;
    case "REQUIRED":
      return { rejectUnauthorized: false };
    case "VERIFY_CA":
    case "VERIFY_IDENTITY":
      if (!config.ca) throw new Error(`sslMode ${config.sslMode} needs a CA certificate`);
      return {
        ca: config.ca,
        rejectUnauthorized: true,
        verifyIdentity: config.sslMode === "VERIFY_IDENTITY",
      };
  }
}

/** Opens a connection; rejects when the server cannot be reached, verified or logged in to. */
export function connect(config: DatabaseConfig): Promise<mysql.Connection> {
  const ssl = sslOptions(config);
  return mysql.createConnection({
    host: config.host,
    port: config.port,
    user: config.user,
    password: config.password,
    connectTimeout: 10_000,
    ...(ssl ? { ssl } : {}),
  });
}
