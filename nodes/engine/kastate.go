package engine

import (
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/nodes/vrrp"
	"github.com/halab/halab/nodes/vrrp/kaconf"
)

// kaState follows real keepalived's instances through its log lines: the
// state each is in and why, its effective priority, its track scripts and
// the master it hears. It turns the lines into the events halab's own
// VRRP daemon publishes (vrrp-state, vrrp-priority, log) and builds the
// same status (vrrp.Status). keepalived does not log the adverts it sends
// and receives, so the advert counters stay zero and no master-down timer
// is shown.
type kaState struct {
	mu        sync.Mutex
	version   string
	started   bool // "Startup complete" seen
	instances []*kaInstance
	// cause is the latest daemon-wide line that explains what follows (a
	// link change, a track script's result), until a transition or a
	// priority change uses it.
	cause string
}

// kaInstance is one vrrp_instance as keepalived reports it.
type kaInstance struct {
	cfg      *kaconf.Instance
	source   string   // the adverts' source address
	dsts     []string // their destinations
	state    string   // INIT until keepalived names one
	priority int
	master   string // the master heard, while BACKUP
	masterP  int
	last     *vrrp.TransitionAt
	scripts  map[string]string // track script → ok, failed, unknown
	cause    string            // the instance's line that explains its next transition
}

// newKAState prepares the instances of a parsed keepalived.conf; src
// gives an interface's primary address (the adverts' source when
// unicast_src_ip is not set).
func newKAState(cfg *kaconf.Config, src func(ifname string) string) *kaState {
	s := &kaState{}
	for _, ic := range cfg.Instances {
		in := &kaInstance{cfg: ic, state: "INIT", priority: ic.Priority, scripts: map[string]string{}}
		if ic.UnicastSrcIP.IsValid() {
			in.source = ic.UnicastSrcIP.String()
		} else {
			in.source = src(ic.Interface)
		}
		for _, p := range ic.UnicastPeers {
			in.dsts = append(in.dsts, p.Address.String())
		}
		if len(in.dsts) == 0 {
			in.dsts = []string{vrrp.MulticastGroup.String()}
		}
		for _, ts := range ic.TrackScripts {
			in.scripts[ts.Name] = "unknown"
		}
		s.instances = append(s.instances, in)
	}
	return s
}

func (s *kaState) instance(name string) *kaInstance {
	for _, in := range s.instances {
		if in.cfg.Name == name {
			return in
		}
	}
	return nil
}

// apply takes one log line, read at at, and returns the events it makes.
func (s *kaState) apply(r KARecord, at time.Time) []control.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.instance(r.Instance)
	switch r.Kind {
	case KAStarting:
		s.version = r.Version
	case KAStartup:
		s.started = true
	case KAScript:
		s.cause = r.Cause
		state := "failed"
		if r.OK {
			state = "ok"
		}
		for _, i := range s.instances {
			if _, tracked := i.scripts[r.Script]; tracked {
				i.scripts[r.Script] = state
			}
		}
	case KACause:
		if in == nil {
			s.cause = r.Cause
			break
		}
		in.cause = r.Cause
		if r.Peer != "" {
			// Every such line names the master: the one a master steps
			// down for, or the lower one a backup is about to preempt.
			in.master, in.masterP = r.Peer, r.PeerPriority
		}
	case KAPriority:
		if in == nil {
			break
		}
		in.priority = r.To
		why := s.cause
		s.cause = ""
		if why == "" {
			why = "tracking changed"
		}
		msg := fmt.Sprintf("(%s) Changing effective priority from %d to %d: %s", in.cfg.Name, r.From, r.To, why)
		return []control.Event{{Time: at, Kind: control.KindVRRPPriority, Message: msg,
			VRRP: &control.VRRPState{Instance: in.cfg.Name, From: in.state, To: in.state, Reason: why, Priority: r.To}}}
	case KAState:
		if in == nil {
			break
		}
		return []control.Event{s.transition(in, r, at)}
	case KAWarning:
		return []control.Event{{Time: at, Kind: control.KindLog, Level: "warn", Message: "keepalived: " + r.Text}}
	case KAStopping:
		return []control.Event{{Time: at, Kind: control.KindLog, Message: "keepalived stopping: masters send priority 0 and release their addresses"}}
	}
	return nil
}

// transition records a state change with the reason the lines before it
// gave, and returns its event.
func (s *kaState) transition(in *kaInstance, r KARecord, at time.Time) control.Event {
	why := in.cause
	if why == "" {
		why = s.cause
	}
	if r.Init {
		why = "initial state " + r.State
	}
	if why == "" {
		why = "keepalived gave no reason"
	}
	in.cause, s.cause = "", ""
	from := in.state
	in.state = r.State
	if r.State != "BACKUP" {
		in.master, in.masterP = "", 0
	}
	in.last = &vrrp.TransitionAt{From: from, To: r.State, Reason: why, At: at}
	return control.Event{Time: at, Kind: control.KindVRRPState,
		Message: fmt.Sprintf("%s → %s: %s", from, r.State, why),
		VRRP:    &control.VRRPState{Instance: in.cfg.Name, From: from, To: r.State, Reason: why, Priority: in.priority}}
}

// ready reports whether keepalived is running its instances: each has
// entered a state (or, without instances halab could read, the VRRP
// child said it started).
func (s *kaState) ready() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.instances) == 0 {
		return s.started
	}
	for _, in := range s.instances {
		if in.state == "INIT" {
			return false
		}
	}
	return true
}

// names lists the instances, for messages.
func (s *kaState) names() string {
	var n []string
	for _, in := range s.instances {
		n = append(n, in.cfg.Name)
	}
	return strings.Join(n, ", ")
}

// status is vrrp.Status as halab's daemon reports it. held says whether
// an address is on an interface now; linkUp whether an interface is up.
func (s *kaState) status(held func(ifname string, addr netip.Addr) bool, linkUp func(ifname string) bool) vrrp.Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := vrrp.Status{}
	for _, in := range s.instances {
		ic := in.cfg
		is := vrrp.InstanceStatus{
			Name: ic.Name, State: in.state, Priority: in.priority, BasePriority: ic.Priority,
			VRID: ic.VRID, Version: ic.Version, Interface: ic.Interface, Source: in.source,
			Destinations: in.dsts, Auth: ic.AuthType.String(), AdvertInterval: ic.AdvertInterval,
			Master: in.master, MasterPriority: in.masterP, LastTransition: in.last,
			Counters: vrrp.Counters{Dropped: map[string]uint64{}},
		}
		for _, v := range ic.VirtualIPs {
			dev := ic.VIPDevice(v)
			is.VIPs = append(is.VIPs, vrrp.VIPStatus{Address: v.Address.Addr().String(), Interface: dev, Held: held(dev, v.Address.Addr())})
		}
		linkState := "failed"
		if linkUp(ic.Interface) {
			linkState = "ok"
		}
		is.Tracks = append(is.Tracks, vrrp.TrackAt{Name: "interface " + ic.Interface, State: linkState})
		for _, ts := range ic.TrackScripts {
			w := ts.Weight
			if ts.WeightReverse {
				w = -w
			}
			is.Tracks = append(is.Tracks, vrrp.TrackAt{Name: "script " + ts.Name, Weight: w, State: in.scripts[ts.Name]})
		}
		st.Instances = append(st.Instances, is)
	}
	st.Summary = vrrp.Summarize(st.Instances)
	if s.version != "" {
		st.Summary += " (keepalived " + s.version + ")"
	}
	return st
}
