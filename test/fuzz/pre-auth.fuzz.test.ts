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

  it.each(preAuthProperties.map((property) => [property.name, property] as const))(
    "%s",
    async (_name, property) => {
      await assertProperty(property, { seed: SEED, numRuns: property.ciRuns }, harness);
    },
    60_000,
  );
});
