// The connect-rate load generator of bench/load-generator.ts: CONCURRENCY goroutines log in over
// TLS again and again until LOGINS are done (TCP connect, greeting, SSLRequest, a full TLSv1.2
// handshake, HandshakeResponse41 with mysql_native_password, SELECT 1, COM_QUIT, close), then it
// prints the logins, the wall time and its own CPU time as one JSON line.
//
// Go's crypto/tls because a login must cost the client well below what it costs the server: with
// Debian 12's OpenSSL 3.0, libmariadb builds an SSL_CTX per connection and a libssl client still
// decodes the server's key through the provider look-ups of OSSL_DECODER_CTX_new_for_pkey, so both
// cost about as much CPU per login as the server they load. Standard library only: it builds
// offline with GO111MODULE=off.
//
// Usage: login-loop HOST PORT USER PASSWORD LOGINS CONCURRENCY [handshake]
//
// With "handshake" each iteration is only a TCP connect, a TLSv1.2 handshake and a close, for a
// bare TLS server: what a login costs a server beyond its TLS handshake is the difference.
package main

import (
	"crypto/sha1"
	"crypto/tls"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Capability flags, MySQL include/mysql_com.h.
const (
	clientLongPassword     = 0x1
	clientLongFlag         = 0x4
	clientProtocol41       = 0x200
	clientSSL              = 0x800
	clientTransactions     = 0x2000
	clientSecureConnection = 0x8000
	clientPluginAuth       = 0x80000
	capabilities           = clientLongPassword | clientLongFlag | clientProtocol41 | clientSSL |
		clientTransactions | clientSecureConnection | clientPluginAuth
	utf8mb4GeneralCI = 45
	maxPacket        = 16 << 20
)

type peer struct {
	conn io.ReadWriter
	seq  byte
}

func (p *peer) read() ([]byte, error) {
	var header [4]byte
	if _, err := io.ReadFull(p.conn, header[:]); err != nil {
		return nil, err
	}
	length := int(header[0]) | int(header[1])<<8 | int(header[2])<<16
	p.seq = header[3] + 1
	payload := make([]byte, length)
	_, err := io.ReadFull(p.conn, payload)
	return payload, err
}

func (p *peer) write(payload []byte) error {
	packet := make([]byte, 4+len(payload))
	packet[0], packet[1], packet[2], packet[3] = byte(len(payload)), byte(len(payload)>>8), byte(len(payload)>>16), p.seq
	p.seq++
	copy(packet[4:], payload)
	_, err := p.conn.Write(packet)
	return err
}

// mysql_native_password: SHA1(password) XOR SHA1(scramble + SHA1(SHA1(password))).
func nativeToken(scramble []byte, password string) []byte {
	stage1 := sha1.Sum([]byte(password))
	stage2 := sha1.Sum(stage1[:])
	hashed := sha1.Sum(append(append([]byte{}, scramble[:20]...), stage2[:]...))
	for i := range stage1 {
		stage1[i] ^= hashed[i]
	}
	return stage1[:]
}

// The 32 bytes an SSLRequest and a HandshakeResponse41 start with.
func responseHead() []byte {
	head := make([]byte, 32)
	binary.LittleEndian.PutUint32(head, capabilities)
	binary.LittleEndian.PutUint32(head[4:], maxPacket)
	head[8] = utf8mb4GeneralCI
	return head
}

type settings struct {
	address, user, password string
	config                  *tls.Config
	handshakeOnly           bool
}

// One bare TLS handshake (no MySQL protocol), closed with close_notify once it completes.
func handshake(s *settings) (string, error) {
	raw, err := net.Dial("tcp", s.address)
	if err != nil {
		return "", err
	}
	defer raw.Close()
	secure := tls.Client(raw, s.config)
	if err := secure.Handshake(); err != nil {
		return "", err
	}
	state := secure.ConnectionState()
	secure.Close()
	return describe(state), nil
}

func describe(state tls.ConnectionState) string {
	versions := map[uint16]string{tls.VersionTLS12: "TLSv1.2", tls.VersionTLS13: "TLSv1.3"}
	return versions[state.Version] + " " + tls.CipherSuiteName(state.CipherSuite)
}

// One login; returns the negotiated TLS version and cipher.
func login(s *settings) (string, error) {
	raw, err := net.Dial("tcp", s.address)
	if err != nil {
		return "", err
	}
	defer raw.Close()
	p := &peer{conn: raw}
	greeting, err := p.read()
	if err != nil || len(greeting) < 1 || greeting[0] != 10 {
		return "", errors.New("no protocol-10 greeting")
	}
	// Version NUL, thread id (4), scramble part 1 (8), filler, caps, charset, status, caps high,
	// scramble length, 10 reserved, scramble part 2 (12 + NUL), plugin name.
	at := 1
	for at < len(greeting) && greeting[at] != 0 {
		at++
	}
	at += 1 + 4
	if at+8+1+2+1+2+2+1+10+12 > len(greeting) {
		return "", errors.New("short greeting")
	}
	scramble := append([]byte{}, greeting[at:at+8]...)
	at += 8 + 1
	serverCaps := uint32(binary.LittleEndian.Uint16(greeting[at:]))
	at += 2 + 1 + 2
	serverCaps |= uint32(binary.LittleEndian.Uint16(greeting[at:])) << 16
	at += 2 + 1 + 10
	scramble = append(scramble, greeting[at:at+12]...)
	if serverCaps&clientSSL == 0 {
		return "", errors.New("the server offers no TLS")
	}
	if err := p.write(responseHead()); err != nil {
		return "", err
	}
	secure := tls.Client(raw, s.config)
	if err := secure.Handshake(); err != nil {
		return "", err
	}
	defer secure.Close()
	p.conn = secure
	response := append(responseHead(), append([]byte(s.user), 0)...)
	response = append(response, 20)
	response = append(response, nativeToken(scramble, s.password)...)
	response = append(response, append([]byte("mysql_native_password"), 0)...)
	if err := p.write(response); err != nil {
		return "", err
	}
	reply, err := p.read()
	if err == nil && len(reply) > 0 && reply[0] == 0xfe {
		// AuthSwitchRequest: plugin name NUL, then the new scramble.
		end := 1
		for end < len(reply) && reply[end] != 0 {
			end++
		}
		if string(reply[1:end]) != "mysql_native_password" || end+1+20 > len(reply) {
			return "", errors.New("switched to a plugin other than mysql_native_password")
		}
		if err := p.write(nativeToken(reply[end+1:end+21], s.password)); err != nil {
			return "", err
		}
		reply, err = p.read()
	}
	if err != nil || len(reply) < 1 || reply[0] != 0 {
		return "", fmt.Errorf("login refused: %v %q", err, reply)
	}
	p.seq = 0
	if err := p.write(append([]byte{0x03}, "SELECT 1"...)); err != nil {
		return "", err
	}
	// Column count, column definition, EOF, row, EOF (no CLIENT_DEPRECATE_EOF).
	for eofs := 0; eofs < 2; {
		packet, err := p.read()
		if err != nil || len(packet) < 1 || packet[0] == 0xff {
			return "", fmt.Errorf("SELECT 1 failed: %v", err)
		}
		if packet[0] == 0xfe && len(packet) < 9 {
			eofs++
		}
	}
	p.seq = 0
	if err := p.write([]byte{0x01}); err != nil {
		return "", err
	}
	return describe(secure.ConnectionState()), nil
}

func cpuMs() float64 {
	var usage syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &usage)
	return float64(usage.Utime.Nano()+usage.Stime.Nano()) / 1e6
}

