package engine

import (
	"context"
	"fmt"
	"maps"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/nodes/web"
)

// RunNginx runs real nginx in the foreground on the node, serving what
// halab's web server serves, and the web component's control socket until
// ctx is done; then it stops nginx with SIGQUIT, its graceful shutdown
// (what Debian's nginx.service stops it with): requests in flight finish.
//
// nginx -e stderr -p DIR -c DIR/nginx.conf -g 'daemon off;': the
// configuration is NginxConfig's, written to DIR; the error log goes to
// standard error and the access log to standard output, both read by the
// adapter, which counts the requests for the status (web.Status).
func RunNginx(ctx context.Context, o Options) error {
	if len(o.Listen) == 0 {
		return fmt.Errorf("nginx: no listen address (want e.g. 192.168.10.200:80 or :80)")
	}
	path, err := findProgram(o.Program, "nginx", "nginx-light")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(o.Dir, "tmp"), 0o755); err != nil {
		return fmt.Errorf("nginx: %w", err)
	}
	conf := filepath.Join(o.Dir, "nginx.conf")
	text, err := NginxConfig(o.Node, o.Listen, o.Dir, workerUser())
	if err != nil {
		return err
	}
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		return fmt.Errorf("nginx: %w", err)
	}
	n := &ngAdapter{node: o.Node, listen: o.Listen, byPeer: map[string]uint64{}}
	o.Control.SetStatus(n.status)
	proc, err := Start(Program{Path: path, Args: []string{"-e", "stderr", "-p", o.Dir, "-c", conf, "-g", "daemon off;"},
		Dir: o.Dir, Stop: syscall.SIGQUIT, Log: o.Output})
	if err != nil {
		return fmt.Errorf("nginx: %w", err)
	}
	o.Logger.Info("started nginx", "pid", proc.PID(), "config", conf)
	return supervise(ctx, proc, hooks{
		line: func(l Line) {
			if e, ok := n.line(l.Text); ok {
				e.Time = l.At
				o.Control.Publish(e)
			}
		},
		poll:      n.probe,
		pollEvery: 50 * time.Millisecond,
		ready:     n.isReady,
		onReady: func() {
			o.Control.SetReady(fmt.Sprintf("%s serving on %s (nginx, pid %d)", o.Node, strings.Join(o.Listen, ", "), proc.PID()))
		},
	})
}

// accessPrefix starts every access-log line, to tell them from the error
// log's.
const accessPrefix = "halab-access "

// NginxConfig is the nginx.conf that makes nginx do on node what halab's
// web server does: "/" answers a page naming the node (plain text: nginx
// cannot HTML-escape the X-Forwarded-For it shows), "/healthz" answers
// "ok", anything else 404, and every answer carries X-Halab-Web (the node)
// and X-Halab-Peer (who connected), which the client probe reads. Files
// nginx writes (its pid, temporary files) go to dir; workers run as
// userGroup ("www-data www-data").
func NginxConfig(node string, listen []string, dir, userGroup string) (string, error) {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	w("# Written by halab for real nginx on %s: what halab's web server does there.", node)
	w("user %s;", userGroup)
	w("worker_processes 1;")
	w("pid %s;", filepath.Join(dir, "nginx.pid"))
	w("error_log stderr notice;")
	w("events { worker_connections 512; }")
	w("http {")
	w("    log_format halab '%s$remote_addr $status $request_method \"$uri\"';", accessPrefix)
	w("    access_log /dev/stdout halab;")
	for _, t := range []string{"client_body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		w("    %s_temp_path %s;", t, filepath.Join(dir, "tmp", t))
	}
	w("    server {")
	for _, l := range listen {
		addr, err := nginxListen(l)
		if err != nil {
			return "", err
		}
		w("        listen %s default_server;", addr)
	}
	w("        server_name _;")
	w("        add_header %s %s always;", web.HeaderWeb, node)
	w("        add_header %s $remote_addr always;", web.HeaderPeer)
	w("        location = / {")
	w("            default_type text/plain;")
	w(`            return 200 "%s — served by nginx\n\nThe load balancer forwarded your request to the web server %s: real nginx, in the place of halab's web server.\n\nX-Forwarded-For: $http_x_forwarded_for\nConnected from:  $remote_addr\nHost:            $host\nTime:            $time_iso8601\n";`, node, node)
	w("        }")
	w("        location = /healthz {")
	w("            default_type text/plain;")
	w(`            return 200 "ok\n";`)
	w("        }")
	w("        location / {")
	w("            return 404;")
	w("        }")
	w("    }")
	w("}")
	return b.String(), nil
}

