package demo

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/control"
)

// The tutorial's timers: one-second adverts, the track script every two
// seconds (weight 2), HAProxy's checks every two seconds (rise 2, fall 3),
// the probe's outage threshold.
const (
	advert          = time.Second
	scriptInterval  = 2 * time.Second
	checkInterval   = 2 * time.Second
	outageThreshold = 300 * time.Millisecond
	perBucket       = 10
)

// masterDown is Master_Down_Interval for VRRPv2 with one-second adverts.
func masterDown(prio int) time.Duration { return 3*advert + skew(prio) }

// skew is the skew time: (256 − priority)/256 s.
func skew(prio int) time.Duration { return time.Duration(256-prio) * time.Second / 256 }

// node is a simulated machine.
type node struct {
	spec    *lab.Node
	powered bool
	linkUp  map[string]bool
	running map[string]bool
	started map[string]time.Time
}

// router is a load balancer's VRRP instance and proxy.
type router struct {
	n              *node
	pubIf, privIf  string
	base, prio     int
	state          string // "" while vrrp is not running
	since          time.Time
	from, reason   string
	scriptOK       bool
	proxyChange    time.Time
	lastHeard      time.Time
	timerShown     bool
	zeroAt         time.Time // a priority-0 advert heard: take over after skew
	lastSent       time.Time
	vip            bool
	sent, received uint64
	became         uint64
	serverUp       bool
	oks, fails     int
	nextCheck      time.Time
}

// sim is the lab's simulated state.
type sim struct {
	l          *lab.Lab
	now        time.Time
	nodes      map[string]*node
	routers    []*router
	faults     []lab.Fault
	partitions map[[2]string]bool
	loss       map[string]float64 // "node/iface" → percent
	arp        *router            // whose address the client's ARP cache has for the VIP
	publish    func(control.Event)
	rng        *rand.Rand
	// The probe's outage accounting.
	hasOK       bool
	lastOK      time.Time
	open        bool
	failedSince int
	lastLB      string
}

func newSim(l *lab.Lab, start time.Time, publish func(control.Event)) *sim {
	s := &sim{l: l, now: start, nodes: map[string]*node{}, partitions: map[[2]string]bool{},
		loss: map[string]float64{}, publish: publish, rng: newRand()}
	for i := range l.Nodes {
		spec := &l.Nodes[i]
		n := &node{spec: spec, powered: true, linkUp: map[string]bool{}, running: map[string]bool{}, started: map[string]time.Time{}}
		for _, ifc := range spec.Interfaces {
			n.linkUp[ifc.Name] = true
		}
		s.nodes[spec.Name] = n
		if spec.Role == lab.RoleLB {
			r := &router{n: n, base: 101 - len(s.routers)}
			if ifc := spec.Interface(l.VIP.Network); ifc != nil {
				r.pubIf = ifc.Name
			}
			for _, ifc := range spec.Interfaces {
				if ifc.Name != r.pubIf {
					r.privIf = ifc.Name
				}
			}
			s.routers = append(s.routers, r)
		}
	}
	for _, kind := range []string{lab.ComponentWeb, lab.ComponentVRRP, lab.ComponentProxy, lab.ComponentProbe} {
		for _, n := range s.sortedNodes() {
			if n.spec.Component(kind) != nil {
				s.start(n, kind)
			}
		}
	}
	return s
}

func (s *sim) sortedNodes() []*node {
	out := make([]*node, 0, len(s.nodes))
	for i := range s.l.Nodes {
		out = append(out, s.nodes[s.l.Nodes[i].Name])
	}
	return out
}

func (s *sim) router(name string) *router {
	for _, r := range s.routers {
		if r.n.spec.Name == name {
			return r
		}
	}
	return nil
}

func (s *sim) emit(node, comp string, kind control.Kind, level, msg string) control.Event {
	return control.Event{Time: s.now, Node: node, Component: comp, Kind: kind, Level: level, Message: msg}
}

func (s *sim) say(node, comp string, kind control.Kind, level, msg string) {
	s.publish(s.emit(node, comp, kind, level, msg))
}

