// Package example is a go test suite that drives mysql-tls-mock's control API
// (docs/control-api.openapi.json) and go-sql-driver/mysql, and asserts on the records the API
// hands back.
//
// Written for Debian 12's golang-go 1.19 and golang-github-go-sql-driver-mysql-dev 1.5.0, built
// offline against the packaged source; from a clone, after `npm ci`:
//
//	CGO_ENABLED=0 GO111MODULE=off GOPATH=/usr/share/gocode go test ./examples/go/...
package example

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// The mock's address and account, set by TestMain.
var (
	controlURL string
	mysqlPort  int
	user       string
)

// The default account's password (`serve --password`).
const password = "root"

// `serve` prints this on stderr once the control API listens; with --control-port 0 it is the only
// place the chosen port is told.
var controlLine = regexp.MustCompile(`^control API on (http://\S+)$`)

// TestMain starts `mysql-tls-mock serve` with its control API on free ports, runs the tests and
// stops it.
func TestMain(m *testing.M) {
	os.Exit(runWithMock(m))
}

func runWithMock(m *testing.M) int {
	_, here, _, _ := runtime.Caller(0)
	repo := filepath.Join(filepath.Dir(here), "..", "..")
	serve := exec.Command("node", filepath.Join(repo, "bin", "mysql-tls-mock.js"),
		"serve", "--port", "0", "--control-port", "0")
	serve.Dir = repo
	// Without the caller's MYSQL_TLS_MOCK_* variables, which would configure `serve` too.
	serve.Env = []string{"NO_COLOR=1"}
	for _, variable := range os.Environ() {
		if !strings.HasPrefix(variable, "MYSQL_TLS_MOCK_") {
			serve.Env = append(serve.Env, variable)
		}
	}
	stderr, err := serve.StderrPipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := serve.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "cannot start serve:", err)
		return 1
	}
	defer func() {
		_ = serve.Process.Signal(os.Interrupt)
		_ = serve.Wait()
	}()
	lines := bufio.NewScanner(stderr)
	var seen []string
	for controlURL == "" && lines.Scan() {
		seen = append(seen, lines.Text())
		if match := controlLine.FindStringSubmatch(lines.Text()); match != nil {
			controlURL = match[1]
		}
	}
	if controlURL == "" {
		fmt.Fprintf(os.Stderr, "serve exited before its control API listened:\n%s\n", strings.Join(seen, "\n"))
		return 1
	}
	// Keep reading stderr so a full pipe never blocks the server.
	go func() { _, _ = io.Copy(io.Discard, stderr) }()

	var health struct {
		Port int `json:"port"`
	}
	var accounts struct {
		Accounts []struct {
			User string `json:"user"`
		} `json:"accounts"`
	}
	if err := call("GET", "/health", nil, &health); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := call("GET", "/accounts", nil, &accounts); err != nil || len(accounts.Accounts) == 0 {
		fmt.Fprintln(os.Stderr, "no account:", err)
		return 1
	}
	mysqlPort, user = health.Port, accounts.Accounts[0].User
	return m.Run()
}

// call sends one request to the control API and decodes its JSON answer into out (when not nil).
func call(method, path string, body interface{}, out interface{}) error {
	var reader io.Reader
	if body != nil {
		encoded, err := json.Marshal(body)
		if err != nil {
			return err
		}
		reader = strings.NewReader(string(encoded))
	}
	request, err := http.NewRequest(method, controlURL+path, reader)
	if err != nil {
		return err
	}
	response, err := http.DefaultClient.Do(request)
	if err != nil {
		return err
	}
	defer response.Body.Close()
	text, err := io.ReadAll(response.Body)
	if err != nil {
		return err
	}
	if response.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s: %s", method, path, response.Status, text)
	}
	if out == nil {
		return nil
	}
	if raw, ok := out.(*[]byte); ok {
		*raw = text
		return nil
	}
	return json.Unmarshal(text, out)
}

// record is the part of a connection record these tests read (src/record/connection-record.ts).
type record struct {
	ID       int     `json:"id"`
	User     *string `json:"user"`
	Greeting struct {
		TLSOffered bool `json:"tlsOffered"`
	} `json:"greeting"`
	SSLRequest             bool `json:"sslRequest"`
	CredentialsInPlaintext bool `json:"credentialsInPlaintext"`
	TLS                    *struct {
		Outcome string `json:"outcome"`
	} `json:"tls"`
	Outcome struct {
		Kind string `json:"kind"`
	} `json:"outcome"`
	Verdict struct {
		Kind string `json:"kind"`
	} `json:"verdict"`
	Commands []struct {
		Query string `json:"query"`
	} `json:"commands"`
}

// useScenario serves the named scenario to new connections and forgets earlier records.
func useScenario(t *testing.T, name string) {
	t.Helper()
	if err := call("PUT", "/scenario", map[string]string{"name": name}, nil); err != nil {
		t.Fatal(err)
	}
	if err := call("DELETE", "/connections", nil, nil); err != nil {
		t.Fatal(err)
	}
}

// nextRecord waits (long-poll) for the first finished connection record.
func nextRecord(t *testing.T) record {
	t.Helper()
	var answer struct {
		Connections []record `json:"connections"`
	}
	if err := call("GET", "/connections?after=0&wait=10000", nil, &answer); err != nil {
		t.Fatal(err)
	}
	if len(answer.Connections) == 0 {
		t.Fatal("no connection was recorded")
	}
	return answer.Connections[0]
}

// caPEM is the CA a correctly configured client trusts for the scenario being served.
func caPEM(t *testing.T) []byte {
	t.Helper()
	var pem []byte
	if err := call("GET", "/ca.pem", nil, &pem); err != nil {
		t.Fatal(err)
	}
	return pem
}
