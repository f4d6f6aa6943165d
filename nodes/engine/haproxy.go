package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/nodes/proxy"
	"github.com/halab/halab/nodes/proxy/hacfg"
)

// statsPoll is how often the adapter reads HAProxy's stats socket.
const statsPoll = 250 * time.Millisecond

// statsTimeout bounds one stats socket command.
const statsTimeout = time.Second

// RunHAProxy runs real HAProxy in the foreground on the node and serves
// the proxy component's control socket until ctx is done, then stops it
// with SIGUSR1, HAProxy's soft stop: it stops listening and finishes the
// requests in flight, as halab's proxy does on SIGTERM.
//
// haproxy -db -f CONFIG -f DIR/halab-stats.cfg: not in the background, the
// lab's configuration unchanged, and a second global section (HAProxy
// merges them) that adds a stats socket in DIR. The adapter reads `show
// stat` there for the status (proxy.Status) and turns HAProxy's own
// "Server B/S is DOWN, reason: …" lines, and state changes the stats show
// (maintenance), into backend events. The disable-server and
// enable-server actions are HAProxy's `disable server` and `enable server`.
func RunHAProxy(ctx context.Context, o Options) error {
	path, err := findProgram(o.Program, "haproxy", "haproxy")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return fmt.Errorf("haproxy: %w", err)
	}
	sock := filepath.Join(o.Dir, "stats.sock")
	extra := filepath.Join(o.Dir, "halab-stats.cfg")
	text := "# Written by halab: the stats socket halab reads HAProxy's state from.\nglobal\n    stats socket " + sock + " mode 600 level admin\n"
	if err := os.WriteFile(extra, []byte(text), 0o600); err != nil {
		return fmt.Errorf("haproxy: %w", err)
	}
	_ = os.Remove(sock) // a killed HAProxy's: HAProxy replaces it too
	a := &haAdapter{sock: sock, ctl: o.Control, node: o.Node, started: time.Now(), known: map[string]bool{}}
	if cfg, _, err := hacfg.ParseFile(o.Config); err == nil && cfg != nil {
		a.binds = map[string][]string{}
		for _, fe := range cfg.Frontends() {
			for _, b := range fe.Binds {
				a.binds[fe.Name] = append(a.binds[fe.Name], b.Addr)
			}
		}
	}
	o.Control.SetStatus(a.status)
	a.registerActions()

	proc, err := Start(Program{Path: path, Args: []string{"-db", "-f", o.Config, "-f", extra}, Dir: o.Dir, Stop: syscall.SIGUSR1, Log: o.Output})
	if err != nil {
		return fmt.Errorf("haproxy: %w", err)
	}
	o.Logger.Info("started haproxy", "pid", proc.PID(), "config", o.Config)
	return supervise(ctx, proc, hooks{
		line: func(l Line) {
			for _, e := range a.line(ParseHAProxyLine(l.Text), l.At) {
				o.Control.Publish(e)
			}
		},
		poll:      func() { a.poll() },
		pollEvery: statsPoll,
		ready:     a.serving,
		onReady: func() {
			o.Control.SetReady(fmt.Sprintf("haproxy (pid %d) ready: %s", proc.PID(), a.describe()))
		},
	})
}

// haAdapter holds what HAProxy last said of itself.
type haAdapter struct {
	sock, node string
	started    time.Time
	ctl        *control.Server
	binds      map[string][]string // frontend → bind addresses, from the configuration

	mu    sync.Mutex
	last  proxy.Status
	read  bool            // a show stat answer arrived
	known map[string]bool // backend/server → up, as last published
}

// command sends one command to the stats socket and returns the answer.
func (a *haAdapter) command(cmd string) ([]byte, error) {
	c, err := net.DialTimeout("unix", a.sock, statsTimeout)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(statsTimeout))
	if _, err := io.WriteString(c, cmd+"\n"); err != nil {
		return nil, err
	}
	return io.ReadAll(c)
}

// poll reads `show stat` and publishes the server state changes that
// HAProxy's lines did not already announce.
func (a *haAdapter) poll() {
	out, err := a.command("show stat")
	if err != nil {
		return
	}
	fes, bes, err := ParseShowStat(out, time.Now())
	if err != nil {
		return
	}
	for i := range fes {
		fes[i].Binds = a.binds[fes[i].Name]
	}
	a.mu.Lock()
	first := !a.read
	a.last = proxy.Status{Node: a.node, Started: a.started, Frontends: fes, Backends: bes}
	a.read = true
	var events []control.Event
	for _, b := range bes {
		for _, s := range b.Servers {
			key := b.Name + "/" + s.Name
			if was, ok := a.known[key]; first || !ok || was != s.Up {
				a.known[key] = s.Up
				if !first && ok {
					events = append(events, backendEvent(b.Name, s.Name, s.Up, statsReason(s), time.Now()))
				}
			}
		}
	}
	a.mu.Unlock()
	for _, e := range events {
		a.ctl.Publish(e)
	}
}

