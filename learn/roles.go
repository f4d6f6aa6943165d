package learn

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/vrrp/fsm"
	"github.com/halab/halab/nodes/vrrp/kaconf"
)

// Roles are the parts of a lab the tutorial talks about — its client, its
// MASTER and BACKUP load balancers, its web server, the VIP — with the
// VRRP instances and track script their keepalived.conf give them.
type Roles struct {
	Lab                         *lab.Lab
	Client, Master, Backup, Web string
	VIP                         netip.Addr
	Port                        int
	// WebAddr is the web server's address the proxies use.
	WebAddr netip.Addr
	// MasterVRRP and BackupVRRP are the instances that carry the VIP.
	MasterVRRP, BackupVRRP *kaconf.Instance
	// Track is the master's first tracked vrrp_script, or nil.
	Track *kaconf.TrackScript
}

// RolesOf finds the tutorial's roles in a lab: a client, two load
// balancers whose keepalived.conf carry the VIP (the MASTER is the one
// with the higher priority), and a web server. It says what is missing
// when the lab is not like the tutorial's.
func RolesOf(l *lab.Lab) (*Roles, error) {
	r := &Roles{Lab: l, VIP: l.VIP.Address, Port: l.VIP.Port}
	var problems []string
	type lb struct {
		name string
		in   *kaconf.Instance
	}
	var lbs []lb
	for i := range l.Nodes {
		n := &l.Nodes[i]
		switch n.Role {
		case lab.RoleClient:
			if r.Client == "" && n.Component(lab.ComponentProbe) != nil {
				r.Client = n.Name
			}
		case lab.RoleWeb:
			if r.Web == "" && len(n.Interfaces) > 0 {
				r.Web, r.WebAddr = n.Name, n.Interfaces[0].Address.Addr()
			}
		case lab.RoleLB:
			in, err := vipInstance(n, l.VIP.Address)
			if err != nil {
				problems = append(problems, err.Error())
				continue
			}
			if n.Component(lab.ComponentProxy) == nil {
				problems = append(problems, fmt.Sprintf("load balancer %s runs no proxy", n.Name))
				continue
			}
			lbs = append(lbs, lb{n.Name, in})
		}
	}
	if r.Client == "" {
		problems = append(problems, "it has no client running the probe")
	}
	if r.Web == "" {
		problems = append(problems, "it has no web server")
	}
	if len(lbs) != 2 {
		problems = append(problems, fmt.Sprintf("it has %d load balancers with a VRRP instance for the VIP, not 2", len(lbs)))
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("lab %s is not like the tutorial's (a client, two load balancers sharing a VIP, a web server): %s", l.Name, strings.Join(problems, "; "))
	}
	m, b := lbs[0], lbs[1]
	if b.in.Priority > m.in.Priority {
		m, b = b, m
	}
	r.Master, r.Backup, r.MasterVRRP, r.BackupVRRP = m.name, b.name, m.in, b.in
	if len(m.in.TrackScripts) > 0 {
		r.Track = &m.in.TrackScripts[0]
	}
	return r, nil
}

// vipInstance parses node n's keepalived.conf and returns its instance
// that carries vip.
func vipInstance(n *lab.Node, vip netip.Addr) (*kaconf.Instance, error) {
	c := n.Component(lab.ComponentVRRP)
	if c == nil {
		return nil, fmt.Errorf("load balancer %s runs no VRRP daemon", n.Name)
	}
	cfg, err := kaconf.Parse(c.ConfigName, c.Config)
	if err != nil {
		return nil, fmt.Errorf("load balancer %s: %w", n.Name, err)
	}
	if in := cfg.InstanceFor(vip); in != nil {
		return in, nil
	}
	return nil, fmt.Errorf("load balancer %s: no vrrp_instance carries the VIP %s", n.Name, vip)
}

// MasterDown is the backup's master-down interval while it hears nothing:
// 3 × advert interval + skew at its full priority.
func (r *Roles) MasterDown() time.Duration { return masterDownOf(r.BackupVRRP) }

// MasterReturn is the master's master-down interval at its full priority:
// how long a master that comes back waits, ignoring the backup's lower
// adverts, before it preempts.
func (r *Roles) MasterReturn() time.Duration { return masterDownOf(r.MasterVRRP) }

func masterDownOf(in *kaconf.Instance) time.Duration {
	return fsm.MasterDownInterval(in.Version, uint8(in.FullPriority()), in.AdvertInterval, 0)
}

