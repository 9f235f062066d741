import * as mariadb from "mariadb";
import mysql from "mysql";
import * as mysql2 from "mysql2/promise";

/** What a driver itself says about the connection it made. */
export interface DriverView {
  selectOne: unknown;
  /** `Ssl_version` as the server reported it to the driver ("" on plaintext). */
  sslVersion: string;
  /**
   * TLS version from the driver's own socket, null when it is not encrypted, or undefined when the
   * driver keeps its TLS socket out of reach (mysqljs pipes through it without storing it).
   */
  socketTlsVersion?: string | null;
}

export interface DriverConnectOptions {
  port: number;
  user?: string;
  password?: string;
  /** TLS settings in the driver's own terms; undefined = the driver's default (no TLS). */
  ssl?: { ca?: string; rejectUnauthorized?: boolean; verifyIdentity?: boolean; servername?: string };
}

/** Reads the driver's underlying socket to learn, from the client side, whether TLS is on. */
function socketTlsVersion(stream: unknown): string | null {
  const socket = stream as { getProtocol?: () => string | null; encrypted?: boolean } | undefined;
  return socket?.encrypted && socket.getProtocol ? socket.getProtocol() : null;
}

export async function connectWithMysql2(options: DriverConnectOptions): Promise<DriverView> {
  const connection = await mysql2.createConnection({
    host: "127.0.0.1",
    port: options.port,
    user: options.user ?? "root",
    password: options.password ?? "root",
    ...(options.ssl ? { ssl: options.ssl } : {}),
  });
  try {
    const [one] = await connection.query("SELECT 1 AS one");
    const [status] = await connection.query("SHOW SESSION STATUS LIKE 'Ssl_version'");
    // The driver's underlying socket, to learn from the client side whether TLS is on.
    const stream = (connection as unknown as { connection: { stream: unknown } }).connection.stream;
    return {
      selectOne: (one as Array<{ one: unknown }>)[0]?.one,
      sslVersion: String((status as Array<{ Value: string }>)[0]?.Value ?? ""),
      socketTlsVersion: socketTlsVersion(stream),
    };
  } finally {
    await connection.end();
  }
}

export async function connectWithMysql(options: DriverConnectOptions): Promise<DriverView> {
  const connection = mysql.createConnection({
    host: "127.0.0.1",
    port: options.port,
    user: options.user ?? "root",
    password: options.password ?? "root",
    ...(options.ssl ? { ssl: options.ssl } : {}),
  });
  const query = (sql: string) =>
    new Promise<Array<Record<string, unknown>>>((resolve, reject) =>
      connection.query(sql, (error, rows) => (error ? reject(error) : resolve(rows))),
    );
  try {
    await new Promise<void>((resolve, reject) =>
      connection.connect((error) => (error ? reject(error) : resolve())),
    );
    const one = await query("SELECT 1 AS one");
    const status = await query("SHOW SESSION STATUS LIKE 'Ssl_version'");
    return { selectOne: one[0]?.one, sslVersion: String(status[0]?.Value ?? "") };
  } finally {
    await new Promise<void>((resolve) => connection.end(() => resolve()));
  }
}

export async function connectWithMariadb(options: DriverConnectOptions): Promise<DriverView> {
  const connection = await mariadb.createConnection({
    host: "127.0.0.1",
    port: options.port,
    user: options.user ?? "root",
    password: options.password ?? "root",
    connectTimeout: 10_000,
    ...(options.ssl ? { ssl: options.ssl } : {}),
  });
  try {
    const one = await connection.query("SELECT 1 AS one");
    const status = await connection.query("SHOW SESSION STATUS LIKE 'Ssl_version'");
    const stream = (connection as unknown as { __tests: { getSocket(): unknown } }).__tests.getSocket();
    return {
      selectOne: one[0]?.one,
      sslVersion: String(status[0]?.Value ?? ""),
      socketTlsVersion: socketTlsVersion(stream),
    };
  } finally {
    await connection.end();
  }
}
