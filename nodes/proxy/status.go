package proxy

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/halab/halab/nodes/proxy/health"
)

// Status is the proxy's state as Control.SetStatus reports it (GET /status
// detail) and as the stats page shows it: HAProxy's "show stat" in JSON.
type Status struct {
	Node      string           `json:"node"`
	Started   time.Time        `json:"started"`
	Frontends []FrontendStatus `json:"frontends"`
	Backends  []BackendStatus  `json:"backends"`
}

// FrontendStatus is one frontend's row (HAProxy's FRONTEND line).
type FrontendStatus struct {
	Name          string   `json:"name"`
	Mode          string   `json:"mode"`
	Binds         []string `json:"binds"`
	CurConns      int64    `json:"cur_conns"`
	MaxConns      int64    `json:"max_conns"`
	ConnLimit     int      `json:"conn_limit"`
	TotalConns    int64    `json:"total_conns"`
	Requests      int64    `json:"requests"`
	RequestErrors int64    `json:"request_errors"`
	// GatewayErrors counts the 502, 503 and 504 the proxy answered itself
	// (no server, connection failed, bad or late response).
	GatewayErrors int64 `json:"gateway_errors"`
	BytesIn       int64 `json:"bytes_in"`
	BytesOut      int64 `json:"bytes_out"`
}

// BackendStatus is one backend's row and its servers.
type BackendStatus struct {
	Name         string         `json:"name"`
	Mode         string         `json:"mode"`
	Balance      string         `json:"balance"`
	Up           bool           `json:"up"`
	Active       int            `json:"active"`
	Backup       int            `json:"backup"`
	LastChange   time.Time      `json:"last_change"`
	Requests     int64          `json:"requests"`
	ConnErrors   int64          `json:"conn_errors"`
	RespErrors   int64          `json:"resp_errors"`
	Retries      int64          `json:"retries"`
	Redispatches int64          `json:"redispatches"`
	NoServer     int64          `json:"no_server"`
	BytesOut     int64          `json:"bytes_out"`
	Servers      []ServerStatus `json:"servers"`
}

// ServerStatus is one server's row: state, last check and counters.
type ServerStatus struct {
	Name        string `json:"name"`
	Addr        string `json:"addr"`
	Up          bool   `json:"up"`
	Maintenance bool   `json:"maintenance"`
	// State is HAProxy's status column: "UP", "DOWN", "UP 1/3", "MAINT",
	// "no check".
	State           string       `json:"state"`
	Backup          bool         `json:"backup"`
	Weight          int          `json:"weight"`
	Checked         bool         `json:"checked"`
	LastChange      time.Time    `json:"last_change"`
	LastCheck       *CheckStatus `json:"last_check,omitempty"`
	FailedChecks    int          `json:"failed_checks"`
	DownTransitions int          `json:"down_transitions"`
	InFlight        int          `json:"in_flight"`
	Sessions        int64        `json:"sessions"`
	LastSession     time.Time    `json:"last_session,omitempty"`
	ConnErrors      int64        `json:"conn_errors"`
	RespErrors      int64        `json:"resp_errors"`
	Retries         int64        `json:"retries"`
	Redispatches    int64        `json:"redispatches"`
	BytesOut        int64        `json:"bytes_out"`
}

// CheckStatus is the last health check's result.
type CheckStatus struct {
	Status      string        `json:"status"`
	Description string        `json:"description"`
	Code        int           `json:"code,omitempty"`
	Info        string        `json:"info,omitempty"`
	Duration    time.Duration `json:"duration"`
	At          time.Time     `json:"at"`
}

