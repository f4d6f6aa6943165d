package probe

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	sys := func(call string, errno syscall.Errno) error {
		return &url.Error{Op: "Get", URL: "http://172.16.0.200/", Err: &net.OpError{Op: call, Net: "tcp", Err: os.NewSyscallError(call, errno)}}
	}
	tests := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{context.DeadlineExceeded, "timeout"},
		{&url.Error{Op: "Get", Err: fmt.Errorf("wrapped: %w", context.DeadlineExceeded)}, "timeout"},
		{&net.OpError{Op: "dial", Err: timeoutErr{}}, "timeout"},
		{sys("connect", syscall.ECONNREFUSED), "refused"},
		{sys("read", syscall.ECONNRESET), "reset"},
		{sys("write", syscall.EPIPE), "reset"},
		{sys("connect", syscall.EHOSTUNREACH), "no route"},
		{sys("connect", syscall.ENETUNREACH), "no route"},
		{sys("connect", syscall.EADDRNOTAVAIL), "no local address"},
		{&url.Error{Op: "Get", Err: io.EOF}, "closed"},
		{fmt.Errorf("body: %w", io.ErrUnexpectedEOF), "closed"},
		{&url.Error{Op: "Get", Err: &net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "web"}}}, "dns"},
		{context.Canceled, "canceled"},
		{errors.New("tls: something"), "error"},
	}
	for _, tt := range tests {
		if got := classify(tt.err); got != tt.want {
			t.Errorf("classify(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestJudge(t *testing.T) {
	peers := map[string]string{"192.168.10.101": "lb1", "192.168.10.102": "lb2"}
	tests := []struct {
		name string
		r    response
		want result
	}{
		{"X-Halab-LB wins", response{status: 200, lb: "lb2", peer: "192.168.10.101", node: "web1"}, okVia("lb2", "web1")},
		{"peer mapped", response{status: 200, peer: "192.168.10.101", node: "web1"}, okVia("lb1", "web1")},
		{"peer not mapped", response{status: 200, peer: "10.9.9.9", node: "web2"}, okVia(unknown, "web2")},
		{"no headers", response{status: 200}, okVia(unknown, unknown)},
		{"redirect is an answer", response{status: 302, peer: "192.168.10.102"}, okVia("lb2", unknown)},
		{"204", response{status: 204, lb: "lb1", node: "web1"}, okVia("lb1", "web1")},
		{"503", response{status: 503, lb: "lb1"}, fail("http 503")},
		{"404", response{status: 404}, fail("http 404")},
		{"101 is not an answer", response{status: 101}, fail("http 101")},
		{"error", response{err: context.DeadlineExceeded}, fail("timeout")},
		{"body cut short", response{status: 200, lb: "lb1", err: io.ErrUnexpectedEOF}, fail("closed")},
	}
	for _, tt := range tests {
		if got := tt.r.judge(peers); got != tt.want {
			t.Errorf("%s: judge = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

// rawServer accepts loopback connections and hands each to serve; it
// counts them. Connections still open are closed at cleanup.
func rawServer(t *testing.T, serve func(c net.Conn, req string)) (target string, accepted *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted = new(atomic.Int64)
	var mu sync.Mutex
	var conns []net.Conn
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				req, err := readRequest(c)
				if err != nil {
					c.Close()
					return
				}
				serve(c, req)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return "http://" + ln.Addr().String() + "/", accepted
}

// readRequest reads a request head (up to the blank line).
func readRequest(c net.Conn) (string, error) {
	br := bufio.NewReader(c)
	var b strings.Builder
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return "", err
		}
		b.WriteString(line)
		if line == "\r\n" {
			return b.String(), nil
		}
	}
}

func reply(s string) func(net.Conn, string) {
	return func(c net.Conn, _ string) {
		_, _ = io.WriteString(c, s)
		c.Close()
	}
}

// TestHTTPDoOverLoopback checks each failure kind against a real socket,
// the success rules, and one new connection per request.
func TestHTTPDoOverLoopback(t *testing.T) {
	refused := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		return "http://" + addr + "/"
	}
	big := "HTTP/1.1 200 OK\r\nContent-Length: 200000\r\n\r\n" + strings.Repeat("x", 200000)
	tests := []struct {
		name   string
		target func() string
		want   result
	}{
		{"ok with headers", func() string {
			u, _ := rawServer(t, reply("HTTP/1.1 200 OK\r\nX-Halab-Lb: lb1\r\nX-Halab-Web: web1\r\nX-Halab-Peer: 192.168.10.101\r\nContent-Length: 2\r\n\r\nhi"))
			return u
		}, okVia("lb1", "web1")},
		{"peer mapped", func() string {
			u, _ := rawServer(t, reply("HTTP/1.1 200 OK\r\nX-Halab-Web: web1\r\nX-Halab-Peer: 192.168.10.102\r\nContent-Length: 0\r\n\r\n"))
			return u
		}, okVia("lb2", "web1")},
		{"redirect not followed", func() string {
			u, _ := rawServer(t, reply("HTTP/1.1 301 Moved\r\nLocation: http://127.0.0.1:1/\r\nContent-Length: 0\r\n\r\n"))
			return u
		}, okVia(unknown, unknown)},
		{"big body read up to the bound", func() string { u, _ := rawServer(t, reply(big)); return u }, okVia(unknown, unknown)},
		{"503", func() string {
			u, _ := rawServer(t, reply("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"))
			return u
		}, fail("http 503")},
		{"refused", refused, fail("refused")},
		{"closed without an answer", func() string { u, _ := rawServer(t, reply("")); return u }, fail("closed")},
		{"body cut short", func() string {
			u, _ := rawServer(t, reply("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort"))
			return u
		}, fail("closed")},
		{"reset", func() string {
			u, _ := rawServer(t, func(c net.Conn, _ string) {
				_ = c.(*net.TCPConn).SetLinger(0)
				c.Close()
			})
			return u
		}, fail("reset")},
		{"timeout", func() string {
			u, _ := rawServer(t, func(net.Conn, string) {}) // never answers
			return u
		}, fail("timeout")},
	}
	peers := map[string]string{"192.168.10.102": "lb2"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			do, err := newHTTPDo(tt.target())
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
			defer cancel()
			r := do(ctx)
			if got := r.judge(peers); got != tt.want {
				t.Errorf("got %+v (err %v), want %+v", got, r.err, tt.want)
			}
		})
	}

	t.Run("one new connection per request", func(t *testing.T) {
		var closeHdr atomic.Int64
		u, accepted := rawServer(t, func(c net.Conn, req string) {
			if strings.Contains(req, "Connection: close\r\n") && strings.Contains(req, "User-Agent: halab-probe\r\n") {
				closeHdr.Add(1)
			}
			// An answer that would allow keep-alive; the probe must not reuse it.
			_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		})
		do, err := newHTTPDo(u)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 5 {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			r := do(ctx)
			cancel()
			if !r.judge(nil).ok {
				t.Fatalf("request %d: %+v", i, r)
			}
		}
		if accepted.Load() != 5 || closeHdr.Load() != 5 {
			t.Errorf("5 requests: %d connections, %d with Connection: close", accepted.Load(), closeHdr.Load())
		}
	})
}
