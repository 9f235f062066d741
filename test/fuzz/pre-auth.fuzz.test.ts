/**
 * @jest-environment ./test/fuzz/host-process-environment.ts
 */
import { assertProperty, PreAuthHarness, preAuthProperties } from "./properties";

/** Fixed, so CI failures reproduce; `npm run fuzz` explores other seeds for longer. */
const SEED = 20240611;

describe("the pre-auth state machine on random byte streams over loopback", () => {
  let harness: PreAuthHarness;
  beforeAll(async () => {
    // Short, so a connection that stalls ends by timeout within the run.
    harness = await PreAuthHarness.start({ connectTimeoutMs: 1000 });
  });
  afterAll(() => harness?.stop());

  // The properties need the harness, which beforeAll makes: name them from a stand-in.
  const names = preAuthProperties(null as unknown as PreAuthHarness).map((p) => p.name);
  it.each(names.map((name, index) => [name, index] as const))(
    "%s",
    async (_name, index) => {
      const property = preAuthProperties(harness)[index]!;
      await assertProperty(property, { seed: SEED, numRuns: property.ciRuns });
    },
    60_000,
  );
});