// status takes a consistent-enough snapshot of every counter and state.
func (rt *runtime) status() Status {
	st := Status{Node: rt.node, Started: rt.started}
	for _, fe := range rt.frontends {
		fs := FrontendStatus{Name: fe.name, Mode: string(fe.cfg.Mode), ConnLimit: cap(fe.slots),
			CurConns: fe.curConns.Load(), MaxConns: fe.maxConns.Load(), TotalConns: fe.totConns.Load(),
			Requests: fe.requests.Load(), RequestErrors: fe.reqErrors.Load(), GatewayErrors: fe.gatewayErrors.Load(),
			BytesIn: fe.bytesIn.Load(), BytesOut: fe.bytesOut.Load()}
		for _, b := range fe.cfg.Binds {
			fs.Binds = append(fs.Binds, b.Addr)
		}
		st.Frontends = append(st.Frontends, fs)
	}
	for _, be := range rt.backends {
		act, bck := be.lb.Counts()
		be.mu.Lock()
		last := be.lastChange
		be.mu.Unlock()
		bs := BackendStatus{Name: be.name, Mode: string(be.cfg.Mode), Balance: string(be.cfg.Balance),
			Up: act+bck > 0, Active: act, Backup: bck, LastChange: last,
			Requests: be.requests.Load(), ConnErrors: be.connErrors.Load(), RespErrors: be.respErrors.Load(),
			Retries: be.retries.Load(), Redispatches: be.redispatches.Load(), NoServer: be.noServer.Load(),
			BytesOut: be.bytesOut.Load()}
		for _, s := range be.servers {
			bs.Servers = append(bs.Servers, s.status())
		}
		st.Backends = append(st.Backends, bs)
	}
	return st
}

func (s *server) status() ServerStatus {
	s.mu.Lock()
	ss := ServerStatus{Name: s.name, Addr: s.addr, Up: s.up && !s.maint, Maintenance: s.maint,
		Backup: s.cfg.Backup, Weight: s.cfg.Weight, Checked: s.cfg.Check,
		LastChange: s.lastChange, DownTransitions: s.downTrans}
	s.mu.Unlock()
	switch {
	case ss.Maintenance:
		ss.State = "MAINT"
	case s.checker != nil:
		snap := s.checker.Snapshot()
		ss.State = snap.Status
		ss.FailedChecks = snap.Failed
		if snap.Last.Status != health.StatusInit {
			ss.LastCheck = &CheckStatus{Status: string(snap.Last.Status), Description: snap.Last.Status.Description(),
				Code: snap.Last.Code, Info: snap.Last.Info, Duration: snap.Last.Duration, At: snap.Last.At}
		}
	default:
		ss.State = "no check"
	}
	ss.InFlight = s.be.lb.InFlight(s.index)
	ss.Sessions = s.sessions.Load()
	if ns := s.lastSess.Load(); ns > 0 {
		ss.LastSession = time.Unix(0, ns)
	}
	ss.ConnErrors, ss.RespErrors = s.connErrors.Load(), s.respErrors.Load()
	ss.Retries, ss.Redispatches = s.retries.Load(), s.redisp.Load()
	ss.BytesOut = s.bytesOut.Load()
	return ss
}

// serverRef names a server in an action's JSON body.
type serverRef struct {
	Backend string `json:"backend"`
	Server  string `json:"server"`
}

// registerControl publishes the status and the "disable-server" /
// "enable-server" actions (HAProxy's "disable server" and "enable server"
// CLI commands) on the control socket.
func (rt *runtime) registerControl() {
	if rt.ctl == nil {
		return
	}
	rt.ctl.SetStatus(func() any { return rt.status() })
	for name, on := range map[string]bool{"disable-server": true, "enable-server": false} {
		on := on
		rt.ctl.Handle(name, func(_ context.Context, body []byte) (any, error) {
			var ref serverRef
			if err := json.Unmarshal(body, &ref); err != nil {
				return nil, fmt.Errorf("want {\"backend\": …, \"server\": …}: %w", err)
			}
			s, err := rt.findServer(ref)
			if err != nil {
				return nil, err
			}
			changed := s.setMaintenance(on)
			return map[string]any{"backend": ref.Backend, "server": ref.Server, "maintenance": on, "changed": changed}, nil
		})
	}
}

func (rt *runtime) findServer(ref serverRef) (*server, error) {
	be := rt.byName[ref.Backend]
	if be == nil {
		return nil, fmt.Errorf("no backend %q", ref.Backend)
	}
	for _, s := range be.servers {
		if s.name == ref.Server {
			return s, nil
		}
	}
	return nil, fmt.Errorf("backend %q has no server %q", ref.Backend, ref.Server)
}
