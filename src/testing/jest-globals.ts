/**
 * Jest's globals, looked up when first used so that importing this package never needs them: from
 * the test file's global scope, or from `@jest/globals` where a project sets `injectGlobals: false`.
 * Typed here rather than through `@types/jest`, so the package builds without jest's types.
 */

type Hook = (fn: () => unknown, timeoutMs?: number) => void;

export interface JestGlobals {
  beforeAll: Hook;
  afterAll: Hook;
  beforeEach: Hook;
  afterEach: Hook;
  expect: { extend(matchers: Record<string, unknown>): void };
}

export function jestGlobal<K extends keyof JestGlobals>(name: K, usedBy: string): JestGlobals[K] {
  const own = (globalThis as Partial<JestGlobals>)[name];
  if (own !== undefined) return own;
  try {
    const imported = (require("@jest/globals") as Partial<JestGlobals>)[name];
    if (imported !== undefined) return imported;
  } catch {
    // not inside jest's runtime
  }
  throw new Error(
    `${usedBy} needs jest's \`${name}\`, which is not defined here: call it from a jest test file ` +
      "(or a module listed in setupFilesAfterEnv).",
  );
}
