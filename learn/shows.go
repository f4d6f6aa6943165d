package learn

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/lab/export"
)

func init() {
	shows["topology"] = showTopology
	shows["web"] = showWeb
	shows["haproxy-cfg"] = showHAProxy
	shows["keepalived-conf"] = showKeepalived
	shows["vip-config"] = showVIPConfig
	shows["client"] = showClient
	shows["master-down"] = showMasterDown
	shows["preemption"] = showPreemption
	shows["track-script"] = showTrackScript
	shows["fast-lab"] = showFastLab
}

// table lays rows out in columns two spaces apart.
func table(rows [][]string) []string {
	var w []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(w) {
				w = append(w, 0)
			}
			w[i] = max(w[i], len([]rune(c)))
		}
	}
	out := make([]string, len(rows))
	for k, r := range rows {
		var b strings.Builder
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", w[i]-len([]rune(c))+2))
			}
		}
		out[k] = strings.TrimRight(b.String(), " ")
	}
	return out
}

// showTopology is the lab from its model: networks, VIP, each node with
// its addresses and components.
func showTopology(_ context.Context, e *Env) ([]Block, error) {
	t, l := e.Texts, e.Roles.Lab
	var nets []string
	for _, n := range l.Networks {
		nets = append(nets, n.Name+" "+n.Subnet.String())
	}
	rows := [][]string{
		{t.T("word.networks"), strings.Join(nets, " · ")},
		{"VIP", fmt.Sprintf("%s:%d (%s)", l.VIP.Address, l.VIP.Port, l.VIP.Network)},
	}
	for _, n := range l.Nodes {
		var addrs, comps []string
		for _, i := range n.Interfaces {
			addrs = append(addrs, i.Name+" "+i.Address.String())
		}
		for _, c := range n.Components {
			comps = append(comps, c.Kind)
		}
		rows = append(rows, []string{n.Name, string(n.Role) + "  " + strings.Join(addrs, "  ") + "  · " + strings.Join(comps, " ")})
	}
	lines := append(e.diagram(), "")
	return []Block{{Title: t.T("show.topology", "lab", l.Name), Lines: append(lines, table(rows)...)}}, nil
}

// diagram draws the tutorial's picture with the lab's names:
//
//	client ─ public ─┬─ lb1  MASTER  prio 101 ─┬─ private ─ web1
//	                 └─ lb2  BACKUP  prio 100 ─┘
func (e *Env) diagram() []string {
	r := e.Roles
	private := ""
	if web, err := r.Lab.Node(r.Web); err == nil {
		private = web.Interfaces[0].Network
	}
	w := max(len(r.Master), len(r.Backup))
	lb := func(name, state string, prio int) string {
		return fmt.Sprintf("%-*s  %s  prio %-3d", w, name, state, prio)
	}
	left := fmt.Sprintf("%s ─ %s ─", r.Client, r.Lab.VIP.Network)
	pad := strings.Repeat(" ", len([]rune(left)))
	return []string{
		left + "┬─ " + lb(r.Master, "MASTER", r.MasterVRRP.Priority) + " ─┬─ " + private + " ─ " + r.Web,
		pad + "└─ " + lb(r.Backup, "BACKUP", r.BackupVRRP.Priority) + " ─┘",
	}
}

// showWeb says which nodes have an address on the web server's network.
func showWeb(_ context.Context, e *Env) ([]Block, error) {
	t, l := e.Texts, e.Roles.Lab
	web, err := l.Node(e.Roles.Web)
	if err != nil {
		return nil, err
	}
	net := web.Interfaces[0].Network
	var rows [][]string
	for _, n := range l.Nodes {
		if i := n.Interface(net); i != nil {
			rows = append(rows, []string{n.Name, i.Name, i.Address.String()})
		} else {
			rows = append(rows, []string{n.Name, "—", t.T("show.not_on_net", "net", net)})
		}
	}
	return []Block{{Title: t.T("show.on_net", "net", net), Lines: table(rows)}}, nil
}

// showHAProxy is the master's haproxy.cfg and the load balancers' sysctls.
func showHAProxy(_ context.Context, e *Env) ([]Block, error) {
	t, r := e.Texts, e.Roles
	src, ls := e.configOf(r.Master, lab.ComponentProxy)
	b := Block{Title: t.T("show.file", "node", r.Master, "file", "haproxy.cfg", "source", src), Lines: strs(ls)}
	mc, bc := e.component(r.Master, lab.ComponentProxy), e.component(r.Backup, lab.ComponentProxy)
	if mc != nil && bc != nil {
		if bytes.Equal(mc.Config, bc.Config) {
			b.Lines = append(b.Lines, "", t.T("show.same_file", "node", r.Backup))
		} else {
			_, bls := e.configOf(r.Backup, lab.ComponentProxy)
			b.Lines = append(b.Lines, "", t.T("show.backup_differs"))
			b.Lines = append(b.Lines, strs(differing(ls, bls))...)
		}
	}
	var rows [][]string
	for _, node := range []string{r.Master, r.Backup} {
		n, err := r.Lab.Node(node)
		if err != nil {
			return nil, err
		}
		for _, s := range n.Sysctls {
			rows = append(rows, []string{node, s.Key + " = " + s.Value})
		}
	}
	return []Block{b, {Title: t.T("show.sysctl"), Lines: table(rows)}}, nil
}

