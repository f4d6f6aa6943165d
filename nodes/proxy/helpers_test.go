package proxy

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/nodes/proxy/hacfg"
)

// freePort returns a loopback port nobody listens on right now.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// deadAddr returns a loopback address that refuses connections.
func deadAddr(t testing.TB) string {
	return fmt.Sprintf("127.0.0.1:%d", freePort(t))
}

// logBuffer collects log lines for assertions: the first logBufferMax
// bytes, so that floods and fuzzing cannot grow it without bound.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

const logBufferMax = 4 << 20

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buf.Len()+len(p) > logBufferMax {
		return len(p), nil
	}
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// testProxy is a proxy started on loopback for one test.
type testProxy struct {
	t    testing.TB
	addr string // first bind
	inst *instance
	ctl  *control.Server
	logs *logBuffer
	stop func()
}

// startProxy parses cfgText (with @FE@ standing for a free loopback
// address for the first frontend) and starts it; it is stopped at cleanup.
func startProxy(t testing.TB, cfgText string) *testProxy {
	t.Helper()
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	text := strings.ReplaceAll(cfgText, "@FE@", addr)
	path := filepath.Join(t.TempDir(), "haproxy.cfg")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, _, err := hacfg.ParseFile(path)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	logs := &logBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctl := control.NewServer("lb1", "proxy")
	ctx, cancel := context.WithCancel(context.Background())
	inst, err := start(ctx, cfg, Options{ConfigPath: path, Node: "lb1", Control: ctl, Logger: log}, log)
	if err != nil {
		cancel()
		t.Fatalf("start: %v", err)
	}
	var once sync.Once
	tp := &testProxy{t: t, addr: addr, inst: inst, ctl: ctl, logs: logs}
	tp.stop = func() {
		once.Do(func() {
			cancel()
			inst.stop()
		})
	}
	t.Cleanup(tp.stop)
	return tp
}

// backendServer is a Go HTTP server on loopback that answers with its name
// and counts the connections it accepted.
type backendServer struct {
	addr  string
	srv   *http.Server
	conns atomic.Int64
	last  atomic.Value // last request's headers (http.Header)
}

func newBackend(t testing.TB, name string, h http.HandlerFunc) *backendServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &backendServer{addr: ln.Addr().String()}
	if h == nil {
		h = func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, name) }
	}
	b.srv = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b.last.Store(r.Header.Clone())
			w.Header().Set("X-Backend", name)
			h(w, r)
		}),
		ConnState: func(_ net.Conn, st http.ConnState) {
			if st == http.StateNew {
				b.conns.Add(1)
			}
		},
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() { _ = b.srv.Serve(ln) }()
	t.Cleanup(b.close)
	return b
}

func (b *backendServer) close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = b.srv.Shutdown(ctx)
	_ = b.srv.Close()
}

func (b *backendServer) lastHeader() http.Header {
	h, _ := b.last.Load().(http.Header)
	return h
}

// serveConns runs handle in a goroutine of its own on every connection
// accepted on a free loopback port, closing the connection after it, until
// the test ends; it returns the address.
func serveConns(t testing.TB, handle func(c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				handle(c)
			}()
		}
	}()
	return ln.Addr().String()
}

// controlClient serves ctl over a loopback listener until the test ends
// and returns a client dialling it.
func controlClient(t testing.TB, ctl *control.Server) *control.Client {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = ctl.Serve(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	c := control.NewClient("unused")
	c.Dial = func(ctx context.Context) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", ln.Addr().String())
	}
	return c
}

// rawConn is a client connection that writes raw bytes and reads responses.
type rawConn struct {
	t  testing.TB
	c  net.Conn
	br *bufio.Reader
}

func dialRaw(t testing.TB, addr string) *rawConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	return &rawConn{t: t, c: c, br: bufio.NewReader(c)}
}

func (r *rawConn) send(s string) {
	r.t.Helper()
	if _, err := io.WriteString(r.c, s); err != nil {
		r.t.Fatalf("write: %v", err)
	}
}

// response reads one response (method tells whether it has a body) and
// returns it with its body read.
func (r *rawConn) response(method string) (*http.Response, string) {
	r.t.Helper()
	resp, err := http.ReadResponse(r.br, &http.Request{Method: method})
	if err != nil {
		r.t.Fatalf("read response: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		r.t.Fatalf("read body: %v", err)
	}
	resp.Body.Close()
	return resp, string(body)
}

// closed reports whether the server closed the connection (EOF) within d.
func (r *rawConn) closed(d time.Duration) bool {
	_ = r.c.SetReadDeadline(time.Now().Add(d))
	_, err := r.br.ReadByte()
	return err == io.EOF || err != nil && strings.Contains(err.Error(), "reset")
}

// get performs one GET on a fresh connection and returns status and body.
func get(t testing.TB, addr, path string) (int, string, http.Header) {
	t.Helper()
	r := dialRaw(t, addr)
	r.send("GET " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
	resp, body := r.response("GET")
	return resp.StatusCode, body, resp.Header
}

// waitFor polls cond every 10 ms until it holds or timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// timeoutsHTTP is a defaults section for HTTP tests with short timeouts.
const timeoutsHTTP = `defaults
  mode http
  timeout connect 200ms
  timeout client 5s
  timeout server 5s
`

// startOneServer starts a proxy with timeoutsHTTP whose HTTP frontend f
// sends everything to backend b and its one server s at server.
func startOneServer(t testing.TB, server string) *testProxy {
	t.Helper()
	return startProxy(t, timeoutsHTTP+`
frontend f
  bind @FE@
  default_backend b
backend b
  server s `+server+`
`)
}
