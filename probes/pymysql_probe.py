#!/usr/bin/python3
"""Connects with PyMySQL in one MySQL ssl-mode, runs SELECT 1, and prints one JSON line.

Written for Debian 12's python3-pymysql 1.0.2 (run it with /usr/bin/python3, which has Debian's
modules). Usage:

    pymysql_probe.py --host H --port P --user U --password PW --mode MODE --ca FILE
                     [--cert FILE --key FILE] [--socket PATH] [--query SQL]

stdout: {"loggedIn": bool, "queried": bool, "error": str|null, "errorCode": int|str|null,
         "value": str|null}
--query runs SQL instead of SELECT 1 (any result counts as queried); "value" is the first column of
its first row, as text (null when there was none).
Exit codes: 0 logged in and queried; 1 not logged in; 2 logged in, SELECT 1 failed;
3 the mode cannot be expressed with this driver; 4 PyMySQL is not installed; 64 bad arguments.
The password is never printed.

How the ssl-modes map onto PyMySQL (pymysql/connections.py, Connection.__init__ and
_create_ssl_ctx, 1.0.2 as installed in /usr/lib/python3/dist-packages):

- DISABLED: ssl_disabled=True. No `ssl`, so CLIENT_SSL is never set (connections.py:266-285).
- PREFERRED: ssl={"verify_mode": False, "check_hostname": False}: an ssl.SSLContext that checks
  nothing (_create_ssl_ctx, connections.py:362-374). PyMySQL starts TLS only when the greeting
  offers CLIENT_SSL (`if self.ssl and self.server_capabilities & CLIENT.SSL`,
  connections.py:846) and otherwise goes on in plaintext: PREFERRED. One quirk: `ssl` puts
  CLIENT_SSL in self.client_flag (connections.py:284), and that flag goes unmasked into the full
  HandshakeResponse41 (connections.py:842-843) even when no TLS was started; MySQL 5.7/8.0 then
  answer 1043 "Bad handshake", MariaDB masks the bit and logs the client in in plaintext.
- REQUIRED: the same options as PREFERRED. PyMySQL has no way to make TLS mandatory: every
  `ssl`/`ssl_*` option is advisory when the greeting lacks CLIENT_SSL (connections.py:846), so
  this is the closest spelling, and it downgrades like PREFERRED.
- VERIFY_CA: ssl_ca=FILE, ssl_verify_cert=True, ssl_verify_identity=False -> CERT_REQUIRED
  against that CA, check_hostname False (connections.py:268-275, 369-374). Advisory like REQUIRED.
- VERIFY_IDENTITY: ssl_ca=FILE, ssl_verify_cert=True, ssl_verify_identity=True -> also
  check_hostname, against the host PyMySQL was given (wrap_socket(server_hostname=self.host),
  connections.py:849; "localhost" over a Unix socket). Advisory like REQUIRED.

PyMySQL can express every mode in the sense above, so this probe never exits 3 (the code is kept
for the common probe contract).
"""

import argparse
import json
import sys

EXIT_OK = 0
EXIT_NOT_LOGGED_IN = 1
EXIT_QUERY_FAILED = 2
EXIT_MODE_NOT_EXPRESSIBLE = 3
EXIT_DRIVER_MISSING = 4
EXIT_USAGE = 64

MODES = ("DISABLED", "PREFERRED", "REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY")
CONNECT_TIMEOUT_S = 10


class UsageParser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        print(f"pymysql_probe: {message}", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def parse_args():
    parser = UsageParser(description="PyMySQL ssl-mode probe")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3306)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", default="")
    parser.add_argument("--mode", required=True, choices=MODES)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--socket")
    parser.add_argument("--query")
    args = parser.parse_args()
    if (args.cert is None) != (args.key is None):
        parser.error("--cert and --key go together")
    return args


def ssl_options(args):
    """The keyword arguments that spell args.mode for PyMySQL (see the module docstring)."""
    client_cert = {"ssl_cert": args.cert, "ssl_key": args.key} if args.cert else {}
    if args.mode == "DISABLED":
        return {"ssl_disabled": True}
    if args.mode in ("PREFERRED", "REQUIRED"):
        ssl = {"verify_mode": False, "check_hostname": False}
        if args.cert:
            ssl.update({"cert": args.cert, "key": args.key})
        return {"ssl": ssl}
    return {
        "ssl_ca": args.ca,
        "ssl_verify_cert": True,
        "ssl_verify_identity": args.mode == "VERIFY_IDENTITY",
        **client_cert,
    }


def one_line(text, password):
    line = " ".join(part.strip() for part in str(text).splitlines() if part.strip())
    # A driver message should never carry the password; make sure this probe cannot print it.
    return line.replace(password, "***") if password else line


def describe(error, password, mysql_error):
    """The error as one line, and its MySQL error number (or the exception class when it has none)."""
    code = None
    args = getattr(error, "args", ())
    if isinstance(error, mysql_error) and len(args) >= 2 and isinstance(args[0], int):
        code = args[0]
        message = f"{args[0]}: {args[1]}"
    else:
        message = f"{type(error).__name__}: {error}"
    if code is None:
        code = type(error).__name__
    return one_line(message, password), code


def close_quietly(connection):
    try:
        connection.close()
    except Exception:  # the server may already have dropped the connection
        pass


def report(logged_in, queried, error, code, value=None):
    line = {"loggedIn": logged_in, "queried": queried, "error": error, "errorCode": code, "value": value}
    print(json.dumps(line), flush=True)


def main():
    args = parse_args()
    try:
        import pymysql
    except ImportError as error:
        print(
            f"pymysql_probe: PyMySQL is not installed ({error}); "
            "install Debian's python3-pymysql and run with /usr/bin/python3",
            file=sys.stderr,
        )
        return EXIT_DRIVER_MISSING

    where = {"unix_socket": args.socket} if args.socket else {"host": args.host, "port": args.port}
    try:
        connection = pymysql.connect(
            user=args.user,
            password=args.password,
            connect_timeout=CONNECT_TIMEOUT_S,
            read_timeout=CONNECT_TIMEOUT_S,
            **where,
            **ssl_options(args),
        )
    except Exception as error:  # every failure to log in is a result, not a crash
        report(False, False, *describe(error, args.password, pymysql.err.MySQLError))
        return EXIT_NOT_LOGGED_IN

    try:
        with connection.cursor() as cursor:
            cursor.execute(args.query or "SELECT 1")
            rows = cursor.fetchall()
        if args.query is None and rows != ((1,),):
            raise ValueError(f"SELECT 1 returned {rows!r}")
        value = None if not rows or rows[0][0] is None else str(rows[0][0])
    except Exception as error:
        report(True, False, *describe(error, args.password, pymysql.err.MySQLError))
        return EXIT_QUERY_FAILED
    finally:
        close_quietly(connection)
    report(True, True, None, None, value)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
