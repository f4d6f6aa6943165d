package learn

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/control"
)

func init() {
	actions["addresses"] = actAddresses
	actions["curl-web"] = actCurlWeb
	actions["proxy-listen"] = actProxyListen
	actions["vrrp-status"] = actVRRPStatus
	actions["ip-addr"] = actIPAddr
	actions["curl-vip"] = actCurlVIP
	actions["crash-master"] = faultAction(func(r *Roles) lab.Fault { return lab.Fault{Kind: lab.FaultCrash, Node: r.Master} }, "act.crashed")
	actions["restore-master"] = faultAction(func(r *Roles) lab.Fault { return lab.Fault{Kind: lab.FaultRestore, Node: r.Master} }, "act.restored")
	actions["kill-proxy"] = faultAction(func(r *Roles) lab.Fault {
		return lab.Fault{Kind: lab.FaultKill, Node: r.Master, Component: lab.ComponentProxy}
	}, "act.killed")
	actions["partition"] = faultAction(func(r *Roles) lab.Fault { return lab.Fault{Kind: lab.FaultPartition, Node: r.Master, Peer: r.Backup} }, "act.partitioned")
}

// nodes lists the lab's nodes in its order.
func (e *Env) nodes() []string {
	var out []string
	for _, n := range e.Roles.Lab.Nodes {
		out = append(out, n.Name)
	}
	return out
}

// acted starts an Acted at the clock's now.
func (e *Env) acted() Acted { return Acted{Start: e.Clock.Now(), Out: map[string]Output{}} }

// inEach runs argv in each of nodes and keeps what each printed under
// its name.
func (e *Env) inEach(ctx context.Context, out func(Block), nodes []string, argv ...string) (Acted, error) {
	a := e.acted()
	for _, n := range nodes {
		a.Out[n] = e.command(ctx, out, n, argv...)
	}
	a.Done = e.Clock.Now()
	return a, nil
}

// actAddresses runs `ip --brief addr` in every node.
func actAddresses(ctx context.Context, e *Env, out func(Block)) (Acted, error) {
	return e.inEach(ctx, out, e.nodes(), "ip", "--brief", "addr")
}

// webURL is the web server's page on its address.
func (e *Env) webURL() string { return "http://" + e.Roles.WebAddr.String() + "/" }

// vipURL is the service's page on the VIP.
func (e *Env) vipURL() string {
	if e.Roles.Port == 80 {
		return "http://" + e.Roles.VIP.String() + "/"
	}
	return fmt.Sprintf("http://%s:%d/", e.Roles.VIP, e.Roles.Port)
}

// actCurlWeb asks the web server for its page from both load balancers,
// as the tutorial does, and from the client, which cannot reach it.
func actCurlWeb(ctx context.Context, e *Env, out func(Block)) (Acted, error) {
	a := e.acted()
	for _, n := range []string{e.Roles.Master, e.Roles.Backup} {
		a.Out[n] = e.command(ctx, out, n, "curl", "-sS", "-m", "2", e.webURL())
	}
	a.Out[e.Roles.Client] = e.command(ctx, out, e.Roles.Client, "curl", "-sS", "-m", "1", e.webURL())
	a.Done = e.Clock.Now()
	return a, nil
}

// actProxyListen shows on both load balancers the sysctl that lets the
// proxy bind the VIP, and the proxy's listening socket.
func actProxyListen(ctx context.Context, e *Env, out func(Block)) (Acted, error) {
	a := e.acted()
	for _, n := range []string{e.Roles.Master, e.Roles.Backup} {
		a.Out[n+"/sysctl"] = e.command(ctx, out, n, "sysctl", "net.ipv4.ip_nonlocal_bind")
		a.Out[n+"/ss"] = e.command(ctx, out, n, "ss", "-ltnH", fmt.Sprintf("sport = :%d", e.Roles.Port))
		a.Out[n+"/ip"] = e.command(ctx, out, n, "ip", "--brief", "addr", "show", "dev", e.Roles.MasterVRRP.Interface)
	}
	a.Done = e.Clock.Now()
	return a, nil
}

