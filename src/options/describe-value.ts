/** How option errors quote what they were given, and how they suggest the option that was meant. */

/** Longest text of a bad value quoted back in an error. */
const QUOTED_CHARS = 60;

/** A bad value as an error message shows it: short, and never a whole PEM or a password. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") {
    return JSON.stringify(value.length > QUOTED_CHARS ? `${value.slice(0, QUOTED_CHARS)}…` : value);
  }
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  if (value === null) return "null";
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return "an array";
  if (Buffer.isBuffer(value)) return "a Buffer";
  return typeof value === "object" ? "an object" : typeof value;
}

/** What kind of value it is, without its content: for secrets (passwords, private keys). */
export function describeKind(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return "an array";
  if (Buffer.isBuffer(value)) return "a Buffer";
  const kind = typeof value;
  return kind === "object" ? "an object" : `a ${kind}`;
}

/** An object literal's kind of value: not null, an array or a Buffer. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/** Levenshtein distance, for "did you mean" on a misspelt option. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The known name `key` is probably a misspelling of, or null when none is close. */
export function nearestName(key: string, known: readonly string[]): string | null {
  const nearest = known
    .map((name) => ({ name, distance: editDistance(key, name) }))
    .sort((a, b) => a.distance - b.distance)[0];
  return nearest && nearest.distance <= Math.max(2, Math.floor(key.length / 3)) ? nearest.name : null;
}
