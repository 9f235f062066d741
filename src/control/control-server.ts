import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { MockServer } from "../mock-server";
import { ControlError, type ControlResponse, controlRoutes, type Route } from "./routes";

/*
 * The control API: the mock server's records, scenario and certificates as JSON over HTTP, so a
 * test suite in any language can drive it (as mockttp's admin server and Toxiproxy's API do).
 * Plain node:http: a handful of fixed paths needs no framework, and the package stays small.
 */

/** The largest request body read: a scenario object is far smaller. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Where the control API listens and who may use it. */
export interface ControlServerOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default `127.0.0.1`: only this machine can reach it. */
  host?: string;
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  token?: string;
  /** The version `/health` reports. */
  version: string;
}

/** A running control API. */
export interface ControlServer {
  readonly host: string;
  readonly port: number;
  /** `http://host:port`. */
  readonly url: string;
  /** Stops listening, ends long polls in progress and closes idle connections. */
  close(): Promise<void>;
}

/** Compares in constant time, so the answer's timing does not leak how much of a token was right. */
function tokenMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer (.+)$/.exec(header ?? "")?.[1] ?? "";
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(given), digest(token));
}

function send(response: ServerResponse, answer: ControlResponse, headers: Record<string, string> = {}): void {
  const isPem = "pem" in answer;
  const body = isPem ? answer.pem : `${JSON.stringify(answer.json)}\n`;
  response.writeHead(answer.status, {
    "content-type": isPem ? "application/x-pem-file" : "application/json",
    "cache-control": "no-store",
    ...headers,
  });
  response.end(body);
}

const error = (status: number, message: string): ControlResponse => ({ status, json: { error: message } });

/** The request body as JSON, refused past {@link MAX_BODY_BYTES} (413) or when not JSON (400). */
async function readBody(request: IncomingMessage): Promise<unknown> {
  const declared = Number(request.headers["content-length"] ?? 0);
  if (declared > MAX_BODY_BYTES)
    throw new ControlError(413, `the body is larger than ${MAX_BODY_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ControlError(413, `the body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (cause) {
    throw new ControlError(400, `the body is not JSON: ${(cause as Error).message}`);
  }
}

/**
 * Serves the control API of `server` until closed. Binds 127.0.0.1 unless told otherwise: anyone
 * who reaches it can read the records and change what the server does.
 */
export async function startControlServer(
  server: MockServer,
  options: ControlServerOptions,
): Promise<ControlServer> {
  return serveControlRoutes(controlRoutes(server, options.version), options);
}

/** Serves `routes` (the mock server's, or the proxy's subset) until closed, as {@link startControlServer} does. */
export async function serveControlRoutes(
  routeList: readonly Route[],
  options: ControlServerOptions,
): Promise<ControlServer> {
  const routes = new Map<string, Route>(routeList.map((r) => [r.path, r]));
  const closing = new AbortController();

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (options.token !== undefined && !tokenMatches(request.headers.authorization, options.token)) {
      send(response, error(401, "missing or wrong bearer token"), { "www-authenticate": "Bearer" });
      return;
    }
    const url = new URL(request.url ?? "/", "http://control");
    const route = routes.get(url.pathname);
    if (!route) {
      send(response, error(404, `no such path: ${url.pathname}`));
      return;
    }
    const method = request.method === "HEAD" ? "GET" : request.method;
    const handler = route.methods[method as keyof Route["methods"]];
    if (!handler) {
      const allowed = Object.keys(route.methods).join(", ");
      send(
        response,
        error(405, `${request.method} is not allowed on ${url.pathname} (allowed: ${allowed})`),
        {
          allow: allowed,
        },
      );
      return;
    }
    // A long poll ends early when its client hangs up or the control server closes.
    const ended = new AbortController();
    const end = () => ended.abort();
    response.once("close", end);
    closing.signal.addEventListener("abort", end, { once: true });
    response.once("close", () => closing.signal.removeEventListener("abort", end));
    const signal = ended.signal;
    const body = method === "PUT" ? await readBody(request) : undefined;
    send(response, await handler({ query: url.searchParams, body, signal }));
  };

  const http: Server = createServer((request, response) => {
    handle(request, response).catch((cause: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      if (cause instanceof ControlError) {
        // A body too large is not read on: the connection closes after the answer.
        send(
          response,
          error(cause.status, cause.message),
          cause.status === 413 ? { connection: "close" } : {},
        );
      } else send(response, error(500, cause instanceof Error ? cause.message : String(cause)));
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen({ port: options.port ?? 0, host: options.host ?? "127.0.0.1" }, () => {
      http.off("error", reject);
      resolve();
    });
  });
  const address = http.address() as AddressInfo;
  const hostText = address.address.includes(":") ? `[${address.address}]` : address.address;
  return {
    host: address.address,
    port: address.port,
    url: `http://${hostText}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        http.close(() => resolve());
        http.closeIdleConnections();
      }),
  };
}