// statsReason says why the stats show a server as they do.
func statsReason(s proxy.ServerStatus) string {
	switch {
	case s.Maintenance:
		return "maintenance"
	case s.LastCheck != nil && s.LastCheck.Description != "":
		return s.LastCheck.Description
	}
	return s.State
}

// line turns one of HAProxy's lines into events: a server's state change
// (unless already published), or a warning or alert as a log event.
func (a *haAdapter) line(h HALine, at time.Time) []control.Event {
	if h.Server != "" {
		key := h.Backend + "/" + h.Server
		a.mu.Lock()
		was, ok := a.known[key]
		a.known[key] = h.Up
		a.mu.Unlock()
		if ok && was == h.Up {
			return nil
		}
		return []control.Event{backendEvent(h.Backend, h.Server, h.Up, h.Reason, at)}
	}
	switch h.Level {
	case "ALERT", "EMERG":
		return []control.Event{{Time: at, Kind: control.KindLog, Level: "error", Message: "haproxy: " + h.Text}}
	case "WARNING":
		return []control.Event{{Time: at, Kind: control.KindLog, Level: "warn", Message: "haproxy: " + h.Text}}
	}
	return nil
}

func backendEvent(backend, server string, up bool, reason string, at time.Time) control.Event {
	state, level := "DOWN", "warn"
	if up {
		state, level = "UP", "info"
	}
	msg := fmt.Sprintf("Server %s/%s is %s", backend, server, state)
	if reason != "" {
		msg += ", reason: " + reason
	}
	return control.Event{Time: at, Kind: control.KindBackend, Level: level, Message: msg,
		Backend: &control.Backend{Backend: backend, Server: server, Up: up, Reason: reason}}
}

// serving reports whether HAProxy answers on its stats socket, which it
// opens once its frontends listen.
func (a *haAdapter) serving() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.read
}

func (a *haAdapter) describe() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var parts []string
	for _, fe := range a.last.Frontends {
		parts = append(parts, fe.Name+" on "+strings.Join(fe.Binds, ","))
	}
	return fmt.Sprintf("%d frontend(s) (%s), %d backend(s)", len(a.last.Frontends), strings.Join(parts, "; "), len(a.last.Backends))
}

func (a *haAdapter) status() any {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.last
}

// registerActions serves disable-server and enable-server as halab's proxy
// does, through HAProxy's CLI.
func (a *haAdapter) registerActions() {
	for name, on := range map[string]bool{"disable-server": true, "enable-server": false} {
		a.ctl.Handle(name, func(_ context.Context, body []byte) (any, error) {
			var ref struct {
				Backend string `json:"backend"`
				Server  string `json:"server"`
			}
			if err := json.Unmarshal(body, &ref); err != nil || ref.Backend == "" || ref.Server == "" {
				return nil, fmt.Errorf("want {\"backend\": …, \"server\": …}")
			}
			verb := "enable"
			if on {
				verb = "disable"
			}
			out, err := a.command(verb + " server " + ref.Backend + "/" + ref.Server)
			if err != nil {
				return nil, fmt.Errorf("haproxy stats socket: %w", err)
			}
			if msg := strings.TrimSpace(string(out)); msg != "" {
				return nil, fmt.Errorf("haproxy: %s", msg)
			}
			a.poll()
			return map[string]any{"backend": ref.Backend, "server": ref.Server, "maintenance": on}, nil
		})
	}
}

// HALine is one line HAProxy wrote to its standard error.
type HALine struct {
	// Level is NOTICE, WARNING, ALERT or EMERG; "" for a line without one.
	Level string
	// Text is the message, without the level and process id.
	Text string
	// Backend and Server are set for a server's state change; Up and
	// Reason say to what and why.
	Backend, Server string
	Up              bool
	Reason          string
}

var (
	haLevel  = regexp.MustCompile(`^\[(NOTICE|WARNING|ALERT|EMERG)\]\s+\(\d+\)\s*:\s*(.*)$`)
	haServer = regexp.MustCompile(`^(?:Backup )?Server ([^/\s]+)/(\S+) is (UP|DOWN)(?:, reason: (.*?))?(?:, check duration: \d+ms)?\. `)
	haMaint  = regexp.MustCompile(`^(?:Backup )?Server ([^/\s]+)/(\S+) is going DOWN for maintenance`)
)

// ParseHAProxyLine reads one of HAProxy's (2.6) lines.
func ParseHAProxyLine(line string) HALine {
	h := HALine{Text: strings.TrimRight(line, "\r\n")}
	if m := haLevel.FindStringSubmatch(h.Text); m != nil {
		h.Level, h.Text = m[1], m[2]
	}
	if m := haServer.FindStringSubmatch(h.Text); m != nil {
		h.Backend, h.Server, h.Up, h.Reason = m[1], m[2], m[3] == "UP", m[4]
	} else if m := haMaint.FindStringSubmatch(h.Text); m != nil {
		h.Backend, h.Server, h.Reason = m[1], m[2], "maintenance"
	}
	return h
}
