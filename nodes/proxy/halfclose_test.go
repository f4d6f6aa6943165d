package proxy

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestClientHalfClose sends requests and shuts the connection's write side
// at once, as `curl` with a request on stdin or a client that is done
// sending does. As HAProxy 2.6.12 does, the proxy answers every complete
// request, drops an incomplete last one, and then closes. Twenty rounds of
// every case leave no goroutine or open file behind.
func TestClientHalfClose(t *testing.T) {
	b := newBackend(t, "b", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		_, _ = io.WriteString(w, r.URL.Path+" "+string(body))
	})
	p := startOneServer(t, b.addr)
	tests := []struct {
		name, send string
		want       []string // bodies of the answers, in order
	}{
		{"GET", "GET /a HTTP/1.1\r\nHost: t\r\n\r\n", []string{"/a "}},
		{"POST with a length", "POST /p HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello", []string{"/p hello"}},
		{"chunked POST", "POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", []string{"/c abc"}},
		{"HTTP/1.0", "GET /old HTTP/1.0\r\n\r\n", []string{"/old "}},
		{"two pipelined", "GET /1 HTTP/1.1\r\nHost: t\r\n\r\nGET /2 HTTP/1.1\r\nHost: t\r\n\r\n", []string{"/1 ", "/2 "}},
		{"a last head cut short", "GET /1 HTTP/1.1\r\nHost: t\r\n\r\nGET /2 HTTP/1.1\r\nHo", []string{"/1 "}},
	}
	if code, _ := timedGet(p.addr); code != 200 { // warm the server pool
		t.Fatalf("warm-up: %d", code)
	}
	before := takeBaseline(t)
	for round := 0; round < 20; round++ {
		for _, tt := range tests {
			got, closed := halfCloseExchange(t, p.addr, tt.send)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || !closed {
				t.Fatalf("%s (round %d): answers %q, closed %v; want %q and a close", tt.name, round, got, closed, tt.want)
			}
		}
	}
	g, fds := before.settle(t, 10)
	t.Logf("after %d half-closed exchanges: %d goroutines (%d before), %d open files (%d before)",
		20*len(tests), g, before.goroutines, fds, before.fds)
}

// halfCloseExchange sends send, shuts down the write side and reads every
// answer's body until the proxy closes (closed) or a second passes.
func halfCloseExchange(t *testing.T, addr, send string) (bodies []string, closed bool) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := io.WriteString(c, send); err != nil {
		t.Fatal(err)
	}
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	for {
		if _, err := br.Peek(1); err != nil {
			return bodies, err == io.EOF
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("read answer %d: %v", len(bodies)+1, err)
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("read body %d: %v", len(bodies)+1, err)
		}
		bodies = append(bodies, string(body))
	}
}

// rawServer runs handle on every connection accepted on a loopback port,
// after reading the request head; it returns the address.
func rawServer(t *testing.T, handle func(c *net.TCPConn, br *bufio.Reader)) string {
	t.Helper()
	return serveConns(t, func(c net.Conn) {
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		br := bufio.NewReader(c)
		for { // the request head
			l, err := br.ReadString('\n')
			if err != nil {
				return
			}
			if l == "\r\n" {
				break
			}
		}
		handle(c.(*net.TCPConn), br)
	})
}

// TestServerHalfClose has servers shut their write side at various points.
// A close-delimited answer (no length) is relayed to its end with
// "Connection: close" and the client connection then closed, as HAProxy
// 2.6.12 does, since nothing else can mark the body's end; a
// FIN after a complete answer leaves the client connection usable, the
// next request going out on a new server connection; a FIN before any
// answer is HAProxy's 502; a FIN in the middle of a body cuts the client
// connection after what arrived, as HAProxy does. Nothing is left behind.
func TestServerHalfClose(t *testing.T) {
	tests := []struct {
		name      string
		handle    func(c *net.TCPConn, br *bufio.Reader)
		code      int
		body      string
		clientEOF bool // the proxy closes the client connection after it
	}{
		{"close-delimited answer", func(c *net.TCPConn, br *bufio.Reader) {
			_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\n\r\nstreamed until FIN")
			_ = c.CloseWrite()
			_, _ = io.Copy(io.Discard, br) // the server still reads until the proxy is done
		}, 200, "streamed until FIN", true},
		{"FIN after a complete answer", func(c *net.TCPConn, br *bufio.Reader) {
			_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			_ = c.CloseWrite()
			_, _ = io.Copy(io.Discard, br)
		}, 200, "ok", false},
		{"FIN before any answer", func(c *net.TCPConn, br *bufio.Reader) {
			_ = c.CloseWrite()
			_, _ = io.Copy(io.Discard, br)
		}, 502, "<html><body><h1>502 Bad Gateway</h1>\nThe server returned an invalid or incomplete response.\n</body></html>\n", true},
		{"FIN inside the body", func(c *net.TCPConn, br *bufio.Reader) {
			_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
			_ = c.CloseWrite()
			_, _ = io.Copy(io.Discard, br)
		}, 200, "abc", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := startOneServer(t, rawServer(t, tt.handle))
			before := takeBaseline(t)
			for round := 0; round < 10; round++ {
				r := dialRaw(t, p.addr)
				for i := 0; i < 2 && !(i == 1 && tt.clientEOF); i++ { // a second request when the connection stays
					r.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
					resp, err := http.ReadResponse(r.br, nil)
					if err != nil {
						t.Fatalf("round %d request %d: %v", round, i+1, err)
					}
					body, _ := io.ReadAll(resp.Body) // a cut body ends in an error
					if resp.StatusCode != tt.code || string(body) != tt.body {
						t.Fatalf("round %d request %d: %d %q, want %d %q", round, i+1, resp.StatusCode, body, tt.code, tt.body)
					}
				}
				wait := 200 * time.Millisecond // long enough to see a close that is coming
				if tt.clientEOF {
					wait = time.Second
				}
				if closed := r.closed(wait); closed != tt.clientEOF {
					t.Fatalf("round %d: client connection closed = %v, want %v", round, closed, tt.clientEOF)
				}
				r.c.Close()
			}
			before.settle(t, 10)
		})
	}
}
