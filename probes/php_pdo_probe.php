<?php
/**
 * Connects with PHP's PDO (pdo_mysql on mysqlnd) in one MySQL ssl-mode, runs SELECT 1, and prints
 * one JSON line. Written for Debian 12's php-cli + php-mysql 8.2. Usage:
 *
 *   php php_pdo_probe.php --host H --port P --user U --password PW --mode MODE --ca FILE
 *                         [--cert FILE --key FILE] [--socket PATH]
 *   php php_pdo_probe.php --batch   (one JSON job a line on stdin, one JSON result a line out)
 *
 * A job: {"host","port","socket","user","password","mode","ca","cert","key"}; a result:
 * {"loggedIn","queried","error","errorCode","notExpressible"}. Exit codes (one-shot): 0 logged in
 * and queried; 1 not logged in; 2 SELECT 1 failed; 3 the mode cannot be expressed with PDO; 4
 * pdo_mysql is not installed; 64 bad arguments. The password is never printed.
 *
 * How the ssl-modes map (PHP manual, "MySQL Functions (PDO_MYSQL)": PDO::MYSQL_ATTR_SSL_CA,
 * _SSL_CERT, _SSL_KEY, _SSL_VERIFY_SERVER_CERT; php-src PHP-8.2 ext/pdo_mysql/mysql_driver.c,
 * which hands them to mysqlnd as mysql_ssl_set() and MYSQLND_OPT_SSL_VERIFY_SERVER_CERT, and
 * ext/mysqlnd as for mysqli, see php_mysqli_probe.php):
 *
 * - DISABLED: no SSL attribute: mysqlnd never asks for TLS.
 * - PREFERRED: cannot be expressed. Any SSL attribute makes mysqlnd set CLIENT_SSL and give up
 *   when the greeting lacks it (mysqlnd_commands.c, enable_ssl); without one it never starts TLS.
 * - REQUIRED: MYSQL_ATTR_SSL_CA and MYSQL_ATTR_SSL_VERIFY_SERVER_CERT false: TLS mandatory, the
 *   stream's verify_peer and verify_peer_name off (mysqlnd_vio.c, enable_ssl).
 * - VERIFY_CA: cannot be expressed: mysqlnd sets verify_peer and verify_peer_name from the one
 *   verify value, and PDO has no peer_name option.
 * - VERIFY_IDENTITY: MYSQL_ATTR_SSL_CA and MYSQL_ATTR_SSL_VERIFY_SERVER_CERT true: the chain and
 *   the host connected to.
 */

const EXIT_OK = 0;
const EXIT_NOT_LOGGED_IN = 1;
const EXIT_QUERY_FAILED = 2;
const EXIT_MODE_NOT_EXPRESSIBLE = 3;
const EXIT_DRIVER_MISSING = 4;
const EXIT_USAGE = 64;
const MODES = ['DISABLED', 'PREFERRED', 'REQUIRED', 'VERIFY_CA', 'VERIFY_IDENTITY'];
const CONNECT_TIMEOUT_S = 10;
const NOT_EXPRESSIBLE = [
    'PREFERRED' => 'PDO (mysqlnd) has no "TLS if offered": any SSL attribute makes TLS mandatory',
    'VERIFY_CA' => 'mysqlnd checks the chain only together with the host name (one verify flag)',
];

ini_set('display_errors', 'stderr');
$warnings = [];
set_error_handler(function (int $level, string $message) use (&$warnings): bool {
    $warnings[] = $message;
    return true;
});

function fail_usage(string $message): never
{
    fwrite(STDERR, "php_pdo_probe: $message\n");
    fwrite(STDERR, "usage: php_pdo_probe.php (--batch | --host H --port P --user U --password PW --mode MODE --ca FILE [--cert FILE --key FILE] [--socket PATH])\n");
    exit(EXIT_USAGE);
}

