/**
 * What the post-auth fuzz property needs around it: mock servers whose sessions give up on a
 * half-sent packet (net_read_timeout) and an unread reply (net_write_timeout) within the run, every
 * auth plugin among their accounts, and a client that logs in for real before the fuzzing starts.
 */
import type { MockServerEvent } from "../../src/record/events";
import { type MockServer, startMockServer } from "../../src/mock-server";
import { FUZZ_KEEP_CONNECTIONS, mysql2Login, PLAIN_SERVER_ACCOUNTS } from "./pre-auth-harness";

/**
 * Every plugin the mock has, so that COM_CHANGE_USER runs each auth conversation: the pre-auth
 * accounts (native, caching_sha2, sha256) and a mysql_clear_password one.
 */
export const POST_AUTH_ACCOUNTS = [
  ...PLAIN_SERVER_ACCOUNTS,
  { user: "clear", password: "clear-password", plugin: "mysql_clear_password" },
];

export interface PostAuthHarnessOptions {
  /** net_read_timeout and net_write_timeout of the servers: a stalled session ends after this. */
  netTimeoutMs: number;
}

/**
 * One server with TLS and one without, both with {@link POST_AUTH_ACCOUNTS}; every event they emit
 * is kept by connection, so a property can look through what the server said about each one.
 */
export class PostAuthHarness {
  private readonly events = new Map<MockServer, Map<number, MockServerEvent[]>>();

  private constructor(
    readonly options: PostAuthHarnessOptions,
    readonly tlsServer: MockServer,
    readonly plainServer: MockServer,
  ) {
    for (const server of [tlsServer, plainServer]) {
      const byConnection = new Map<number, MockServerEvent[]>();
      this.events.set(server, byConnection);
      server.on("event", (event) => {
        let list = byConnection.get(event.connectionId);
        if (!list) byConnection.set(event.connectionId, (list = []));
        list.push(event);
      });
    }
  }

  static async start(options: PostAuthHarnessOptions): Promise<PostAuthHarness> {
    const start = (tls: boolean) =>
      startMockServer({
        accounts: POST_AUTH_ACCOUNTS,
        keepConnections: FUZZ_KEEP_CONNECTIONS,
        connectTimeoutMs: 4 * options.netTimeoutMs,
        netReadTimeoutMs: options.netTimeoutMs,
        netWriteTimeoutMs: options.netTimeoutMs,
        ...(tls ? {} : { tls: false }),
      });
    return new PostAuthHarness(options, await start(true), await start(false));
  }

  server(kind: "tls" | "plain"): MockServer {
    return kind === "tls" ? this.tlsServer : this.plainServer;
  }

  /** The events a server emitted for one connection (and forgets them). */
  takeEvents(server: MockServer, connectionId: number): MockServerEvent[] {
    const byConnection = this.events.get(server)!;
    const events = byConnection.get(connectionId) ?? [];
    byConnection.delete(connectionId);
    return events;
  }

  /** mysql2 logs in to both servers (over TLS where offered, and in plaintext). */
  async checkMysql2Logins(): Promise<void> {
    await mysql2Login(this.tlsServer, true);
    await mysql2Login(this.plainServer, false);
  }

  async stop(): Promise<void> {
    await Promise.all([this.tlsServer.stop(), this.plainServer.stop()]);
  }
}
