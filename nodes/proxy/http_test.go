package proxy

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRoundRobinForwardForAndLBHeader(t *testing.T) {
	b1, b2 := newBackend(t, "web1", nil), newBackend(t, "web2", nil)
	p := startProxy(t, timeoutsHTTP+`
frontend webserverlb
  bind @FE@
  default_backend webserverapp
  option forwardfor
backend webserverapp
  balance roundrobin
  server webserver1 `+b1.addr+` weight 2
  server webserver2 `+b2.addr+`
`)
	var got []string
	for i := 0; i < 6; i++ {
		code, body, h := get(t, p.addr, "/")
		if code != 200 || h.Get("X-Halab-LB") != "lb1" {
			t.Fatalf("status %d, X-Halab-LB %q", code, h.Get("X-Halab-LB"))
		}
		got = append(got, body)
	}
	// HAProxy's weighted round robin: 2:1, heavier first
	if strings.Join(got, " ") != "web1 web1 web2 web1 web1 web2" {
		t.Errorf("order = %v", got)
	}
	if xff := b1.lastHeader().Get("X-Forwarded-For"); xff != "127.0.0.1" {
		t.Errorf("X-Forwarded-For = %q, want 127.0.0.1", xff)
	}
}

func TestKeepAliveReusesServerConnections(t *testing.T) {
	b := newBackend(t, "web1", nil)
	p := startOneServer(t, b.addr)
	for c := 0; c < 3; c++ {
		r := dialRaw(t, p.addr)
		for i := 0; i < 20; i++ {
			r.send("GET /x HTTP/1.1\r\nHost: t\r\n\r\n")
			resp, body := r.response("GET")
			if resp.StatusCode != 200 || body != "web1" || resp.Close {
				t.Fatalf("request %d: %d %q close=%v", i, resp.StatusCode, body, resp.Close)
			}
		}
	}
	if n := b.conns.Load(); n != 1 {
		t.Errorf("server saw %d connections for 60 requests from 3 clients, want 1 pooled connection", n)
	}
}

func TestChunkedBodiesBothWays(t *testing.T) {
	b := newBackend(t, "echo", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fl := w.(http.Flusher)
		for _, part := range []string{"got:", string(body), ":end"} {
			_, _ = io.WriteString(w, part)
			fl.Flush() // forces chunked transfer encoding
		}
	})
	p := startOneServer(t, b.addr)
	r := dialRaw(t, p.addr)
	for i := 0; i < 2; i++ {
		r.send("POST /up HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n")
		resp, body := r.response("POST")
		if resp.StatusCode != 200 || body != "got:hello world:end" || len(resp.TransferEncoding) != 1 {
			t.Fatalf("response %d %q te=%v", resp.StatusCode, body, resp.TransferEncoding)
		}
	}
	// Content-Length body, and Expect: 100-continue answered by the proxy
	r.send("PUT /x HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
	resp, _ := r.response("PUT")
	if resp.StatusCode != 100 {
		t.Fatalf("want 100 Continue first, got %d", resp.StatusCode)
	}
	r.send("abc")
	resp, body := r.response("PUT")
	if resp.StatusCode != 200 || body != "got:abc:end" {
		t.Fatalf("after 100: %d %q", resp.StatusCode, body)
	}
}

func TestHEADAndResponsesWithoutBody(t *testing.T) {
	b := newBackend(t, "b", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/204":
			w.WriteHeader(204)
		case "/304":
			w.WriteHeader(304)
		default:
			w.Header().Set("Content-Length", "11")
			_, _ = io.WriteString(w, "hello world")
		}
	})
	p := startOneServer(t, b.addr)
	r := dialRaw(t, p.addr)
	r.send("HEAD / HTTP/1.1\r\nHost: t\r\n\r\n")
	resp, body := r.response("HEAD")
	if resp.StatusCode != 200 || resp.ContentLength != 11 || body != "" {
		t.Fatalf("HEAD: %d cl=%d body %q", resp.StatusCode, resp.ContentLength, body)
	}
	for _, path := range []string{"/204", "/304", "/"} {
		r.send("GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n")
		resp, body := r.response("GET")
		if path != "/" && (resp.StatusCode != map[string]int{"/204": 204, "/304": 304}[path] || body != "") {
			t.Fatalf("%s: %d %q", path, resp.StatusCode, body)
		}
		if path == "/" && body != "hello world" {
			t.Fatalf("GET after bodiless responses: %q (framing lost)", body)
		}
	}
}

