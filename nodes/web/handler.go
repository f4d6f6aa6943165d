package web

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// pageHTML is the page served at "/". {{NODE}} is filled in once at start;
// the other markers per request, in the order of pageMarkers.
const pageHTML = `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>{{NODE}} — halab web</title>
<style>
html { color-scheme: light dark; }
body { width: 42em; margin: 0 auto; font-family: Tahoma, Verdana, Arial, sans-serif; }
h1 { font-size: 3em; }
th { text-align: left; padding-right: 1.5em; }
</style>
</head>
<body>
<h1>{{NODE}} — served by halab web</h1>
<p>If you see this page, the load balancer forwarded your request to the web
server <b>{{NODE}}</b>, halab's stand-in for nginx. Reload it during a failover
drill: the heading stays, the load balancer that connected changes.</p>
<table>
<tr><th>X-Forwarded-For</th><td>{{XFF}}</td></tr>
<tr><th>Connected from</th><td>{{REMOTE}}</td></tr>
<tr><th>Host</th><td>{{HOST}}</td></tr>
<tr><th>Time</th><td>{{TIME}}</td></tr>
</table>
<p><em>halab web</em></p>
</body>
</html>
`

var pageMarkers = []string{"{{XFF}}", "{{REMOTE}}", "{{HOST}}", "{{TIME}}"}

// noXFF is shown when the request has no X-Forwarded-For header.
const noXFF = "(none: the client connected directly)"

const timeLayout = "2006-01-02 15:04:05.000 MST"

// Header values shared by all responses; net/http only reads them.
var (
	serverValue   = []string{"halab-web"}
	htmlType      = []string{"text/html; charset=utf-8"}
	textType      = []string{"text/plain; charset=utf-8"}
	allowValue    = []string{"GET, HEAD, OPTIONS"}
	nosniffValue  = []string{"nosniff"}
	healthBody    = []byte("ok\n")
	notFoundBody  = []byte("404 not found\n")
	notAllowedBdy = []byte("405 method not allowed\n")
)

// bufPool holds page buffers; a rendered page is about 1.2 KiB.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

type handler struct {
	node    string
	nodeHdr []string
	parts   [5][]byte // the page split around pageMarkers, node filled in
	log     *slog.Logger
	stats   *stats
}

func newHandler(node string, log *slog.Logger) *handler {
	h := &handler{node: node, nodeHdr: []string{node}, log: log, stats: &stats{}}
	page := strings.ReplaceAll(pageHTML, "{{NODE}}", string(appendEscaped(nil, node)))
	for i, m := range pageMarkers {
		before, after, _ := strings.Cut(page, m)
		h.parts[i] = []byte(before)
		page = after
	}
	h.parts[len(pageMarkers)] = []byte(page)
	return h
}

// ServeHTTP answers one request; see the package documentation.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	began := time.Now()
	peer := remoteIP(r.RemoteAddr)
	hdr := w.Header()
	hdr["Server"] = serverValue
	hdr[HeaderWeb] = h.nodeHdr
	hdr[HeaderPeer] = []string{peer}

	var status, n int
	var counter *atomic.Uint64
	switch r.URL.Path {
	case "/":
		counter = &h.stats.pages
		status, n = h.page(w, r, began)
	case "/healthz":
		counter = &h.stats.health
		status, n = writeSmall(w, r, http.StatusOK, textType, healthBody)
	default:
		counter = &h.stats.notFound
		status, n = writeSmall(w, r, http.StatusNotFound, textType, notFoundBody)
	}
	h.stats.count(peer, counter)

	if h.log.Enabled(context.Background(), slog.LevelInfo) {
		h.log.LogAttrs(context.Background(), slog.LevelInfo, "access",
			slog.String("peer", r.RemoteAddr),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", status),
			slog.Int("bytes", n),
			slog.String("xff", r.Header.Get("X-Forwarded-For")),
			slog.Duration("took", time.Since(began)),
		)
	}
}

