import * as mysql2 from "mysql2/promise";

/** What mysql2 (the real driver) said when it tried to log in and run a query. */
export interface Mysql2Attempt {
  loggedIn: boolean;
  /** The driver's error message (from the login, or from the query after it), null when both went through. */
  error: string | null;
}

export interface Mysql2Options {
  port: number;
  user?: string;
  password?: string;
  /** mysql2's own `ssl` option; undefined = no TLS at all. */
  ssl?: { ca?: string; rejectUnauthorized?: boolean; verifyIdentity?: boolean };
}

/**
 * Logs in with mysql2, runs `SELECT 1` and ends the session. Never throws: a failed login or query
 * comes back as `error`, so a test can assert on what the server recorded whichever way it went.
 */
export async function mysql2Login(options: Mysql2Options): Promise<Mysql2Attempt> {
  let connection: mysql2.Connection;
  try {
    connection = await mysql2.createConnection({
      host: "127.0.0.1",
      port: options.port,
      user: options.user ?? "root",
      password: options.password ?? "root",
      connectTimeout: 10_000,
      ...(options.ssl ? { ssl: options.ssl } : {}),
    });
  } catch (error) {
    return { loggedIn: false, error: (error as Error).message };
  }
  try {
    await connection.query("SELECT 1");
    return { loggedIn: true, error: null };
  } catch (error) {
    return { loggedIn: true, error: (error as Error).message };
  } finally {
    // After a failed query the connection may be gone already: ending it then is no news.
    await connection.end().catch(() => undefined);
  }
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

/** Text without terminal colours. */
export function plain(text: string): string {
  return text.replace(ANSI, "");
}

/**
 * Runs an assertion that must fail and returns its message without colours. Throws when it passes,
 * or when it failed with something other than a jest assertion error (e.g. a matcher's own error).
 */
export function failureOf(assertion: () => void): string {
  try {
    assertion();
  } catch (error) {
    if (!(error as { matcherResult?: unknown }).matcherResult) throw error;
    return plain((error as Error).message);
  }
  throw new Error("expected the assertion to fail, but it passed");
}
