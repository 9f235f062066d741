import { join } from "node:path";
import type { SslMode } from "../scenarios/scenario-schema";
import { shellQuote } from "./command-template";

/**
 * Clients the audit knows by name, so `--client pymysql` needs no template. Most presets run a
 * probe program shipped in the package's `probes/` folder with the user's installed driver; the
 * probe spells each ssl-mode in the driver's own options (its header comment cites the driver's
 * docs and source for each mapping) and follows one contract:
 * exit 0 logged in and ran `SELECT 1`, 1 not logged in, 2 `SELECT 1` failed,
 * {@link PROBE_EXIT.modeNotExpressible} the driver cannot express the mode (nothing was sent),
 * {@link PROBE_EXIT.driverMissing} the driver or its runtime is not installed (stderr says what to
 * install), 64 bad arguments. Every probe also has a `--batch` mode (one JSON job a line on stdin,
 * one JSON result a line out) so a test suite runs a whole matrix in one process.
 */

/** The probe contract's exit codes that are not a login result. */
export const PROBE_EXIT = { modeNotExpressible: 3, driverMissing: 4 } as const;

/** What a preset needs on the machine that runs the audit. */
export interface PresetNeeds {
  /** The language runtime or program, e.g. `php-cli 8.x`. */
  runtime: string;
  /** The driver, as its own ecosystem names it, e.g. `PyMySQL (pip install PyMySQL)`. */
  driver: string;
  /** Debian 12 packages that provide both, where Debian packages them. */
  debian: readonly string[];
}

/** A client the audit can run by name. */
export interface ClientPreset {
  name: string;
  /** One line: which client, which language. */
  description: string;
  needs: PresetNeeds;
  /** The command template (see command-template.ts) for one mode, over TCP or a Unix socket. */
  template(mode: SslMode, overSocket: boolean): string;
  /**
   * Whether the command follows the probe contract above, so its exit codes
   * {@link PROBE_EXIT.modeNotExpressible} and {@link PROBE_EXIT.driverMissing} make a not-run or
   * error cell with the probe's own words instead of a judged one.
   */
  probe: boolean;
}

/** The probe folder: `probes/` next to `src/` or `dist/` (this file is two levels below either). */
export const PROBES_DIR = join(__dirname, "..", "..", "probes");

/**
 * Debian's `mariadb` 10.11 client. It has no --ssl-mode: `--ssl` is on by default (PREFERRED
 * behaviour), so the closest spelling of REQUIRED is `--ssl`, and only `--ssl-verify-server-cert`
 * makes TLS mandatory and checks the host (see docs/discoveries.md for how it deviates).
 */
export function mariadbCliSslFlags(mode: SslMode, caFile: string): string[] {
  switch (mode) {
    case "DISABLED":
      return ["--skip-ssl"];
    case "PREFERRED":
      return [];
    case "REQUIRED":
      return ["--ssl"];
    case "VERIFY_CA":
      return ["--ssl", `--ssl-ca=${caFile}`];
    case "VERIFY_IDENTITY":
      return [`--ssl-ca=${caFile}`, "--ssl-verify-server-cert"];
  }
}

const mariadbCli: ClientPreset = {
  name: "mariadb-cli",
  description: "the mariadb / mysql command-line client",
  needs: { runtime: "mariadb (or mysql) command-line client", driver: "-", debian: ["mariadb-client"] },
  probe: false,
  template: (mode, overSocket) =>
    [
      "mariadb --no-defaults",
      overSocket ? "--protocol=SOCKET --socket={socket}" : "--protocol=TCP -h {host} -P {port}",
      "-u {user} -p{password} --connect-timeout=10 --batch",
      ...mariadbCliSslFlags(mode, "{ca}"),
      "-e 'SELECT 1'",
    ].join(" "),
};

/** The probe's arguments: where, as whom, which mode, which CA (the probes take the same flags). */
function probeArguments(overSocket: boolean): string {
  return [
    overSocket ? "--socket {socket}" : "--host {host} --port {port}",
    "--user {user} --password {password} --mode {mode} --ca {ca}",
  ].join(" ");
}

/** A preset running `command` (already quoted) followed by the probe arguments. */
function probePreset(
  name: string,
  description: string,
  needs: PresetNeeds,
  command: (probes: (file: string) => string) => string,
): ClientPreset {
  const probes = (file: string) => shellQuote(join(PROBES_DIR, file));
  return {
    name,
    description,
    needs,
    probe: true,
    template: (_mode, overSocket) => `${command(probes)} ${probeArguments(overSocket)}`,
  };
}

/**
 * The Python the probes run with: `python3` on PATH, or MYSQL_TLS_MOCK_PYTHON (Debian's modules
 * live in /usr/bin/python3's path, which a pyenv or venv `python3` does not see).
 */
const PYTHON = '"${MYSQL_TLS_MOCK_PYTHON:-python3}"';
/** The PHP, Java, Ruby and Perl binaries, overridable the same way. */
const PHP = '"${MYSQL_TLS_MOCK_PHP:-php}"';
const NODE = '"${MYSQL_TLS_MOCK_NODE:-node}"';
const JAVA = '"${MYSQL_TLS_MOCK_JAVA:-java}"';
const RUBY = '"${MYSQL_TLS_MOCK_RUBY:-ruby}"';
const PERL = '"${MYSQL_TLS_MOCK_PERL:-perl}"';
/** Connector/J's jar: Debian's, unless MYSQL_TLS_MOCK_JDBC_JAR names another. */
const JDBC_JAR = '"${MYSQL_TLS_MOCK_JDBC_JAR:-/usr/share/java/mariadb-java-client.jar}"';