func TestConnectionSemantics(t *testing.T) {
	b := newBackend(t, "b", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/server-closes" {
			w.Header().Set("Connection", "close")
		}
		_, _ = io.WriteString(w, "ok")
	})
	p := startOneServer(t, b.addr)
	tests := []struct {
		name, req   string
		wantConn    string
		wantClosed  bool
		wantVersion int
	}{
		{"1.1 close", "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", "close", true, 1},
		{"1.0 default close", "GET / HTTP/1.0\r\n\r\n", "close", true, 1},
		{"1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "keep-alive", false, 1},
		{"1.1 keep-alive", "GET / HTTP/1.1\r\nHost: t\r\n\r\n", "", false, 1},
		// the server's "Connection: close" is per hop: the client stays
		{"server closes", "GET /server-closes HTTP/1.1\r\nHost: t\r\n\r\n", "", false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := dialRaw(t, p.addr)
			r.send(tt.req)
			resp, body := r.response("GET")
			if resp.StatusCode != 200 || body != "ok" {
				t.Fatalf("%d %q", resp.StatusCode, body)
			}
			got := resp.Header.Get("Connection")
			if resp.Close { // net/http consumes "Connection: close" into Close
				got = "close"
			}
			if got != tt.wantConn {
				t.Errorf("Connection = %q, want %q", got, tt.wantConn)
			}
			if closed := r.closed(300 * time.Millisecond); closed != tt.wantClosed {
				t.Errorf("connection closed = %v, want %v", closed, tt.wantClosed)
			}
		})
	}
}

func TestPipelinedRequests(t *testing.T) {
	b := newBackend(t, "b", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.URL.Path)
	})
	p := startOneServer(t, b.addr)
	r := dialRaw(t, p.addr)
	var req strings.Builder
	for i := 0; i < 5; i++ {
		fmt.Fprintf(&req, "GET /p%d HTTP/1.1\r\nHost: t\r\n\r\n", i)
	}
	req.WriteString("POST /p5 HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nxyHEAD /p6 HTTP/1.1\r\nHost: t\r\n\r\n")
	r.send(req.String())
	for i := 0; i < 7; i++ {
		method := map[int]string{5: "POST", 6: "HEAD"}[i]
		if method == "" {
			method = "GET"
		}
		resp, body := r.response(method)
		want := fmt.Sprintf("/p%d", i)
		if method == "HEAD" {
			want = ""
		}
		if resp.StatusCode != 200 || body != want {
			t.Fatalf("response %d: %d %q, want %q", i, resp.StatusCode, body, want)
		}
	}
}

