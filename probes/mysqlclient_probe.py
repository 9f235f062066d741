#!/usr/bin/python3
"""Connects with mysqlclient (MySQLdb) in one MySQL ssl-mode, runs SELECT 1, prints one JSON line.

Written for Debian 12's python3-mysqldb 1.4.6, built on MariaDB Connector/C 3.3 (libmariadb3);
run it with /usr/bin/python3. Usage:

    mysqlclient_probe.py --host H --port P --user U --password PW --mode MODE --ca FILE
                         [--cert FILE --key FILE] [--socket PATH]
    mysqlclient_probe.py --batch    (one JSON job a line on stdin, one JSON result a line out)

A job: {"host","port","socket","user","password","mode","ca","cert","key"}; a result:
{"loggedIn","queried","error","errorCode","notExpressible"}. Exit codes (one-shot): 0 logged in and
queried; 1 not logged in; 2 SELECT 1 failed; 3 the mode cannot be expressed; 4 MySQLdb is not
installed; 64 bad arguments. The password is never printed.

How the ssl-modes map (MySQLdb/connections.py `ssl` and `client_flag`, _mysql.c
_mysql_ConnectionObject_Initialize -> mysql_ssl_set(); MariaDB Connector/C 3.3
libmariadb/mariadb_lib.c and plugins/auth/my_auth.c). mysqlclient 1.4.6 has no `ssl_mode`; what
TLS does is what Connector/C does with mysql_ssl_set() and CLIENT_SSL_VERIFY_SERVER_CERT:

- DISABLED: no `ssl`: Connector/C never asks for TLS.
- PREFERRED: ssl={"cipher": "DEFAULT"}: mysql_ssl_set() turns Connector/C's use_ssl on, which
  Connector/C 3.3 treats as "TLS when the greeting offers CLIENT_SSL" (the same library as the
  mariadb CLI's advisory --ssl). No CA: given one, Connector/C verifies the chain (observed: a
  self-signed server certificate is refused with 2026), which PREFERRED must not.
- REQUIRED: cannot be expressed. Nothing in mysqlclient 1.4.6 makes Connector/C's TLS mandatory
  without verifying the certificate. Exit 3.
- VERIFY_CA: ssl={"ca": FILE}: the chain is verified against the CA, the host name is not
  (observed: a certificate for another host is accepted). TLS stays advisory, as with the mariadb
  CLI's --ssl --ssl-ca: a server without CLIENT_SSL gets the login in plaintext.
- VERIFY_IDENTITY: cannot be expressed either. mysqlclient 1.4.6 has no keyword for
  MYSQL_OPT_SSL_VERIFY_SERVER_CERT; client_flag=CLIENT_SSL_VERIFY_SERVER_CERT (1 << 30) and
  `ssl-verify-server-cert` in a read_default_file were both tried against a server whose
  certificate names another host and against one without TLS, and both logged in. Exit 3.
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
NOT_EXPRESSIBLE = {
    "REQUIRED": "mysqlclient on Connector/C has no mandatory TLS without certificate verification "
    "(mysql_ssl_set is advisory)",
    "VERIFY_IDENTITY": "mysqlclient 1.4.6 has no option that turns on Connector/C's server "
    "certificate verification",
}


class UsageParser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        print(f"mysqlclient_probe: {message}", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def parse_args():
    parser = UsageParser(description="mysqlclient ssl-mode probe")
    parser.add_argument("--batch", action="store_true")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3306)
    parser.add_argument("--user")
    parser.add_argument("--password", default="")
    parser.add_argument("--mode", choices=MODES)
    parser.add_argument("--ca")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--socket")
    args = parser.parse_args()
    if not args.batch:
        if args.mode is None:
            parser.error("--mode is required")
        if args.user is None or args.ca is None:
            parser.error("--user and --ca are required")
    if (args.cert is None) != (args.key is None):
        parser.error("--cert and --key go together")
    return args


def ssl_options(job):
    mode = job["mode"]
    cert = {"cert": job["cert"], "key": job["key"]} if job.get("cert") else {}
    if mode == "DISABLED":
        return {}
    if mode == "PREFERRED":
        return {"ssl": {"cipher": "DEFAULT", **cert}}
    if mode == "VERIFY_CA":
        return {"ssl": {"ca": job["ca"], **cert}}
    raise ValueError(f"no spelling for {mode}")


def one_line(text, password):
    line = " ".join(part.strip() for part in str(text).splitlines() if part.strip())
    return line.replace(password, "***") if password else line


def describe(error, password):
    args = getattr(error, "args", ())
    if len(args) >= 2 and isinstance(args[0], int):
        return one_line(f"{args[0]}: {args[1]}", password), args[0]
    return one_line(f"{type(error).__name__}: {error}", password), type(error).__name__


def result(logged_in, queried, error=None, code=None, not_expressible=None):
    return {"loggedIn": logged_in, "queried": queried, "error": error, "errorCode": code,
            "notExpressible": not_expressible}


def run_job(MySQLdb, job):
    if job["mode"] in NOT_EXPRESSIBLE:
        return result(False, False, not_expressible=NOT_EXPRESSIBLE[job["mode"]])
    password = job.get("password") or ""
    where = ({"unix_socket": job["socket"]} if job.get("socket")
             else {"host": job.get("host") or "127.0.0.1", "port": int(job.get("port") or 3306)})
    try:
        connection = MySQLdb.connect(user=job["user"], passwd=password, connect_timeout=CONNECT_TIMEOUT_S,
                                     read_timeout=CONNECT_TIMEOUT_S, **where, **ssl_options(job))
    except Exception as error:  # every failure to log in is a result
        return result(False, False, *describe(error, password))
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT 1")
        rows = cursor.fetchall()
        if rows != ((1,),):
            raise ValueError(f"SELECT 1 returned {rows!r}")
    except Exception as error:
        return result(True, False, *describe(error, password))
    finally:
        try:
            connection.close()
        except Exception:  # the server may have dropped it
            pass
    return result(True, True)


def main():
    args = parse_args()
    try:
        import MySQLdb
    except ImportError as error:
        print(f"mysqlclient_probe: mysqlclient (MySQLdb) is not installed ({error}); "
              "install Debian's python3-mysqldb and run with /usr/bin/python3", file=sys.stderr)
        return EXIT_DRIVER_MISSING
    if args.batch:
        for line in sys.stdin:
            if not line.strip():
                continue
            print(json.dumps(run_job(MySQLdb, json.loads(line))), flush=True)
        return EXIT_OK
    answer = run_job(MySQLdb, vars(args))
    if answer["notExpressible"]:
        print(f"mysqlclient_probe: {args.mode} cannot be expressed with mysqlclient: "
              f"{answer['notExpressible']}", file=sys.stderr)
        return EXIT_MODE_NOT_EXPRESSIBLE
    del answer["notExpressible"]
    print(json.dumps(answer), flush=True)
    return EXIT_OK if answer["queried"] else EXIT_QUERY_FAILED if answer["loggedIn"] else EXIT_NOT_LOGGED_IN


if __name__ == "__main__":
    sys.exit(main())
