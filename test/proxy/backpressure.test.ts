import * as mysql from "mysql2/promise";
import { connect, createServer, type Server, type Socket } from "node:net";
import type { ProxyAttack } from "../../src/options/proxy-options";
import { startMockProxy } from "../../src/mock-proxy";
import { ACCOUNT, useRealMariadb } from "./real-server";

/**
 * A client that stops reading a large result must stop the real server too: in every attack the
 * proxy forwards with backpressure (the side bytes come from is paused while the other side's
 * buffer is full), so it never takes the result in itself. Counted between the proxy and the real
 * server by a relay in the test that only hands the proxy what the proxy reads.
 */

const real = useRealMariadb();

/** 128 rows of 1 MiB: 128 MiB the server sends to a reader that keeps up. */
const LARGE_RESULT =
  "SELECT REPEAT('x', 1048576) AS mib FROM " +
  "(WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 128) SELECT n FROM r) rows128";
const ROWS = 128;
const RESULT_BYTES = ROWS * 1024 * 1024;

/** A relay to the real server that counts the bytes the proxy has taken from it (queued ones not). */
async function countingRelay(port: number): Promise<{ port: number; taken: () => number; server: Server }> {
  const toProxy: Socket[] = [];
  let received = 0;
  const server = createServer((proxySide) => {
    const upstream = connect(port, "127.0.0.1");
    toProxy.push(proxySide);
    upstream.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (!proxySide.write(chunk)) {
        upstream.pause();
        proxySide.once("drain", () => upstream.resume());
      }
    });
    proxySide.pipe(upstream);
    const close = () => {
      proxySide.destroy();
      upstream.destroy();
    };
    proxySide.on("close", close).on("error", close);
    upstream.on("close", close).on("error", close);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const taken = () => received - toProxy.reduce((queued, socket) => queued + socket.writableLength, 0);
  return { port: (server.address() as { port: number }).port, taken, server };
}

/** `count()` once it has stopped growing (two readings 300 ms apart within 64 KiB). */
async function settled(count: () => number): Promise<number> {
  let last = count();
  for (let attempt = 0; attempt < 60; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const now = count();
    if (now - last < 64 * 1024) return now;
    last = now;
  }
  return last;
}

const ATTACKS: Array<[ProxyAttack, { ssl?: object; warmUp?: boolean }]> = [
  ["passthrough", {}],
  ["strip", {}],
  ["riddle", {}],
  ["cert:untrusted-root", { ssl: { rejectUnauthorized: false } }],
  ["cleartext-switch", { ssl: { rejectUnauthorized: false } }],
  ["local-infile:/etc/hostname", { warmUp: true }],
];

describe("a client that stops reading through the proxy", () => {
  it.each(ATTACKS)(
    "%s: the proxy stops taking the result from the real server",
    async (attack, { ssl, warmUp }) => {
      const relay = await countingRelay(real.port);
      try {
        await using proxy = await startMockProxy({
          upstream: { host: "127.0.0.1", port: relay.port },
          attack,
        });
        const client = await mysql.createConnection({
          host: "127.0.0.1",
          port: proxy.port,
          ...ACCOUNT,
          ...(ssl ? { ssl } : {}),
        });
        try {
          // local-infile answers the first query with its file request; the next reaches the server.
          if (warmUp) await client.query("DO 1").catch(() => undefined);
          const before = relay.taken();
          const stream = (client as unknown as { connection: { stream: Socket } }).connection.stream;
          const pending = client.query(LARGE_RESULT);
          stream.pause();
          // Socket buffers on the way (loopback autotuning, TLS) hold up to about 20 MiB; a proxy
          // without backpressure takes it all.
          expect((await settled(relay.taken)) - before).toBeLessThan(RESULT_BYTES / 4);
          // Once the client reads again, the whole result arrives.
          stream.resume();
          const [rows] = await pending;
          expect((rows as Array<{ mib: string }>).map((row) => row.mib.length)).toEqual(
            Array(ROWS).fill(1048576),
          );
        } finally {
          client.destroy();
        }
      } finally {
        relay.server.close();
      }
    },
    60_000,
  );
});