func main() {
	if len(os.Args) != 7 && !(len(os.Args) == 8 && os.Args[7] == "handshake") {
		fmt.Fprintln(os.Stderr, "usage: login-loop HOST PORT USER PASSWORD LOGINS CONCURRENCY [handshake]")
		os.Exit(2)
	}
	wanted, _ := strconv.ParseInt(os.Args[5], 10, 64)
	concurrency, _ := strconv.Atoi(os.Args[6])
	s := &settings{
		address:  net.JoinHostPort(os.Args[1], os.Args[2]),
		user:     os.Args[3],
		password: os.Args[4],
		// TLSv1.2, as the mock serves by default, so both servers do the same handshake; no
		// session cache, so every login is a full handshake.
		config:        &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12},
		handshakeOnly: len(os.Args) == 8,
	}
	once := login
	if s.handshakeOnly {
		once = handshake
	}
	var next, done, failed int64
	var firstError atomic.Value
	var negotiated atomic.Value
	var group sync.WaitGroup
	cpu0, t0 := cpuMs(), time.Now()
	for i := 0; i < concurrency; i++ {
		group.Add(1)
		go func() {
			defer group.Done()
			for atomic.AddInt64(&next, 1) <= wanted {
				version, err := once(s)
				if err != nil {
					firstError.CompareAndSwap(nil, err.Error())
					atomic.AddInt64(&failed, 1)
					continue
				}
				negotiated.CompareAndSwap(nil, version)
				atomic.AddInt64(&done, 1)
			}
		}()
	}
	group.Wait()
	result := map[string]any{
		"logins": done, "failed": failed,
		"wallMs": float64(time.Since(t0).Microseconds()) / 1000, "cpuMs": cpuMs() - cpu0,
		"tls": negotiated.Load(), "error": firstError.Load(),
	}
	json.NewEncoder(os.Stdout).Encode(result)
	if failed > 0 {
		os.Exit(1)
	}
}
