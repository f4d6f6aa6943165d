// Package livelab gives the drill runner (scenarios.Run) a running lab,
// whichever provider built it: its recorded state, its merged event stream
// (lab.Watch), faults, the client probe's and the VRRP daemons' control
// sockets, and the VIP holders as the nodes' kernels have them — all
// through the provider's lab.Access.
package livelab

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/halab/halab/lab"
	_ "github.com/halab/halab/lab/netns" // access to netns labs
	_ "github.com/halab/halab/lab/ssh"   // access to ssh labs
	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/nodes/vrrp"
	"github.com/halab/halab/scenarios"
)

// callTimeout bounds one control-socket call.
const callTimeout = 2 * time.Second

// Lab is a running lab, built by any provider. It is safe for concurrent
// use.
type Lab struct {
	*lab.Handle
}

var _ scenarios.Lab = (*Lab)(nil)

// Open finds the running lab called name (or the only one up, when name is
// empty) and opens access to it; Close releases it.
func Open(name string) (*Lab, error) {
	h, err := lab.OpenHandle(name)
	if err != nil {
		return nil, err
	}
	return &Lab{h}, nil
}

// Probe runs an action of the client node's probe.
func (l *Lab) Probe(ctx context.Context, action string, in, out any) error {
	st := l.State()
	for _, n := range st.Nodes {
		for _, c := range n.Components {
			if c.Kind == lab.ComponentProbe {
				ctx, cancel := context.WithTimeout(ctx, callTimeout)
				defer cancel()
				return l.Access().Control(n.Name, c).Do(ctx, action, in, out)
			}
		}
	}
	return fmt.Errorf("lab %s has no client probe", l.Name())
}

// Holders reads each load balancer's addresses from its kernel and says
// which hold the VIP.
func (l *Lab) Holders(ctx context.Context) (map[string]bool, error) {
	st := l.Cached()
	vip := st.Lab.VIP.Address
	out := map[string]bool{}
	var errs []error
	for _, n := range st.Lab.Nodes {
		if n.Role != lab.RoleLB {
			continue
		}
		ifaces, err := l.Access().Interfaces(ctx, n.Name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out[n.Name] = holds(ifaces, vip)
	}
	if len(out) == 0 && len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// holds reports whether any interface has addr.
func holds(ifaces []lab.InterfaceInfo, addr netip.Addr) bool {
	for _, i := range ifaces {
		for _, a := range i.Addresses {
			if p, err := netip.ParsePrefix(a); err == nil && p.Addr() == addr {
				return true
			}
		}
	}
	return false
}

// VRRP asks each load balancer's VRRP daemon for its instance; a daemon
// that does not answer is DOWN.
func (l *Lab) VRRP(ctx context.Context) (map[string]scenarios.VRRPStatus, error) {
	st := l.Cached()
	out := map[string]scenarios.VRRPStatus{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, n := range st.Nodes {
		for _, c := range n.Components {
			if c.Kind != lab.ComponentVRRP {
				continue
			}
			wg.Add(1)
			go func(node string, c lab.ComponentState) {
				defer wg.Done()
				s := readVRRP(ctx, l.Access().Control(node, c), st.Lab.VIP.Address.String())
				mu.Lock()
				out[node] = s
				mu.Unlock()
			}(n.Name, c)
		}
	}
	wg.Wait()
	return out, ctx.Err()
}

// readVRRP reads one daemon's instance for vip (or its first).
func readVRRP(ctx context.Context, client *control.Client, vip string) scenarios.VRRPStatus {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	var vs vrrp.Status
	if _, err := client.Status(ctx, &vs); err != nil || len(vs.Instances) == 0 {
		return scenarios.VRRPStatus{State: scenarios.StateDown}
	}
	in := vs.Instances[0]
	for _, cand := range vs.Instances {
		for _, v := range cand.VIPs {
			if v.Address == vip {
				in = cand
			}
		}
	}
	state := strings.ToUpper(in.State)
	return scenarios.VRRPStatus{State: state, Priority: in.Priority}
}
