// Package hacfg parses the subset of HAProxy 2.6's configuration language
// (haproxy.cfg) that halab's proxy implements, with HAProxy's defaults and
// inheritance rules, and reports every problem at once as file:line
// diagnostics.
//
// Keywords HAProxy 2.6 does not know are errors, as `haproxy -c` reports them
// ("unknown keyword 'foo' in 'global' section"). Keywords HAProxy knows but
// halab does not implement are warnings that say so, and parsing goes on: a
// stock Debian haproxy.cfg parses with warnings only.
package hacfg

import (
	"net"
	"strconv"
	"time"
)

// Mode is a proxy's running mode, as HAProxy's "mode" keyword sets it.
type Mode string

// The modes HAProxy 2.6 knows. TCP is the default, as in HAProxy.
const (
	ModeTCP  Mode = "tcp"
	ModeHTTP Mode = "http"
)

// Algorithm is a backend's load-balancing algorithm ("balance").
type Algorithm string

// The algorithms halab implements; HAProxy's default is roundrobin.
const (
	RoundRobin Algorithm = "roundrobin"
	StaticRR   Algorithm = "static-rr"
	LeastConn  Algorithm = "leastconn"
	Source     Algorithm = "source"
	First      Algorithm = "first"
)

// Capability says what a proxy section can do: a frontend accepts
// connections, a backend holds servers, a listen section does both.
type Capability uint8

// Proxy capabilities, as HAProxy's PR_CAP_FE and PR_CAP_BE.
const (
	CapFrontend Capability = 1 << iota
	CapBackend
)

// Config is a parsed haproxy.cfg.
type Config struct {
	// File is the path the configuration was read from.
	File string
	// Global holds the global section's settings.
	Global Global
	// Proxies are the frontend, backend and listen sections in file order.
	Proxies []*Proxy
}

// Global is HAProxy's "global" section, reduced to what halab uses.
type Global struct {
	// MaxConn is the process-wide connection limit ("maxconn"); 0 means
	// automatic, as HAProxy derives it from the file-descriptor limit.
	MaxConn int
	// BufSize is tune.bufsize (16384): a response head larger than this is a
	// 502, as in HAProxy.
	BufSize int
	// MaxRewrite is tune.maxrewrite (1024): a request head larger than
	// BufSize-MaxRewrite is refused with a 400, as in HAProxy.
	MaxRewrite int
	// MaxHdr is tune.http.maxhdr (101): a request with that many header
	// lines or more is refused with a 400, a response with a 502, as
	// HAProxy 2.6 counts them (a Connection header holding only "close"
	// and "keep-alive" is not counted, as HAProxy consumes it).
	MaxHdr int
	// NbThread is "nbthread": how many threads serve traffic (halab sets
	// GOMAXPROCS to it); 0 means halab's default, one.
	NbThread int
}

// Proxy is one frontend, backend or listen section, with the settings it
// inherited from the defaults section before it.
type Proxy struct {
	Name string
	Line int
	// Cap is CapFrontend, CapBackend or both (listen).
	Cap  Capability
	Mode Mode

	// Frontend side.
	Binds          []Bind
	DefaultBackend string
	// DefaultBackendLine is where default_backend was set (maybe in defaults).
	DefaultBackendLine int
	Rules              []SwitchRule
	ACLs               map[string]*ACL
	MaxConn            int

	// Backend side.
	Balance    Algorithm
	Servers    []*Server
	HTTPCheck  *HTTPCheck
	Retries    int
	Redispatch bool
	// RedispatchEvery is option redispatch's interval: -1 (the default)
	// redispatches on the last retry, N > 0 on every Nth retry.
	RedispatchEvery int
	AllBackups      bool

	// Both.
	ForwardFor bool
	Timeout    Timeouts
	Stats      Stats

	// defaultServer holds what "default-server" presets for later
	// "server" lines; its Name, Addr and Line stay empty.
	defaultServer Server
	checks        *checkRules
}

// IsFrontend reports whether the proxy accepts connections.
func (p *Proxy) IsFrontend() bool { return p.Cap&CapFrontend != 0 }

// IsBackend reports whether the proxy holds servers.
func (p *Proxy) IsBackend() bool { return p.Cap&CapBackend != 0 }

// Kind names the section type as HAProxy does in its messages.
func (p *Proxy) Kind() string {
	switch p.Cap {
	case CapFrontend:
		return "frontend"
	case CapBackend:
		return "backend"
	case CapFrontend | CapBackend:
		return "proxy" // HAProxy says "proxy 'x'" for listen sections
	}
	return "defaults"
}

// Bind is one listening address of a frontend ("bind ADDR:PORT").
type Bind struct {
	// Addr is host:port; an empty host listens on all addresses.
	Addr string
	Line int
}

// Timeouts are a proxy's "timeout" settings; zero means unset.
type Timeouts struct {
	Connect       time.Duration
	Client        time.Duration
	Server        time.Duration
	Check         time.Duration
	HTTPRequest   time.Duration
	HTTPKeepAlive time.Duration
	Queue         time.Duration
	Tunnel        time.Duration
}

// Stats is the statistics page of a proxy ("stats enable", "stats uri").
type Stats struct {
	Enabled bool
	// URI is the path prefix of the page; HAProxy's default is "/haproxy?stats".
	URI string
	// Refresh makes the page reload itself ("stats refresh"), 0 for never.
	Refresh time.Duration
}

// DefaultStatsURI is HAProxy's default "stats uri".
const DefaultStatsURI = "/haproxy?stats"

// HTTPCheck is "option httpchk" with its "http-check expect" rule.
type HTTPCheck struct {
	Method  string
	URI     string
	Version string
	// Host is sent as the Host header (from "http-check send hdr host …" or a
	// version argument ending in "\r\nHost: …").
	Host string
	// ExpectStatus lists the accepted status codes; empty means 2xx or 3xx,
	// HAProxy's default.
	ExpectStatus []int
	// ExpectNot inverts ExpectStatus ("http-check expect ! status 500").
	ExpectNot bool
}

// Server is one "server" line of a backend, with HAProxy's defaults
// (inter 2000, rise 2, fall 3, weight 1) filled in.
type Server struct {
	Name string
	// Addr is host:port.
	Addr string
	Line int

	Check     bool
	Inter     time.Duration
	FastInter time.Duration
	DownInter time.Duration
	Rise      int
	Fall      int
	// CheckPort overrides the port health checks connect to ("port").
	CheckPort int
	Weight    int
	Backup    bool
	Disabled  bool
}

// CheckAddr is the address health checks connect to.
func (s *Server) CheckAddr() string {
	if s.CheckPort == 0 {
		return s.Addr
	}
	host, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return s.Addr
	}
	return net.JoinHostPort(host, strconv.Itoa(s.CheckPort))
}

// Frontends returns the proxies that accept connections, in file order.
func (c *Config) Frontends() []*Proxy {
	var out []*Proxy
	for _, p := range c.Proxies {
		if p.IsFrontend() {
			out = append(out, p)
		}
	}
	return out
}

// Backends returns the proxies that hold servers, in file order.
func (c *Config) Backends() []*Proxy {
	var out []*Proxy
	for _, p := range c.Proxies {
		if p.IsBackend() {
			out = append(out, p)
		}
	}
	return out
}

// Backend returns the backend (or listen section) named name, or nil.
func (c *Config) Backend(name string) *Proxy {
	for _, p := range c.Proxies {
		if p.IsBackend() && p.Name == name {
			return p
		}
	}
	return nil
}
