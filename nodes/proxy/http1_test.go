package proxy

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/halab/halab/nodes/proxy/hacfg"
)

func TestParseRequestHead(t *testing.T) {
	tests := []struct {
		name   string
		raw    string
		err    error
		check  func(h *messageHead) bool
		wantKA bool
	}{
		{"simple", "GET /a?b HTTP/1.1\r\nHost: x\r\n\r\n", nil,
			func(h *messageHead) bool {
				return string(h.method) == "GET" && string(h.uri) == "/a?b" && h.minor == 1 && h.contentLength == -1
			}, true},
		{"bare LF", "GET / HTTP/1.0\nConnection: Keep-Alive\n\n", nil,
			func(h *messageHead) bool { return h.minor == 0 && h.connKeepAlive }, true},
		{"1.0 default close", "GET / HTTP/1.0\r\n\r\n", nil, func(h *messageHead) bool { return true }, false},
		{"close token", "GET / HTTP/1.1\r\nConnection: upgrade, close\r\n\r\n", nil,
			func(h *messageHead) bool { return h.connClose && h.connUpgrade }, false},
		{"content-length", "POST / HTTP/1.1\r\nContent-Length: 42\r\n\r\n", nil,
			func(h *messageHead) bool { return h.contentLength == 42 }, true},
		{"same lengths", "POST / HTTP/1.1\r\nContent-Length: 7, 7\r\nContent-Length: 7\r\n\r\n", nil,
			func(h *messageHead) bool { return h.contentLength == 7 }, true},
		{"chunked wins", "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: Chunked\r\n\r\n", nil,
			func(h *messageHead) bool { return h.chunked && h.dropLength }, true},
		{"length list normalised", "POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n", nil,
			func(h *messageHead) bool { return h.contentLength == 5 && h.fixLength }, true},
		{"HTTP/1.2 as 1.1", "GET / HTTP/1.2\r\n\r\n", nil, func(h *messageHead) bool { return h.minor == 1 }, true},
		{"double spaces", "GET  /x  HTTP/1.1\r\n\r\n", nil, func(h *messageHead) bool { return string(h.uri) == "/x" }, true},
		{"control byte in value", "GET / HTTP/1.1\r\nX: a\x01b\r\n\r\n", nil, func(h *messageHead) bool { return true }, true},
		{"same host twice", "GET / HTTP/1.1\r\nHost: a\r\nHost: A\r\n\r\n", nil, func(h *messageHead) bool { return true }, true},
		{"two hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", errBadHost, nil, false},
		{"gzip then chunked", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", errOtherCoding, nil, false},
		{"chunked twice", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", errBadEncoding, nil, false},
		{"HTTP/0.9 version", "GET / HTTP/0.9\r\n\r\n", errMalformed, nil, false},
		{"query only", "GET ?x HTTP/1.1\r\n\r\n", errMalformed, nil, false},
		{"odd line", "GET  /x HTTP/2.0\r\n\r\n", nil, func(h *messageHead) bool { return h.oddLine && h.minor == 1 }, true},
		{"canonical line", "GET /x HTTP/1.0\r\n\r\n", nil, func(h *messageHead) bool { return !h.oddLine }, false},
		{"absolute form", "GET http://h/x HTTP/1.1\r\n\r\n", nil, func(h *messageHead) bool { return !h.oddLine }, true},
		{"non-ASCII URI", "GET /\x80 HTTP/1.1\r\n\r\n", errMalformed, nil, false},
		{"expect", "PUT / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n", nil,
			func(h *messageHead) bool { return h.expectContinue }, true},
		{"value blanks trimmed", "GET / HTTP/1.1\r\nX-A: \t v \t\r\n\r\n", nil,
			func(h *messageHead) bool { v, ok := h.lookup("x-a"); return ok && string(v) == "v" }, true},
		{"differing lengths", "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", errBadLength, nil, false},
		{"length sign", "POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\n", errBadLength, nil, false},
		{"huge length", "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", errBadLength, nil, false},
		{"gzip only", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", errBadEncoding, nil, false},
		{"no version", "GET /\r\n\r\n", errMalformed, nil, false},
		{"bad method", "G(T / HTTP/1.1\r\n\r\n", errMalformed, nil, false},
		{"HTTP/x.y", "GET / HTTP/x.1\r\n\r\n", errMalformed, nil, false},
		{"no colon", "GET / HTTP/1.1\r\nHost x\r\n\r\n", errMalformed, nil, false},
		{"empty name", "GET / HTTP/1.1\r\n: x\r\n\r\n", errMalformed, nil, false},
		{"NUL in value", "GET / HTTP/1.1\r\nX: a\x00\r\n\r\n", errMalformed, nil, false},
		{"folding", "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", errMalformed, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h messageHead
			err := parseRequestHead([]byte(tt.raw), &h, hacfg.DefaultMaxHdr)
			if err != tt.err {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			if !tt.check(&h) || h.keepAlive() != tt.wantKA {
				t.Fatalf("head = %+v keepAlive=%v", h, h.keepAlive())
			}
		})
	}
}

func TestParseResponseHead(t *testing.T) {
	var h messageHead
	if err := parseResponseHead([]byte("HTTP/1.1 204\r\nConnection: close\r\n\r\n"), &h, hacfg.DefaultMaxHdr); err != nil || h.status != 204 || h.keepAlive() {
		t.Fatalf("204: %v %+v", err, h)
	}
	if err := parseResponseHead([]byte("HTTP/1.0 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"), &h, hacfg.DefaultMaxHdr); err != nil || !h.teOther || h.chunked {
		t.Fatalf("close-delimited: %v %+v", err, h)
	}
	for _, bad := range []string{"HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "ICY 200 OK\r\n\r\n", "HTTP/1.1 099 x\r\n\r\n"} {
		if err := parseResponseHead([]byte(bad), &h, hacfg.DefaultMaxHdr); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestFindHeadEnd(t *testing.T) {
	tests := map[string]int{
		"GET / HTTP/1.1\r\n\r\n":       18,
		"GET / HTTP/1.1\n\n":           16,
		"GET / HTTP/1.1\r\nA: b\r\n":   -1,
		"GET / HTTP/1.1\r\nA: b\n\r\n": 23,
		"":                             -1,
	}
	for in, want := range tests {
		if got := findHeadEnd([]byte(in), 0); got != want {
			t.Errorf("findHeadEnd(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestChunkedCopyChecksFraming(t *testing.T) {
	good := "4\r\nWiki\r\n5;x=y\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nT: v\r\n\r\nNEXT"
	var out bytes.Buffer
	w := bufio.NewWriter(&out)
	src := bufio.NewReader(strings.NewReader(good))
	cp := bodyCopier{dst: w, src: src}
	if err := cp.copyChunked(); err != nil {
		t.Fatal(err)
	}
	_ = w.Flush()
	if out.String() != strings.TrimSuffix(good, "NEXT") {
		t.Fatalf("copied %q", out.String())
	}
	if rest, _ := src.Peek(4); string(rest) != "NEXT" {
		t.Fatalf("read past the body: %q left", rest)
	}
	for _, bad := range []string{"zz\r\n", "4\r\nWikiXX\r\n0\r\n\r\n", "4\r\nWi", "10000000000000000\r\n"} {
		cp := bodyCopier{dst: bufio.NewWriter(&bytes.Buffer{}), src: bufio.NewReader(strings.NewReader(bad))}
		if err := cp.copyChunked(); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestMaxHdrAsHAProxy holds what HAProxy 2.6.12 answered with the default
// tune.http.maxhdr 101 (and 10): a request keeps at most maxhdr-1 header
// lines, a response as well, and a Connection header made only of close
// and keep-alive does not count.
func TestMaxHdrAsHAProxy(t *testing.T) {
	headers := func(n int) string {
		var b strings.Builder
		b.WriteString("Host: x\r\n")
		for i := 1; i < n; i++ {
			fmt.Fprintf(&b, "X-%d: y\r\n", i)
		}
		return b.String()
	}
	tests := []struct {
		name   string
		head   string // header lines
		maxHdr int
		ok     bool
	}{
		{"100 lines", headers(100), 101, true},
		{"101 lines", headers(101), 101, false},
		{"100 lines and Connection: close", headers(100) + "Connection: close\r\n", 101, true},
		{"100 lines and Connection: keep-alive, close", headers(100) + "Connection: keep-alive, close\r\n", 101, true},
		{"100 lines and an empty Connection", headers(100) + "Connection:\r\n", 101, true},
		{"100 lines and Connection: upgrade", headers(100) + "Connection: upgrade\r\n", 101, false},
		{"100 lines and Connection: close, x-foo", headers(100) + "Connection: close, x-foo\r\n", 101, false},
		{"9 lines, maxhdr 10", headers(9), 10, true},
		{"10 lines, maxhdr 10", headers(10), 10, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h messageHead
			err := parseRequestHead([]byte("GET / HTTP/1.1\r\n"+tt.head+"\r\n"), &h, tt.maxHdr)
			if tt.ok != (err == nil) || err != nil && err != errTooManyHeaders {
				t.Errorf("request: err = %v, want ok=%v", err, tt.ok)
			}
			err = parseResponseHead([]byte("HTTP/1.1 200 OK\r\n"+tt.head+"\r\n"), &h, tt.maxHdr)
			if tt.ok != (err == nil) || err != nil && err != errTooManyHeaders {
				t.Errorf("response: err = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}