// start starts a component, as `up` or a start fault does.
func (s *sim) start(n *node, kind string) {
	name := n.spec.Name
	n.running[kind], n.started[kind] = true, s.now
	switch kind {
	case lab.ComponentWeb:
		s.say(name, kind, control.KindReady, "info", fmt.Sprintf("%s serving on %s:80", name, n.spec.Interfaces[0].Address.Addr()))
	case lab.ComponentProbe:
		s.say(name, kind, control.KindReady, "info", fmt.Sprintf("probe: 100 requests/s to http://%s:%d/", s.l.VIP.Address, s.l.VIP.Port))
	case lab.ComponentProxy:
		r := s.router(name)
		r.proxyChange, r.serverUp, r.oks, r.fails, r.nextCheck = s.now, true, 0, 0, s.now.Add(checkInterval)
		s.say(name, kind, control.KindReady, "info", fmt.Sprintf("proxy listening on %s:%d", s.l.VIP.Address, s.l.VIP.Port))
	case lab.ComponentVRRP:
		r := s.router(name)
		if r.vip {
			s.setVIP(r, false, "VIP %s left from an earlier run removed from %s")
		}
		r.scriptOK, r.prio = false, r.base
		r.proxyChange = s.now
		if r.base == 101 {
			s.say(name, kind, control.KindLog, "warn", "(LB_VIP) Initial state master is incompatible with AH authentication - clearing")
		}
		s.transition(r, "BACKUP", fmt.Sprintf("initial state BACKUP, master down timer %.2f s", masterDown(r.prio).Seconds()))
		s.say(name, kind, control.KindReady, "info", "vrrp running LB_VIP")
	}
}

// transition moves a router to a new state and says so.
func (s *sim) transition(r *router, to, reason string) {
	from := r.state
	if from == "" {
		from = "INIT"
	}
	r.state, r.since, r.from, r.reason = to, s.now, from, reason
	e := s.emit(r.n.spec.Name, lab.ComponentVRRP, control.KindVRRPState, "info", fmt.Sprintf("%s → %s: %s", from, to, reason))
	e.VRRP = &control.VRRPState{Instance: "LB_VIP", From: from, To: to, Reason: reason, Priority: r.prio}
	s.publish(e)
	r.timerShown, r.zeroAt = false, time.Time{}
	switch to {
	case "MASTER":
		r.became++
		s.setVIP(r, true, "VIP %s added on %s")
		s.arp = r // gratuitous ARP: the client now sends to this router
		s.sendAdvert(r)
	case "BACKUP":
		if r.vip {
			s.setVIP(r, false, "VIP %s removed from %s")
		}
		r.lastHeard = s.now
		if from != "MASTER" {
			s.showTimer(r, true)
		}
	case "FAULT":
		if r.vip {
			s.setVIP(r, false, "VIP %s removed from %s")
		}
	}
}

func (s *sim) setVIP(r *router, added bool, format string) {
	r.vip = added
	e := s.emit(r.n.spec.Name, lab.ComponentVRRP, control.KindVIP, "info", fmt.Sprintf(format, s.l.VIP.Address, r.pubIf))
	e.VIP = &control.VIPChange{Address: s.l.VIP.Address.String(), Interface: r.pubIf, Added: added}
	s.publish(e)
}

func (s *sim) deadline(r *router) time.Time {
	if !r.zeroAt.IsZero() {
		return r.zeroAt.Add(skew(r.prio))
	}
	return r.lastHeard.Add(masterDown(r.prio))
}

func (s *sim) showTimer(r *router, running bool) {
	dl := s.deadline(r)
	msg := fmt.Sprintf("(LB_VIP) master silent: taking over at %s unless an advert arrives", dl.Format("15:04:05.000"))
	if !running {
		msg = "(LB_VIP) master adverts resumed"
	}
	e := s.emit(r.n.spec.Name, lab.ComponentVRRP, control.KindVRRPTimer, "info", msg)
	e.Timer = &control.VRRPTimer{Instance: "LB_VIP", Deadline: dl, Interval: dl.Sub(r.lastHeard), Running: running}
	s.publish(e)
	r.timerShown = running
}

// alive reports whether a router's VRRP runs on a powered node.
func (r *router) alive() bool { return r.n.powered && r.n.running[lab.ComponentVRRP] && r.state != "" }

// hears reports whether adverts from b reach a. They are unicast to the
// private addresses, but keepalived sends them out of the instance's
// (public) interface and hears them only there.
func (s *sim) hears(a, b *router) bool {
	return a.alive() && b.alive() && a.n.linkUp[a.pubIf] && b.n.linkUp[b.pubIf] &&
		!s.partitioned(a.n.spec.Name, b.n.spec.Name)
}

func (s *sim) partitioned(a, b string) bool {
	return s.partitions[[2]string{a, b}] || s.partitions[[2]string{b, a}]
}

// sendAdvert delivers a master's advert (or a priority-0 one) to its peers.
func (s *sim) sendAdvert(m *router) {
	m.lastSent = s.now
	m.sent++
	for _, o := range s.routers {
		if o == m || !s.hears(o, m) {
			continue
		}
		o.received++
		switch o.state {
		case "BACKUP":
			if m.prio >= o.prio {
				o.lastHeard, o.zeroAt = s.now, time.Time{}
				if o.timerShown {
					s.showTimer(o, false)
				}
			}
		case "MASTER":
			if m.prio > o.prio {
				s.transition(o, "BACKUP", fmt.Sprintf("higher priority %d advert from %s", m.prio, m.n.spec.Name))
			}
		}
	}
}

