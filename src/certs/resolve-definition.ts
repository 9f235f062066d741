import { CATALOGUE, type CatalogueEntry, type CertificateSetName, GOOD_DEFINITION } from "./catalogue";
import { UnknownCertificateSetError } from "./errors";
import type { CertificateSetDefinition, CertificateSpec, ExtensionsSpec } from "./set-definition";

/** Looks a name up in the catalogue; throws {@link UnknownCertificateSetError} for anything else. */
export function findCatalogueEntry(name: string): CatalogueEntry {
  const entry = CATALOGUE.find((candidate) => candidate.name === name);
  if (!entry) {
    throw new UnknownCertificateSetError(
      name,
      CATALOGUE.map((candidate) => candidate.name),
    );
  }
  return entry;
}

/** Turns a catalogue row into a complete, checked definition (base + changes applied, issuers first). */
export function resolveDefinition(name: CertificateSetName): CertificateSetDefinition {
  const entry = findCatalogueEntry(name);
  const definition: CertificateSetDefinition =
    "definition" in entry
      ? { name: entry.name, description: entry.description, ...entry.definition }
      : applyChanges(entry);
  checkDefinition(definition);
  return definition;
}

function applyChanges(entry: Extract<CatalogueEntry, { base: "good" }>): CertificateSetDefinition {
  const { changes } = entry;
  const merged = GOOD_DEFINITION.certificates.map((spec): CertificateSpec => {
    const change = changes.certificates?.[spec.id];
    if (!change) return spec;
    const { extensions: extensionChanges, ...fields } = change;
    const extensions: Record<string, unknown> = { ...spec.extensions };
    for (const [key, value] of Object.entries(extensionChanges ?? {})) {
      if (value === null) delete extensions[key];
      else extensions[key] = value;
    }
    return { ...spec, ...fields, extensions: extensions as ExtensionsSpec };
  });
  for (const id of Object.keys(changes.certificates ?? {})) {
    if (!merged.some((spec) => spec.id === id)) {
      throw new Error(`${entry.name}: changes unknown certificate "${id}"`);
    }
  }
  return {
    ...GOOD_DEFINITION,
    name: entry.name,
    description: entry.description,
    certificates: issuersFirst([...merged, ...(changes.addCertificates ?? [])]),
    serverChain: changes.serverChain ?? GOOD_DEFINITION.serverChain,
    extraCertificateFiles: changes.extraCertificateFiles ?? GOOD_DEFINITION.extraCertificateFiles,
    expectedHost: changes.expectedHost ?? GOOD_DEFINITION.expectedHost,
  };
}

/** Stable order in which every issuer comes before the certificates it signs. */
function issuersFirst(specs: readonly CertificateSpec[]): CertificateSpec[] {
  const ordered: CertificateSpec[] = [];
  const pending = [...specs];
  while (pending.length > 0) {
    const index = pending.findIndex(
      (spec) => spec.issuer === spec.id || ordered.some((done) => done.id === spec.issuer),
    );
    if (index < 0) throw new Error(`unresolvable issuers: ${pending.map((spec) => spec.id).join(", ")}`);
    ordered.push(...pending.splice(index, 1));
  }
  return ordered;
}

/** Catalogue mistakes are programming errors: fail loudly and early. */
function checkDefinition(definition: CertificateSetDefinition): void {
  const ids = new Set<string>();
  for (const spec of definition.certificates) {
    const where = `${definition.name}/${spec.id}`;
    if (ids.has(spec.id)) throw new Error(`${where}: duplicate certificate id`);
    if (spec.issuer !== spec.id && !ids.has(spec.issuer)) throw new Error(`${where}: issuer must come first`);
    if (spec.version === 1 && Object.keys(spec.extensions).length > 0) {
      throw new Error(`${where}: X.509 v1 certificates cannot carry extensions`);
    }
    if (spec.version === 1 && spec.key.type !== "rsa") {
      throw new Error(`${where}: v1 certificates are RSA only`);
    }
    ids.add(spec.id);
  }
  const referenced = [
    ...definition.serverChain,
    ...definition.trust,
    ...(definition.client ? [definition.client] : []),
    ...Object.values(definition.extraCertificateFiles ?? {}),
  ];
  for (const id of referenced) {
    if (!ids.has(id)) throw new Error(`${definition.name}: unknown certificate "${id}"`);
  }
  if (definition.serverChain.length === 0 || definition.trust.length === 0) {
    throw new Error(`${definition.name}: a set needs a server chain and a trust bundle`);
  }
}
