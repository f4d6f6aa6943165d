package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"time"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/lab/netns"
	"github.com/halab/halab/nodes/vrrp"
	"github.com/halab/halab/ui/home"
)

// labManager is the home screen's view of this machine's labs.
type labManager struct{}

func (m *labManager) Builtins() []home.LabEntry        { return home.BuiltinEntries() }
func (m *labManager) Files(dir string) []home.LabEntry { return home.ScanFiles(dir) }

func (m *labManager) Running() []home.RunningLab {
	var out []home.RunningLab
	for _, name := range lab.Running() {
		st, err := lab.LoadState(name)
		if err != nil {
			out = append(out, home.RunningLab{Name: name, Err: err})
			continue
		}
		r := home.RunningFromState(st)
		r.VIPHolders, r.VIPKnown = vipHolders(context.Background(), st)
		out = append(out, r)
	}
	return out
}

// vipHolders reads, from the nodes' kernels, which nodes hold the lab's VIP.
func vipHolders(ctx context.Context, st *lab.State) ([]string, bool) {
	acc, err := lab.OpenAccess(st)
	if err != nil {
		return nil, false
	}
	defer acc.Close()
	var holders []string
	for _, n := range st.Nodes {
		ifaces, err := acc.Interfaces(ctx, n.Name)
		if err != nil {
			return nil, false
		}
		for _, i := range ifaces {
			for _, a := range i.Addresses {
				if p, err := netip.ParsePrefix(a); err == nil && p.Addr() == st.Lab.VIP.Address {
					holders = append(holders, n.Name)
				}
			}
		}
	}
	return holders, true
}

func (m *labManager) Start(ctx context.Context, source, provider string, progress lab.Progress) error {
	l, err := lab.Load(source)
	if err != nil {
		return err
	}
	p, err := providerFor(provider, l, providerOptions{})
	if err != nil {
		return err
	}
	st, err := p.Up(ctx, l, progress)
	if err != nil {
		return err
	}
	acc, err := lab.OpenAccess(st)
	if err != nil {
		return err
	}
	defer acc.Close()
	watchElection(ctx, st, acc, progress)
	return nil
}

func (m *labManager) Destroy(ctx context.Context, name string, progress lab.Progress) error {
	st, err := lab.LoadState(name)
	if err != nil {
		return (&netns.Provider{}).Down(ctx, name, progress) // leftovers of a lab without state
	}
	p, err := providerForState(st, providerOptions{})
	if err != nil {
		return err
	}
	return p.Down(ctx, name, progress)
}

// watchElection reports the VRRP election after a build, until a master
// holds the VIP (bounded by 15 s): the home screen shows it as it happens.
func watchElection(ctx context.Context, st *lab.State, acc lab.Access, progress lab.Progress) {
	if progress == nil {
		return
	}
	var lbs []lab.NodeState
	for _, n := range st.Nodes {
		for _, c := range n.Components {
			if c.Kind == lab.ComponentVRRP {
				lbs = append(lbs, n)
			}
		}
	}
	if len(lbs) == 0 {
		return
	}
	progress(home.WaitingForMaster())
	seen := map[string]string{}
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline) && ctx.Err() == nil; time.Sleep(100 * time.Millisecond) {
		master := false
		for _, n := range lbs {
			state, detail := vrrpState(ctx, acc, n)
			if state != "" && seen[n.Name] != state {
				seen[n.Name] = state
				progress(home.ElectionStep(n.Name, state, detail))
			}
			master = master || state == "MASTER"
		}
		if master {
			return
		}
	}
}

// vrrpState asks a node's VRRP daemon for its first instance's state.
func vrrpState(ctx context.Context, acc lab.Access, n lab.NodeState) (string, string) {
	for _, c := range n.Components {
		if c.Kind != lab.ComponentVRRP {
			continue
		}
		sctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		s, err := acc.Control(n.Name, c).Status(sctx, nil)
		cancel()
		var d vrrp.Status
		if err != nil || json.Unmarshal(s.Detail, &d) != nil || len(d.Instances) == 0 {
			return "", ""
		}
		in := d.Instances[0]
		detail := fmt.Sprintf("prio %d", in.Priority)
		if held := in.HeldVIPs(); len(held) > 0 {
			detail = "holds VIP " + held[0]
		}
		return in.State, detail
	}
	return "", ""
}

// runHome opens the lab manager and, when the person attaches to a lab,
// the dashboard on it.
func runHome(ctx context.Context) error {
	if !isTerminal() {
		return fmt.Errorf("the lab manager needs a terminal; see `halab --help` for the commands")
	}
	if err := netns.CheckPrivileges(); err != nil {
		fmt.Fprintln(os.Stderr, "halab: note:", err)
	}
	res, err := home.Run(ctx, &labManager{}, home.Options{})
	if err != nil {
		return err
	}
	if res.Action != home.ActionAttach {
		return nil
	}
	st, acc, err := lab.OpenRunning(res.Lab)
	if err != nil {
		return err
	}
	defer acc.Close()
	return runDashboard(ctx, st, acc)
}