// TrackInterval is how often the master's track script runs (0 without
// one).
func (r *Roles) TrackInterval() time.Duration {
	if r.Track == nil || r.Track.Script == nil {
		return 0
	}
	return r.Track.Script.Interval
}

// VarNames are the lab's values texts may use as {name}.
var VarNames = []string{
	"vip", "port", "client", "master", "backup", "web", "web_addr", "iface", "instance", "vrid",
	"version", "auth", "advert", "prio_master", "prio_backup", "full_master", "full_backup",
	"weight", "script", "script_interval", "master_down", "master_return", "skew",
	"track_lo", "track_hi", "master_src", "backup_src", "pass_written", "pass_used",
	"fast_advert", "fast_master_down", "fast_skew",
}

// Vars are the lab's values for the texts, written in t's language.
func (r *Roles) Vars(t *Texts) map[string]string {
	m, b := r.MasterVRRP, r.BackupVRRP
	weight, script, interval := 0, "", time.Duration(0)
	if r.Track != nil {
		weight, script, interval = r.Track.Weight, r.Track.Name, r.TrackInterval()
	}
	v := map[string]string{
		"vip": r.VIP.String(), "port": strconv.Itoa(r.Port), "client": r.Client, "master": r.Master,
		"backup": r.Backup, "web": r.Web, "web_addr": r.WebAddr.String(), "iface": m.Interface,
		"instance": m.Name, "vrid": strconv.Itoa(m.VRID), "version": strconv.Itoa(m.Version),
		"auth": m.AuthType.String(), "advert": t.Dur(m.AdvertInterval),
		"prio_master": strconv.Itoa(m.Priority), "prio_backup": strconv.Itoa(b.Priority),
		"full_master": strconv.Itoa(m.FullPriority()), "full_backup": strconv.Itoa(b.FullPriority()),
		"weight": strconv.Itoa(weight), "script": script, "script_interval": t.Dur(interval),
		"master_down": t.Dur(r.MasterDown()), "master_return": t.Dur(r.MasterReturn()),
		"skew":     t.Dur(fsm.SkewTime(b.Version, uint8(b.FullPriority()), b.AdvertInterval)),
		"track_lo": t.Dur(r.MasterDown()), "track_hi": t.Dur(r.MasterDown() + interval),
		"master_src": addrOr(m.UnicastSrcIP, "-"), "backup_src": addrOr(b.UnicastSrcIP, "-"),
		"pass_used": m.AuthPass, "pass_written": writtenPass(r.Lab, r.Master, m.AuthPass),
	}
	if fast, err := fastRoles(); err == nil {
		v["fast_advert"] = t.Dur(fast.MasterVRRP.AdvertInterval)
		v["fast_master_down"] = t.Dur(fast.MasterDown())
		v["fast_skew"] = t.Dur(fsm.SkewTime(fast.BackupVRRP.Version, uint8(fast.BackupVRRP.FullPriority()), fast.BackupVRRP.AdvertInterval))
	}
	return v
}

func addrOr(a netip.Addr, or string) string {
	if a.IsValid() {
		return a.String()
	}
	return or
}

// writtenPass is auth_pass as the node's keepalived.conf writes it (the
// instance has it truncated to the 8 characters used).
func writtenPass(l *lab.Lab, node, used string) string {
	n, err := l.Node(node)
	if err != nil || used == "" {
		return used
	}
	c := n.Component(lab.ComponentVRRP)
	for _, line := range strings.Split(string(c.Config), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "auth_pass" && strings.HasPrefix(f[1], used) {
			return f[1]
		}
	}
	return used
}

// fastRoles are the roles of the built-in fast lab, which step 10
// compares with the tutorial's.
func fastRoles() (*Roles, error) {
	l, err := lab.LoadBuiltin("fast")
	if err != nil {
		return nil, err
	}
	return RolesOf(l)
}

// FastConfig is the fast lab's keepalived.conf of its MASTER, as shipped.
func FastConfig() (name string, text []byte, err error) {
	r, err := fastRoles()
	if err != nil {
		return "", nil, err
	}
	n, err := r.Lab.Node(r.Master)
	if err != nil {
		return "", nil, err
	}
	c := n.Component(lab.ComponentVRRP)
	if c == nil {
		return "", nil, errors.New("the fast lab's master runs no VRRP daemon")
	}
	return c.ConfigSource, c.Config, nil
}
