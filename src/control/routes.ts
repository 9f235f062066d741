import type { MockServer } from "../mock-server";
import type { ConnectionRecord } from "../record/connection-record";
import {
  builtinScenarioNames,
  isScenarioPath,
  loadScenario,
  ScenarioError,
} from "../scenarios/load-scenario";
import type { ScenarioFile } from "../scenarios/scenario-schema";
import { ServerConfigurationError } from "../options/configuration-error";
import { describeValue, isPlainObject } from "../options/describe-value";
import type { ConnectionHost } from "../server/connection-host";
import type { MockProxy } from "../mock-proxy";

/*
 * What the control API answers, path by path. The HTTP plumbing (src/control/control-server.ts)
 * checks the token, the method and the body size, then hands a route the parsed request; a route
 * answers with a status and a JSON body, or PEM text.
 */

/** The longest a `GET /connections?after=…&wait=…` long poll may wait. */
export const MAX_WAIT_MS = 60_000;

/** A request as a route sees it. */
export interface ControlRequest {
  query: URLSearchParams;
  /** The parsed JSON body; undefined when there was none. */
  body: unknown;
  /** Aborted when the client goes away or the control server closes, ending a long poll early. */
  signal: AbortSignal;
}

/** A route's answer: JSON, or PEM text. */
export type ControlResponse = { status: number; json: unknown } | { status: number; pem: string };

/** A request the route refuses: answered `{ "error": message }` with `status`. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ControlError";
  }
}

export type Handler = (request: ControlRequest) => ControlResponse | Promise<ControlResponse>;

/** One path of the API and its handler per method. */
export interface Route {
  path: string;
  methods: Partial<Record<"GET" | "PUT" | "DELETE", Handler>>;
}

const ok = (json: unknown): ControlResponse => ({ status: 200, json });

/** A record is final once its connection closed: the recorder stamps `endedAt` then. */
const isClosed = (record: ConnectionRecord) => record.endedAt !== null;

/** A whole number in 0…max from a query parameter, or a 400 naming it. */
function queryInteger(query: URLSearchParams, name: string, max: number): number | null {
  const text = query.get(name);
  if (text === null) return null;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value > max) {
    throw new ControlError(
      400,
      `${name} must be a whole number from 0 to ${max}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

/**
 * The records after connection `after`, up to the first still open: a poller that passes the last
 * id it got sees every connection once, in order, each final.
 */
function closedAfter(records: readonly ConnectionRecord[], after: number): ConnectionRecord[] {
  const result: ConnectionRecord[] = [];
  for (const record of records) {
    if (record.id <= after) continue;
    if (!isClosed(record)) break;
    result.push(record);
  }
  return result;
}

/** Resolves at the next connection-closed event, after `ms`, or when `signal` aborts. */
function nextClose(server: ConnectionHost, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      server.off("connection-closed", done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    server.on("connection-closed", done);
    signal.addEventListener("abort", done);
  });
}

/** `GET /connections`: every kept record; with `after`, the next final ones, waiting up to `wait`. */
async function getConnections(
  server: ConnectionHost,
  { query, signal }: ControlRequest,
): Promise<ControlResponse> {
  const after = queryInteger(query, "after", 0xffffffff);
  const wait = queryInteger(query, "wait", MAX_WAIT_MS) ?? 0;
  if (after === null) {
    if (query.has("wait"))
      throw new ControlError(400, "wait needs after: the id of the last record seen (0 for none)");
    return ok({ connections: server.connections, dropped: server.droppedConnections });
  }
  const deadline = Date.now() + wait;
  let found = closedAfter(server.connections, after);
  while (found.length === 0 && !signal.aborted && Date.now() < deadline) {
    await nextClose(server, deadline - Date.now(), signal);
    found = closedAfter(server.connections, after);
  }
  return ok({ connections: found, dropped: server.droppedConnections });
}

/** What `GET /scenarios` lists, read once: the built-in scenarios do not change while serving. */
let scenarioList: Array<{ name: string; description: string }> | null = null;

function listScenarios(): Array<{ name: string; description: string }> {
  scenarioList ??= builtinScenarioNames().map((name) => {
    const scenario = loadScenario(name);
    return { name, description: scenario.description };
  });
  return scenarioList;
}

/**
 * A scenario object from the API may build on a built-in but names no file on this machine: not
 * an `extends` path, not `server.tls.files` (which would serve any key pair the server can read,
 * and whose errors would tell the caller which paths exist).
 */
function refuseFileReferences(scenario: Record<string, unknown>): void {
  const parent = scenario["extends"];
  if (typeof parent === "string" && isScenarioPath(parent)) {
    throw new ControlError(
      400,
      "extends must name a built-in scenario, not a path: the control API reads no files",
    );
  }
  const server = scenario["server"];
  const tls = isPlainObject(server) ? server["tls"] : undefined;
  if (isPlainObject(tls) && "files" in tls) {
    throw new ControlError(
      400,
      "server.tls.files names files on this machine, which the control API does not read: use a catalogue set " +
        "(server.tls.certificates) or serve the file with serve --scenario FILE",
    );
  }
}

/**
 * `PUT /scenario`: `{"name": "…"}` names a built-in scenario (`null` for none); any other object
 * is a scenario itself. Paths are refused: a client of the API names no files on this machine.
 */
async function putScenario(server: MockServer, { body }: ControlRequest): Promise<ControlResponse> {
  if (!isPlainObject(body)) {
    throw new ControlError(400, `expected {"name": …} or a scenario object, got ${describeValue(body)}`);
  }
  const keys = Object.keys(body);
  let reference: string | ScenarioFile | null;
  if (keys.length === 1 && keys[0] === "name") {
    const name = body["name"];
    if (name !== null && typeof name !== "string") {
      throw new ControlError(
        400,
        `name must be a built-in scenario's name or null, got ${describeValue(name)}`,
      );
    }
    if (typeof name === "string" && isScenarioPath(name)) {
      throw new ControlError(
        400,
        `name must be a built-in scenario's name, not a path: send the scenario object instead`,
      );
    }
    reference = name;
  } else {
    refuseFileReferences(body);
    reference = body as ScenarioFile;
  }
  try {
    await server.setScenario(reference);
  } catch (error) {
    if (error instanceof ScenarioError || error instanceof ServerConfigurationError) {
      throw new ControlError(400, error.message);
    }
    throw error;
  }
  return ok({ scenario: server.scenario });
}

