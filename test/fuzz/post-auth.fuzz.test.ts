/**
 * @jest-environment ./test/fuzz/host-process-environment.ts
 */
import { assertProperty } from "./properties";
import { PostAuthHarness, postAuthProperties } from "./post-auth-properties";

/** Fixed, so CI failures reproduce; `npm run fuzz` explores other seeds for longer. */
const SEED = 20241206;

describe("the command phase and COM_CHANGE_USER on random command streams after a real login", () => {
  let harness: PostAuthHarness;
  beforeAll(async () => {
    // Short, so a half-sent packet or an unanswered auth switch ends within the run.
    harness = await PostAuthHarness.start({ netTimeoutMs: 500 });
  });
  afterAll(() => harness?.stop());

  it.each(postAuthProperties.map((property) => [property.name, property] as const))(
    "%s",
    async (_name, property) => {
      await assertProperty(property, { seed: SEED, numRuns: property.ciRuns }, harness);
    },
    60_000,
  );
});
