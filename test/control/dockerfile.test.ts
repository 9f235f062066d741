import { readFileSync } from "node:fs";
import { join } from "node:path";

/*
 * No container runtime runs in CI here, so the image itself is not built; this keeps the
 * Dockerfile in step with the package and the control API it relies on.
 */

const ROOT = join(__dirname, "..", "..");
const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
const api = JSON.parse(readFileSync(join(ROOT, "docs", "control-api.openapi.json"), "utf8")) as {
  paths: Record<string, unknown>;
};

describe("the Dockerfile", () => {
  it("installs the version package.json states", () => {
    expect(dockerfile).toContain(`ARG MYSQL_TLS_MOCK_VERSION=${pkg.version}\n`);
  });

  it("checks its health on a path the control API documents, on the port it exposes", () => {
    expect(dockerfile).toMatch(/HEALTHCHECK[^\n]*\n[^\n]*\/health/);
    expect(Object.keys(api.paths)).toContain("/health");
    expect(dockerfile).toContain("MYSQL_TLS_MOCK_CONTROL_PORT=8080");
    expect(dockerfile).toContain("EXPOSE 3306 8080");
  });
});
