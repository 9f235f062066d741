import type { CertificateSetName } from "../../src/certs";

/**
 * What each real client should do with each certificate-catalogue set, and — where a client does something else — what
 * it really does and why. `certificate-catalogue.test.ts` drives the clients and asserts the table.
 *
 * Observed with Debian 12's mariadb-client 10.11.19 (libmariadb on the system OpenSSL 3.0, whose Debian build defaults
 * to security level 2), mysql2 3.24.6 on Node 20 (Node's bundled OpenSSL 3.0, security level 1), the system
 * `openssl s_client`, the reference verifier, and the probes in probes/: PyMySQL 1.0.2 on Python 3.11's ssl module
 * (system OpenSSL), PHP 8.2 mysqli (mysqlnd on PHP's OpenSSL streams, system OpenSSL) and go-sql-driver/mysql 1.5.0
 * on Go 1.19's crypto/tls.
 */

export type Client = "mariadb-cli" | "mysql2" | "openssl" | "pymysql" | "php-mysqli" | "go-sql-driver";

export const CLIENTS: readonly Client[] = [
  "mariadb-cli",
  "mysql2",
  "openssl",
  "pymysql",
  "php-mysqli",
  "go-sql-driver",
];

/**
 * How a client checks the server certificate. `verify-ca`: the chain only (MySQL's VERIFY_CA). `verify-identity-ip`:
 * chain and the address 127.0.0.1 the client connects to. `verify-identity-name`: chain and the name `localhost`
 * (MySQL's VERIFY_IDENTITY).
 */
export type ServerCheckMode = "verify-ca" | "verify-identity-ip" | "verify-identity-name";

export const SERVER_CHECK_MODES: readonly ServerCheckMode[] = [
  "verify-ca",
  "verify-identity-ip",
  "verify-identity-name",
];

/**
 * The modes each client can be run in. PHP's mysqli has only `verify-identity-ip`: mysqlnd sets the stream's
 * verify_peer and verify_peer_name together (mysqlnd_vio.c, mysqlnd_vio::enable_ssl), so it never checks the chain
 * alone, and it takes the host name "localhost" to mean the Unix socket, so it cannot reach localhost over TCP.
 */
export const CLIENT_CHECK_MODES: Record<Client, readonly ServerCheckMode[]> = {
  "mariadb-cli": SERVER_CHECK_MODES,
  mysql2: SERVER_CHECK_MODES,
  openssl: SERVER_CHECK_MODES,
  pymysql: SERVER_CHECK_MODES,
  "php-mysqli": ["verify-identity-ip"],
  "go-sql-driver": SERVER_CHECK_MODES,
};

export type Verdict = "accept" | "reject";

/** What a correct client does in one mode. */
export type ModeExpectation =
  | { expected: "accept"; reason: string }
  /** `check`: which verification refuses — the chain (validity, issuer, key, signature) or the host/IP match. */
  | { expected: "reject"; check: "chain" | "host"; reason: string };

/** A client that does not do what a correct client does: the test asserts `observed` and names `expected`. */
export interface Deviation {
  client: Client;
  modes: readonly ServerCheckMode[];
  observed: Verdict;
  /** Which check refuses, when a client rejects what a correct client accepts. */
  check?: "chain" | "host";
  deviation: string;
}

/** A client that does something else with a set's client certificate than present it. */
export interface ClientCertificateDeviation {
  client: Client;
  /** `not-presented`: the client sends no certificate and logs in on its password alone. */
  observed: "not-presented";
  deviation: string;
}

/**
 * How a chain failure reads: OpenSSL's X509 verify error as the mariadb CLI and `s_client` print it, Node's (mysql2)
 * where it differs, and the TLS alert OpenSSL sends for it.
 */
export interface ChainFailure {
  verifyError: string;
  nodeVerifyError?: string;
  alert: "certificate_expired" | "bad_certificate" | "unknown_ca";
}

export interface SetExpectation {
  /** The server certificate, checked by every client in every {@link ServerCheckMode}. */
  serverCertificate?: {
    /** Set when some mode rejects the chain. */
    chainFailure?: ChainFailure;
    modes: Record<ServerCheckMode, ModeExpectation>;
    deviations?: readonly Deviation[];
  };
  /** The set's client certificate, presented by each client (which also verifies the server, in `verify-ca`). */
  clientCertificate?: {
    expected: "let-in" | "dropped";
    reason: string;
    deviations?: readonly ClientCertificateDeviation[];
  };
}

const everyMode = (expectation: ModeExpectation): Record<ServerCheckMode, ModeExpectation> => ({
  "verify-ca": expectation,
  "verify-identity-ip": expectation,
  "verify-identity-name": expectation,
});

