package scenarios

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/proxy/hacfg"
	"github.com/halab/halab/nodes/vrrp/fsm"
	"github.com/halab/halab/nodes/vrrp/kaconf"
)

// labTimers are the timers of a lab's configurations that bound how fast
// it fails over: each load balancer's VRRP instance (for the lab's VIP)
// and the proxies' health checks.
type labTimers struct {
	lbs     map[string]*lbTimers
	servers []serverTimers
	addrs   map[string][]string // node → its addresses
}

// lbTimers is one load balancer's VRRP instance.
type lbTimers struct {
	node      string
	version   int
	advert    time.Duration
	base      int
	full      int // base with every track OK
	iface     string
	nopreempt bool
	// scripts are the tracked vrrp_scripts; faultIfaces the interfaces
	// whose loss means FAULT (weight 0, the instance's own included).
	scripts     []scriptTimers
	faultIfaces []string
}

type scriptTimers struct {
	name     string
	command  string
	weight   int
	interval time.Duration
	fall     int
	rise     int
}

// serverTimers are one proxy server's health-check timers.
type serverTimers struct {
	server                      string
	host                        string
	inter, fastInter, downInter time.Duration
	rise, fall                  int
}

// timersOf reads the timers from the lab's keepalived and haproxy
// configurations. Configurations that do not parse are left out: a bound
// is then missing, not wrong.
func timersOf(l *lab.Lab) *labTimers {
	t := &labTimers{lbs: map[string]*lbTimers{}, addrs: map[string][]string{}}
	seen := map[string]bool{}
	for _, n := range l.Nodes {
		for _, i := range n.Interfaces {
			t.addrs[n.Name] = append(t.addrs[n.Name], i.Address.Addr().String())
		}
		if c := n.Component(lab.ComponentVRRP); c != nil {
			if lt := vrrpTimers(n.Name, c.Config, l.VIP.Address.String()); lt != nil {
				t.lbs[n.Name] = lt
			}
		}
		if c := n.Component(lab.ComponentProxy); c != nil {
			cfg, _, err := hacfg.Parse(n.Name+"/haproxy.cfg", c.Config)
			if err != nil || cfg == nil {
				continue
			}
			for _, p := range cfg.Proxies {
				for _, s := range p.Servers {
					if !s.Check || seen[s.Name] {
						continue
					}
					seen[s.Name] = true
					host, _, _ := net.SplitHostPort(s.Addr)
					t.servers = append(t.servers, serverTimers{server: s.Name, host: host, inter: s.Inter,
						fastInter: orDefault(s.FastInter, s.Inter), downInter: orDefault(s.DownInter, s.Inter), rise: s.Rise, fall: s.Fall})
				}
			}
		}
	}
	return t
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// vrrpTimers reads the instance of keepalived.conf that holds vip.
func vrrpTimers(node string, conf []byte, vip string) *lbTimers {
	cfg, _ := kaconf.Parse(node+"/keepalived.conf", conf)
	if cfg == nil || len(cfg.Instances) == 0 {
		return nil
	}
	in := cfg.Instances[0]
	if addr, err := netip.ParseAddr(vip); err == nil && cfg.InstanceFor(addr) != nil {
		in = cfg.InstanceFor(addr)
	}
	lt := &lbTimers{node: node, version: in.Version, advert: in.AdvertInterval, base: in.Priority,
		full: in.FullPriority(), iface: in.Interface, nopreempt: in.Nopreempt, faultIfaces: []string{in.Interface}}
	for _, ts := range in.TrackScripts {
		st := scriptTimers{name: ts.Name, weight: ts.Weight, interval: time.Second, fall: 1, rise: 1}
		if ts.WeightReverse {
			st.weight = -st.weight
		}
		if ts.Script != nil {
			st.command, st.interval, st.fall, st.rise = ts.Script.Command, ts.Script.Interval, max(ts.Script.Fall, 1), max(ts.Script.Rise, 1)
		}
		lt.scripts = append(lt.scripts, st)
	}
	for _, ti := range in.TrackInterfaces {
		if ti.Weight == 0 {
			lt.faultIfaces = append(lt.faultIfaces, ti.Name)
		}
	}
	return lt
}

// priority is node's effective priority: as its daemon reported it just
// before the fault, else with every track OK.
func (t *labTimers) priority(node string, vr map[string]VRRPStatus) int {
	if s, ok := vr[node]; ok && s.Priority > 0 {
		return s.Priority
	}
	if lt := t.lbs[node]; lt != nil {
		return lt.full
	}
	return 0
}

// backup is the load balancer that takes over from master: the highest
// priority of the others.
func (t *labTimers) backup(master string, vr map[string]VRRPStatus) *lbTimers {
	var best *lbTimers
	for name, lt := range t.lbs {
		if name == master {
			continue
		}
		if best == nil || t.priority(name, vr) > t.priority(best.node, vr) ||
			(t.priority(name, vr) == t.priority(best.node, vr) && name < best.node) {
			best = lt
		}
	}
	return best
}

func (lt *lbTimers) masterDown(prio int) time.Duration {
	return fsm.MasterDownInterval(lt.version, uint8(prio), lt.advert, 0)
}

func (lt *lbTimers) skew(prio int) time.Duration {
	return fsm.SkewTime(lt.version, uint8(prio), lt.advert)
}

// skewWords explains a skew time: "(256−102)/256 s".
func (lt *lbTimers) skewWords(prio int) string {
	if lt.version == 3 {
		return fmt.Sprintf("(256−%d)/256 × %s", prio, fmtDur(lt.advert))
	}
	return fmt.Sprintf("(256−%d)/256 s", prio)
}

// masterDownWords explains a master-down interval.
func (lt *lbTimers) masterDownWords(prio int) string {
	return fmt.Sprintf("3 × %s advert + skew %s, priority %d", fmtDur(lt.advert), lt.skewWords(prio), prio)
}

// masterDownBound: the backup hears no advert and takes over when its
// master-down timer runs out.
func (lt *lbTimers) masterDownBound(prio int) *Bound {
	return &Bound{Value: lt.masterDown(prio), Why: fmt.Sprintf("%s's master-down interval (%s)", lt.node, lt.masterDownWords(prio))}
}

// skewBound: the backup hears priority 0 and takes over after its skew.
func (lt *lbTimers) skewBound(prio int, cause string) *Bound {
	return &Bound{Value: lt.skew(prio), Why: fmt.Sprintf("%s; %s takes over after its skew time %s, priority %d", cause, lt.node, lt.skewWords(prio), prio)}
}

// bounds returns the bounds that apply to a fault: on the VIP's move, on
// the lab noticing, on answers coming back.
func (t *labTimers) bounds(fr *faultRecord) (takeover, detected, recovery *Bound) {
	f, vr := fr.f, fr.vrrp
	master := ""
	if len(fr.before) == 1 {
		master = fr.before[0]
	}
	if f.Kind == lab.FaultKill || f.Kind == lab.FaultStop {
		if s := t.server(f); s != nil {
			detected = &Bound{Value: s.inter + time.Duration(s.fall-1)*s.fastInter,
				Why: fmt.Sprintf("health checks mark %s DOWN after fall %d: inter %s + %d × fastinter %s", s.server, s.fall, fmtDur(s.inter), s.fall-1, fmtDur(s.fastInter))}
			return nil, detected, nil
		}
	}
	if f.Kind == lab.FaultStart {
		if s := t.server(f); s != nil {
			recovery = &Bound{Value: s.downInter + time.Duration(s.rise-1)*s.fastInter,
				Why: fmt.Sprintf("health checks mark %s UP after rise %d: downinter %s + %d × fastinter %s", s.server, s.rise, fmtDur(s.downInter), s.rise-1, fmtDur(s.fastInter))}
			return nil, nil, recovery
		}
	}
	if f.Kind == lab.FaultHeal && len(fr.before) >= 2 {
		// Split brain ends at the higher master's next advert.
		best := ""
		for _, n := range fr.before {
			if best == "" || t.priority(n, vr) > t.priority(best, vr) {
				best = n
			}
		}
		if lt := t.lbs[best]; lt != nil {
			return &Bound{Value: lt.advert, Why: fmt.Sprintf("the others step down at %s's next advert (every %s)", best, fmtDur(lt.advert))}, nil, nil
		}
		return nil, nil, nil
	}
	if f.Mends() {
		return t.preemptBound(fr), nil, nil
	}
	if master == "" || f.Node != master && f.Peer != master {
		return nil, nil, nil
	}
	b := t.backup(master, vr)
	m := t.lbs[master]
	if b == nil || m == nil {
		return nil, nil, nil
	}
	bp := t.priority(b.node, vr)
	switch f.Kind {
	case lab.FaultCrash:
		return b.masterDownBound(bp), nil, nil
	case lab.FaultPartition:
		bd := b.masterDownBound(bp)
		bd.Why = "no advert reaches " + b.node + ": " + bd.Why
		return bd, nil, nil
	case lab.FaultLinkDown:
		switch {
		case f.Interface == m.iface:
			// keepalived sends its adverts, unicast ones too, out of the
			// instance's interface: the priority-0 advert of FAULT cannot
			// leave, and the backup hears only silence.
			bd := b.masterDownBound(bp)
			bd.Why = fmt.Sprintf("%s goes to FAULT, but its priority-0 advert would leave through %s, which is down: %s", master, f.Interface, bd.Why)
			return bd, nil, nil
		case contains(m.faultIfaces, f.Interface):
			return b.skewBound(bp, fmt.Sprintf("%s goes to FAULT (it tracks %s with weight 0) and sends priority 0", master, f.Interface)), nil, nil
		}
	case lab.FaultKill, lab.FaultStop:
		switch f.Component {
		case lab.ComponentVRRP:
			if f.Kind == lab.FaultStop {
				return b.skewBound(bp, fmt.Sprintf("%s sends priority 0 as it stops", master)), nil, nil
			}
			return b.masterDownBound(bp), nil, nil
		case lab.ComponentProxy:
			return t.trackBound(m, b, t.priority(master, vr), bp)
		}
	}
	return nil, nil, nil
}

// trackBound is the bound when the master's proxy dies and a track script
// notices: the script fails after fall × interval; then a weight that
// drops the master below the backup lets the backup's master-down timer
// run out, and a weight of 0 puts the master in FAULT.
func (t *labTimers) trackBound(m, b *lbTimers, mp, bp int) (takeover, detected, recovery *Bound) {
	for _, s := range m.scripts {
		if !strings.Contains(s.command, "proxy") {
			continue
		}
		detect := time.Duration(s.fall) * s.interval
		detected = &Bound{Value: detect, Why: fmt.Sprintf("track script %s fails after fall %d × interval %s", s.name, s.fall, fmtDur(s.interval))}
		switch {
		case s.weight == 0:
			sk := b.skew(bp)
			return &Bound{Value: detect + sk, Why: fmt.Sprintf("%s, then %s goes to FAULT; %s's skew %s", detected.Why, m.node, b.node, b.skewWords(bp))}, detected, nil
		case mp-abs(s.weight) < bp:
			md := b.masterDown(bp)
			return &Bound{Value: detect + md, Why: fmt.Sprintf("%s, priority %d → %d < %d; then %s's master-down interval %s",
				detected.Why, mp, mp-abs(s.weight), bp, b.node, fmtSecs(md))}, detected, nil
		}
		return nil, detected, nil
	}
	return nil, nil, nil
}

// preemptBound is the bound on a node taking the VIP back once mended: it
// starts in BACKUP and preempts when its master-down interval runs out.
func (t *labTimers) preemptBound(fr *faultRecord) *Bound {
	f := fr.f
	n := t.lbs[f.Node]
	if n == nil || n.nopreempt || contains(fr.before, f.Node) {
		return nil
	}
	if len(fr.before) == 1 {
		if cur := t.priority(fr.before[0], fr.vrrp); cur >= n.full {
			return nil
		}
	}
	if f.Kind == lab.FaultStart && f.Component == lab.ComponentProxy {
		// The track script sees the proxy again after rise × interval;
		// from then on lb ignores the lower master's adverts and preempts
		// when its master-down timer runs out.
		for _, s := range n.scripts {
			if strings.Contains(s.command, "proxy") && s.weight != 0 {
				see := time.Duration(s.rise) * s.interval
				md := n.masterDown(n.full)
				return &Bound{Value: see + md, Why: fmt.Sprintf("track script %s succeeds after rise %d × interval %s, priority back to %d; then %s preempts when its master-down interval %s runs out",
					s.name, s.rise, fmtDur(s.interval), n.full, n.node, fmtSecs(md))}
			}
		}
		return nil
	}
	if f.Kind == lab.FaultStart && f.Component != lab.ComponentVRRP {
		return nil
	}
	return &Bound{Value: n.masterDown(n.full), Why: fmt.Sprintf("%s starts as BACKUP and preempts when its master-down interval runs out (%s)", n.node, n.masterDownWords(n.full))}
}

// server returns the health-checked server of the web component a fault
// kills, stops or starts.
func (t *labTimers) server(f lab.Fault) *serverTimers {
	if f.Component != lab.ComponentWeb {
		return nil
	}
	for i := range t.servers {
		if contains(t.addrs[f.Node], t.servers[i].host) {
			return &t.servers[i]
		}
	}
	return nil
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