// nginxListen turns a listen address of halab's web server into nginx's:
// "192.168.10.200:80" stays, ":80" and "0.0.0.0:80" become "80".
func nginxListen(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return "", fmt.Errorf("nginx: listen address %q: want host:port (\"192.168.10.200:80\" or \":80\")", addr)
	}
	if host == "" || host == "0.0.0.0" {
		return port, nil
	}
	return net.JoinHostPort(host, port), nil
}

// workerUser picks the account nginx's workers run as: www-data (Debian's
// nginx user), else nobody, with their primary group; else root.
func workerUser() string {
	for _, name := range []string{"www-data", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		if g, err := user.LookupGroupId(u.Gid); err == nil {
			return name + " " + g.Name
		}
	}
	return "root root"
}

// ngAdapter counts nginx's requests from its access log.
type ngAdapter struct {
	node   string
	listen []string

	mu                                sync.Mutex
	ready                             bool
	requests, pages, health, notFound uint64
	byPeer                            map[string]uint64
}

var ngAccess = regexp.MustCompile(`^` + accessPrefix + `(\S+) (\d{3}) (\S+) "([^"]*)"$`)

// line counts an access-log line, and turns an error-log line of level
// warn or worse into a log event.
func (n *ngAdapter) line(text string) (control.Event, bool) {
	if m := ngAccess.FindStringSubmatch(text); m != nil {
		n.mu.Lock()
		n.requests++
		n.byPeer[m[1]]++
		// By path, as halab's web server counts.
		switch m[4] {
		case "/":
			n.pages++
		case "/healthz":
			n.health++
		default:
			n.notFound++
		}
		n.mu.Unlock()
		return control.Event{}, false
	}
	for level, words := range map[string][]string{"error": {"[emerg]", "[alert]", "[crit]", "[error]"}, "warn": {"[warn]"}} {
		for _, w := range words {
			if strings.Contains(text, w) {
				return control.Event{Kind: control.KindLog, Level: level, Message: "nginx: " + text}, true
			}
		}
	}
	return control.Event{}, false
}

// probe connects to each listen address until all answer: nginx has then
// bound them and its worker accepts.
func (n *ngAdapter) probe() {
	n.mu.Lock()
	ready := n.ready
	n.mu.Unlock()
	if ready {
		return
	}
	for _, l := range n.listen {
		host, port, err := net.SplitHostPort(l)
		if err != nil {
			return
		}
		if host == "" || host == "0.0.0.0" {
			host = "127.0.0.1"
		}
		c, err := net.DialTimeout("tcp", net.JoinHostPort(host, port), 200*time.Millisecond)
		if err != nil {
			return
		}
		c.Close()
	}
	n.mu.Lock()
	n.ready = true
	n.mu.Unlock()
}

func (n *ngAdapter) isReady() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ready
}

func (n *ngAdapter) status() any {
	n.mu.Lock()
	defer n.mu.Unlock()
	st := web.Status{Node: n.node, Listen: append([]string(nil), n.listen...), Requests: n.requests,
		Pages: n.pages, Health: n.health, NotFound: n.notFound}
	if len(n.byPeer) > 0 {
		st.ByPeer = maps.Clone(n.byPeer)
	}
	return st
}