const chainOkHostWrong = (why: string): Record<ServerCheckMode, ModeExpectation> => ({
  "verify-ca": { expected: "accept", reason: "the chain is valid and VERIFY_CA checks no name" },
  "verify-identity-ip": { expected: "reject", check: "host", reason: why },
  "verify-identity-name": { expected: "reject", check: "host", reason: why },
});

const MYSQL_CN =
  "its only name is the CN MySQL_Server_5.7.41_Auto_Generated_Server_Certificate, no SAN (sql/auth/sql_authentication.cc, X509_gen)";

/** The alert OpenSSL sends for a host-name or IP mismatch found inside the handshake (`s_client -verify_*`). */
export const HOST_MISMATCH_ALERT = "bad_certificate";

/**
 * When each client refuses, and so what the server records:
 * - `alert`: inside the handshake, with a TLS alert → `tls.outcome "failed"`, cause `cert-rejected`, the alert name.
 * - `after-handshake`: the handshake completes, then the client closes before its handshake response →
 *   `tls.outcome "negotiated"`, outcome `client-went-away` in phase `tls-handshake-response`.
 *
 * OpenSSL clients check the chain in the handshake's verify callback; libmariadb matches the host name after
 * `SSL_connect` returns (as libmysqlclient does, sql-common/client.c cli_establish_ssl), while `s_client -verify_hostname/-verify_ip` hands the
 * name to OpenSSL's verifier. Node checks everything after the handshake and never sends an alert. Python's ssl
 * module hands the host name to OpenSSL too (X509_VERIFY_PARAM_set1_host, since 3.7); PHP's OpenSSL streams
 * check the peer name after the handshake (ext/openssl/xp_ssl.c, php_openssl_apply_peer_verification_policy);
 * Go's crypto/tls checks chain and name in the handshake, as does the probe's VerifyPeerCertificate.
 */
export const REFUSAL_STAGE: Record<Client, Record<"chain" | "host", "alert" | "after-handshake">> = {
  "mariadb-cli": { chain: "alert", host: "after-handshake" },
  mysql2: { chain: "after-handshake", host: "after-handshake" },
  openssl: { chain: "alert", host: "alert" },
  pymysql: { chain: "alert", host: "alert" },
  "php-mysqli": { chain: "alert", host: "after-handshake" },
  "go-sql-driver": { chain: "alert", host: "alert" },
};

/**
 * Clients whose alert for a refused chain does not depend on the failure: Go's crypto/tls sends bad_certificate for
 * every verification error and for a failing VerifyPeerCertificate (crypto/tls/handshake_client.go:887, 904 in Go
 * 1.19), where OpenSSL maps each X509 error to its own alert.
 */
export const CHAIN_ALERT_OF_CLIENT: Partial<Record<Client, ChainFailure["alert"]>> = {
  "go-sql-driver": "bad_certificate",
};