// showKeepalived is the master's keepalived.conf, what the backup's says
// otherwise, what keepalived -t says of the tutorial's file, and what
// `halab config export` writes instead.
func showKeepalived(_ context.Context, e *Env) ([]Block, error) {
	t, r := e.Texts, e.Roles
	src, mls := e.configOf(r.Master, lab.ComponentVRRP)
	bsrc, bls := e.configOf(r.Backup, lab.ComponentVRRP)
	blocks := []Block{
		{Title: t.T("show.file", "node", r.Master, "file", "keepalived.conf", "source", src), Lines: strs(mls)},
		{Title: t.T("show.backup_lines", "node", r.Backup, "source", bsrc), Lines: strs(differing(mls, bls))},
	}
	res, err := export.Export(r.Lab, export.Options{Nodes: []string{r.Master}})
	if err != nil {
		return nil, fmt.Errorf("halab config export: %w", err)
	}
	var says []string
	for _, n := range res.Notes {
		if n.Kind != export.Fixed || n.Says == "" || !strings.HasSuffix(n.File, ".keepalived.conf") {
			continue
		}
		where := ""
		if i := strings.LastIndex(n.Source, ":"); i >= 0 {
			where = t.T("word.line", "n", n.Source[i+1:]) + ": "
		}
		says = append(says, where+n.Says)
	}
	blocks = append(blocks, Block{Title: t.T("show.keepalived_t", "node", r.Master), Lines: says})
	exported := configLines(string(res.Files[r.Master+".keepalived.conf"]))
	blocks = append(blocks, Block{Title: t.T("show.exported", "node", r.Master), Lines: strs(differing(mls, exported))})
	return blocks, nil
}

// showVIPConfig is where the master's keepalived.conf puts the VIP.
func showVIPConfig(_ context.Context, e *Env) ([]Block, error) {
	r := e.Roles
	src, ls := e.configOf(r.Master, lab.ComponentVRRP)
	in := section(ls, "vrrp_instance")
	lines := strs(append(firstLine(in, "interface"), section(in, "virtual_ipaddress")...))
	return []Block{{Title: e.Texts.T("show.file", "node", r.Master, "file", "keepalived.conf", "source", src), Lines: lines}}, nil
}

// showClient is the client's probe as it says it runs.
func showClient(ctx context.Context, e *Env) ([]Block, error) {
	t := e.Texts
	ps, err := e.probeStatus(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: probe: %w", e.Roles.Client, err)
	}
	lines := table([][]string{
		{t.T("word.target"), ps.Target},
		{t.T("word.rate"), t.T("show.rate", "n", strconv.Itoa(ps.Rate))},
		{t.T("word.timeout"), t.Dur(ps.Timeout)},
	})
	return []Block{{Title: t.T("show.probe", "node", e.Roles.Client), Lines: lines}}, nil
}

// figures is the block of the lab's timers and priorities a step
// reasons with.
func (e *Env) figures(keys ...string) Block {
	b := Block{Title: e.Texts.T("show.figures")}
	for _, k := range keys {
		b.Lines = append(b.Lines, e.Texts.T(k))
	}
	return b
}

// skewKey is the figure of the skew time for the backup's VRRP version.
func (e *Env) skewKey() string {
	if e.Roles.BackupVRRP.Version == 3 {
		return "fig.skew_v3"
	}
	return "fig.skew_v2"
}

// showMasterDown is the backup's master-down interval worked out from its
// configuration.
func showMasterDown(_ context.Context, e *Env) ([]Block, error) {
	r := e.Roles
	src, ls := e.configOf(r.Backup, lab.ComponentVRRP)
	in := section(ls, "vrrp_instance")
	lines := strs(append(append(section(ls, "vrrp_script"), firstLine(in, "priority")...), firstLine(in, "advert_int")...))
	return []Block{
		e.figures("fig.advert", "fig.backup_prio", e.skewKey(), "fig.master_down"),
		{Title: e.Texts.T("show.file", "node", r.Backup, "file", "keepalived.conf", "source", src), Lines: lines},
	}, nil
}

// showPreemption is why the master takes the VIP back.
func showPreemption(_ context.Context, e *Env) ([]Block, error) {
	pre := "fig.preempt"
	if e.Roles.MasterVRRP.Nopreempt {
		pre = "fig.nopreempt"
	}
	return []Block{e.figures("fig.master_prio", "fig.backup_prio", pre, "fig.master_return")}, nil
}

// showTrackScript is the master's vrrp_script and track_script, and what
// their weight does to the priorities.
func showTrackScript(_ context.Context, e *Env) ([]Block, error) {
	r := e.Roles
	src, ls := e.configOf(r.Master, lab.ComponentVRRP)
	lines := strs(section(ls, "vrrp_script"))
	lines = append(lines, strs(section(section(ls, "vrrp_instance"), "track_script"))...)
	return []Block{
		{Title: e.Texts.T("show.file", "node", r.Master, "file", "keepalived.conf", "source", src), Lines: lines},
		e.figures("fig.master_prio", "fig.backup_prio", "fig.proxy_dead", "fig.track_bound"),
	}, nil
}

// showFastLab is the fast lab's keepalived.conf and its timers beside the
// tutorial's.
func showFastLab(_ context.Context, e *Env) ([]Block, error) {
	t := e.Texts
	src, text, err := FastConfig()
	if err != nil {
		return nil, err
	}
	cmp := table([][]string{
		{"", t.T("word.this_lab"), t.T("word.fast_lab")},
		{"advert_int", t.Expand("{advert}"), t.Expand("{fast_advert}")},
		{t.T("word.master_down"), t.Expand("{master_down}"), t.Expand("{fast_master_down}")},
		{t.T("word.skew"), t.Expand("{skew}"), t.Expand("{fast_skew}")},
		{t.T("word.proxy_death"), t.T("fig.proxy_script"), t.T("fig.proxy_process")},
	})
	return []Block{
		{Title: t.T("show.compare"), Lines: cmp},
		{Title: t.T("show.fast_file", "source", src), Lines: strs(configLines(string(text)))},
	}, nil
}
