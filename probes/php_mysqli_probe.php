<?php
/**
 * Connects with PHP's mysqli in one MySQL ssl-mode, runs SELECT 1, and prints one JSON line.
 *
 * Written for Debian 12's php-cli + php-mysql 8.2 (mysqli on mysqlnd). Usage:
 *
 *   php php_mysqli_probe.php --host H --port P --user U --password PW --mode MODE --ca FILE
 *                            [--cert FILE --key FILE] [--socket PATH]
 *
 * stdout: {"loggedIn": bool, "queried": bool, "error": string|null, "errorCode": int|string|null}
 * Exit codes: 0 logged in and queried; 1 not logged in; 2 logged in, SELECT 1 failed;
 * 3 the mode cannot be expressed with mysqli; 4 mysqli is not installed; 64 bad arguments.
 * The password is never printed.
 *
 * How the ssl-modes map onto mysqli (PHP manual: mysqli::real_connect flags MYSQLI_CLIENT_SSL and
 * MYSQLI_CLIENT_SSL_DONT_VERIFY_SERVER_CERT, mysqli::ssl_set, mysqli::options
 * MYSQLI_OPT_SSL_VERIFY_SERVER_CERT; php-src PHP-8.2 ext/mysqlnd):
 *
 * - DISABLED: no MYSQLI_CLIENT_SSL. mysqlnd never asks for TLS without it.
 * - PREFERRED: cannot be expressed. With MYSQLI_CLIENT_SSL, mysqlnd gives up when the greeting
 *   lacks CLIENT_SSL (mysqlnd_commands.c, mysqlnd_command::enable_ssl: `if (server_has_ssl ==
 *   FALSE) goto close_conn;`, error 2006), and without it mysqlnd never starts TLS: there is no
 *   "TLS if offered". Exit 3.
 * - REQUIRED: MYSQLI_CLIENT_SSL | MYSQLI_CLIENT_SSL_DONT_VERIFY_SERVER_CERT, no CA: TLS is
 *   mandatory (enable_ssl above) and mysqlnd_vio::enable_ssl sets the stream's verify_peer and
 *   verify_peer_name to false (and allow_self_signed) for MYSQLND_SSL_PEER_DONT_VERIFY.
 * - VERIFY_CA: cannot be expressed. mysqlnd_vio::enable_ssl (mysqlnd_vio.c) sets the stream
 *   context's verify_peer AND verify_peer_name from the one ssl_verify_peer value, and mysqli
 *   offers no peer_name option: the chain is never checked without the host name. Exit 3.
 * - VERIFY_IDENTITY: ssl_set(key, cert, ca) + MYSQLI_OPT_SSL_VERIFY_SERVER_CERT true +
 *   MYSQLI_CLIENT_SSL: verify_peer and verify_peer_name against the host connected to (PHP's
 *   OpenSSL stream layer: the URL's host, an IP literal matched against the certificate's IP SANs).
 */

const EXIT_OK = 0;
const EXIT_NOT_LOGGED_IN = 1;
const EXIT_QUERY_FAILED = 2;
const EXIT_MODE_NOT_EXPRESSIBLE = 3;
const EXIT_DRIVER_MISSING = 4;
const EXIT_USAGE = 64;

const MODES = ['DISABLED', 'PREFERRED', 'REQUIRED', 'VERIFY_CA', 'VERIFY_IDENTITY'];
const CONNECT_TIMEOUT_S = 10;

// Warnings go to stderr (never into the JSON line on stdout); the ones raised while connecting
// (OpenSSL's reason, a peer-name mismatch) are kept and joined to the error message.
ini_set('display_errors', 'stderr');
$warnings = [];
set_error_handler(function (int $level, string $message) use (&$warnings): bool {
    $warnings[] = $message;
    return true;
});

function fail_usage(string $message): never
{
    fwrite(STDERR, "php_mysqli_probe: $message\n");
    fwrite(STDERR, "usage: php_mysqli_probe.php --host H --port P --user U --password PW --mode MODE --ca FILE [--cert FILE --key FILE] [--socket PATH]\n");
    exit(EXIT_USAGE);
}

function not_expressible(string $mode, string $why): never
{
    fwrite(STDERR, "php_mysqli_probe: $mode cannot be expressed with mysqli: $why\n");
    exit(EXIT_MODE_NOT_EXPRESSIBLE);
}