func TestBadRequests(t *testing.T) {
	b := newBackend(t, "b", nil)
	p := startOneServer(t, b.addr)
	big := "GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + strings.Repeat("a", 16000) + "\r\n\r\n"
	tests := []struct{ name, req string }{
		{"header too large", big},
		{"garbage", "GARBAGE\r\n\r\n"},
		{"http/0.9", "GET /\r\n\r\n"},
		{"bad version", "GET / HTTP/one\r\n\r\n"},
		{"two hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"},
		{"non-ASCII URI", "GET /\x80 HTTP/1.1\r\n\r\n"},
		{"space before colon", "GET / HTTP/1.1\r\nHost : t\r\n\r\n"},
		{"obs-fold", "GET / HTTP/1.1\r\nHost: t\r\n folded\r\n\r\n"},
		{"conflicting lengths", "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"},
		{"bad length", "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"},
		{"unknown coding", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"},
		{"NUL in value", "GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n"},
		{"lone CR", "GET / HTTP/1.1\rX: y\r\n\r\n"},
		{"space in uri", "GET /a b HTTP/1.1\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := dialRaw(t, p.addr)
			r.send(tt.req)
			resp, body := r.response("GET")
			if resp.StatusCode != 400 || !strings.Contains(body, "<h1>400 Bad request</h1>") || !resp.Close {
				t.Fatalf("got %d close=%v %q", resp.StatusCode, resp.Close, body)
			}
			if !r.closed(time.Second) {
				t.Error("connection left open after a 400")
			}
		})
	}
	// a coding other than chunked: 422, as HAProxy 2.6.12
	r422 := dialRaw(t, p.addr)
	r422.send("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n")
	if resp, body := r422.response("POST"); resp.StatusCode != 422 || !strings.Contains(body, "422 Unprocessable Content") {
		t.Fatalf("gzip, chunked: %d %q", resp.StatusCode, body)
	}
	// a Content-Length list is forwarded as one value (Go's server refuses lists)
	rcl := dialRaw(t, p.addr)
	rcl.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 2, 2\r\n\r\nhi")
	if resp, body := rcl.response("POST"); resp.StatusCode != 200 || body != "b" {
		t.Fatalf("Content-Length list: %d %q", resp.StatusCode, body)
	}
	// the proxy still serves after all that
	if code, body, _ := get(t, p.addr, "/"); code != 200 || body != "b" {
		t.Fatalf("after bad requests: %d %q", code, body)
	}
	// a request head just under the limit (bufsize - maxrewrite) passes
	ok := "GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + strings.Repeat("a", 15000) + "\r\n\r\n"
	r := dialRaw(t, p.addr)
	r.send(ok)
	if resp, _ := r.response("GET"); resp.StatusCode != 200 {
		t.Fatalf("15 kB head: %d", resp.StatusCode)
	}
}

func TestSlowlorisGets408AndIdleKeepAliveCloses(t *testing.T) {
	b := newBackend(t, "b", nil)
	p := startProxy(t, `defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
  timeout http-request 300ms
frontend f
  bind @FE@
  default_backend b
backend b
  server s `+b.addr+`
`)
	// a head trickling in never completes within "timeout http-request"
	r := dialRaw(t, p.addr)
	start := time.Now()
	r.send("GET / HTTP/1.1\r\n")
	go func() {
		for i := 0; i < 10; i++ {
			time.Sleep(100 * time.Millisecond)
			if _, err := io.WriteString(r.c, "X: y\r\n"); err != nil {
				return
			}
		}
	}()
	resp, body := r.response("GET")
	if resp.StatusCode != 408 || !strings.Contains(body, "408 Request Time-out") || time.Since(start) > 2*time.Second {
		t.Fatalf("slowloris: %d after %v: %q", resp.StatusCode, time.Since(start), body)
	}
	// a connection that never sends anything also gets a 408, as HAProxy 2.6
	r2 := dialRaw(t, p.addr)
	if resp, _ := r2.response("GET"); resp.StatusCode != 408 {
		t.Fatalf("silent first request: %d", resp.StatusCode)
	}
	// after a response, an idle keep-alive connection closes silently
	r3 := dialRaw(t, p.addr)
	r3.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
	if resp, _ := r3.response("GET"); resp.StatusCode != 200 {
		t.Fatalf("%d", resp.StatusCode)
	}
	if !r3.closed(2 * time.Second) {
		t.Fatal("idle keep-alive connection not closed")
	}
	if n := p.inst.rt.frontends[0].reqErrors.Load(); n != 2 {
		t.Errorf("request errors = %d, want 2", n)
	}
}
