import { join } from "node:path";
import { SSL_MODES } from "../../src/scenarios/scenario-schema";
import { type MockServer, startMockServer } from "../../src/mock-server";
import { pemFile } from "../helpers/mariadb-cli";
import { newConnections } from "../helpers/new-connections";
import {
  ModeNotExpressibleError,
  PROBE_CLIENTS,
  PROBE_EXIT,
  PROBE_MODES,
  PROBES_DIR,
  type ProbeClient,
  probeArgs,
  runProbe,
  runProbeRaw,
} from "../helpers/probe-client";
import { type ProcessResult, runProcess } from "../helpers/processes";

/**
 * The probes' contract, which the scenario matrix and the audit's presets rely on: one JSON line, the exit code
 * that goes with it, a distinct exit code for a mode the driver cannot express and for a driver that is not
 * installed, and never the password in anything they print. Real probes, real drivers, a real mock server.
 */

const PASSWORD = "pw-7f3a9c-never-printed";
const ACCOUNT = { user: "app", password: PASSWORD };

let server: MockServer;
let caFile: string;
beforeAll(async () => {
  server = await startMockServer({ accounts: [ACCOUNT] });
  caFile = pemFile(server.ca!);
});
afterAll(() => server?.stop());

const target = (mode: (typeof SSL_MODES)[number], password = PASSWORD) => ({
  port: server.port,
  user: ACCOUNT.user,
  password,
  mode,
  caFile,
});

describe.each(PROBE_CLIENTS)("the %s probe", (client) => {
  it("prints one JSON line and exits 0 when it logged in over TLS and ran SELECT 1", async () => {
    const connection = newConnections(server);
    const result = await runProbe(client, target("REQUIRED"));
    expect(result).toMatchObject({ loggedIn: true, queried: true, error: null, exitCode: PROBE_EXIT.ok });
    const record = await connection.only();
    expect(record.tls).toMatchObject({ outcome: "negotiated" });
    expect(record.outcome).toMatchObject({ kind: "authenticated" });
    expect(record.commands.map((command) => command.query)).toContain("SELECT 1");
  });

  it("reports a refused login with the server's error number and exit 1", async () => {
    const result = await runProbe(client, target("DISABLED", "not-the-password"));
    expect(result).toMatchObject({ loggedIn: false, queried: false, errorCode: "1045", exitCode: 1 });
    expect(result.error).toMatch(/Access denied/);
  });

  const missing = SSL_MODES.filter((mode) => !PROBE_MODES[client][mode]);
  if (missing.length > 0) {
    it.each(missing)("exits 3 for %s, which the driver cannot express, without connecting", async (mode) => {
      const connections = newConnections(server);
      await expect(runProbe(client, target(mode))).rejects.toBeInstanceOf(ModeNotExpressibleError);
      const raw = await runProbeRaw(client, probeArgs(target(mode)));
      expect(raw).toMatchObject({ code: PROBE_EXIT.modeNotExpressible, stdout: "" });
      expect(raw.stderr).toContain(`${mode} cannot be expressed`);
      expect(await connections.all()).toEqual([]);
    });
  }

  it("exits 64 with a usage message when --mode is missing", async () => {
    const args = probeArgs(target("DISABLED"));
    const withoutMode = args.filter((arg, i) => arg !== "--mode" && args[i - 1] !== "--mode");
    const raw = await runProbeRaw(client, withoutMode);
    expect(raw).toMatchObject({ code: PROBE_EXIT.usage, stdout: "" });
    expect(raw.stderr).toMatch(/--mode/);
  });
});

describe("the probes never print the password", () => {
  let attacker: MockServer;
  beforeAll(async () => {
    // A server that echoes the password in its error, as a hostile one could: the probe must not pass it on.
    attacker = await startMockServer({
      accounts: [ACCOUNT],
      faults: {
        refuseLoginWith: { code: 1045, sqlState: "28000", message: `Access denied (you sent ${PASSWORD})` },
      },
    });
  });
  afterAll(() => attacker?.stop());

  it.each(PROBE_CLIENTS)("%s, not even when the server's error message carries it", async (client) => {
    const raw = await runProbeRaw(client, probeArgs({ ...target("DISABLED"), port: attacker.port }));
    expect(raw.code).toBe(PROBE_EXIT.notLoggedIn);
    expect(JSON.parse(raw.stdout)).toMatchObject({ loggedIn: false, errorCode: 1045 });
    expect(raw.stdout).toContain("Access denied (you sent ***)");
    expect(raw.stdout + raw.stderr).not.toContain(PASSWORD);
  });
});

/** Runs a probe with its driver out of reach, the way a machine without the Debian package would. */
const withoutDriver: Record<ProbeClient, () => Promise<ProcessResult>> = {
  // -S skips site, so Debian's dist-packages (where PyMySQL lives) is not on sys.path.
  pymysql: async () =>
    runProcess("/usr/bin/python3", [
      "-S",
      join(PROBES_DIR, "pymysql_probe.py"),
      ...probeArgs(target("DISABLED")),
    ]),
  // -n reads no php.ini, so the mysqli extension (loaded from conf.d) is absent.
  "php-mysqli": async () =>
    runProcess("php", ["-n", join(PROBES_DIR, "php_mysqli_probe.php"), ...probeArgs(target("DISABLED"))]),
  // The Go probe says so when it is built: build.sh finds no go compiler on this PATH.
  "go-sql-driver": async () =>
    runProcess("/bin/sh", [join(PROBES_DIR, "go-sql-driver", "build.sh"), "/nonexistent/probe"], {
      env: { PATH: "/nonexistent" },
    }),
};

describe.each(PROBE_CLIENTS)("without its driver, the %s probe", (client) => {
  it("exits 4 and says what to install", async () => {
    const raw = await withoutDriver[client]();
    expect(raw).toMatchObject({ code: PROBE_EXIT.driverMissing, stdout: "" });
    expect(raw.stderr).toMatch(/not installed|missing|not loaded/);
    expect(raw.stderr).toMatch(/install Debian's (python3-pymysql|php-mysql|golang-go)/);
  });
});

describe("the Go probe", () => {
  it("expresses PREFERRED with a client certificate not at all: tls=preferred is a reserved name", async () => {
    const raw = await runProbeRaw(
      "go-sql-driver",
      probeArgs({ ...target("PREFERRED"), certFile: caFile, keyFile: caFile }),
    );
    expect(raw).toMatchObject({ code: PROBE_EXIT.modeNotExpressible, stdout: "" });
    expect(raw.stderr).toContain("reserved");
  });
});
