package proxy

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/halab/halab/nodes/proxy/hacfg"
)

// serveLineEcho answers every request on c with its request line as the
// body (none for HEAD) and X-Route: api, over keep-alive.
func serveLineEcho(c net.Conn) {
	br := bufio.NewReader(c)
	for {
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		for { // the headers, up to the blank line
			h, err := br.ReadString('\n')
			if err != nil {
				return
			}
			if h == "\r\n" || h == "\n" {
				break
			}
		}
		line = strings.TrimRight(line, "\r\n")
		method, _, _ := strings.Cut(line, " ")
		body := line
		if method == "HEAD" {
			body = ""
		}
		resp := "HTTP/1.1 200 OK\r\nX-Route: api\r\nContent-Length: " + strconv.Itoa(len(line)) + "\r\n\r\n" + body
		if _, err := io.WriteString(c, resp); err != nil {
			return
		}
	}
}

// keptConn is one client connection reused across fuzz inputs, dialled
// again when the proxy closed it.
type keptConn struct {
	mu   sync.Mutex
	addr string
	c    net.Conn
	br   *bufio.Reader
}

// roundTrip sends req and reads one response to method. A connection
// kept from an earlier input may have been closed by the proxy's
// keep-alive timeout meanwhile: then it dials again and retries once, as
// HTTP clients do with idle connections.
func (k *keptConn) roundTrip(req, method string) (*http.Response, []byte, error) {
	reused := k.c != nil
	resp, body, err := k.try(req, method)
	if err != nil && reused {
		resp, body, err = k.try(req, method)
	}
	return resp, body, err
}

func (k *keptConn) try(req, method string) (*http.Response, []byte, error) {
	if k.c == nil {
		c, err := net.DialTimeout("tcp", k.addr, 2*time.Second)
		if err != nil {
			return nil, nil, err
		}
		k.c, k.br = c, bufio.NewReader(c)
	}
	_ = k.c.SetDeadline(time.Now().Add(3 * time.Second))
	resp, body, err := func() (*http.Response, []byte, error) {
		if _, err := io.WriteString(k.c, req); err != nil {
			return nil, nil, err
		}
		resp, err := http.ReadResponse(k.br, &http.Request{Method: method})
		if err != nil {
			return nil, nil, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, body, err
	}()
	if err != nil || resp.Close {
		k.c.Close()
		k.c = nil
	}
	return resp, body, err
}

// FuzzStatsAndRouting sends fuzzed request lines over loopback to a proxy
// with a stats page and a path_beg rule, as a client of the VIP would.
// Every answer must be well-formed HTTP, and: a head the parser refuses
// gets HAProxy's 400 and a close; a URI starting with the stats URI gets
// the stats page for GET and HEAD, CSV for ";csv" and JSON for ";json"
// anywhere after it (as HAProxy's stats applet), HTML otherwise, and a 303
// for POST; other methods are routed as any request; an origin-form path under
// /api reaches the api backend with its request line intact; anything
// else that is not routed there gets the 503 of a backend without servers.
func FuzzStatsAndRouting(f *testing.F) {
	p := startProxy(f, `defaults
  mode http
  timeout connect 500ms
  timeout client 3s
  timeout server 3s
frontend f
  bind @FE@
  stats enable
  stats uri /st
  acl api path_beg /api
  use_backend api if api
  default_backend web
backend api
  server a `+serveConns(f, serveLineEcho)+`
backend web
`)
	for _, s := range [][2]string{
		{"GET", "/st"}, {"GET", "/st;csv"}, {"HEAD", "/st;json"}, {"GET", "/st?x;json;csv"}, {"GET", "/stats;csv;norefresh"},
		{"GET", "/api/x?y"}, {"HEAD", "/api"}, {"POST", "/ap"}, {"GET", "http://h/api"}, {"GET", "http://h"},
		{"OPTIONS", "*"}, {"CONNECT", "h:443"}, {"GET", "/"}, {"G(T", "/"}, {"GET", "/\x7f"}, {"get", "/api/%zz"},
		{"HEAd", "/st;json"}, {"POST", "/st;csv"}, {"PUT", "/st"}, {"connect", "h:443"}, {"HEAd", "/api"},
	} {
		f.Add(s[0], s[1])
	}
	conn := &keptConn{addr: p.addr}
	f.Fuzz(func(t *testing.T, method, uri string) {
		if strings.ContainsAny(method+uri, "\r\n") {
			return // another request line, not this one
		}
		conn.mu.Lock()
		defer conn.mu.Unlock()
		req := method + " " + uri + " HTTP/1.1\r\nHost: t\r\n\r\n"
		resp, body, err := conn.roundTrip(req, method)
		if err != nil {
			t.Fatalf("%q: %v", req, err)
		}
		var h messageHead
		if parseRequestHead([]byte(req), &h, hacfg.DefaultMaxHdr) != nil {
			if resp.StatusCode != 400 || !resp.Close {
				t.Fatalf("%q refused by the parser: %d close=%v", req, resp.StatusCode, resp.Close)
			}
			return
		}
		checkRouted(t, string(h.method), string(h.uri), resp, body)
	})
}

// checkRouted asserts the answer to a valid request, as parsed (the proxy
// forwards an odd request line rebuilt, with single spaces).
func checkRouted(t *testing.T, method, uri string, resp *http.Response, body []byte) {
	t.Helper()
	head := method == "HEAD" // methods are case-sensitive
	if head && len(body) != 0 {
		t.Fatalf("HEAD %q: %d-byte body", uri, len(body))
	}
	ctype := resp.Header.Get("Content-Type")
	switch {
	case strings.HasPrefix(uri, "/st") && (method == "GET" || method == "HEAD" || method == "POST"):
		rest := uri[len("/st"):]
		ok := resp.StatusCode == 200
		switch {
		case method == "POST":
			ok = resp.StatusCode == 303 && resp.Header.Get("Location") == "/st;st=DENY" && len(body) == 0
		case strings.Contains(rest, ";csv"):
			ok = ok && ctype == "text/plain" && (head || strings.HasPrefix(string(body), "# pxname,svname,"))
		case strings.Contains(rest, ";json"):
			ok = ok && ctype == "application/json" && (head || json.Valid(body))
		default:
			ok = ok && ctype == "text/html" && (head || strings.HasPrefix(string(body), "<!DOCTYPE html>"))
		}
		if !ok {
			t.Fatalf("stats %s %q: %d %s %.60q", method, uri, resp.StatusCode, ctype, body)
		}
	case resp.Header.Get("X-Route") == "api":
		if resp.StatusCode != 200 || !head && string(body) != method+" "+uri+" HTTP/1.1" {
			t.Fatalf("api %s %q: %d %q", method, uri, resp.StatusCode, body)
		}
		if uri[0] == '/' && !strings.HasPrefix(uri, "/api") {
			t.Fatalf("%q routed to api", uri)
		}
	default:
		if resp.StatusCode != 503 || uri[0] == '/' && strings.HasPrefix(uri, "/api") {
			t.Fatalf("%s %q: %d (X-Route %q), want the web backend's 503", method, uri, resp.StatusCode, resp.Header.Get("X-Route"))
		}
	}
}
