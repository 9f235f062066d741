// Command go-sql-driver-probe connects with go-sql-driver/mysql in one MySQL ssl-mode, runs
// SELECT 1, and prints one JSON line.
//
// Written for Debian 12's golang-go 1.19 and golang-github-go-sql-driver-mysql-dev 1.5.0, built
// offline against the packaged source (build.sh beside this file does it):
//
//	CGO_ENABLED=0 GO111MODULE=off GOPATH=/usr/share/gocode go build -o PROBE main.go
//
// Usage:
//
//	PROBE --host H --port P --user U --password PW --mode MODE --ca FILE
//	      [--cert FILE --key FILE] [--socket PATH]
//
// stdout: {"loggedIn": bool, "queried": bool, "error": string|null, "errorCode": int|string|null}
// Exit codes: 0 logged in and queried; 1 not logged in; 2 logged in, SELECT 1 failed; 3 the mode
// cannot be expressed with this driver; 4 the driver is not installed (build.sh); 64 bad
// arguments. The password is never printed.
//
// How the ssl-modes map onto the driver's `tls` parameter (README "tls": "true enables TLS / SSL
// encrypted connection to the server. Use skip-verify if you want to use a self-signed or invalid
// certificate (server side) or use preferred to use TLS only when advertised by the server";
// source under /usr/share/gocode/src/github.com/go-sql-driver/mysql, 1.5.0):
//
//   - DISABLED: tls=false. No tls.Config, so no CLIENT_SSL and no SSLRequest (packets.go:295, 353).
//   - PREFERRED: tls=preferred: InsecureSkipVerify (dsn.go:127-128), and when the greeting lacks
//     CLIENT_SSL the driver drops its tls.Config and goes on in plaintext (packets.go:225-227).
//     It cannot carry a client certificate ("preferred" is a reserved name, utils.go:59-60), so
//     PREFERRED with --cert exits 3.
//   - REQUIRED: tls=skip-verify (dsn.go:127-128), or, with --cert, a registered tls.Config with
//     InsecureSkipVerify and the certificate. Any name but "preferred" fails with ErrNoTLS before
//     writing anything when the greeting lacks CLIENT_SSL (packets.go:225-230).
//   - VERIFY_CA: a registered tls.Config with InsecureSkipVerify (so crypto/tls checks nothing by
//     itself) and a VerifyPeerCertificate that verifies the chain against the CA with
//     x509.Certificate.Verify and no DNSName: the chain, validity and server-auth usage, not the
//     host. crypto/tls calls it inside the handshake and sends a bad_certificate alert when it
//     fails (crypto/tls handshake_client.go, verifyServerCertificate).
//   - VERIFY_IDENTITY: a registered tls.Config with RootCAs = the CA and ServerName = the host
//     (what dsn.go:136-141 would fill in; "localhost" over a Unix socket, where the address has no
//     host): crypto/tls checks the chain and the name.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

const (
	exitOK                 = 0
	exitNotLoggedIn        = 1
	exitQueryFailed        = 2
	exitModeNotExpressible = 3
	exitUsage              = 64

	connectTimeout = 10 * time.Second
	// The name the probe registers its tls.Config under; any name but the reserved ones.
	customTLS = "probe"
)

type options struct {
	host, user, password, mode, ca, cert, key, socket string
	port                                              int
}

type result struct {
	LoggedIn  bool        `json:"loggedIn"`
	Queried   bool        `json:"queried"`
	Error     *string     `json:"error"`
	ErrorCode interface{} `json:"errorCode"`
}

