// Package proxy is halab's HAProxy-compatible load balancer: it reads a
// haproxy.cfg (see package hacfg), binds its frontends (also to a virtual IP
// this node does not hold yet), and relays HTTP/1.1 or TCP traffic to the
// servers of its backends with HAProxy 2.6's balancing, health checks,
// retries, limits, error pages and stats page. State changes are published
// on the component's control socket as HAProxy logs them.
package proxy

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	goruntime "runtime"
	"strings"
	"sync"
	"time"

	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/nodes/proxy/hacfg"
	"github.com/halab/halab/nodes/proxy/health"
)

// maxGrace bounds a graceful stop: in-flight requests get "timeout client"
// or this, whichever is shorter, to finish.
const maxGrace = 5 * time.Second

// Options configure Run.
type Options struct {
	// ConfigPath is the haproxy.cfg to load.
	ConfigPath string
	// Node is the lab node name ("lb1"), sent in the X-Halab-LB response
	// header so that clients see which load balancer answered.
	Node string
	// Control is the component's control-socket server (never nil).
	Control *control.Server
	// Logger receives one line per state change and per error.
	Logger *slog.Logger
	// Clock drives health-check scheduling; nil means the real clock.
	Clock health.Clock
}

// Run loads the configuration, binds every frontend and serves until ctx is
// cancelled; then it stops gracefully, as HAProxy's soft stop: it stops
// accepting, lets in-flight requests finish within min(timeout client, 5 s)
// and returns nil. Configuration problems are returned as an error naming
// file:line (an *hacfg.InvalidError); warnings are logged.
func Run(ctx context.Context, opts Options) error {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	cfg, diags, err := hacfg.ParseFile(opts.ConfigPath)
	for _, d := range diags {
		if d.Severity == hacfg.Warning {
			log.Warn(d.String())
			if opts.Control != nil {
				opts.Control.Logf("warn", "%s", d.String())
			}
		}
	}
	if err != nil {
		return err
	}
	// HAProxy's nbthread: halab's goroutines run on that many threads. One
	// is the default: on a lab node it serves a loopback benchmark with
	// less CPU per request than HAProxy, where more threads mostly add
	// scheduler handoffs.
	threads := cfg.Global.NbThread
	if threads <= 0 {
		threads = 1
	}
	defer goruntime.GOMAXPROCS(goruntime.GOMAXPROCS(threads))
	inst, err := start(ctx, cfg, opts, log)
	if err != nil {
		return err
	}
	<-ctx.Done()
	inst.stop()
	return nil
}

// instance is a started proxy.
type instance struct {
	rt         *runtime
	listeners  []*net.TCPListener
	cancelHard context.CancelFunc
	wg         sync.WaitGroup // accept loops and checks
	grace      time.Duration
}

// start builds the runtime, binds the listeners and starts serving.
func start(ctx context.Context, cfg *hacfg.Config, opts Options, log *slog.Logger) (*instance, error) {
	clock := opts.Clock
	if clock == nil {
		clock = health.SystemClock{}
	}
	rt, err := newRuntime(cfg, opts.Node, opts.Control, log, clock)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.File, err)
	}
	hard, cancelHard := context.WithCancel(context.WithoutCancel(ctx))
	rt.ctx = hard
	inst := &instance{rt: rt, cancelHard: cancelHard, grace: maxGrace}
	type bound struct {
		fe *frontend
		ln *net.TCPListener
	}
	var all []bound
	var addrs []string
	for _, fe := range rt.frontends {
		if t := fe.cfg.Timeout.Client; t > 0 && t < inst.grace {
			inst.grace = t
		}
		for _, b := range fe.cfg.Binds {
			ln, err := listenTCP(ctx, b.Addr)
			if err != nil {
				for _, x := range all {
					x.ln.Close()
				}
				cancelHard()
				return nil, fmt.Errorf("%s:%d: frontend %s: %w", cfg.File, b.Line, fe.name, err)
			}
			all = append(all, bound{fe, ln})
			addrs = append(addrs, fe.name+"@"+ln.Addr().String())
		}
	}
	if len(all) == 0 {
		cancelHard()
		return nil, fmt.Errorf("%s: no frontend has a 'bind' line: nothing to serve", cfg.File)
	}
	rt.registerControl()
	rt.startChecks(hard, &inst.wg)
	for _, x := range all {
		inst.listeners = append(inst.listeners, x.ln)
		serve := x.fe.serveTCP
		if x.fe.http {
			serve = x.fe.serveHTTP
		}
		inst.wg.Add(1)
		go func(fe *frontend, ln *net.TCPListener) {
			defer inst.wg.Done()
			fe.acceptLoop(ln, serve)
		}(x.fe, x.ln)
	}
	msg := fmt.Sprintf("proxy ready: %d frontend(s), %d backend(s), listening on %s", len(rt.frontends), len(rt.backends), strings.Join(addrs, ", "))
	log.Info(msg)
	if opts.Control != nil {
		opts.Control.SetReady(msg)
	}
	return inst, nil
}

// stop closes the listeners, lets in-flight requests finish within the
// grace period, then stops checks and closes idle server connections.
func (inst *instance) stop() {
	for _, ln := range inst.listeners {
		ln.Close()
	}
	inst.rt.conns.stop(inst.grace, inst.cancelHard)
	inst.cancelHard()
	inst.wg.Wait()
	for _, be := range inst.rt.backends {
		for _, s := range be.servers {
			s.pool.closeIdle()
		}
	}
	inst.rt.log.Info("proxy stopped")
}
