/** What the session knows that a query may ask about. */
export interface QueryContext {
  /** Server version as sent in the greeting, e.g. `5.7.41`. */
  serverVersion: string;
  /** `@@version_comment`, e.g. `MySQL Community Server (GPL)`. */
  versionComment: string;
  connectionId: number;
  /** Authenticated user name. */
  user: string;
  /** How the server names the client's host, e.g. `localhost`; `USER()` returns `user@clientHost`. */
  clientHost: string;
  /** Host pattern of the matched account; `CURRENT_USER()` returns `user@accountHost`. */
  accountHost: string;
  /** Default database, or null when none is selected. */
  database: string | null;
  /** The negotiated TLS session, or null on a plaintext connection. */
  tls: { version: string; cipher: string; cipherList: string[] } | null;
  /** Validity of the server's configured certificate, for `Ssl_server_not_before` / `Ssl_server_not_after`. */
  serverCertificate?: { notBefore: Date; notAfter: Date } | null;
  /** Whether the greeting offered TLS: `have_ssl` is `YES` when it did, `DISABLED` when not. */
  tlsOffered: boolean;
  /**
   * Overrides of and additions to the built-in system variables, keyed by name (case-insensitive).
   * A string given for a built-in numeric or boolean variable (`"ON"`, `"4096"`) keeps that type.
   */
  systemVariables?: Record<string, string | number | null>;
  /** Overrides of and additions to the built-in status variables, keyed by name (case-insensitive). */
  statusVariables?: Record<string, string | number | null>;
}

/** One cell of a result row; a bigint carries integers beyond 2^53 such as `18446744073709551615`. */
export type ResultValue = string | number | bigint | null;

/** A resultset column as the server should describe it. */
export interface ResultColumn {
  name: string;
  type: "integer" | "string" | "decimal" | "null";
  unsigned?: boolean;
}

/** The decision for one COM_QUERY text; the server turns it into packets. */
export type QueryAnswer =
  | { kind: "resultset"; columns: ResultColumn[]; rows: ResultValue[][] }
  | {
      kind: "ok";
      affectedRows?: number;
      info?: string /** Set when the query was `USE db`. */;
      database?: string;
    }
  | { kind: "error"; code: number; sqlState: string; message: string }
  /** No built-in answer: the server applies its configurable default. */
  | { kind: "unhandled" };
