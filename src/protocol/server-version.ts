/**
 * What a greeting's version string says about the server: MySQL or MariaDB, and which release.
 *
 * MariaDB 10.x prefixes its version with `5.5.5-` so that clients which compare the major version
 * with 5 keep working; 11.0.1 dropped the prefix (MDEV-28910). Either way the string carries
 * `-MariaDB` after the real version (`5.5.5-10.11.19-MariaDB-0+deb12u1`, `11.4.5-MariaDB`).
 */

/** A version string, read. */
export interface ServerVersion {
  product: "mysql" | "mariadb";
  major: number;
  minor: number;
  patch: number;
}

const MARIADB = /^(?:5\.5\.5-)?(\d+)\.(\d+)\.(\d+)[^\s]*?-MariaDB/i;
const NUMBERED = /^(\d+)\.(\d+)\.(\d+)/;

/** The product and release a version string names, or null when it starts with no `X.Y.Z`. */
export function parseServerVersion(version: string): ServerVersion | null {
  const mariadb = MARIADB.exec(version);
  if (mariadb) {
    return {
      product: "mariadb",
      major: Number(mariadb[1]),
      minor: Number(mariadb[2]),
      patch: Number(mariadb[3]),
    };
  }
  const mysql = NUMBERED.exec(version);
  if (!mysql) return null;
  return { product: "mysql", major: Number(mysql[1]), minor: Number(mysql[2]), patch: Number(mysql[3]) };
}

/** Whether a version string names a MariaDB server. */
export function isMariadb(version: string): boolean {
  return parseServerVersion(version)?.product === "mariadb";
}

/**
 * Whether the server is at least `major.minor.patch` of its product (false for the other product
 * and for a string that names no version).
 */
export function versionAtLeast(
  version: string,
  product: ServerVersion["product"],
  [major, minor, patch]: readonly [number, number, number],
): boolean {
  const parsed = parseServerVersion(version);
  if (!parsed || parsed.product !== product) return false;
  if (parsed.major !== major) return parsed.major > major;
  if (parsed.minor !== minor) return parsed.minor > minor;
  return parsed.patch >= patch;
}

/**
 * The release family a version belongs to, as people name them: `MySQL 5.7`, `MySQL 8.0`,
 * `MySQL 8.4 LTS` (the first long-term release, April 2024), `MySQL 9.x` (innovation releases),
 * `MariaDB 10.11`, `MariaDB 11.4`; `other` for a string that names no version.
 */
export function serverFamily(version: string): string {
  const parsed = parseServerVersion(version);
  if (!parsed) return "other";
  const { product, major, minor } = parsed;
  if (product === "mariadb") return `MariaDB ${major}.${minor}`;
  if (major === 8 && minor === 4) return "MySQL 8.4 LTS";
  if (major >= 9) return `MySQL ${major}.x`;
  return `MySQL ${major}.${minor}`;
}

/** Orders families for listing: MySQL before MariaDB, older releases first. */
export function compareServerFamilies(a: string, b: string): number {
  const rank = (family: string) => {
    const match = /^(MySQL|MariaDB) (\d+)\.(\d+|x)/.exec(family);
    if (!match) return [2, 0, 0] as const;
    return [
      match[1] === "MySQL" ? 0 : 1,
      Number(match[2]),
      match[3] === "x" ? 99 : Number(match[3]),
    ] as const;
  };
  const [ra, rb] = [rank(a), rank(b)];
  return ra[0] - rb[0] || ra[1] - rb[1] || ra[2] - rb[2] || a.localeCompare(b);
}