func parseArgs() options {
	var o options
	fs := flag.NewFlagSet("go-sql-driver-probe", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	fs.StringVar(&o.host, "host", "127.0.0.1", "host")
	fs.IntVar(&o.port, "port", 3306, "TCP port")
	fs.StringVar(&o.user, "user", "", "user (required)")
	fs.StringVar(&o.password, "password", "", "password")
	fs.StringVar(&o.mode, "mode", "", "DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY (required)")
	fs.StringVar(&o.ca, "ca", "", "CA file (required)")
	fs.StringVar(&o.cert, "cert", "", "client certificate file")
	fs.StringVar(&o.key, "key", "", "client key file")
	fs.StringVar(&o.socket, "socket", "", "Unix socket instead of TCP")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(exitUsage)
	}
	usage := func(message string) {
		fmt.Fprintf(os.Stderr, "go-sql-driver-probe: %s\n", message)
		fs.Usage()
		os.Exit(exitUsage)
	}
	if o.user == "" || o.mode == "" || o.ca == "" {
		usage("--user, --mode and --ca are required")
	}
	switch o.mode {
	case "DISABLED", "PREFERRED", "REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY":
	default:
		usage("unknown --mode " + o.mode)
	}
	if (o.cert == "") != (o.key == "") {
		usage("--cert and --key go together")
	}
	return o
}

func notExpressible(mode, why string) {
	fmt.Fprintf(os.Stderr, "go-sql-driver-probe: %s cannot be expressed with go-sql-driver/mysql: %s\n", mode, why)
	os.Exit(exitModeNotExpressible)
}

// verifyChainOnly checks what VERIFY_CA checks: the chain up to roots, the validity dates and the
// server-auth key usage, but no host name.
func verifyChainOnly(roots *x509.CertPool) func([][]byte, [][]*x509.Certificate) error {
	return func(raw [][]byte, _ [][]*x509.Certificate) error {
		if len(raw) == 0 {
			return errors.New("the server sent no certificate")
		}
		intermediates := x509.NewCertPool()
		var leaf *x509.Certificate
		for i, der := range raw {
			certificate, err := x509.ParseCertificate(der)
			if err != nil {
				return err
			}
			if i == 0 {
				leaf = certificate
			} else {
				intermediates.AddCert(certificate)
			}
		}
		_, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: intermediates})
		return err
	}
}

// tlsParameter returns the `tls` value that spells the mode, registering a tls.Config when the
// built-in names cannot carry what the mode needs.
func tlsParameter(o options) (string, error) {
	if o.mode == "PREFERRED" && o.cert != "" {
		notExpressible(o.mode, `"preferred" is a reserved name that carries no client certificate (utils.go:59-60)`)
	}
	var certificates []tls.Certificate
	if o.cert != "" {
		pair, err := tls.LoadX509KeyPair(o.cert, o.key)
		if err != nil {
			return "", err
		}
		certificates = []tls.Certificate{pair}
	}
	roots := func() (*x509.CertPool, error) {
		pem, err := os.ReadFile(o.ca)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("no certificate in %s", o.ca)
		}
		return pool, nil
	}
	register := func(config *tls.Config) (string, error) {
		config.Certificates = certificates
		return customTLS, mysql.RegisterTLSConfig(customTLS, config)
	}
	switch o.mode {
	case "DISABLED":
		return "false", nil
	case "PREFERRED":
		return "preferred", nil
	case "REQUIRED":
		if o.cert == "" {
			return "skip-verify", nil
		}
		return register(&tls.Config{InsecureSkipVerify: true})
	case "VERIFY_CA":
		pool, err := roots()
		if err != nil {
			return "", err
		}
		return register(&tls.Config{InsecureSkipVerify: true, VerifyPeerCertificate: verifyChainOnly(pool)})
	default: // VERIFY_IDENTITY
		pool, err := roots()
		if err != nil {
			return "", err
		}
		serverName := o.host
		if o.socket != "" {
			serverName = "localhost"
		}
		return register(&tls.Config{RootCAs: pool, ServerName: serverName})
	}
}

