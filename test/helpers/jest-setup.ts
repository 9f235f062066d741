/**
 * Jest 29 runs each test file in a vm context whose `Symbol` lacks Node 20's `asyncDispose`, so
 * TypeScript's `await using` helper throws there. Node 20 defines it as this registered symbol,
 * which is shared across contexts: restoring it makes `await using server = …` work in tests.
 */
const symbols = Symbol as unknown as { asyncDispose?: symbol; dispose?: symbol };
symbols.asyncDispose ??= Symbol.for("nodejs.asyncDispose");
symbols.dispose ??= Symbol.for("nodejs.dispose");
