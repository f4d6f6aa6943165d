// Package web is halab's stand-in for the tutorial's nginx: a small, fast HTTP
// server that runs on a lab's web node behind the load balancers.
//
//	GET /         an HTML page naming the node in a big heading, with the
//	              request's X-Forwarded-For, the connecting address (the load
//	              balancer), Host and the time
//	GET /healthz  200 "ok", for HAProxy's `option httpchk GET /healthz`
//	other paths   404
//
// Every response carries X-Halab-Web (the node name) and X-Halab-Peer (the IP
// address that connected, which is the load balancer behind a proxy), so the
// client probe can tell which web server and which load balancer answered.
// Each request is logged as one access-log line.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/halab/halab/nodes/control"
)

// Response headers set on every answer.
const (
	// HeaderWeb names the web node that produced the answer ("web1").
	HeaderWeb = "X-Halab-Web"
	// HeaderPeer is the IP address of the host that opened the connection to
	// the web server: behind a proxy, the load balancer ("192.168.10.101").
	HeaderPeer = "X-Halab-Peer"
)

// Server timeouts: generous enough for a proxy that keeps backend
// connections alive, short enough that a stuck client cannot pin a
// connection.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 10 * time.Second
	idleTimeout       = 60 * time.Second
	maxHeaderBytes    = 64 << 10
	shutdownTimeout   = 2 * time.Second
)

// Options configures Run.
type Options struct {
	// Listen are the TCP addresses to serve on ("192.168.10.200:80", ":80").
	Listen []string
	// Listeners are already bound listeners to serve on as well (tests, or a
	// caller that binds itself). Run closes them when it returns.
	Listeners []net.Listener
	// Node is the node name shown on the page and in X-Halab-Web ("web1");
	// it defaults to "web".
	Node string
	// Control receives the status, the ready event and log events; when nil
	// Run uses a private server nobody reads.
	Control *control.Server
	// Logger receives one access-log line per request and the server's own
	// errors; when nil nothing is logged.
	Logger *slog.Logger
}

// Run serves the web node until ctx is cancelled, then stops gracefully
// (finishing requests in progress for up to 2 s) and returns nil. It returns
// an error when an address cannot be bound or serving fails.
func Run(ctx context.Context, opts Options) error {
	if len(opts.Listen) == 0 && len(opts.Listeners) == 0 {
		return errors.New("web: no listen address (want e.g. 192.168.10.200:80 or :80)")
	}
	node := opts.Node
	if node == "" {
		node = "web"
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctl := opts.Control
	if ctl == nil {
		ctl = control.NewServer(node, "web")
	}

	lns, err := listenAll(opts.Listen)
	if err != nil {
		for _, ln := range opts.Listeners {
			ln.Close()
		}
		return err
	}
	lns = append(lns, opts.Listeners...)
	addrs := make([]string, len(lns))
	for i, ln := range lns {
		addrs[i] = ln.Addr().String()
	}

	h := newHandler(node, log)
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, len(lns))
	for _, ln := range lns {
		go func() { errc <- srv.Serve(ln) }()
	}
	ctl.SetStatus(func() any { return h.stats.status(node, addrs) })
	msg := fmt.Sprintf("%s serving on %s", node, strings.Join(addrs, ", "))
	log.Info(msg)
	ctl.SetReady(msg)

	var serveErr error
	select {
	case <-ctx.Done():
	case err := <-errc:
		serveErr = err
	}
	stop, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(stop); err != nil {
		_ = srv.Close()
	}
	remaining := len(lns)
	if serveErr != nil {
		remaining--
	}
	for range remaining {
		if err := <-errc; serveErr == nil && !errors.Is(err, http.ErrServerClosed) {
			serveErr = err
		}
	}
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		ctl.Logf("error", "%s: serving stopped: %v", node, serveErr)
		return fmt.Errorf("web %s: serve: %w", node, serveErr)
	}
	log.Info("stopped", "node", node)
	return nil
}

// listenAll binds every address, or none: on an error the ones already bound
// are closed again.
func listenAll(addrs []string) ([]net.Listener, error) {
	var lns []net.Listener
	for _, addr := range addrs {
		ln, err := listen(addr)
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			return nil, err
		}
		lns = append(lns, ln)
	}
	return lns, nil
}

func listen(addr string) (net.Listener, error) {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, fmt.Errorf("web: listen address %q: want host:port (\"192.168.10.200:80\" or \":80\"): %w", addr, err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, bindError(addr, err)
	}
	return ln, nil
}

// bindError explains why addr could not be bound, naming the likely cause.
func bindError(addr string, err error) error {
	var hint string
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		hint = "the port is already in use (another web server, or a halab web still running?)"
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		hint = "the address is not on any interface of this node (check the lab's addresses and that web runs in the right node; \":port\" listens on all)"
	case errors.Is(err, syscall.EACCES):
		hint = "permission denied"
		if _, p, e := net.SplitHostPort(addr); e == nil {
			if n, e := strconv.Atoi(p); e == nil && n < 1024 {
				hint = "ports below 1024 need root (or CAP_NET_BIND_SERVICE)"
			}
		}
	}
	if hint == "" {
		return fmt.Errorf("web: listen on %s: %w", addr, err)
	}
	return fmt.Errorf("web: listen on %s: %s: %w", addr, hint, err)
}