// describe turns an error into one line and a code: the MySQL error number when the server (or
// the driver, for its own errors) gave one, else the error's Go type.
func describe(err error, password string) (string, interface{}) {
	message := strings.Join(strings.Fields(err.Error()), " ")
	if password != "" {
		// A driver message should never carry the password; make sure this probe cannot print it.
		message = strings.ReplaceAll(message, password, "***")
	}
	var mysqlError *mysql.MySQLError
	if errors.As(err, &mysqlError) {
		return message, int(mysqlError.Number)
	}
	for name, sentinel := range driverErrors {
		if errors.Is(err, sentinel) {
			return message, name
		}
	}
	return message, fmt.Sprintf("%T", err)
}

// driverErrors names the driver's own errors (errors.go), which carry no number.
var driverErrors = map[string]error{
	"ErrNoTLS":             mysql.ErrNoTLS,
	"ErrCleartextPassword": mysql.ErrCleartextPassword,
	"ErrNativePassword":    mysql.ErrNativePassword,
	"ErrOldPassword":       mysql.ErrOldPassword,
	"ErrUnknownPlugin":     mysql.ErrUnknownPlugin,
	"ErrOldProtocol":       mysql.ErrOldProtocol,
	"ErrMalformPkt":        mysql.ErrMalformPkt,
	"ErrInvalidConn":       mysql.ErrInvalidConn,
	"ErrPktSync":           mysql.ErrPktSync,
	"ErrPktSyncMul":        mysql.ErrPktSyncMul,
	"ErrBadConn":           driver.ErrBadConn,
}

func report(r result) {
	line, _ := json.Marshal(r)
	fmt.Println(string(line))
}

func failure(loggedIn bool, err error, password string) result {
	message, code := describe(err, password)
	return result{LoggedIn: loggedIn, Error: &message, ErrorCode: code}
}

func run(o options) (result, int) {
	parameter, err := tlsParameter(o)
	if err != nil {
		return failure(false, err, o.password), exitNotLoggedIn
	}
	config := mysql.NewConfig()
	config.User = o.user
	config.Passwd = o.password
	if o.socket != "" {
		config.Net, config.Addr = "unix", o.socket
	} else {
		config.Net, config.Addr = "tcp", net.JoinHostPort(o.host, strconv.Itoa(o.port))
	}
	config.TLSConfig = parameter
	config.Timeout = connectTimeout
	config.ReadTimeout = connectTimeout
	config.WriteTimeout = connectTimeout
	connector, err := mysql.NewConnector(config)
	if err != nil {
		return failure(false, err, o.password), exitNotLoggedIn
	}

	// The connector, not database/sql: sql.DB retries a connect that fails with ErrBadConn on a
	// new connection, and each probe run must make exactly one.
	ctx, cancel := context.WithTimeout(context.Background(), 2*connectTimeout)
	defer cancel()
	conn, err := connector.Connect(ctx)
	if err != nil {
		return failure(false, err, o.password), exitNotLoggedIn
	}
	defer conn.Close()

	queryer, ok := conn.(driver.QueryerContext)
	if !ok {
		return failure(true, errors.New("the driver's connection cannot run a query"), o.password), exitQueryFailed
	}
	rows, err := queryer.QueryContext(ctx, "SELECT 1", nil)
	if err != nil {
		return failure(true, err, o.password), exitQueryFailed
	}
	defer rows.Close()
	values := make([]driver.Value, len(rows.Columns()))
	if err := rows.Next(values); err != nil {
		return failure(true, fmt.Errorf("SELECT 1 returned no row: %w", err), o.password), exitQueryFailed
	}
	if len(values) != 1 || fmt.Sprintf("%s", values[0]) != "1" {
		return failure(true, fmt.Errorf("SELECT 1 returned %v", values), o.password), exitQueryFailed
	}
	if err := rows.Next(values); err != io.EOF {
		return failure(true, fmt.Errorf("SELECT 1 returned more than one row (%v)", err), o.password), exitQueryFailed
	}
	return result{LoggedIn: true, Queried: true}, exitOK
}

func main() {
	o := parseArgs()
	r, code := run(o)
	report(r)
	os.Exit(code)
}