// sendZero is a master leaving: a priority-0 advert lets its backups take
// over after the skew time.
func (s *sim) sendZero(m *router) {
	for _, o := range s.routers {
		if o != m && o.state == "BACKUP" && s.hears(o, m) {
			o.zeroAt = s.now
			s.showTimer(o, true)
		}
	}
}

// step advances the simulation to now, one bucket at a time.
func (s *sim) step(now time.Time) {
	for s.now.Add(step).Compare(now) <= 0 {
		s.now = s.now.Add(step)
		s.tick()
	}
}

func (s *sim) tick() {
	for _, r := range s.routers {
		s.track(r)
	}
	for _, r := range s.routers {
		if r.alive() && r.state == "MASTER" && s.now.Sub(r.lastSent) >= advert {
			s.sendAdvert(r)
		}
	}
	for _, r := range s.routers {
		s.vrrp(r)
		s.check(r)
	}
	s.probe()
}

// track runs the vrrp_script (is this node's proxy running?) and the
// tracked interface.
func (s *sim) track(r *router) {
	if !r.alive() {
		return
	}
	if !r.n.linkUp[r.pubIf] && r.state != "FAULT" {
		wasMaster := r.state == "MASTER"
		s.transition(r, "FAULT", "interface "+r.pubIf+" down")
		if wasMaster {
			s.sendZero(r)
		}
		return
	}
	if r.n.linkUp[r.pubIf] && r.state == "FAULT" {
		s.transition(r, "BACKUP", "interface "+r.pubIf+" up")
		return
	}
	ok := r.n.running[lab.ComponentProxy]
	if ok == r.scriptOK || s.now.Sub(r.proxyChange) < scriptInterval {
		return
	}
	r.scriptOK = ok
	old := r.prio
	why := "succeeded"
	r.prio = r.base + 2
	if !ok {
		why, r.prio = "failed (exited with status 1)", r.base
	}
	level := map[bool]string{true: "info", false: "warn"}[ok]
	s.say(r.n.spec.Name, lab.ComponentVRRP, control.KindLog, level, "VRRP_Script(chk_haproxy) "+why)
	e := s.emit(r.n.spec.Name, lab.ComponentVRRP, control.KindVRRPPriority, "info",
		fmt.Sprintf("(LB_VIP) Changing effective priority from %d to %d: script chk_haproxy %s", old, r.prio, why))
	e.VRRP = &control.VRRPState{Instance: "LB_VIP", From: r.state, To: r.state, Reason: "script chk_haproxy " + why, Priority: r.prio}
	s.publish(e)
}

// vrrp runs a backup's master-down timer.
func (s *sim) vrrp(r *router) {
	if !r.alive() || r.state != "BACKUP" {
		return
	}
	dl := s.deadline(r)
	if !r.timerShown && s.now.Sub(r.lastHeard) >= advert*3/2 {
		s.showTimer(r, true)
	}
	if s.now.Before(dl) {
		return
	}
	reason := fmt.Sprintf("master down timer expired after %.2f s", dl.Sub(r.lastHeard).Seconds())
	if !r.zeroAt.IsZero() {
		reason = fmt.Sprintf("priority-0 advert (master stopped), took over after skew time %.2f s", skew(r.prio).Seconds())
	}
	s.transition(r, "MASTER", reason)
}

// webOK reports whether a router's proxy reaches a web server.
func (s *sim) webOK(r *router) bool {
	if !r.n.powered || !r.n.linkUp[r.privIf] {
		return false
	}
	for _, n := range s.sortedNodes() {
		if n.spec.Role == lab.RoleWeb && n.powered && n.running[lab.ComponentWeb] && n.linkUp[n.spec.Interfaces[0].Name] &&
			!s.partitioned(r.n.spec.Name, n.spec.Name) {
			return true
		}
	}
	return false
}

