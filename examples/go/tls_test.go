package example

import (
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"errors"
	"fmt"
	"testing"

	"github.com/go-sql-driver/mysql"
)

// How the ssl-modes (MySQL 5.7 manual 4.2.3, --ssl-mode) map onto the driver's `tls` parameter is
// explained in probes/go-sql-driver/main.go: PREFERRED is tls=preferred (encrypt when offered,
// verify nothing, plaintext when the greeting lacks CLIENT_SSL); VERIFY_IDENTITY is a registered
// tls.Config with the CA as RootCAs and the host as ServerName.

const host = "127.0.0.1"

// login opens a connection with the given `tls` parameter and runs SELECT 1.
func login(tlsParameter string) error {
	dsn := fmt.Sprintf("%s:%s@tcp(%s:%d)/?tls=%s&timeout=10s", user, password, host, mysqlPort, tlsParameter)
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var one int
	return db.QueryRow("SELECT 1").Scan(&one)
}

// verifyIdentity registers a tls.Config that checks the chain against the served CA and the host
// name, and returns its name.
func verifyIdentity(t *testing.T) string {
	t.Helper()
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM(t)) {
		t.Fatal("GET /ca.pem held no certificate")
	}
	const name = "verify-identity"
	if err := mysql.RegisterTLSConfig(name, &tls.Config{RootCAs: roots, ServerName: host}); err != nil {
		t.Fatal(err)
	}
	return name
}

func TestPreferredAgainstAStrippedGreetingExposesCredentials(t *testing.T) {
	useScenario(t, "strip-backronym")

	if err := login("preferred"); err != nil {
		t.Fatalf("PREFERRED should fall back to plaintext and log in: %v", err)
	}

	got := nextRecord(t)
	if got.Greeting.TLSOffered || got.SSLRequest {
		t.Errorf("greeting offered TLS %v, client sent SSLRequest %v; want neither", got.Greeting.TLSOffered, got.SSLRequest)
	}
	if !got.CredentialsInPlaintext {
		t.Error("credentialsInPlaintext is false; the scramble reply crossed without TLS")
	}
	if got.Verdict.Kind != "plaintext-fallback" {
		t.Errorf("verdict %q, want plaintext-fallback", got.Verdict.Kind)
	}
}

func TestVerifyIdentityAgainstTheRightCALogsInOverTLS(t *testing.T) {
	useScenario(t, "mysql-5.7.41-good-ca")

	if err := login(verifyIdentity(t)); err != nil {
		t.Fatalf("VERIFY_IDENTITY against the served CA should log in: %v", err)
	}

	got := nextRecord(t)
	if got.TLS == nil || got.TLS.Outcome != "negotiated" {
		t.Errorf("tls %+v, want negotiated", got.TLS)
	}
	if got.CredentialsInPlaintext {
		t.Error("credentialsInPlaintext is true; every credential should be inside TLS")
	}
	if got.Outcome.Kind != "authenticated" || got.Verdict.Kind != "tls" {
		t.Errorf("outcome %q, verdict %q; want authenticated, tls", got.Outcome.Kind, got.Verdict.Kind)
	}
	queried := false
	for _, command := range got.Commands {
		queried = queried || command.Query == "SELECT 1"
	}
	if !queried {
		t.Errorf("commands %+v hold no SELECT 1", got.Commands)
	}
}

func TestVerifyIdentityRefusesAWrongHostCertificateBeforeCredentials(t *testing.T) {
	useScenario(t, "cert-wrong-host")

	err := login(verifyIdentity(t))
	var hostname x509.HostnameError
	if !errors.As(err, &hostname) {
		t.Fatalf("want an x509.HostnameError, got %v", err)
	}

	got := nextRecord(t)
	if got.User != nil || got.CredentialsInPlaintext {
		t.Errorf("user %v, credentialsInPlaintext %v; want no login sent", got.User, got.CredentialsInPlaintext)
	}
	if got.Verdict.Kind != "tls-verified-refused" {
		t.Errorf("verdict %q, want tls-verified-refused", got.Verdict.Kind)
	}
}

func TestPreferredAcceptsAWrongHostCertificateAndLogsIn(t *testing.T) {
	// PREFERRED encrypts but checks nothing, so the certificate VERIFY_IDENTITY refuses is accepted.
	useScenario(t, "cert-wrong-host")

	if err := login("preferred"); err != nil {
		t.Fatalf("PREFERRED should log in: %v", err)
	}

	got := nextRecord(t)
	if got.TLS == nil || got.TLS.Outcome != "negotiated" || got.Outcome.Kind != "authenticated" {
		t.Errorf("tls %+v, outcome %q; want negotiated, authenticated", got.TLS, got.Outcome.Kind)
	}
	if got.Verdict.Kind != "accepted-bad-certificate" {
		t.Errorf("verdict %q, want accepted-bad-certificate", got.Verdict.Kind)
	}
}
