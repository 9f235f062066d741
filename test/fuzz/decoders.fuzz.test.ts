import {
  assertProperty,
  decoderProperties,
  framerProperties,
  readerProperties,
  roundTripProperties,
} from "./properties";

/** Fixed, so CI failures reproduce; `npm run fuzz` explores other seeds for longer. */
const SEED = 20240611;

describe.each([
  ["decoders on hostile bytes", decoderProperties],
  ["PacketReader and PacketWriter", readerProperties],
  ["round trips", roundTripProperties],
  ["PacketFramer", framerProperties],
] as const)("%s", (_group, properties) => {
  it.each(properties.map((property) => [property.name, property] as const))("%s", async (_name, property) => {
    await assertProperty(property, { seed: SEED, numRuns: property.ciRuns });
  });
});