$args = getopt('', ['host:', 'port:', 'user:', 'password:', 'mode:', 'ca:', 'cert:', 'key:', 'socket:']);
if ($args === false) fail_usage('cannot read the arguments');
foreach (['user', 'mode', 'ca'] as $required) {
    if (!isset($args[$required]) || is_array($args[$required])) fail_usage("--$required is required (once)");
}
$mode = $args['mode'];
if (!in_array($mode, MODES, true)) fail_usage("--mode must be one of " . implode(', ', MODES));
if (isset($args['cert']) !== isset($args['key'])) fail_usage('--cert and --key go together');
$host = $args['host'] ?? '127.0.0.1';
$port = (int) ($args['port'] ?? 3306);
$password = $args['password'] ?? '';
$socket = $args['socket'] ?? null;

if ($mode === 'PREFERRED') {
    not_expressible($mode, 'with MYSQLI_CLIENT_SSL mysqlnd closes the connection when the greeting lacks CLIENT_SSL (mysqlnd_command::enable_ssl), and without it never starts TLS');
}
if ($mode === 'VERIFY_CA') {
    not_expressible($mode, 'mysqlnd sets verify_peer and verify_peer_name together (mysqlnd_vio::enable_ssl), so the chain is never checked without the host name');
}

if (!extension_loaded('mysqli')) {
    fwrite(STDERR, "php_mysqli_probe: the mysqli extension is not loaded; install Debian's php-mysql\n");
    exit(EXIT_DRIVER_MISSING);
}

function one_line(string $text, string $password): string
{
    $line = trim(preg_replace('/\s+/', ' ', $text));
    // A driver message should never carry the password; make sure this probe cannot print it.
    return $password === '' ? $line : str_replace($password, '***', $line);
}

function report(bool $loggedIn, bool $queried, ?string $error, int|string|null $code): void
{
    echo json_encode(['loggedIn' => $loggedIn, 'queried' => $queried, 'error' => $error, 'errorCode' => $code], JSON_UNESCAPED_SLASHES), "\n";
}

function describe(Throwable $error, array $warnings, string $password): array
{
    $code = $error instanceof mysqli_sql_exception ? $error->getCode() : get_class($error);
    $message = ($error instanceof mysqli_sql_exception ? $error->getCode() . ': ' : get_class($error) . ': ')
        . $error->getMessage();
    foreach (array_unique($warnings) as $warning) $message .= " [$warning]";
    return [one_line($message, $password), $code];
}

mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
$mysqli = mysqli_init();
$mysqli->options(MYSQLI_OPT_CONNECT_TIMEOUT, CONNECT_TIMEOUT_S);
$mysqli->options(MYSQLI_OPT_READ_TIMEOUT, CONNECT_TIMEOUT_S);

$flags = 0;
if ($mode === 'REQUIRED') {
    $flags = MYSQLI_CLIENT_SSL | MYSQLI_CLIENT_SSL_DONT_VERIFY_SERVER_CERT;
    if (isset($args['cert'])) $mysqli->ssl_set($args['key'], $args['cert'], null, null, null);
} elseif ($mode === 'VERIFY_IDENTITY') {
    $mysqli->ssl_set($args['key'] ?? null, $args['cert'] ?? null, $args['ca'], null, null);
    $mysqli->options(MYSQLI_OPT_SSL_VERIFY_SERVER_CERT, true);
    $flags = MYSQLI_CLIENT_SSL;
}

try {
    // mysqlnd takes the Unix socket when the host is "localhost".
    $mysqli->real_connect($socket === null ? $host : 'localhost', $args['user'], $password, null, $port, $socket, $flags);
} catch (Throwable $error) {
    report(false, false, ...describe($error, $warnings, $password));
    exit(EXIT_NOT_LOGGED_IN);
}

try {
    $result = $mysqli->query('SELECT 1');
    $rows = $result->fetch_all(MYSQLI_NUM);
    if ($rows !== [['1']] && $rows !== [[1]]) throw new UnexpectedValueException('SELECT 1 returned ' . json_encode($rows));
} catch (Throwable $error) {
    report(true, false, ...describe($error, $warnings, $password));
    exit(EXIT_QUERY_FAILED);
} finally {
    try {
        $mysqli->close();
    } catch (Throwable) {
        // the server may already have dropped the connection
    }
}
report(true, true, null, null);
exit(EXIT_OK);
