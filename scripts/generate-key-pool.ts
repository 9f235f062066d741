// Writes keys/test-key-pool.json: one private key per key spec and role the certificate catalogue
// uses, shipped so that a first start signs certificates without generating a key. The keys are
// public test keys and protect nothing.
//
//   npx tsx scripts/generate-key-pool.ts            regenerate every key
//   npx tsx scripts/generate-key-pool.ts --missing  keep the keys already there, add what is missing
//   npx tsx scripts/generate-key-pool.ts --check    exit 1 unless the file holds exactly what the catalogue uses
import { generateKeyPair } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { promisify } from "node:util";
import {
  catalogueKeyNeeds,
  type KeyNeed,
  readShippedKeys,
  SHIPPED_KEY_POOL_FILE,
  SHIPPED_KEY_POOL_FORMAT,
  SHIPPED_KEY_POOL_NOTICE,
  type ShippedKeyPoolFile,
} from "../src/certs/shipped-keys";

const generateKeyPairAsync = promisify(generateKeyPair);

async function generatePem({ spec }: KeyNeed): Promise<string> {
  const { privateKey } =
    spec.type === "rsa"
      ? await generateKeyPairAsync("rsa", { modulusLength: spec.bits, publicExponent: 0x10001 })
      : await generateKeyPairAsync("ec", { namedCurve: spec.curve });
  return privateKey.export({ type: "pkcs8", format: "pem" }).toString();
}

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  const needs = catalogueKeyNeeds();
  const existing = await readShippedKeys(SHIPPED_KEY_POOL_FILE);

  if (args.has("--check")) {
    const missing = needs.filter((need) => existing.pem(need.id) === undefined).map((need) => need.id);
    if (missing.length > 0) {
      process.stderr.write(`${SHIPPED_KEY_POOL_FILE} lacks ${missing.join(", ")}\n`);
      process.exitCode = 1;
    }
    return;
  }

  const keepExisting = args.has("--missing");
  const keys: Record<string, string> = {};
  // In catalogue order, so a regenerated file diffs key by key.
  const pems = await Promise.all(
    needs.map(async (need) => (keepExisting && existing.pem(need.id)) || generatePem(need)),
  );
  needs.forEach((need, index) => (keys[need.id] = pems[index]!));

  const file: ShippedKeyPoolFile = { format: SHIPPED_KEY_POOL_FORMAT, notice: SHIPPED_KEY_POOL_NOTICE, keys };
  await mkdir(dirname(SHIPPED_KEY_POOL_FILE), { recursive: true });
  await writeFile(SHIPPED_KEY_POOL_FILE, `${JSON.stringify(file, null, 2)}\n`);
  process.stdout.write(
    `${SHIPPED_KEY_POOL_FILE}: ${needs.length} keys (${needs.map((n) => n.id).join(", ")})\n`,
  );
}

void main();
