package learn

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/lab/export"
)

func init() {
	checks["nodes-up"] = checkNodesUp
	checks["web-page"] = checkWebPage
	checks["proxy-bound"] = checkProxyBound
	checks["vrrp-pair"] = checkVRRPPair
	checks["vip-on-master"] = checkVIPOnMaster
	checks["vip-page"] = checkVIPPage
}

func itoa(n int) string { return strconv.Itoa(n) }

// probeWindow is how long the client's probe is watched after opening
// the VIP.
const probeWindow = time.Second

// checkNodesUp: every interface of the lab file is up in its node's kernel
// with its address, and every component answers ready.
func checkNodesUp(ctx context.Context, e *Env, a Acted, _ func(string)) Result {
	t, v := e.Texts, newVerdict()
	var bad []string
	total := 0
	for _, n := range e.Roles.Lab.Nodes {
		ifaces, err := e.Lab.Interfaces(ctx, n.Name)
		for _, want := range n.Interfaces {
			total++
			i := slices.IndexFunc(ifaces, func(i lab.InterfaceInfo) bool { return i.Name == want.Name })
			if err != nil || i < 0 || !ifaces[i].Up || !slices.Contains(ifaces[i].Addresses, want.Address.String()) {
				bad = append(bad, n.Name+" "+want.Name)
			}
		}
	}
	if len(bad) == 0 {
		v.check(true, t.T("seen.addresses", "n", itoa(total)))
	} else {
		v.check(false, t.T("seen.addresses_bad", "bad", strings.Join(bad, ", ")))
	}
	var notReady []string
	comps := 0
	for _, n := range e.Roles.Lab.Nodes {
		for _, c := range n.Components {
			comps++
			cctx, cancel := context.WithTimeout(ctx, callTimeout)
			st, err := e.Lab.Status(cctx, n.Name, c.Kind, nil)
			cancel()
			if err != nil || !st.Ready {
				notReady = append(notReady, n.Name+"/"+c.Kind)
			}
		}
	}
	if len(notReady) == 0 {
		v.check(true, t.T("seen.components", "n", itoa(comps)))
	} else {
		v.check(false, t.T("seen.components_bad", "bad", strings.Join(notReady, ", ")))
	}
	return v.result()
}

// checkWebPage: both load balancers got the web server's page; the client
// got nothing, having no way into the private network.
func checkWebPage(_ context.Context, e *Env, a Acted, _ func(string)) Result {
	t, v, r := e.Texts, newVerdict(), e.Roles
	for _, n := range []string{r.Master, r.Backup} {
		o := a.Out[n]
		if o.Code == 0 && strings.Contains(o.Stdout, r.Web) {
			v.check(true, t.T("seen.page", "node", n))
		} else {
			v.check(false, t.T("seen.no_page", "node", n, "code", itoa(o.Code)))
		}
	}
	o := a.Out[r.Client]
	if o.Code != 0 {
		v.check(true, t.T("seen.client_blocked", "code", itoa(o.Code)))
	} else {
		v.check(false, t.T("seen.client_reached"))
	}
	return v.result()
}

// checkProxyBound: both proxies listen on the VIP, which only
// ip_nonlocal_bind allows on the load balancer that does not hold it.
func checkProxyBound(_ context.Context, e *Env, a Acted, _ func(string)) Result {
	t, v, r := e.Texts, newVerdict(), e.Roles
	addr := fmt.Sprintf("%s:%d", r.VIP, r.Port)
	for _, n := range []string{r.Master, r.Backup} {
		sc := a.Out[n+"/sysctl"]
		on := sc.Code == 0 && strings.Contains(sc.Stdout, "ip_nonlocal_bind = 1")
		v.check(on, t.T("seen.nonlocal", "node", n, "got", strings.TrimSpace(sc.Stdout+sc.Stderr)))
		ss := a.Out[n+"/ss"]
		listens := ss.Code == 0 && strings.Contains(ss.Stdout, addr)
		holds := strings.Contains(a.Out[n+"/ip"].Stdout, r.VIP.String()+"/")
		switch {
		case listens && !holds:
			v.check(true, t.T("seen.listens_without", "node", n, "addr", addr))
		case listens:
			v.check(true, t.T("seen.listens", "node", n, "addr", addr))
		default:
			v.check(false, t.T("seen.not_listening", "node", n, "addr", addr))
		}
	}
	return v.result()
}

