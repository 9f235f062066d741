import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type MockServer, startMockServer } from "../../src/mock-server";
import { type ControlServer, startControlServer } from "../../src/control/control-server";
import { controlRoutes } from "../../src/control/routes";

interface Operation {
  responses: Record<string, { content?: Record<string, unknown>; $ref?: string }>;
}
interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { responses: Record<string, { content: Record<string, unknown> }> };
}

const DOC: OpenApi = JSON.parse(
  readFileSync(join(__dirname, "..", "..", "docs", "control-api.openapi.json"), "utf8"),
) as OpenApi;

/** `GET /health`, … for every operation the document lists. */
const documented = Object.entries(DOC.paths).flatMap(([path, methods]) =>
  Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
);

/** A request body that the operation accepts, where it takes one. */
const BODIES: Record<string, string> = { "PUT /scenario": '{"name": "mysql-5.7.41-autocert"}' };

describe("docs/control-api.openapi.json", () => {
  let server: MockServer;
  let control: ControlServer;
  beforeAll(async () => {
    server = await startMockServer();
    control = await startControlServer(server, { version: "0" });
  });
  afterAll(async () => {
    await control.close();
    await server.stop();
  });

  it("is an OpenAPI 3.1 document", () => {
    expect(DOC.openapi).toBe("3.1.0");
  });

  it("documents every route the control server has, and no other", () => {
    const served = controlRoutes(server, "0").flatMap((route) =>
      Object.keys(route.methods).map((method) => `${method} ${route.path}`),
    );
    expect([...documented].sort()).toEqual([...served].sort());
  });

  it.each(documented)("%s answers with a documented status and content type", async (operation) => {
    const [method, path] = operation.split(" ") as [string, string];
    const body = BODIES[operation];
    const response = await fetch(`${control.url}${path}`, {
      method,
      ...(body ? { body, headers: { "content-type": "application/json" } } : {}),
    });
    await response.arrayBuffer();
    const responses = DOC.paths[path]![method.toLowerCase()]!.responses;
    const status = String(response.status);
    expect(Object.keys(responses)).toContain(status);
    const declared = responses[status]!;
    const content = declared.$ref
      ? DOC.components.responses[declared.$ref.split("/").pop()!]!.content
      : declared.content;
    expect(Object.keys(content ?? {})).toContain(response.headers.get("content-type"));
  });
});
