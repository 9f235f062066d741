"""What PyMySQL does around TLS, told by the records the mock's control API hands back.

Each test serves a scenario over `PUT /scenario`, connects with PyMySQL configured as one
ssl-mode (MySQL 5.7 manual 4.2.3, --ssl-mode) and asserts on the record `GET /connections` returns.
"""

import ssl

import pymysql
import pytest

PASSWORD = "root"  # the default account's password (`serve --password`)


def connect(mock, host="127.0.0.1", **tls):
    return pymysql.connect(
        host=host, port=mock.mysql_port, user=mock.user, password=PASSWORD, connect_timeout=10, **tls
    )


# The ssl-modes in PyMySQL's terms, as probes/pymysql_probe.py maps them. PREFERRED: encrypt when the
# greeting offers TLS, verify nothing, and go on in plaintext when it does not (PyMySQL 1.0
# connections.py sends an SSLRequest only `if self.ssl and self.server_capabilities & CLIENT.SSL`).
PREFERRED = {"ssl": {"verify_mode": False, "check_hostname": False}}


def verify_identity(ca_file):
    """VERIFY_IDENTITY: the chain against `ca_file` and the host name."""
    return {"ssl_ca": ca_file, "ssl_verify_cert": True, "ssl_verify_identity": True}


def test_preferred_against_a_stripped_greeting_exposes_credentials(mock):
    mock.use_scenario("strip-backronym")

    connect(mock, **PREFERRED).close()

    record = mock.next_record()
    assert record["greeting"]["tlsOffered"] is False
    assert record["sslRequest"] is False
    assert record["credentialsInPlaintext"] is True
    assert record["verdict"]["kind"] == "plaintext-fallback"
    assert record["outcome"]["kind"] == "authenticated"


def test_verify_identity_against_the_right_ca_logs_in_over_tls(mock, ca_file):
    mock.use_scenario("mysql-5.7.41-good-ca")

    with connect(mock, **verify_identity(ca_file())) as connection:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")

    record = mock.next_record()
    assert record["tls"]["outcome"] == "negotiated"
    assert record["credentialsInPlaintext"] is False
    assert record["outcome"]["kind"] == "authenticated"
    assert record["verdict"]["kind"] == "tls"
    assert "SELECT 1" in [command.get("query") for command in record["commands"]]


def test_verify_identity_refuses_a_wrong_host_certificate_before_credentials(mock, ca_file):
    mock.use_scenario("cert-wrong-host")

    with pytest.raises(pymysql.err.OperationalError) as refused:
        connect(mock, **verify_identity(ca_file()))
    assert isinstance(refused.value.original_exception, ssl.SSLCertVerificationError)

    record = mock.next_record()
    assert record["user"] is None
    assert record["credentialsInPlaintext"] is False
    assert record["verdict"]["kind"] == "tls-verified-refused"


def test_preferred_accepts_a_wrong_host_certificate_and_logs_in(mock):
    # PREFERRED encrypts but checks nothing, so the same certificate VERIFY_IDENTITY refuses is
    # accepted: the record says the login went to a certificate a verifying client must refuse.
    mock.use_scenario("cert-wrong-host")

    connect(mock, **PREFERRED).close()

    record = mock.next_record()
    assert record["tls"]["outcome"] == "negotiated"
    assert record["outcome"]["kind"] == "authenticated"
    assert record["verdict"]["kind"] == "accepted-bad-certificate"
