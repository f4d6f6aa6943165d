package proxy

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestMethodsAreCaseSensitive holds what HAProxy 2.6.12 answered: the
// stats URI is served for GET, HEAD and POST only (a POST without "stats
// admin" gets a 303 to ";st=DENY"), every other method, "get" and "HEAd"
// included, goes to the backend, whose body is relayed since only "HEAD"
// has none, and "connect" is no CONNECT, so its authority form is a 400.
// Each request but the last shares one keep-alive connection: an answer
// framed wrongly would garble the next one.
func TestMethodsAreCaseSensitive(t *testing.T) {
	b := newBackend(t, "b", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		_, _ = io.WriteString(w, r.Method+" "+string(body))
	})
	p := startProxy(t, timeoutsHTTP+`
frontend f
  bind @FE@
  stats enable
  stats uri /st
  default_backend b
backend b
  server s `+b.addr+`
`)
	tests := []struct {
		req, method string
		code        int
		body        string // the body, or its start for the stats page
		location    string
	}{
		{"GET /st HTTP/1.1\r\nHost: t\r\n\r\n", "GET", 200, "<!DOCTYPE html>", ""},
		{"HEAD /st HTTP/1.1\r\nHost: t\r\n\r\n", "HEAD", 200, "", ""},
		{"POST /st;csv HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc", "POST", 303, "", "/st;st=DENY"},
		{"get /st HTTP/1.1\r\nHost: t\r\n\r\n", "get", 200, "get ", ""},
		{"PUT /st HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi", "PUT", 200, "PUT hi", ""},
		{"OPTIONS /st HTTP/1.1\r\nHost: t\r\n\r\n", "OPTIONS", 200, "OPTIONS ", ""},
		{"HEAd /st HTTP/1.1\r\nHost: t\r\n\r\n", "HEAd", 200, "HEAd ", ""},
		{"HEAd /x HTTP/1.1\r\nHost: t\r\n\r\n", "HEAd", 200, "HEAd ", ""},
		{"HEAD /x HTTP/1.1\r\nHost: t\r\n\r\n", "HEAD", 200, "", ""},
		{"GET /x HTTP/1.1\r\nHost: t\r\n\r\n", "GET", 200, "GET ", ""},
		{"connect h:443 HTTP/1.1\r\nHost: h\r\n\r\n", "connect", 400, "<html><body><h1>400 Bad request</h1>", ""},
	}
	r := dialRaw(t, p.addr)
	for _, tt := range tests {
		r.send(tt.req)
		resp, body := r.response(tt.method)
		if resp.StatusCode != tt.code || !strings.HasPrefix(body, tt.body) || tt.body == "" && body != "" ||
			resp.Header.Get("Location") != tt.location {
			t.Fatalf("%q: %d %q Location %q; want %d %q %q", tt.req, resp.StatusCode, body, resp.Header.Get("Location"), tt.code, tt.body, tt.location)
		}
	}
}