export const EXPECTATIONS: Record<CertificateSetName, SetExpectation> = {
  "mysql-auto": {
    serverCertificate: { modes: chainOkHostWrong(MYSQL_CN) },
  },
  "mysql-auto-v1": {
    serverCertificate: {
      modes: {
        ...chainOkHostWrong(MYSQL_CN),
        "verify-ca": {
          expected: "accept",
          reason:
            "OpenSSL (and so Node) trusts a self-signed X.509 v1 certificate as a CA without extensions",
        },
      },
    },
  },
  "mysql-ssl-rsa-setup": {
    serverCertificate: { modes: chainOkHostWrong(MYSQL_CN) },
  },
  good: {
    serverCertificate: {
      modes: everyMode({
        expected: "accept",
        reason: "valid chain; SAN names localhost and 127.0.0.1",
      }),
    },
    clientCertificate: {
      expected: "let-in",
      reason: "the client certificate chains to the CA the server verifies with",
    },
  },
  expired: {
    serverCertificate: {
      chainFailure: { verifyError: "certificate has expired", alert: "certificate_expired" },
      modes: everyMode({ expected: "reject", check: "chain", reason: "notAfter is one day ago" }),
    },
  },
  "not-yet-valid": {
    serverCertificate: {
      // OpenSSL maps X509_V_ERR_CERT_NOT_YET_VALID to bad_certificate, not certificate_expired.
      chainFailure: { verifyError: "certificate is not yet valid", alert: "bad_certificate" },
      modes: everyMode({ expected: "reject", check: "chain", reason: "notBefore is 30 days ahead" }),
    },
  },
  "wrong-host": {
    serverCertificate: {
      modes: chainOkHostWrong("CN and SAN name wrong.example only"),
    },
  },
  "self-signed": {
    serverCertificate: {
      chainFailure: { verifyError: "self-signed certificate", alert: "unknown_ca" },
      modes: everyMode({
        expected: "reject",
        check: "chain",
        reason: "the leaf signs itself; the trusted CA never issued it",
      }),
    },
  },
  "untrusted-root": {
    serverCertificate: {
      chainFailure: {
        verifyError: "unable to get local issuer certificate",
        nodeVerifyError: "unable to verify the first certificate",
        alert: "unknown_ca",
      },
      modes: everyMode({
        expected: "reject",
        check: "chain",
        reason: "issued by a rogue CA the client does not trust",
      }),
    },
  },
  "cn-only": {
    serverCertificate: {
      modes: {
        "verify-ca": { expected: "accept", reason: "the chain is valid and VERIFY_CA checks no name" },
        "verify-identity-ip": {
          expected: "reject",
          check: "host",
          reason: "no SAN at all, and an IP address never matches a CN (X509_check_ip_asc, RFC 6125)",
        },
        "verify-identity-name": {
          expected: "accept",
          reason:
            "OpenSSL's X509_check_host and Node's checkServerIdentity fall back to the CN when there is no DNS SAN",
        },
      },
      deviations: [
        {
          client: "mysql2",
          modes: ["verify-identity-ip"],
          observed: "accept",
          deviation:
            "for an IP host mysql2 3.24.6 passes no servername, so Node checks the default name 'localhost' (matching the CN) instead of 127.0.0.1",
        },
        {
          client: "go-sql-driver",
          modes: ["verify-identity-name"],
          observed: "reject",
          check: "host",
          deviation:
            "Go 1.15+ crypto/x509 never falls back to the CN: 'x509: certificate relies on legacy Common Name field, use SANs instead' (crypto/x509/verify.go:104 in Go 1.19)",
        },
      ],
    },
  },
  "san-only": {
    serverCertificate: {
      modes: everyMode({
        expected: "accept",
        reason: "CN server.internal is ignored because the SAN names localhost and 127.0.0.1",
      }),
    },
  },
  "cn-injection": {
    serverCertificate: {
      modes: chainOkHostWrong(
        "CN is evil.example; /CN=localhost sits inside an OU, which only a one-line-DN scan accepts (CVE-2016-2047)",
      ),
    },
  },
  "sha1-signature": {
    serverCertificate: {
      chainFailure: { verifyError: "CA signature digest algorithm too weak", alert: "bad_certificate" },
      modes: everyMode({
        expected: "reject",
        check: "chain",
        reason: "OpenSSL 3 rates SHA-1 signatures below security level 1",
      }),
    },
  },
  "rsa-1024": {
    serverCertificate: {
      chainFailure: { verifyError: "EE certificate key too weak", alert: "bad_certificate" },
      modes: everyMode({
        expected: "reject",
        check: "chain",
        reason: "a 1024-bit RSA key (80-bit strength) is below OpenSSL's security level 2, Debian's default",
      }),
      deviations: [
        {
          client: "mysql2",
          modes: SERVER_CHECK_MODES,
          observed: "accept",
          deviation: "Node's bundled OpenSSL runs at security level 1, which allows 80-bit (RSA-1024) keys",
        },
        {
          client: "go-sql-driver",
          modes: SERVER_CHECK_MODES,
          observed: "accept",
          deviation: "Go 1.19's crypto/tls and crypto/x509 set no minimum RSA key size",
        },
      ],
    },
  },
  "incomplete-chain": {
    serverCertificate: {
      chainFailure: {
        verifyError: "unable to get local issuer certificate",
        nodeVerifyError: "unable to verify the first certificate",
        alert: "unknown_ca",
      },
      modes: everyMode({
        expected: "reject",
        check: "chain",
        reason: "the server does not send the intermediate, and the client trusts only the root",
      }),
    },
  },
  "ca-is-leaf": {
    serverCertificate: {
      chainFailure: {
        verifyError: "invalid CA certificate",
        nodeVerifyError: "unsuitable certificate purpose",
        alert: "unknown_ca",
      },
      modes: everyMode({
        expected: "reject",
        check: "chain",
        reason: "the issuing certificate says CA:FALSE",
      }),
    },
  },
  "client-untrusted": {
    clientCertificate: {
      expected: "dropped",
      reason: "the client certificate is issued by a CA the server does not trust",
      deviations: [
        {
          client: "go-sql-driver",
          observed: "not-presented",
          deviation:
            "Go's crypto/tls sends only a certificate issued by a CA the server's CertificateRequest names, else none (crypto/tls/handshake_client.go:990-998 in Go 1.19; RFC 5246 §7.4.6 SHOULD)",
        },
      ],
    },
  },
  "client-expired": {
    clientCertificate: {
      expected: "dropped",
      reason: "the client certificate expired one day ago",
    },
  },
};

/** The deviation of `client` in `mode` for `set`, if the table records one. */
export function deviationFor(
  set: CertificateSetName,
  client: Client,
  mode: ServerCheckMode,
): Deviation | undefined {
  return EXPECTATIONS[set].serverCertificate?.deviations?.find(
    (d) => d.client === client && d.modes.includes(mode),
  );
}
