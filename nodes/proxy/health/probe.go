package health

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Timeouts are the limits of one check, from HAProxy's rules: without
// "timeout check", the whole check must end within inter; with it, the
// connection must be established within min("timeout connect", inter) and
// the response must come within "timeout check".
type Timeouts struct {
	Inter, Connect, Check time.Duration
}

func (t Timeouts) connect() time.Duration {
	if t.Check == 0 {
		return t.Inter
	}
	if t.Connect > 0 && t.Connect < t.Inter {
		return t.Connect
	}
	return t.Inter
}

func (t Timeouts) read(connected time.Duration) time.Duration {
	if t.Check == 0 {
		return t.Inter - connected
	}
	return t.Check
}

// TCPProbe returns a layer-4 check: a TCP connection to addr.
func TCPProbe(addr string, t Timeouts) Probe {
	return func(ctx context.Context) Result {
		conn, r := dial(ctx, addr, t.connect())
		if conn != nil {
			conn.Close()
		}
		return r
	}
}

// HTTPRequest is what an HTTP check sends and expects.
type HTTPRequest struct {
	Method, URI, Version, Host string
	// Expect lists accepted status codes; empty means 2xx or 3xx.
	Expect []int
	// ExpectNot inverts Expect.
	ExpectNot bool
}

// HTTPProbe returns a layer-7 check ("option httpchk"): it sends the request
// and judges the response's status code.
func HTTPProbe(addr string, req HTTPRequest, t Timeouts) Probe {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s\r\n", req.Method, req.URI, req.Version)
	if req.Host != "" {
		fmt.Fprintf(&b, "Host: %s\r\n", req.Host)
	}
	b.WriteString("Connection: close\r\n\r\n")
	raw := []byte(b.String())
	return func(ctx context.Context) Result {
		start := time.Now()
		conn, r := dial(ctx, addr, t.connect())
		if conn == nil {
			return r
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(t.read(time.Since(start))))
		if _, err := conn.Write(raw); err != nil {
			return Result{Status: StatusL7Rsp, Info: errInfo(err)}
		}
		line, err := bufio.NewReaderSize(conn, 1024).ReadSlice('\n')
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return Result{Status: StatusL7Tout}
			}
			return Result{Status: StatusL7Rsp, Info: "no valid HTTP response"}
		}
		code, reason, ok := parseStatusLine(line)
		if !ok {
			return Result{Status: StatusL7Rsp, Info: "invalid HTTP status line"}
		}
		if statusAccepted(code, req) {
			return Result{Status: StatusL7OK, Code: code}
		}
		return Result{Status: StatusL7Sts, Code: code, Info: reason}
	}
}

func statusAccepted(code int, req HTTPRequest) bool {
	if len(req.Expect) == 0 {
		return code >= 200 && code < 400
	}
	match := false
	for _, c := range req.Expect {
		match = match || c == code
	}
	return match != req.ExpectNot
}

// parseStatusLine reads "HTTP/1.x NNN reason".
func parseStatusLine(line []byte) (int, string, bool) {
	s := strings.TrimRight(string(line), "\r\n")
	if !strings.HasPrefix(s, "HTTP/") || len(s) < 12 || s[8] != ' ' {
		return 0, "", false
	}
	code, err := strconv.Atoi(s[9:12])
	if err != nil || code < 100 {
		return 0, "", false
	}
	return code, strings.TrimSpace(s[12:]), true
}

// dial connects to addr; on failure the result says why, as HAProxy's L4
// statuses.
func dial(ctx context.Context, addr string, timeout time.Duration) (net.Conn, Result) {
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err == nil {
		return conn, Result{Status: StatusL4OK}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		return nil, Result{Status: StatusL4Tout}
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return nil, Result{Status: StatusSockErr, Info: dnsErr.Error()}
	}
	return nil, Result{Status: StatusL4Con, Info: errInfo(err)}
}

// errInfo renders an error as C's strerror does ("Connection refused").
func errInfo(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		return strings.ToUpper(s[:1]) + s[1:]
	}
	var se *os.SyscallError
	if errors.As(err, &se) {
		return se.Err.Error()
	}
	return err.Error()
}