// check is HAProxy's health check of the web server (rise 2, fall 3).
func (s *sim) check(r *router) {
	if !r.n.powered || !r.n.running[lab.ComponentProxy] || s.now.Before(r.nextCheck) {
		return
	}
	r.nextCheck = s.now.Add(checkInterval)
	ok := s.webOK(r)
	if ok {
		r.oks, r.fails = r.oks+1, 0
	} else {
		r.oks, r.fails = 0, r.fails+1
	}
	if ok == r.serverUp || (ok && r.oks < 2) || (!ok && r.fails < 3) {
		return
	}
	r.serverUp = ok
	msg, level, reason := "Server webserverapp/webserver1 is UP, reason: Layer4 check passed", "info", "Layer4 check passed"
	if !ok {
		msg, level, reason = "Server webserverapp/webserver1 is DOWN, reason: Layer4 timeout", "warn", "Layer4 timeout"
	}
	e := s.emit(r.n.spec.Name, lab.ComponentProxy, control.KindBackend, level, msg)
	e.Backend = &control.Backend{Backend: "webserverapp", Server: "webserver1", Up: ok, Reason: reason}
	s.publish(e)
}

// answers reports whether a request to the VIP is answered now, before loss.
func (s *sim) answers(client *node) (*router, bool) {
	r := s.arp
	cif := client.spec.Interfaces[0].Name
	if r == nil || !client.powered || !client.linkUp[cif] || !r.vip || !r.n.powered || !r.n.linkUp[r.pubIf] ||
		s.partitioned(client.spec.Name, r.n.spec.Name) || !r.n.running[lab.ComponentProxy] || !r.serverUp || !s.webOK(r) {
		return r, false
	}
	return r, true
}

// probe is the client's 100 requests per second, in one bucket.
func (s *sim) probe() {
	var client *node
	for _, n := range s.sortedNodes() {
		if n.spec.Role == lab.RoleClient && n.running[lab.ComponentProbe] && n.powered {
			client = n
		}
	}
	if client == nil {
		return
	}
	start := s.now.Add(-step)
	r, up := s.answers(client)
	keep := 1.0
	if r != nil {
		for _, k := range []string{client.spec.Name + "/" + client.spec.Interfaces[0].Name, r.n.spec.Name + "/" + r.pubIf, r.n.spec.Name + "/" + r.privIf} {
			keep *= 1 - s.loss[k]/100
		}
	}
	b := &control.ProbeBucket{Start: start, Width: step}
	for range perBucket {
		if up && s.rng.Float64() < keep {
			b.OK++
		} else {
			b.Failed++
		}
	}
	if b.OK > 0 {
		name := r.n.spec.Name
		b.ByLB, b.ByWeb = map[string]int{name: b.OK}, map[string]int{"web1": b.OK}
		b.P50 = time.Duration(950+s.rng.IntN(300)) * time.Microsecond
		b.P99 = time.Duration(2800+s.rng.IntN(1600)) * time.Microsecond
		b.Max = b.P99 + 300*time.Microsecond
	}
	if b.Failed > 0 {
		b.Errors = map[string]int{"timeout": b.Failed}
	}
	e := s.emit(client.spec.Name, lab.ComponentProbe, control.KindProbe, "info", fmt.Sprintf("%d ok, %d failed", b.OK, b.Failed))
	e.Probe = b
	s.publish(e)
	s.outage(client.spec.Name, b, r)
}

// outage opens an outage once no answer came for the threshold, and closes
// it at the next answer: outage = the time between two answers.
func (s *sim) outage(client string, b *control.ProbeBucket, r *router) {
	if b.OK > 0 {
		first := b.Start.Add(5 * time.Millisecond)
		if r.since.After(first) { // the first answer follows the takeover
			first = r.since.Add(5 * time.Millisecond)
		}
		if s.open {
			o := &control.Outage{Start: s.lastOK, End: first, Length: first.Sub(s.lastOK), Failed: s.failedSince}
			how := "answers again via " + r.n.spec.Name
			if s.lastLB != r.n.spec.Name {
				how = "answers again, now via " + r.n.spec.Name
			}
			e := s.emit(client, lab.ComponentProbe, control.KindOutage, "info",
				fmt.Sprintf("client: %s — outage %.2f s, %d requests failed", how, o.Length.Seconds(), o.Failed))
			e.Time, e.Outage = first, o
			s.publish(e)
		}
		s.hasOK, s.open, s.failedSince, s.lastLB = true, false, b.Failed, r.n.spec.Name
		s.lastOK = b.Start.Add(b.Width - 5*time.Millisecond)
		return
	}
	s.failedSince += b.Failed
	if s.hasOK && !s.open && s.now.Sub(s.lastOK) > outageThreshold {
		s.open = true
		o := &control.Outage{Start: s.lastOK, Length: s.now.Sub(s.lastOK), Failed: s.failedSince, Open: true}
		e := s.emit(client, lab.ComponentProbe, control.KindOutage, "warn",
			fmt.Sprintf("client: no successful answer since %s (timeout)", s.lastOK.Format("15:04:05.000")))
		e.Outage = o
		s.publish(e)
	}
}
