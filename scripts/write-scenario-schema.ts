// Writes scenarios/scenario.schema.json from the zod schema, so editors can complete and check files.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { scenarioJsonSchema } from "../src/scenarios/scenario-schema";

writeFileSync(
  join(__dirname, "..", "scenarios", "scenario.schema.json"),
  `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`,
);