// page renders the welcome page for GET and HEAD.
func (h *handler) page(w http.ResponseWriter, r *http.Request, now time.Time) (status, n int) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return writeSmall(w, r, http.StatusOK, htmlType, nil) // OPTIONS or 405
	}
	bp := bufPool.Get().(*[]byte)
	b := append((*bp)[:0], h.parts[0]...)
	if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
		b = appendEscaped(b, xff)
	} else {
		b = append(b, noXFF...)
	}
	b = append(b, h.parts[1]...)
	b = appendEscaped(b, r.RemoteAddr)
	b = append(b, h.parts[2]...)
	b = appendEscaped(b, r.Host)
	b = append(b, h.parts[3]...)
	b = now.AppendFormat(b, timeLayout)
	b = append(b, h.parts[4]...)
	status, n = writeSmall(w, r, http.StatusOK, htmlType, b)
	if cap(b) <= 16<<10 { // do not keep buffers grown by a huge header
		*bp = b
		bufPool.Put(bp)
	}
	return status, n
}

// writeSmall writes a complete answer with its Content-Length (so net/http
// never chunks it). OPTIONS gets the Allow header and no body: plain
// `option httpchk` sends "OPTIONS /" and expects a 2xx.
func writeSmall(w http.ResponseWriter, r *http.Request, code int, ctype []string, body []byte) (status, n int) {
	hdr := w.Header()
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		if code == http.StatusOK {
			hdr["Allow"] = allowValue
			hdr["Content-Length"] = []string{"0"}
			w.WriteHeader(http.StatusOK)
			return http.StatusOK, 0
		}
	default:
		if code == http.StatusOK {
			return notAllowed(w, r)
		}
	}
	hdr["Content-Type"] = ctype
	hdr["X-Content-Type-Options"] = nosniffValue
	hdr["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(code)
	if r.Method == http.MethodHead {
		return code, 0
	}
	n, _ = w.Write(body)
	return code, n
}

func notAllowed(w http.ResponseWriter, r *http.Request) (status, n int) {
	hdr := w.Header()
	hdr["Allow"] = allowValue
	hdr["Content-Type"] = textType
	hdr["Content-Length"] = []string{strconv.Itoa(len(notAllowedBdy))}
	w.WriteHeader(http.StatusMethodNotAllowed)
	n, _ = w.Write(notAllowedBdy)
	return http.StatusMethodNotAllowed, n
}

// remoteIP is the host part of a RemoteAddr ("192.168.10.101:41234").
func remoteIP(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

// appendEscaped appends s to b with the five HTML special characters escaped.
func appendEscaped(b []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '&':
			esc = "&amp;"
		case '"':
			esc = "&#34;"
		case '\'':
			esc = "&#39;"
		default:
			continue
		}
		b = append(b, s[last:i]...)
		b = append(b, esc...)
		last = i + 1
	}
	return append(b, s[last:]...)
}

// Status is the web component's status detail (GET /status on its control
// socket).
type Status struct {
	// Node is the node name the page shows.
	Node string `json:"node"`
	// Listen are the addresses served.
	Listen []string `json:"listen"`
	// Requests counts every answered request.
	Requests uint64 `json:"requests"`
	// Pages, Health and NotFound split Requests by path ("/", "/healthz", other).
	Pages    uint64 `json:"pages"`
	Health   uint64 `json:"health"`
	NotFound uint64 `json:"not_found"`
	// ByPeer counts requests by the IP address that connected (the load
	// balancers, behind a proxy).
	ByPeer map[string]uint64 `json:"by_peer,omitempty"`
}

// stats counts requests without locks on the hot path.
type stats struct {
	requests, pages, health, notFound atomic.Uint64
	byPeer                            sync.Map // string → *atomic.Uint64
}

func (s *stats) count(peer string, c *atomic.Uint64) {
	s.requests.Add(1)
	c.Add(1)
	v, ok := s.byPeer.Load(peer)
	if !ok {
		v, _ = s.byPeer.LoadOrStore(strings.Clone(peer), new(atomic.Uint64))
	}
	v.(*atomic.Uint64).Add(1)
}

func (s *stats) status(node string, listen []string) Status {
	st := Status{
		Node:     node,
		Listen:   slices.Clone(listen),
		Requests: s.requests.Load(),
		Pages:    s.pages.Load(),
		Health:   s.health.Load(),
		NotFound: s.notFound.Load(),
	}
	s.byPeer.Range(func(k, v any) bool {
		if st.ByPeer == nil {
			st.ByPeer = make(map[string]uint64)
		}
		st.ByPeer[k.(string)] = v.(*atomic.Uint64).Load()
		return true
	})
	return st
}
