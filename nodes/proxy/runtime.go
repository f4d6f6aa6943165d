package proxy

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/nodes/proxy/balance"
	"github.com/halab/halab/nodes/proxy/hacfg"
	"github.com/halab/halab/nodes/proxy/health"
)

// runtime is a running configuration: frontends with their listeners,
// backends with their servers, balancers, checks and connection pools.
type runtime struct {
	// ctx ends at a hard stop: it cancels dials and retry waits.
	ctx     context.Context
	node    string
	cfg     *hacfg.Config
	ctl     *control.Server
	log     *slog.Logger
	clock   health.Clock
	started time.Time

	frontends []*frontend
	backends  []*backend
	byName    map[string]*backend

	// global maxconn: one token per client connection
	globalSlots chan struct{}
	headLimit   int // request head limit: bufsize - maxrewrite
	maxHdr      int // tune.http.maxhdr
	bufSize     int
	bufPool     sync.Pool // *connBuffers for client connections
	writerPool  sync.Pool // *bufio.Writer for client connections with an answer to send
	conns       connTracker
}

// frontend is a running frontend or the frontend half of a listen section.
type frontend struct {
	rt        *runtime
	cfg       *hacfg.Proxy
	name      string
	http      bool
	defaultBE *backend
	rules     []switchRule
	slots     chan struct{} // maxconn
	ownBE     *backend      // the backend half of a listen section

	curConns      atomic.Int64
	maxConns      atomic.Int64
	totConns      atomic.Int64
	requests      atomic.Int64
	reqErrors     atomic.Int64 // invalid or timed-out requests (400, 408)
	bytesIn       atomic.Int64
	bytesOut      atomic.Int64
	gatewayErrors atomic.Int64 // 502, 503 and 504 answered by the proxy itself
}

type switchRule struct {
	cond *hacfg.Condition
	be   *backend
}

// backend is a running backend or the backend half of a listen section.
type backend struct {
	rt      *runtime
	cfg     *hacfg.Proxy
	name    string
	servers []*server
	lb      *balance.Balancer
	// hashed is HAProxy's BE_LB_KIND_HI ("balance source"): a client is
	// tied to its server, so a retry is not redispatched at once.
	hashed bool

	mu         sync.Mutex // serialises state changes and their messages
	lastChange time.Time

	requests     atomic.Int64
	connErrors   atomic.Int64
	respErrors   atomic.Int64
	retries      atomic.Int64
	redispatches atomic.Int64
	noServer     atomic.Int64
	bytesOut     atomic.Int64
}

// server is a running server with its state, checks and idle connections.
type server struct {
	be      *backend
	cfg     *hacfg.Server
	index   int
	name    string
	addr    string
	checker *health.Checker

	mu         sync.Mutex
	up         bool // per health checks (always true when not checked)
	maint      bool // disabled by configuration or the disable-server action
	lastChange time.Time
	downTrans  int

	pool connPool

	sessions   atomic.Int64 // requests or connections sent to it
	connErrors atomic.Int64
	respErrors atomic.Int64
	retries    atomic.Int64
	redisp     atomic.Int64
	bytesIn    atomic.Int64
	bytesOut   atomic.Int64
	lastSess   atomic.Int64 // unix nanoseconds of the last request
}

// usable reports whether the server may get traffic.
func (s *server) usable() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.up && !s.maint
}

// newRuntime builds the running objects of cfg; nothing listens yet.
func newRuntime(cfg *hacfg.Config, node string, ctl *control.Server, log *slog.Logger, clock health.Clock) (*runtime, error) {
	rt := &runtime{
		node: node, cfg: cfg, ctl: ctl, log: log, clock: clock, started: time.Now(),
		byName:    map[string]*backend{},
		bufSize:   cfg.Global.BufSize,
		headLimit: cfg.Global.BufSize - cfg.Global.MaxRewrite,
		maxHdr:    cfg.Global.MaxHdr,
	}
	maxconn := cfg.Global.MaxConn
	if maxconn <= 0 {
		maxconn = defaultMaxConn()
	}
	rt.globalSlots = make(chan struct{}, maxconn)
	for _, px := range cfg.Backends() {
		be := rt.newBackend(px)
		rt.backends = append(rt.backends, be)
		rt.byName[px.Name] = be
	}
	for _, px := range cfg.Frontends() {
		fe := &frontend{rt: rt, cfg: px, name: px.Name, http: px.Mode == hacfg.ModeHTTP}
		if px.DefaultBackend != "" {
			fe.defaultBE = rt.byName[px.DefaultBackend]
			if fe.defaultBE == nil {
				return nil, fmt.Errorf("frontend %s: default_backend %s not found", px.Name, px.DefaultBackend)
			}
		}
		if px.IsBackend() {
			fe.ownBE = rt.byName[px.Name]
		}
		for _, r := range px.Rules {
			be := rt.byName[r.Backend]
			if be == nil {
				return nil, fmt.Errorf("frontend %s: use_backend %s not found", px.Name, r.Backend)
			}
			fe.rules = append(fe.rules, switchRule{cond: r.Cond, be: be})
		}
		fmax := px.MaxConn
		if fmax <= 0 || fmax > maxconn {
			fmax = maxconn // a frontend's default is the global maxconn
		}
		fe.slots = make(chan struct{}, fmax)
		rt.frontends = append(rt.frontends, fe)
	}
	return rt, nil
}

func (rt *runtime) newBackend(px *hacfg.Proxy) *backend {
	be := &backend{rt: rt, cfg: px, name: px.Name, lastChange: time.Now(),
		hashed: px.Balance == hacfg.Source}
	lbServers := make([]balance.Server, len(px.Servers))
	for i, sc := range px.Servers {
		s := &server{be: be, cfg: sc, index: i, name: sc.Name, addr: sc.Addr,
			up: true, maint: sc.Disabled, lastChange: time.Now()}
		s.pool.init(s)
		be.servers = append(be.servers, s)
		lbServers[i] = balance.Server{Weight: sc.Weight, Backup: sc.Backup, Usable: !sc.Disabled}
	}
	be.lb = balance.New(px.Balance, lbServers, px.AllBackups)
	return be
}

// defaultMaxConn mirrors HAProxy's automatic maxconn: about half the file
// descriptors (one for the client, one for the server of each connection).
func defaultMaxConn() int {
	n := fdLimit()/2 - 50
	if n < 100 {
		n = 100
	}
	if n > 100000 {
		n = 100000
	}
	return n
}

// timeouts of a frontend/backend pair with HAProxy's fallbacks.
func (fe *frontend) clientTimeout() time.Duration { return fe.cfg.Timeout.Client }

// requestTimeout is how long a request head may take to arrive:
// "timeout http-request", else "timeout client".
func (fe *frontend) requestTimeout() time.Duration {
	if t := fe.cfg.Timeout.HTTPRequest; t > 0 {
		return t
	}
	return fe.cfg.Timeout.Client
}

// keepAliveTimeout is how long an idle keep-alive connection waits for the
// next request: "timeout http-keep-alive", else "timeout http-request",
// else "timeout client".
func (fe *frontend) keepAliveTimeout() time.Duration {
	if t := fe.cfg.Timeout.HTTPKeepAlive; t > 0 {
		return t
	}
	return fe.requestTimeout()
}

// deadline turns a timeout into a deadline; zero means none.
func deadline(now time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	return now.Add(d)
}