/** A PEM file of the served certificates, or a 404 saying why there is none. */
function pem(text: string | undefined, missing: string): ControlResponse {
  if (text === undefined) throw new ControlError(404, missing);
  return { status: 200, pem: text };
}

/** `/connections`: the records (with long-poll) and their reset, the same for a server and a proxy. */
function connectionsRoute(host: Parameters<typeof getConnections>[0]): Route {
  return {
    path: "/connections",
    methods: {
      GET: (request) => getConnections(host, request),
      DELETE: () => {
        host.reset();
        return ok({ connections: [], dropped: 0 });
      },
    },
  };
}

/** Every route of the control API, as docs/control-api.openapi.json documents them. */
export function controlRoutes(server: MockServer, version: string): Route[] {
  const clientCertificate = () => server.tls?.certificateSet?.client;
  return [
    {
      path: "/health",
      methods: {
        GET: () =>
          ok({
            status: "ok",
            version,
            host: server.host,
            port: server.port,
            socketPath: server.socketPath,
            tls: server.tls !== null,
            scenario: server.scenario?.name ?? null,
            connections: { total: server.totalConnections, open: server.openConnections },
          }),
      },
    },
    { path: "/scenarios", methods: { GET: () => ok({ scenarios: listScenarios() }) } },
    {
      path: "/scenario",
      methods: {
        GET: () => ok({ scenario: server.scenario }),
        PUT: (request) => putScenario(server, request),
      },
    },
    connectionsRoute(server),
    {
      path: "/accounts",
      methods: {
        // Users, plugins and REQUIRE rules: never a password, which no output of this tool shows.
        GET: () =>
          ok({
            accounts: server.options.accounts.map(({ user, host, plugin, require }) => ({
              user,
              host,
              plugin,
              require,
            })),
          }),
      },
    },
    {
      path: "/ca.pem",
      methods: {
        GET: () => pem(server.ca, "the server has no CA: TLS is off, or its certificate came without one"),
      },
    },
    {
      path: "/client-cert.pem",
      methods: {
        GET: () => pem(clientCertificate()?.cert, "the served certificate set has no client certificate"),
      },
    },
    {
      path: "/client-key.pem",
      methods: {
        GET: () => pem(clientCertificate()?.key, "the served certificate set has no client certificate"),
      },
    },
  ];
}

/**
 * The proxy's control API (`proxy --control-port`): its health (where it listens, the real server,
 * the attack) and its records, read and reset as the mock server's are. It has no scenario to
 * change and no certificates of its own to hand out.
 */
export function proxyControlRoutes(proxy: MockProxy, version: string): Route[] {
  return [
    {
      path: "/health",
      methods: {
        GET: () =>
          ok({
            status: "ok",
            version,
            host: proxy.host,
            port: proxy.port,
            upstream: proxy.upstream,
            attack: proxy.options.attack,
            connections: { total: proxy.totalConnections, open: proxy.openConnections },
          }),
      },
    },
    connectionsRoute(proxy),
  ];
}
