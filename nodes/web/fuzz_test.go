package web

import (
	"bufio"
	"bytes"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// FuzzHandler parses fuzzed bytes as net/http's server does and serves
// what it accepts, from a fuzzed peer address. The handler must never
// panic, and:
//
//   - "/" and "/healthz" answer GET and HEAD with 200, OPTIONS with 200
//     and Allow (plain `option httpchk`), anything else with 405; every
//     other path answers 404, as nginx's default server;
//   - Content-Length is the body's length, and HEAD has no body;
//   - every answer names the node and the peer, and is counted once under
//     its path and its peer;
//   - the page shows X-Forwarded-For, the peer and Host HTML-escaped: it
//     holds exactly the markup of the template, whatever the client sent.
func FuzzHandler(f *testing.F) {
	for _, s := range []string{
		"GET / HTTP/1.1\r\nHost: 172.16.0.200\r\nX-Forwarded-For: 172.16.0.10\r\n\r\n",
		"HEAD /healthz HTTP/1.1\r\nHost: a\r\n\r\n",
		"OPTIONS / HTTP/1.0\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc",
		"GET /%2e%2e/healthz?x=<b> HTTP/1.1\r\nHost: <i>\r\nX-Forwarded-For: \"'&<>\r\n\r\n",
		"GET http://evil/healthz HTTP/1.1\r\nHost: h\r\n\r\n",
		"DELETE /nope HTTP/1.1\r\nHost: h\r\n\r\n",
	} {
		f.Add([]byte(s), "192.168.10.101:41234")
	}
	f.Add([]byte("GET / HTTP/1.1\r\nHost: h\r\n\r\n"), "[fe80::1%eth0]:80")
	f.Add([]byte("GET / HTTP/1.1\r\nHost: h\r\n\r\n"), "<script>")
	baseline := renderPage(f, "h", "x", "192.0.2.1:1")
	f.Fuzz(func(t *testing.T, raw []byte, remote string) {
		req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil {
			return // net/http's server answers 400 itself
		}
		req.RemoteAddr = remote
		h := newHandler("web1", slog.New(slog.DiscardHandler))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		hdr, body := rec.Header(), rec.Body.Bytes()

		want := http.StatusNotFound
		if p := req.URL.Path; p == "/" || p == "/healthz" {
			switch req.Method {
			case http.MethodGet, http.MethodHead, http.MethodOptions:
				want = http.StatusOK
			default:
				want = http.StatusMethodNotAllowed
			}
		}
		if rec.Code != want {
			t.Fatalf("%s %q: %d, want %d", req.Method, req.URL.Path, rec.Code, want)
		}
		if (want == http.StatusMethodNotAllowed || req.Method == http.MethodOptions && want == http.StatusOK) && hdr.Get("Allow") != "GET, HEAD, OPTIONS" {
			t.Fatalf("%s %q: Allow %q", req.Method, req.URL.Path, hdr.Get("Allow"))
		}
		if n, err := strconv.Atoi(hdr.Get("Content-Length")); err != nil || req.Method != http.MethodHead && n != len(body) || req.Method == http.MethodHead && len(body) != 0 {
			t.Fatalf("%s: Content-Length %q with a %d-byte body", req.Method, hdr.Get("Content-Length"), len(body))
		}
		peer := hdr.Get(HeaderPeer)
		if hdr.Get(HeaderWeb) != "web1" || !strings.HasPrefix(remote, peer) && !strings.HasPrefix(remote, "["+peer+"]:") {
			t.Fatalf("node %q, peer %q for a connection from %q", hdr.Get(HeaderWeb), peer, remote)
		}
		st := h.stats.status("web1", nil)
		if st.Requests != 1 || st.Pages+st.Health+st.NotFound != 1 || st.ByPeer[peer] != 1 {
			t.Fatalf("counted %+v for one request from %q", st, peer)
		}
		if req.URL.Path == "/" && req.Method == http.MethodGet {
			checkPage(t, req, body, baseline)
		}
	})
}

// renderPage renders the page for harmless values.
func renderPage(tb testing.TB, host, xff, remote string) []byte {
	tb.Helper()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Host, req.RemoteAddr = host, remote
	req.Header.Set("X-Forwarded-For", xff)
	rec := httptest.NewRecorder()
	newHandler("web1", slog.New(slog.DiscardHandler)).ServeHTTP(rec, req)
	return rec.Body.Bytes()
}

// checkPage asserts that what the client sent shows escaped on the page.
func checkPage(t *testing.T, req *http.Request, body, baseline []byte) {
	t.Helper()
	for _, c := range []string{"<", ">", "\""} {
		if got, want := bytes.Count(body, []byte(c)), bytes.Count(baseline, []byte(c)); got != want {
			t.Fatalf("page has %d %q, the template %d: client text got in unescaped\n%s", got, c, want, body)
		}
	}
	xff := req.Header.Get("X-Forwarded-For")
	if xff == "" {
		xff = noXFF
	}
	for _, v := range []string{xff, req.RemoteAddr, req.Host} {
		if cell := "<td>" + html.EscapeString(v) + "</td>"; !bytes.Contains(body, []byte(cell)) {
			t.Fatalf("page lacks %q", cell)
		}
	}
}
