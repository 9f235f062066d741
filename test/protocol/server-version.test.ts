import {
  compareServerFamilies,
  isMariadb,
  parseServerVersion,
  serverFamily,
  versionAtLeast,
} from "../../src/protocol/server-version";

describe("parseServerVersion", () => {
  it.each([
    ["5.7.41", { product: "mysql", major: 5, minor: 7, patch: 41 }],
    ["5.7.41-log", { product: "mysql", major: 5, minor: 7, patch: 41 }],
    ["8.0.40-0ubuntu0.22.04.1", { product: "mysql", major: 8, minor: 0, patch: 40 }],
    ["9.1.0", { product: "mysql", major: 9, minor: 1, patch: 0 }],
    // MariaDB 10.x hides behind 5.5.5-; the real release follows it (MDEV-28910).
    ["5.5.5-10.11.19-MariaDB-0+deb12u1", { product: "mariadb", major: 10, minor: 11, patch: 19 }],
    ["11.4.5-MariaDB", { product: "mariadb", major: 11, minor: 4, patch: 5 }],
    ["11.8.2-MariaDB-ubu2404-log", { product: "mariadb", major: 11, minor: 8, patch: 2 }],
  ])("reads %s", (version, parsed) => {
    expect(parseServerVersion(version)).toEqual(parsed);
  });

  it("reads a bare 5.5.5 as MySQL 5.5, since only -MariaDB makes the prefix MariaDB's", () => {
    expect(parseServerVersion("5.5.5")).toEqual({ product: "mysql", major: 5, minor: 5, patch: 5 });
  });

  it("returns null for a string that starts with no version", () => {
    expect(parseServerVersion("not-a-version")).toBeNull();
    expect(serverFamily("not-a-version")).toBe("other");
  });
});

describe("isMariadb and versionAtLeast", () => {
  it("tells the products apart", () => {
    expect(isMariadb("5.5.5-10.11.19-MariaDB")).toBe(true);
    expect(isMariadb("8.0.40")).toBe(false);
  });

  it("compares within a product only", () => {
    expect(versionAtLeast("8.0.28", "mysql", [8, 0, 28])).toBe(true);
    expect(versionAtLeast("8.0.27", "mysql", [8, 0, 28])).toBe(false);
    expect(versionAtLeast("8.4.0", "mysql", [8, 0, 28])).toBe(true);
    expect(versionAtLeast("5.5.5-10.11.19-MariaDB", "mariadb", [10, 11, 19])).toBe(true);
    expect(versionAtLeast("5.5.5-10.11.19-MariaDB", "mysql", [5, 0, 0])).toBe(false);
  });
});

describe("serverFamily", () => {
  it.each([
    ["5.7.41", "MySQL 5.7"],
    ["5.6.51", "MySQL 5.6"],
    ["8.0.40", "MySQL 8.0"],
    ["8.4.3", "MySQL 8.4 LTS"],
    ["9.1.0", "MySQL 9.x"],
    ["5.5.5-10.11.19-MariaDB-0+deb12u1", "MariaDB 10.11"],
    ["11.4.5-MariaDB", "MariaDB 11.4"],
  ])("puts %s in %s", (version, family) => {
    expect(serverFamily(version)).toBe(family);
  });

  it("orders families MySQL first, older releases first, unknown last", () => {
    const families = [
      "MariaDB 11.4",
      "other",
      "MySQL 9.x",
      "MySQL 8.4 LTS",
      "MariaDB 10.11",
      "MySQL 5.7",
      "MySQL 8.0",
    ];
    expect(families.sort(compareServerFamilies)).toEqual([
      "MySQL 5.7",
      "MySQL 8.0",
      "MySQL 8.4 LTS",
      "MySQL 9.x",
      "MariaDB 10.11",
      "MariaDB 11.4",
      "other",
    ]);
  });
});
