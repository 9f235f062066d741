import { InvalidArgumentError, Option } from "commander";
import type { MockServer } from "../mock-server";
import { type ControlServer, serveControlRoutes, startControlServer } from "./control-server";
import { proxyControlRoutes } from "./routes";
import { MockProxy } from "../mock-proxy";

/*
 * `serve --control-port`: the flags that start the control API next to the mock server, and
 * starting it. Kept here so `serve` itself only adds the flags and calls one function.
 */

const MAX_PORT = 65_535;

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > MAX_PORT) {
    throw new InvalidArgumentError(`expected a TCP port from 0 to ${MAX_PORT} (0 = any free port)`);
  }
  return port;
}

/** The control API's flags, by name. */
export function controlOption(name: "port" | "host" | "token"): Option {
  switch (name) {
    case "port":
      return new Option(
        "--control-port <port>",
        "serve the control API (JSON over HTTP: records, scenario, CA; see docs/control-api.openapi.json) on this port",
      ).argParser(parsePort);
    case "host":
      return new Option("--control-host <address>", "address the control API binds (default 127.0.0.1)");
    case "token":
      return new Option(
        "--control-token <token>",
        "require `Authorization: Bearer <token>` on every control API request (prefer the environment variable: flags show in ps)",
      );
  }
}

function isLoopback(host: string): boolean {
  return host === "::1" || host.startsWith("127.") || host === "localhost";
}

/**
 * Starts the control API when `--control-port` was given, saying where on stderr (stdout is the
 * records'). If it cannot listen, the mock server is stopped and the error names the flag.
 */
export async function startServeControl(
  server: MockServer | MockProxy,
  flags: Readonly<Record<string, unknown>>,
  version: string,
): Promise<ControlServer | null> {
  const port = flags["controlPort"] as number | undefined;
  const host = (flags["controlHost"] as string | undefined) ?? "127.0.0.1";
  const token = flags["controlToken"] as string | undefined;
  if (port === undefined) {
    if (flags["controlHost"] !== undefined || token !== undefined) {
      await server.stop();
      throw new InvalidArgumentError("--control-host and --control-token need --control-port");
    }
    return null;
  }
  let control: ControlServer;
  try {
    const options = { port, host, version, ...(token ? { token } : {}) };
    control =
      server instanceof MockProxy
        ? await serveControlRoutes(proxyControlRoutes(server, version), options)
        : await startControlServer(server, options);
  } catch (error) {
    await server.stop();
    throw new InvalidArgumentError(`--control-port ${port}: ${(error as Error).message}`);
  }
  if (!isLoopback(host)) {
    process.stderr.write(
      `warning: the control API listens on ${host}, reachable from other machines${token ? "" : ", without a token (--control-token)"}\n`,
    );
  }
  process.stderr.write(`control API on ${control.url}\n`);
  return control;
}
