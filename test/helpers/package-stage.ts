import { cpSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");

/**
 * A copy of the package's sources under `work`/stage, ready for `npm pack` (whose prepack builds
 * dist/ there, leaving the clone as it is): package.json, the README, LICENSE, the tsconfigs,
 * src/ and every `files` entry but dist/, with the clone's node_modules linked in. Returns the
 * stage folder.
 */
export function stagePackageSources(work: string): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { files: string[] };
  const stage = join(work, "stage");
  mkdirSync(stage);
  for (const name of [
    "package.json",
    "README.md",
    "LICENSE",
    "tsconfig.json",
    "tsconfig.build.json",
    "src",
    ...pkg.files,
  ]) {
    if (name !== "dist") cpSync(join(ROOT, name), join(stage, name), { recursive: true });
  }
  symlinkSync(join(ROOT, "node_modules"), join(stage, "node_modules"));
  return stage;
}
