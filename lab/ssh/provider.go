package ssh

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/halab/halab/lab"
)

// Provider deploys labs onto machines reached over SSH.
type Provider struct {
	// Binary is the halab executable for machines of this program's
	// architecture; empty means the running program.
	Binary string
	// RemoteBinaries are halab builds for other architectures.
	RemoteBinaries []string
	// AcceptNewHostKeys trusts and records the key of a machine not in
	// known_hosts (OpenSSH's StrictHostKeyChecking=accept-new).
	AcceptNewHostKeys bool
	// Lab is the lab file's model. Down uses it to find the machines of a
	// lab whose state this machine lost.
	Lab *lab.Lab
}

var _ lab.Provider = (*Provider)(nil)

// Name is "ssh".
func (p *Provider) Name() string { return lab.ProviderSSH }

// ErrLabUp says a lab of that name is already up.
var ErrLabUp = errors.New("lab is already up")

// forEachNode runs fn for every node at once and joins the errors, in the
// lab's node order.
func forEachNode(nodes []lab.Node, fn func(n *lab.Node) error) error {
	errs := make([]error, len(nodes))
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = fn(&nodes[i])
		}(i)
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Up connects to every machine at once, checks each (Linux, architecture,
// root or passwordless sudo, the lab's interfaces with their addresses,
// the SSH session's interface kept out of the lab) before it changes
// anything, then copies halab, writes the configurations, sets sysctls and
// starts the components, waiting until each reports ready. On any failure
// after the checks it removes what it put on the machines.
func (p *Provider) Up(ctx context.Context, l *lab.Lab, progress lab.Progress) (st *lab.State, err error) {
	if l.Provider != lab.ProviderSSH {
		return nil, fmt.Errorf("lab %s is not an ssh lab: add `provider: ssh` and an ssh block per node", l.Name)
	}
	unlock, err := lab.Lock(l.Name)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if _, err := lab.LoadState(l.Name); err == nil {
		return nil, fmt.Errorf("lab %s: %w; watch it with `halab status --lab %s` or remove it with `halab down --lab %s`", l.Name, ErrLabUp, l.Name, l.Name)
	}
	bins, err := binaries(p.Binary, p.RemoteBinaries)
	if err != nil {
		return nil, err
	}
	sums := map[string]string{}
	for arch, path := range bins {
		if sums[arch], err = fileSHA256(path); err != nil {
			return nil, fmt.Errorf("halab binary %s: %w", path, err)
		}
	}

	acc := newAccess(l, dialOptions{acceptNew: p.AcceptNewHostKeys})
	defer acc.Close()
	var mu sync.Mutex
	machines := map[string]*machine{}
	chosen := map[string]string{} // node → the GOARCH of its build
	err = forEachNode(l.Nodes, func(n *lab.Node) error {
		progress.Report(n.Name, "connecting to %s", n.SSH)
		m, f, err := acc.connect(ctx, n.Name)
		if err != nil {
			return err
		}
		if err := checkNode(n, f); err != nil {
			return err
		}
		if _, err := binaryFor(n.Name, f, bins); err != nil {
			return err
		}
		who := m.target.User
		if m.sudo {
			who += " with sudo"
		}
		mgmt := ""
		if f.ManagementIface != "" {
			mgmt = ", managed over " + f.ManagementIface
		}
		progress.Report(n.Name, "connected: linux/%s, %s, interfaces %s checked%s", goArch(f.Machine), who, strings.Join(n.InterfaceNames(), " "), mgmt)
		if out, err := m.run(ctx, "look for an earlier run", "[ -e "+shellQuote(labDir(m.target, l.Name))+" ] && echo yes || true", nil); err != nil {
			return err
		} else if strings.TrimSpace(string(out)) == "yes" {
			return fmt.Errorf("%s: %s is left from an earlier run of lab %s; remove it with `halab down -f %s`", n.Name, labDir(m.target, l.Name), l.Name, l.Source)
		}
		mu.Lock()
		machines[n.Name], chosen[n.Name] = m, goArch(f.Machine)
		mu.Unlock()
		return nil
	})
	if err != nil {
		return nil, err // nothing was changed on any machine
	}

	dir := lab.LabDir(l.Name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("lab %s: %w", l.Name, err)
	}
	st = &lab.State{Name: l.Name, Provider: p.Name(), Created: time.Now(), Phase: "building", Dir: dir, Lab: l}
	for _, n := range l.Nodes {
		st.Nodes = append(st.Nodes, lab.NodeState{Name: n.Name})
	}
	defer func() {
		if err != nil {
			progress.Report("", "failed: %v; removing what was put on the machines", err)
			if derr := cleanMachines(context.Background(), acc, l, progress); derr != nil {
				err = errors.Join(err, fmt.Errorf("and the rollback failed too: %w", derr))
			}
			os.RemoveAll(dir)
		}
	}()
	if err := st.Save(); err != nil {
		return nil, err
	}
	err = forEachNode(l.Nodes, func(n *lab.Node) error {
		m, arch := machines[n.Name], chosen[n.Name]
		if err := prepare(ctx, m, l.Name, n, bins[arch], sums[arch]); err != nil {
			return err
		}
		progress.Report(n.Name, "halab copied to %s (SHA-256 %s… verified)", binPath(m.target, l.Name), sums[arch][:12])
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := startAll(ctx, acc, st, machines, progress); err != nil {
		return nil, err
	}
	st.Phase = "up"
	if err := st.Save(); err != nil {
		return nil, err
	}
	return st, nil
}

// startAll starts the components kind by kind (web servers, proxies, VRRP
// daemons, probes), the nodes of each kind at once, each waited for until
// ready, as a netns lab starts them.
func startAll(ctx context.Context, acc *Access, st *lab.State, machines map[string]*machine, progress lab.Progress) error {
	for _, kind := range lab.StartOrder {
		var mu sync.Mutex
		err := forEachNode(st.Lab.Nodes, func(n *lab.Node) error {
			c := n.Component(kind)
			if c == nil {
				return nil
			}
			cs, err := startComponent(ctx, machines[n.Name], st.Name, n.Name, *c)
			mu.Lock()
			if cs.PID > 0 {
				ns, _ := st.Node(n.Name)
				ns.Components = append(ns.Components, cs)
			}
			serr := st.Save()
			mu.Unlock()
			if err != nil {
				return err
			}
			if serr != nil {
				return serr
			}
			if err := waitReady(ctx, acc, n.Name, cs); err != nil {
				return err
			}
			progress.Report(n.Name, "%s ready (pid %d)", kind, cs.PID)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
