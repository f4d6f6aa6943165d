package proxy

import (
	"bufio"
	"bytes"
	"testing"

	"github.com/halab/halab/nodes/proxy/hacfg"
)

// FuzzParseRequestHead feeds request heads to the parser. It must never
// panic; the header spans it records must be ordered and inside the head;
// an accepted head must have a method, a URI, a version and unambiguous
// framing; and the head the proxy forwards for it (writeRequestHead) must
// be a complete, canonical head (CRLF lines, one Host, at most one
// Content-Length and none beside Transfer-Encoding) that parses back to
// the same request, with X-Forwarded-For last: no header is lost, added or
// reframed on the way to the server, the property that keeps a proxy from
// request smuggling.
func FuzzParseRequestHead(f *testing.F) {
	for _, s := range []string{
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST /p HTTP/1.0\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\n",
		"PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n",
		"GET / HTTP/1.1\nA:b\n\n",
		"GET http://h/x HTTP/1.1\r\nConnection: Upgrade, close\r\nUpgrade: ws\r\n\r\n",
		"POST  /x  HTTP/2.0\r\nHost: a\r\nHOST: A\r\nContent-Length: 4, 4\r\nContent-Length: 4\r\n\r\n",
		"OPTIONS * HTTP/1.1\r\nExpect: 100-continue\r\n\r\n",
		"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		end := findHeadEnd(data, 0)
		if end < 0 {
			end = len(data)
		}
		var h messageHead
		if err := parseRequestHead(data[:end], &h, hacfg.DefaultMaxHdr); err != nil {
			return
		}
		prev := h.lineEnd
		for _, x := range h.headers {
			if x.start != prev || x.start >= x.nameEnd || x.nameEnd >= x.valStart || x.valStart > x.valEnd || x.valEnd > x.end || x.end > end {
				t.Fatalf("header span %+v out of order after %d in a %d-byte head", x, prev, end)
			}
			if !isToken(h.name(x)) {
				t.Fatalf("header name %q is not a token", h.name(x))
			}
			prev = x.end
		}
		if h.minor != 0 && h.minor != 1 || len(h.method) == 0 || len(h.uri) == 0 {
			t.Fatalf("accepted head without method, URI or version: %+v", h)
		}
		if h.contentLength < -1 || h.chunked && h.teOther {
			t.Fatalf("inconsistent framing: %+v", h)
		}
		checkForwardedHead(t, &h)
	})
}

// checkForwardedHead asserts that the head forwarded for h re-parses to
// the same request, normalised.
func checkForwardedHead(t *testing.T, h *messageHead) {
	t.Helper()
	c := &clientConn{connBuffers: &connBuffers{req: *h}, srcStr: "192.0.2.7"}
	hasBody := h.chunked || h.contentLength > 0
	var out bytes.Buffer
	w := bufio.NewWriter(&out)
	c.writeRequestHead(w, hasBody, true)
	_ = w.Flush()
	fwd := out.Bytes()
	if end := findHeadEnd(fwd, 0); end != len(fwd) {
		t.Fatalf("forwarded head ends at %d of %d bytes: %q", end, len(fwd), fwd)
	}
	var g messageHead
	if err := parseRequestHead(fwd, &g, hacfg.DefaultMaxHdr+1); err != nil {
		t.Fatalf("forwarded head %q does not parse: %v", fwd, err)
	}
	if g.oddLine || g.bareLF || g.dupHost || g.fixLength || g.dropLength {
		t.Fatalf("forwarded head %q is not canonical: %+v", fwd, g)
	}
	wantLength := h.contentLength
	if h.dropLength {
		wantLength = -1
	}
	if !bytes.Equal(g.method, h.method) || !bytes.Equal(g.uri, h.uri) || g.minor != h.minor ||
		g.contentLength != wantLength || g.chunked != h.chunked || !bytes.EqualFold(g.host, h.host) ||
		g.keepAlive() != h.keepAlive() || g.connUpgrade != h.connUpgrade {
		t.Fatalf("forwarded head %q says another request than %q", fwd, h.raw)
	}
	if g.expectContinue != (h.expectContinue && !(hasBody && h.minor == 1)) {
		t.Fatalf("Expect forwarded = %v for %q", g.expectContinue, h.raw)
	}
	// every header but the normalised ones goes through, in order, as sent
	var sent, got []string
	for _, x := range h.headers {
		if name := h.name(x); !equalFold(name, "content-length") && !equalFold(name, "host") && !equalFold(name, "expect") {
			sent = append(sent, string(name)+": "+string(h.value(x)))
		}
	}
	for _, x := range g.headers {
		if name := g.name(x); !equalFold(name, "content-length") && !equalFold(name, "host") && !equalFold(name, "expect") {
			got = append(got, string(name)+": "+string(g.value(x)))
		}
	}
	if want := append(sent, "X-Forwarded-For: 192.0.2.7"); len(got) != len(want) || got[len(got)-1] != want[len(want)-1] {
		t.Fatalf("forwarded headers %q, sent %q", got, sent)
	}
	for i := range sent {
		if got[i] != sent[i] {
			t.Fatalf("header %d forwarded as %q, sent %q", i, got[i], sent[i])
		}
	}
}