// checkVRRPPair: one virtual router (same VRID), the master MASTER and the
// backup BACKUP at their full priorities, the backup hearing the master's
// adverts, and each daemon saying of the tutorial's file what keepalived
// says of it.
func checkVRRPPair(ctx context.Context, e *Env, a Acted, _ func(string)) Result {
	t, v, r := e.Texts, newVerdict(), e.Roles
	m, errM := e.vrrpOf(ctx, r.Master)
	b, errB := e.vrrpOf(ctx, r.Backup)
	if errM != nil || errB != nil {
		for _, n := range []string{r.Master, r.Backup} {
			v.check(n == r.Master && errM == nil || n == r.Backup && errB == nil, t.T("why.vrrp_silent", "node", n))
		}
		return v.result()
	}
	v.check(m.VRID == b.VRID && m.VRID == r.MasterVRRP.VRID, t.T("seen.vrid", "a", itoa(m.VRID), "b", itoa(b.VRID)))
	for _, x := range []struct {
		node, want string
		prio       int
		got        string
		gotPrio    int
	}{{r.Master, "MASTER", r.MasterVRRP.FullPriority(), m.State, m.Priority}, {r.Backup, "BACKUP", r.BackupVRRP.FullPriority(), b.State, b.Priority}} {
		v.check(x.got == x.want && x.gotPrio == x.prio, t.T("seen.state", "node", x.node, "state", x.got, "prio", itoa(x.gotPrio), "want_state", x.want, "want_prio", itoa(x.prio)))
	}
	v.check(b.Master != "" && b.Counters.Received > 0, t.T("seen.hears", "node", r.Backup, "master", b.Master, "n", fmt.Sprint(b.Counters.Received)))
	v.check(m.Auth == r.MasterVRRP.AuthType.String(), t.T("seen.auth", "auth", m.Auth))
	res, err := export.Export(r.Lab, export.Options{Nodes: []string{r.Master}})
	if err != nil {
		v.check(false, err.Error())
		return v.result()
	}
	said := a.Out[r.Master+"/said"].Stdout
	for _, n := range res.Notes {
		if n.Kind == export.Fixed && n.Says != "" && strings.HasSuffix(n.File, ".keepalived.conf") {
			v.check(strings.Contains(said, n.Says), t.T("seen.says", "node", r.Master, "says", n.Says))
		}
	}
	return v.result()
}

// vipIn returns the interface of `ip --brief addr` output that has the
// VIP, and the address as written ("172.16.0.200/32"), or "".
func vipIn(out, vip string) (iface, addr string) {
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		for _, w := range f[min(len(f), 2):] {
			if strings.HasPrefix(w, vip+"/") {
				name, _, _ := strings.Cut(f[0], "@")
				return name, w
			}
		}
	}
	return "", ""
}

// checkVIPOnMaster: `ip --brief addr` shows the VIP on the master's
// interface, and not on the backup.
func checkVIPOnMaster(_ context.Context, e *Env, a Acted, _ func(string)) Result {
	t, v, r := e.Texts, newVerdict(), e.Roles
	vip := r.VIP.String()
	if iface, addr := vipIn(a.Out[r.Master].Stdout, vip); iface != "" {
		v.check(true, t.T("seen.vip_on", "node", r.Master, "iface", iface, "addr", addr))
	} else {
		v.check(false, t.T("seen.vip_not_on", "node", r.Master))
	}
	if iface, addr := vipIn(a.Out[r.Backup].Stdout, vip); iface == "" {
		v.check(true, t.T("seen.vip_not_on", "node", r.Backup))
	} else {
		v.check(false, t.T("seen.vip_on", "node", r.Backup, "iface", iface, "addr", addr))
	}
	return v.result()
}

// header returns a response header's value from `curl -i` output.
func header(out, name string) string {
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimRight(l, "\r")
		if l == "" {
			break
		}
		if k, val, ok := strings.Cut(l, ":"); ok && strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.TrimSpace(val)
		}
	}
	return ""
}

// checkVIPPage: the client got the web server's page through the VIP, from
// the master's proxy, and the probe's requests succeed.
func checkVIPPage(ctx context.Context, e *Env, a Acted, _ func(string)) Result {
	t, v, r := e.Texts, newVerdict(), e.Roles
	o := a.Out[r.Client]
	status, _, _ := strings.Cut(strings.TrimRight(o.Stdout, "\r\n"), "\n")
	status = strings.TrimSpace(status)
	ok := o.Code == 0 && strings.Contains(status, " 200") && strings.Contains(o.Stdout, r.Web)
	if ok {
		v.check(true, t.T("seen.vip_page", "status", status))
	} else {
		v.check(false, t.T("seen.no_vip_page", "code", itoa(o.Code), "status", status))
	}
	lb := header(o.Stdout, "X-Halab-LB")
	v.check(lb == r.Master, t.T("seen.answered_by", "lb", e.nodeList(nonEmpty(lb))))
	// The probe's requests over a second from the action on: the lab may
	// have been built moments ago, so the last minute is no measure.
	_ = e.Clock.Sleep(ctx, probeWindow)
	ps, err := e.probeStatus(ctx)
	if err != nil || a.Probe == nil {
		v.check(false, t.T("seen.probe_silent", "err", fmt.Sprint(err)))
		return v.result()
	}
	okN, failed := ps.OK-a.Probe.OK, ps.Failed-a.Probe.Failed
	ratio := 0.0
	if okN+failed > 0 {
		ratio = float64(okN) / float64(okN+failed)
	}
	v.check(okN > 0 && ratio >= 0.99, t.T("seen.probe", "ok", fmt.Sprint(okN), "failed", fmt.Sprint(failed), "ratio", t.Pct(ratio), "window", t.Dur(probeWindow)))
	return v.result()
}

// nonEmpty is s as a list, empty when s is.
func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
