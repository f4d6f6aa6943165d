package proxy

import (
	"fmt"
	"strings"
	"time"

	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/nodes/proxy/health"
)

// serverPrefix is "Server" or "Backup Server", as HAProxy's messages start.
func (s *server) prefix() string {
	if s.cfg.Backup {
		return "Backup Server"
	}
	return "Server"
}

// checkChanged applies a health-check transition and reports it with
// HAProxy 2.6's log line (srv_update_status + srv_append_status), e.g.
// "Server webserverapp/webserver1 is DOWN, reason: Layer4 connection
// problem, info: "Connection refused", check duration: 0ms. 0 active and 0
// backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue."
func (s *server) checkChanged(up bool, r health.Result) {
	be := s.be
	be.mu.Lock()
	defer be.mu.Unlock()
	s.mu.Lock()
	if s.maint || s.up == up {
		s.mu.Unlock()
		return
	}
	s.up = up
	s.lastChange = time.Now()
	if !up {
		s.downTrans++
	}
	s.mu.Unlock()
	reason := r.Reason()
	be.applyState(s, up, ", "+reason, false)
}

// applyState tells the balancer, closes idle connections of a server that
// went down, and publishes the transition. detail is appended after the
// subject ("Server be/s is DOWN"). Called with be.mu held.
func (be *backend) applyState(s *server, up bool, detail string, maint bool) {
	before, beforeBck := be.lb.Counts()
	be.lb.SetUsable(s.index, up)
	if !up {
		s.pool.closeIdle()
	}
	act, bck := be.lb.Counts()
	running := ""
	if bck > 0 && act == 0 {
		running = " Running on backup."
	}
	var msg string
	switch {
	case maint && !up:
		msg = fmt.Sprintf("%s %s/%s is going DOWN for maintenance. %d active and %d backup servers left.%s %d sessions active, 0 requeued, 0 remaining in queue.",
			s.prefix(), be.name, s.name, act, bck, running, be.lb.InFlight(s.index))
	case maint && up:
		msg = fmt.Sprintf("%s %s/%s is UP/READY (leaving forced maintenance).", s.prefix(), be.name, s.name)
	case up:
		msg = fmt.Sprintf("%s %s/%s is UP%s. %d active and %d backup servers online.%s 0 sessions requeued, 0 total in queue.",
			s.prefix(), be.name, s.name, detail, act, bck, running)
	default:
		msg = fmt.Sprintf("%s %s/%s is DOWN%s. %d active and %d backup servers left.%s %d sessions active, 0 requeued, 0 remaining in queue.",
			s.prefix(), be.name, s.name, detail, act, bck, running, be.lb.InFlight(s.index))
	}
	level := "info"
	if !up {
		level = "warn"
	}
	reason := strings.TrimPrefix(strings.TrimPrefix(detail, ", "), "reason: ")
	if maint {
		reason = "maintenance"
	}
	rt := be.rt
	rt.publish(control.Event{Kind: control.KindBackend, Level: level, Message: msg,
		Backend: &control.Backend{Backend: be.name, Server: s.name, Up: up, Reason: reason}})
	if up {
		rt.log.Info(msg, "backend", be.name, "server", s.name, "up", true)
	} else {
		rt.log.Warn(msg, "backend", be.name, "server", s.name, "up", false)
	}
	now := time.Now()
	if before+beforeBck > 0 && act+bck == 0 {
		be.lastChange = now
		text := fmt.Sprintf("backend %s has no server available!", be.name)
		rt.publish(control.Event{Kind: control.KindLog, Level: "error", Message: text})
		rt.log.Error(text, "backend", be.name)
	} else if before+beforeBck == 0 && act+bck > 0 {
		be.lastChange = now
	}
}

// setMaintenance is HAProxy's "disable server" / "enable server": a server
// in maintenance gets no traffic and no checks; leaving it, the server is
// UP at once and checked immediately.
func (s *server) setMaintenance(on bool) (changed bool) {
	be := s.be
	be.mu.Lock()
	defer be.mu.Unlock()
	s.mu.Lock()
	if s.maint == on {
		s.mu.Unlock()
		return false
	}
	s.maint = on
	wasUp := s.up
	s.up = true // leaving maintenance restarts the checks at "UP"
	s.lastChange = time.Now()
	if on && wasUp {
		s.downTrans++
	}
	s.mu.Unlock()
	if s.checker != nil {
		s.checker.SetMaintenance(on)
	}
	if on && !wasUp {
		msg := fmt.Sprintf("%s %s/%s was DOWN and now enters maintenance.", s.prefix(), be.name, s.name)
		be.lb.SetUsable(s.index, false)
		be.rt.publish(control.Event{Kind: control.KindBackend, Level: "info", Message: msg,
			Backend: &control.Backend{Backend: be.name, Server: s.name, Up: false, Reason: "maintenance"}})
		be.rt.log.Info(msg, "backend", be.name, "server", s.name)
		return true
	}
	be.applyState(s, !on, "", true)
	return true
}

// publish sends an event to the control socket, if any.
func (rt *runtime) publish(e control.Event) {
	if rt.ctl != nil {
		rt.ctl.Publish(e)
	}
}
