import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROBES_DIR } from "../../src/audit/client-presets";
import type { SslMode } from "../../src/scenarios/scenario-schema";
import { type MockServer, startMockServer } from "../../src/mock-server";
import { pemFile } from "../helpers/mariadb-cli";
import { newConnections } from "../helpers/new-connections";
import { BATCH_COMMANDS, BATCH_PRESETS, type BatchPreset, ProbeBatch } from "./preset-batch";

/**
 * The contract of the probes behind the audit's presets (client-presets.ts), one-shot and batch:
 * one JSON line and the exit code that goes with it, exit 3 without connecting for a mode the
 * driver cannot express, exit 4 saying what to install when the driver is missing, 64 for bad
 * arguments, and never the password in anything printed. Real probes, real drivers, a real server.
 */

const PASSWORD = "pw-41c7e2-never-printed";
const ACCOUNT = { user: "app", password: PASSWORD };

/** A mode each preset cannot express (the probe's header says why). */
const INEXPRESSIBLE: Record<BatchPreset, SslMode> = {
  mysqlclient: "REQUIRED",
  "php-pdo": "PREFERRED",
  "jdbc-mariadb": "PREFERRED",
  "ruby-mysql2": "REQUIRED",
  "perl-dbd-mariadb": "REQUIRED",
  "perl-dbd-mysql": "VERIFY_IDENTITY",
  "node-mysql2": "PREFERRED",
  "node-mysql": "VERIFY_IDENTITY",
  "node-mariadb": "PREFERRED",
};
// ruby-mysql2 spells every mode (REQUIRED is a documented spelling its build ignores).
const HAS_INEXPRESSIBLE = BATCH_PRESETS.filter((preset) => preset !== "ruby-mysql2");

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], options: { cwd?: string; input?: string } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}

/** The preset's probe in one-shot mode (its batch command without --batch). */
function oneShot(preset: BatchPreset, args: string[]): Promise<Ran> {
  const [command, prefix] = BATCH_COMMANDS[preset];
  return run(
    command,
    [...prefix.filter((arg) => arg !== "--batch"), ...args],
    // The Node probe loads the driver from the directory it runs in: the repository's node_modules.
    { cwd: join(__dirname, "..", "..") },
  );
}

let server: MockServer;
let caFile: string;
beforeAll(async () => {
  server = await startMockServer({ accounts: [ACCOUNT] });
  caFile = pemFile(server.ca!);
});
afterAll(() => server?.stop());

const args = (mode: SslMode, password = PASSWORD, port = server.port) => [
  "--host",
  "127.0.0.1",
  "--port",
  String(port),
  "--user",
  ACCOUNT.user,
  "--password",
  password,
  "--mode",
  mode,
  "--ca",
  caFile,
];

describe.each(BATCH_PRESETS)("the %s preset's probe", (preset) => {
  it("prints one JSON line and exits 0 when it logged in and ran SELECT 1", async () => {
    const connection = newConnections(server);
    const ran = await oneShot(preset, args("DISABLED"));
    expect(ran.code).toBe(0);
    expect(ran.stdout.trim().split("\n")).toHaveLength(1);
    expect(JSON.parse(ran.stdout)).toEqual({ loggedIn: true, queried: true, error: null, errorCode: null });
    const record = await connection.only();
    expect(record.outcome).toMatchObject({ kind: "authenticated" });
    expect(record.commands.map((command) => command.query)).toContain("SELECT 1");
  });

  it("reports a refused login with the server's error number and exit 1", async () => {
    const ran = await oneShot(preset, args("DISABLED", "not-the-password"));
    expect(ran.code).toBe(1);
    expect(JSON.parse(ran.stdout)).toMatchObject({ loggedIn: false, queried: false, errorCode: 1045 });
  });

  it("exits 64 with a usage message when --mode is missing", async () => {
    const withoutMode = args("DISABLED").slice(0, -4).concat(["--ca", caFile]);
    const ran = await oneShot(preset, withoutMode);
    expect(ran).toMatchObject({ code: 64, stdout: "" });
    expect(ran.stderr).toMatch(/--mode/);
  });

  it("answers one JSON line per job in batch mode, in order", async () => {
    const batch = new ProbeBatch(preset);
    try {
      const job = { host: "127.0.0.1", port: server.port, socket: null, ...ACCOUNT, ca: caFile };
      const good = await batch.run({ ...job, mode: "DISABLED" });
      const bad = await batch.run({ ...job, password: "not-the-password", mode: "DISABLED" });
      expect([good, bad]).toMatchObject([
        { loggedIn: true, queried: true, notExpressible: null },
        { loggedIn: false, errorCode: "1045", notExpressible: null },
      ]);
    } finally {
      await batch.close();
    }
  });
});

