import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/**
 * The folders of src/ are layers, and imports only point down:
 * protocol, tls, auth, certs, sql → options → record → server, scenarios → the facade
 * (src/mock-server.ts) → cli, audit, testing, control → the public exports (src/index.ts), which
 * gather the facade and what is built on it (runAudit). docs/ARCHITECTURE.md explains them.
 */

const SRC = resolve(__dirname, "..", "..", "src");

/** Each top-level folder (or top-level file) of src/ and its layer, lowest first. */
const LAYER: Record<string, number> = {
  protocol: 0,
  tls: 0,
  auth: 0,
  certs: 0,
  sql: 0,
  options: 1,
  record: 2,
  server: 3,
  scenarios: 3,
  proxy: 3,
  "mock-server.ts": 4,
  "mock-proxy.ts": 4,
  cli: 5,
  audit: 5,
  testing: 5,
  control: 5,
  "index.ts": 6,
};

/** Same-layer pairs that must not import each other either way. */
const APART = [
  ["server", "scenarios"],
  ["proxy", "scenarios"],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

/** The src files a file imports (static, dynamic and type-only imports, and re-exports). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.[^"]+)"/g)].map((m) => m[1]!);
  return specifiers.map((specifier) => {
    const target = resolve(dirname(file), specifier);
    for (const candidate of [`${target}.ts`, join(target, "index.ts"), target]) {
      try {
        if (statSync(candidate).isFile()) return candidate;
      } catch {
        // not this one
      }
    }
    throw new Error(`${relative(SRC, file)} imports ${specifier}, which does not resolve`);
  });
}

/** The top-level entry of src/ a file belongs to. */
const areaOf = (file: string) => relative(SRC, file).split("/")[0]!;

const files = sourceFiles(SRC);
const graph = new Map(files.map((file) => [file, importsOf(file)]));

describe("the layers of src/", () => {
  it("put every folder of src/ in a layer", () => {
    expect(new Set(files.map(areaOf))).toEqual(new Set(Object.keys(LAYER)));
  });

  it("only import from the same layer or a lower one", () => {
    const upward = [...graph].flatMap(([file, targets]) =>
      targets
        .filter((target) => LAYER[areaOf(target)]! > LAYER[areaOf(file)]!)
        .map((target) => `${relative(SRC, file)} → ${relative(SRC, target)}`),
    );
    expect(upward).toEqual([]);
  });

  it("keep the server and the scenarios apart: the facade joins them", () => {
    const crossing = [...graph].flatMap(([file, targets]) =>
      targets
        .filter((target) =>
          APART.some(
            ([a, b]) =>
              new Set([areaOf(file), areaOf(target)]).size === 2 &&
              [a, b].includes(areaOf(file)) &&
              [a, b].includes(areaOf(target)),
          ),
        )
        .map((target) => `${relative(SRC, file)} → ${relative(SRC, target)}`),
    );
    expect(crossing).toEqual([]);
  });

  it("have no import cycles between files", () => {
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (file: string) => {
      state.set(file, "open");
      stack.push(file);
      for (const target of graph.get(file) ?? []) {
        if (state.get(target) === "open") {
          cycles.push(
            [...stack.slice(stack.indexOf(target)), target].map((f) => relative(SRC, f)).join(" → "),
          );
        } else if (!state.has(target)) visit(target);
      }
      stack.pop();
      state.set(file, "done");
    };
    for (const file of files) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });
});