const perlPreset = (driver: "MariaDB" | "mysql", debian: string) =>
  probePreset(
    `perl-dbd-${driver.toLowerCase()}`,
    `Perl DBI with DBD::${driver}`,
    { runtime: "Perl 5 with DBI", driver: `DBD::${driver} (cpan DBD::${driver})`, debian: [debian] },
    (probes) => `${PERL} ${probes("perl_dbi_probe.pl")} --driver ${driver}`,
  );

const nodePreset = (driver: "mysql2" | "mysql" | "mariadb", description: string) =>
  probePreset(
    `node-${driver}`,
    description,
    {
      runtime: "Node.js >= 20",
      driver: `${driver} (npm install ${driver}, in the directory the audit runs from)`,
      debian: ["nodejs"],
    },
    (probes) => `${NODE} ${probes("node_probe.js")} --driver ${driver}`,
  );

/** Every preset, in the order `--list-presets` shows them. */
export const PRESET_LIST: readonly ClientPreset[] = [
  mariadbCli,
  probePreset(
    "pymysql",
    "PyMySQL (Python, pure)",
    { runtime: "Python 3", driver: "PyMySQL (pip install PyMySQL)", debian: ["python3-pymysql"] },
    (probes) => `${PYTHON} ${probes("pymysql_probe.py")}`,
  ),
  probePreset(
    "mysqlclient",
    "mysqlclient / MySQLdb (Python, on libmysqlclient or MariaDB Connector/C)",
    { runtime: "Python 3", driver: "mysqlclient (pip install mysqlclient)", debian: ["python3-mysqldb"] },
    (probes) => `${PYTHON} ${probes("mysqlclient_probe.py")}`,
  ),
  probePreset(
    "php-mysqli",
    "PHP mysqli (mysqlnd)",
    { runtime: "php-cli 8", driver: "the mysqli extension", debian: ["php-cli", "php-mysql"] },
    (probes) => `${PHP} ${probes("php_mysqli_probe.php")}`,
  ),
  probePreset(
    "go-sql-driver",
    "Go go-sql-driver/mysql (built on first use with the local Go toolchain)",
    {
      runtime: "Go (go build)",
      driver: "github.com/go-sql-driver/mysql (Debian's packaged source; built offline)",
      debian: ["golang-go", "golang-github-go-sql-driver-mysql-dev"],
    },
    (probes) => `/bin/sh ${probes("go-sql-driver/run.sh")}`,
  ),
  probePreset(
    "php-pdo",
    "PHP PDO (pdo_mysql on mysqlnd)",
    { runtime: "php-cli 8", driver: "the pdo_mysql extension", debian: ["php-cli", "php-mysql"] },
    (probes) => `${PHP} ${probes("php_pdo_probe.php")}`,
  ),
  probePreset(
    "jdbc-mariadb",
    "Java JDBC with MariaDB Connector/J (run as a single source file: JDK 11 or later)",
    {
      runtime: "a JDK >= 11 (java runs the probe's source)",
      driver: "MariaDB Connector/J (its jar at MYSQL_TLS_MOCK_JDBC_JAR)",
      debian: ["default-jdk-headless", "libmariadb-java"],
    },
    (probes) => `${JAVA} -cp ${JDBC_JAR} ${probes("jdbc/MariadbJdbcProbe.java")}`,
  ),
  probePreset(
    "ruby-mysql2",
    "Ruby mysql2 gem",
    { runtime: "Ruby", driver: "mysql2 (gem install mysql2)", debian: ["ruby", "ruby-mysql2"] },
    (probes) => `${RUBY} ${probes("ruby_mysql2_probe.rb")}`,
  ),
  perlPreset("MariaDB", "libdbd-mariadb-perl"),
  perlPreset("mysql", "libdbd-mysql-perl"),
  nodePreset("mysql2", "Node mysql2"),
  nodePreset("mysql", "Node mysql (mysqljs)"),
  nodePreset("mariadb", "Node mariadb (MariaDB Connector/Node.js)"),
  // A replica is a client of its source: a throw-away mariadbd pointed at the mock with CHANGE
  // MASTER TO (the probe's header maps each mode onto MASTER_SSL / MASTER_SSL_CA /
  // MASTER_SSL_VERIFY_SERVER_CERT; REQUIRED and Unix sockets are not expressible).
  probePreset(
    "mariadb-replica",
    "a MariaDB 10.11 replica (mariadbd, CHANGE MASTER TO … MASTER_SSL…) with the mock as its source",
    {
      runtime: "Node.js >= 20",
      driver: "MariaDB server (mariadbd, mariadb-install-db and the mariadb client on PATH or in /usr/sbin)",
      debian: ["nodejs", "mariadb-server"],
    },
    (probes) => `${NODE} ${probes("mariadb_replica_probe.js")}`,
  ),
];

/** The presets by the name `--client` takes. */
export const CLIENT_PRESETS: Readonly<Record<string, ClientPreset>> = Object.fromEntries(
  PRESET_LIST.map((preset) => [preset.name, preset]),
);