describe.each(HAS_INEXPRESSIBLE)("the %s preset's probe, in a mode its driver cannot express", (preset) => {
  it("exits 3 and says why, without a login", async () => {
    const mode = INEXPRESSIBLE[preset];
    const connections = newConnections(server);
    const ran = await oneShot(preset, args(mode));
    expect(ran).toMatchObject({ code: 3, stdout: "" });
    expect(ran.stderr).toContain(`${mode} cannot be expressed`);
    expect((await connections.all()).filter((record) => record.user !== null)).toEqual([]);
  });
});

describe("the preset probes never print the password", () => {
  let attacker: MockServer;
  beforeAll(async () => {
    attacker = await startMockServer({
      accounts: [ACCOUNT],
      faults: {
        refuseLoginWith: { code: 1045, sqlState: "28000", message: `Access denied (you sent ${PASSWORD})` },
      },
    });
  });
  afterAll(() => attacker?.stop());

  it.each(BATCH_PRESETS)("%s, not even when the server's error message carries it", async (preset) => {
    const ran = await oneShot(preset, args("DISABLED", PASSWORD, attacker.port));
    expect(ran.code).toBe(1);
    expect(JSON.parse(ran.stdout)).toMatchObject({ loggedIn: false, errorCode: 1045 });
    expect(ran.stdout).toContain("***");
    expect(ran.stdout + ran.stderr).not.toContain(PASSWORD);
  });
});

/** Each probe run the way a machine without its driver would run it. */
const withoutDriver: Record<BatchPreset, () => Promise<Ran>> = {
  // -S skips site, so Debian's dist-packages (where MySQLdb lives) is not on sys.path.
  mysqlclient: () =>
    run("/usr/bin/python3", ["-S", join(PROBES_DIR, "mysqlclient_probe.py"), ...args("DISABLED")]),
  // -n reads no php.ini, so pdo_mysql (loaded from conf.d) is absent.
  "php-pdo": () => run("php", ["-n", join(PROBES_DIR, "php_pdo_probe.php"), ...args("DISABLED")]),
  "jdbc-mariadb": () =>
    run("java", [
      "-cp",
      "/nonexistent.jar",
      join(PROBES_DIR, "jdbc", "MariadbJdbcProbe.java"),
      ...args("DISABLED"),
    ]),
  // A require hook that fails for mysql2 alone, as on a Ruby without the gem.
  "ruby-mysql2": () =>
    run("ruby", [
      "-e",
      'module Kernel; alias_method :real_require, :require; def require(name); raise LoadError, "cannot load such file -- mysql2" if name == "mysql2"; real_require(name); end; end; $0 = ARGV.shift; load $0',
      join(PROBES_DIR, "ruby_mysql2_probe.rb"),
      ...args("DISABLED"),
    ]),
  // An @INC hook that fails for the DBD alone, as on a Perl without the package.
  "perl-dbd-mariadb": () => perlWithoutDbd("MariaDB"),
  "perl-dbd-mysql": () => perlWithoutDbd("mysql"),
  // The Node probe looks for the driver where it runs: a folder without node_modules.
  "node-mysql2": () => nodeWithoutDriver("mysql2"),
  "node-mysql": () => nodeWithoutDriver("mysql"),
  "node-mariadb": () => nodeWithoutDriver("mariadb"),
};

function perlWithoutDbd(driver: string): Promise<Ran> {
  return run("perl", [
    "-e",
    `unshift @INC, sub { die "Can't locate $_[1] in \\@INC\\n" if $_[1] eq "DBD/${driver}.pm"; return }; my $f = shift; do $f; die $@ if $@;`,
    join(PROBES_DIR, "perl_dbi_probe.pl"),
    "--driver",
    driver,
    ...args("DISABLED"),
  ]);
}

function nodeWithoutDriver(driver: string): Promise<Ran> {
  return run("node", [join(PROBES_DIR, "node_probe.js"), "--driver", driver, ...args("DISABLED")], {
    cwd: tmpdir(),
  });
}

const INSTALL_HINT: Record<BatchPreset, RegExp> = {
  mysqlclient: /install Debian's python3-mysqldb/,
  "php-pdo": /install Debian's php-mysql/,
  "jdbc-mariadb": /install Debian's libmariadb-java/,
  "ruby-mysql2": /install Debian's ruby-mysql2/,
  "perl-dbd-mariadb": /install Debian's libdbd-mariadb-perl/,
  "perl-dbd-mysql": /install Debian's libdbd-mysql-perl/,
  "node-mysql2": /npm install mysql2/,
  "node-mysql": /npm install mysql/,
  "node-mariadb": /npm install mariadb/,
};

describe.each(BATCH_PRESETS)("without its driver, the %s preset's probe", (preset) => {
  it("exits 4 and says what to install", async () => {
    const ran = await withoutDriver[preset]();
    expect(ran).toMatchObject({ code: 4, stdout: "" });
    expect(ran.stderr).toMatch(/not installed|not loaded|not on the class path/);
    expect(ran.stderr).toMatch(INSTALL_HINT[preset]);
  });
});