// actVRRPStatus asks both VRRP daemons how they are, and shows what each
// said of its keepalived.conf when it started.
func actVRRPStatus(ctx context.Context, e *Env, out func(Block)) (Acted, error) {
	t := e.Texts
	a := e.acted()
	for _, n := range []string{e.Roles.Master, e.Roles.Backup} {
		in, err := e.vrrpOf(ctx, n)
		if err != nil {
			out(Block{Title: t.T("act.vrrp_title", "node", n), Lines: []string{err.Error()}})
			continue
		}
		lines := []string{
			fmt.Sprintf("%s %s prio %d (base %d) · VRID %d · VRRPv%d %s", in.Name, in.State, in.Priority, in.BasePriority, in.VRID, in.Version, in.Auth),
			fmt.Sprintf("%s → %s · %s", in.Source, strings.Join(in.Destinations, ", "), in.Interface),
		}
		if in.Master != "" && in.State != "MASTER" {
			lines = append(lines, t.T("act.hears", "master", in.Master, "prio", fmt.Sprint(in.MasterPriority)))
		}
		c := in.Counters
		var dropped uint64
		for _, k := range c.Dropped {
			dropped += k
		}
		lines = append(lines, t.T("act.adverts", "sent", fmt.Sprint(c.Sent), "received", fmt.Sprint(c.Received), "dropped", fmt.Sprint(dropped)))
		for _, tr := range in.Tracks {
			lines = append(lines, fmt.Sprintf("track %s weight %d: %s", tr.Name, tr.Weight, tr.State))
		}
		out(Block{Title: t.T("act.vrrp_title", "node", n), Lines: lines})
		hist, err := e.Lab.History(ctx, n, lab.ComponentVRRP)
		if err != nil {
			out(Block{Title: t.T("act.said", "node", n), Lines: []string{err.Error()}})
			continue
		}
		var said []string
		for _, ev := range hist {
			if ev.Kind == control.KindLog && ev.Level == "warn" {
				said = append(said, ev.Message)
			}
		}
		a.Out[n+"/said"] = Output{Stdout: strings.Join(said, "\n")}
		out(Block{Title: t.T("act.said", "node", n), Lines: said})
	}
	a.Done = e.Clock.Now()
	return a, nil
}

// actIPAddr runs the tutorial's `ip --brief addr` on both load balancers.
func actIPAddr(ctx context.Context, e *Env, out func(Block)) (Acted, error) {
	return e.inEach(ctx, out, []string{e.Roles.Master, e.Roles.Backup}, "ip", "--brief", "addr")
}

// actCurlVIP opens the VIP from the client, headers shown; the probe's
// counts before it are kept for the check.
func actCurlVIP(ctx context.Context, e *Env, out func(Block)) (Acted, error) {
	a := e.acted()
	if ps, err := e.probeStatus(ctx); err == nil {
		a.Probe = ps
	}
	a.Out[e.Roles.Client] = e.command(ctx, out, e.Roles.Client, "curl", "-sS", "-i", "-m", "2", e.vipURL())
	a.Done = e.Clock.Now()
	return a, nil
}

// faultAction is an action that applies one fault and says so.
func faultAction(fault func(*Roles) lab.Fault, say string) Action {
	return func(ctx context.Context, e *Env, out func(Block)) (Acted, error) {
		f := fault(e.Roles)
		a := e.acted()
		if ps, err := e.probeStatus(ctx); err == nil {
			a.Probe = ps
		}
		if err := e.Lab.Fault(ctx, f); err != nil {
			return a, errors.New(e.Texts.T("err.fault", "fault", f.String(), "err", err.Error()))
		}
		a.Done = e.Clock.Now()
		out(Block{Title: e.Texts.T("act.fault_title"), Lines: []string{e.Texts.T(say, "at", e.Texts.Clock(a.Start), "took", e.Texts.Dur(a.Done.Sub(a.Start)))}})
		return a, nil
	}
}