function parse_args(array $argv): array
{
    $args = ['host' => '127.0.0.1', 'port' => '3306', 'password' => '', 'batch' => false];
    for ($i = 1; $i < count($argv); $i++) {
        $flag = $argv[$i];
        if ($flag === '--batch') { $args['batch'] = true; continue; }
        if (!preg_match('/^--(host|port|user|password|mode|ca|cert|key|socket)$/', $flag, $m) || $i + 1 >= count($argv)) {
            fail_usage("bad argument $flag");
        }
        $args[$m[1]] = $argv[++$i];
    }
    if (!$args['batch']) {
        if (!isset($args['mode'])) fail_usage('--mode is required');
        if (!in_array($args['mode'], MODES, true)) fail_usage('--mode must be one of ' . implode(', ', MODES));
        if (!isset($args['user'], $args['ca'])) fail_usage('--user and --ca are required');
        if (isset($args['cert']) !== isset($args['key'])) fail_usage('--cert and --key go together');
    }
    return $args;
}

function one_line(string $text, string $password): string
{
    $line = trim(preg_replace('/\s*\n\s*/', ' ', $text));
    return $password === '' ? $line : str_replace($password, '***', $line);
}

function result(bool $loggedIn, bool $queried, ?string $error = null, $code = null, ?string $notExpressible = null): array
{
    return ['loggedIn' => $loggedIn, 'queried' => $queried, 'error' => $error, 'errorCode' => $code, 'notExpressible' => $notExpressible];
}

function failure(bool $loggedIn, Throwable $error, string $password): array
{
    global $warnings;
    $info = $error instanceof PDOException ? $error->errorInfo : null;
    $code = is_array($info) && isset($info[1]) ? $info[1] : ($error->getCode() ?: get_class($error));
    if (is_string($code) && preg_match('/^\d+$/', $code)) $code = (int) $code;
    $message = implode(' ', array_merge([$error->getMessage()], $warnings));
    return result($loggedIn, false, one_line($message, $password), $code);
}

function run_job(array $job): array
{
    global $warnings;
    $warnings = [];
    $mode = $job['mode'];
    if (isset(NOT_EXPRESSIBLE[$mode])) return result(false, false, null, null, NOT_EXPRESSIBLE[$mode]);
    $password = (string) ($job['password'] ?? '');
    $dsn = !empty($job['socket'])
        ? "mysql:unix_socket={$job['socket']}"
        : "mysql:host={$job['host']};port={$job['port']}";
    $options = [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION, PDO::ATTR_TIMEOUT => CONNECT_TIMEOUT_S];
    if ($mode !== 'DISABLED') {
        $options[PDO::MYSQL_ATTR_SSL_CA] = $job['ca'];
        $options[PDO::MYSQL_ATTR_SSL_VERIFY_SERVER_CERT] = $mode === 'VERIFY_IDENTITY';
        if (!empty($job['cert'])) {
            $options[PDO::MYSQL_ATTR_SSL_CERT] = $job['cert'];
            $options[PDO::MYSQL_ATTR_SSL_KEY] = $job['key'];
        }
    }
    try {
        $pdo = new PDO($dsn, $job['user'], $password, $options);
    } catch (Throwable $error) {
        return failure(false, $error, $password);
    }
    try {
        $rows = $pdo->query('SELECT 1')->fetchAll(PDO::FETCH_NUM);
        if ($rows !== [[1]] && $rows !== [['1']]) throw new RuntimeException('SELECT 1 returned ' . json_encode($rows));
    } catch (Throwable $error) {
        return failure(true, $error, $password);
    } finally {
        $pdo = null;
    }
    return result(true, true);
}

$args = parse_args($argv);
if (!extension_loaded('pdo_mysql')) {
    fwrite(STDERR, "php_pdo_probe: the pdo_mysql extension is not loaded; install Debian's php-mysql (with php-cli)\n");
    exit(EXIT_DRIVER_MISSING);
}
if ($args['batch']) {
    while (($line = fgets(STDIN)) !== false) {
        if (trim($line) === '') continue;
        $job = json_decode($line, true);
        echo json_encode(is_array($job) ? run_job($job) : result(false, false, 'bad job', 'usage')), "\n";
        fflush(STDOUT);
    }
    exit(EXIT_OK);
}
$answer = run_job($args);
if ($answer['notExpressible'] !== null) {
    fwrite(STDERR, "php_pdo_probe: {$args['mode']} cannot be expressed with PDO: {$answer['notExpressible']}\n");
    exit(EXIT_MODE_NOT_EXPRESSIBLE);
}
unset($answer['notExpressible']);
echo json_encode($answer), "\n";
exit($answer['queried'] ? EXIT_OK : ($answer['loggedIn'] ? EXIT_QUERY_FAILED : EXIT_NOT_LOGGED_IN));
