package learn

import (
	"context"
	"fmt"
	"time"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/nodes/probe"
	"github.com/halab/halab/nodes/vrrp"
)

// Lab is what the walkthrough needs of a running lab. learn/live
// implements it over lab.Access and `halab exec`, for either provider;
// learn/fake simulates the seed lab for the unit tests.
type Lab interface {
	// State is the lab's recorded state, read afresh: its model (nodes,
	// configurations) and the faults in force.
	State() *lab.State
	// Fault applies a fault as `halab fault` does and returns when it is
	// in force.
	Fault(ctx context.Context, f lab.Fault) error
	// Interfaces reads a node's interfaces and addresses from its kernel.
	Interfaces(ctx context.Context, node string) ([]lab.InterfaceInfo, error)
	// Exec runs a command inside a node, as `halab exec NODE -- ARGV…`,
	// and returns what it printed and its exit status. An error means the
	// command could not be run at all.
	Exec(ctx context.Context, node string, argv []string) (Output, error)
	// Status asks a node's component (vrrp, proxy, web, probe) for its
	// status, decoding its detail into detail when not nil.
	Status(ctx context.Context, node, kind string, detail any) (control.Status, error)
	// History is the component's recent events, as its control socket
	// replays them (oldest first).
	History(ctx context.Context, node, kind string) ([]control.Event, error)
}

// Output is what a command run in a node printed, and its exit status.
type Output struct {
	Stdout, Stderr string
	Code           int
}

// Clock is the walkthrough's time: real time for a real lab, a simulated
// one that advances when slept on for learn/fake.
type Clock interface {
	Now() time.Time
	// Sleep waits d, or until ctx is done (then it returns ctx's error).
	Sleep(ctx context.Context, d time.Duration) error
}

// RealClock is the machine's clock.
type RealClock struct{}

// Now is time.Now.
func (RealClock) Now() time.Time { return time.Now() }

// Sleep waits d or until ctx is done.
func (RealClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Env is what prepares, shows, actions and checks work with: the lab, its
// roles and figures, the language's texts (with the lab's values) and the
// clock.
type Env struct {
	Lab   Lab
	Roles *Roles
	Texts *Texts
	Clock Clock
	// Poll is how often a check reads the lab while it waits (default
	// 50 ms).
	Poll time.Duration
}

// NewEnv reads the lab's roles and figures (CheckLab's errors when it is
// not like the tutorial's) and returns the environment the course's steps
// run in.
func NewEnv(l Lab, c *Course, clock Clock) (*Env, error) {
	st := l.State()
	if st == nil || st.Lab == nil {
		return nil, fmt.Errorf("the lab's state has no lab model")
	}
	roles, err := RolesOf(st.Lab)
	if err != nil {
		return nil, err
	}
	if clock == nil {
		clock = RealClock{}
	}
	e := &Env{Lab: l, Roles: roles, Clock: clock, Poll: 50 * time.Millisecond}
	e.Texts = c.Texts.WithVars(roles.Vars(c.Texts))
	return e, nil
}

// callTimeout bounds one question to a component or one command.
const callTimeout = 3 * time.Second

// vrrpOf asks node's VRRP daemon for the instance that carries the VIP.
func (e *Env) vrrpOf(ctx context.Context, node string) (*vrrp.InstanceStatus, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	var st vrrp.Status
	if _, err := e.Lab.Status(ctx, node, lab.ComponentVRRP, &st); err != nil {
		return nil, err
	}
	vip := e.Roles.VIP.String()
	for i := range st.Instances {
		for _, v := range st.Instances[i].VIPs {
			if v.Address == vip {
				return &st.Instances[i], nil
			}
		}
	}
	return nil, fmt.Errorf("%s: no VRRP instance carries %s", node, vip)
}

// probeStatus asks the client's probe for its status.
func (e *Env) probeStatus(ctx context.Context) (*probe.Status, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	var ps probe.Status
	if _, err := e.Lab.Status(ctx, e.Roles.Client, lab.ComponentProbe, &ps); err != nil {
		return nil, err
	}
	return &ps, nil
}

// exec runs argv in node, bounded by callTimeout.
func (e *Env) exec(ctx context.Context, node string, argv ...string) (Output, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	return e.Lab.Exec(ctx, node, argv)
}

// holders reads which load balancers hold the VIP, from their kernels; a
// node that cannot be read (powered off) holds nothing.
func (e *Env) holders(ctx context.Context) []string {
	var out []string
	for _, n := range []string{e.Roles.Master, e.Roles.Backup} {
		ifaces, err := e.Lab.Interfaces(ctx, n)
		if err == nil && hasAddr(ifaces, e.Roles.VIP.String()) != "" {
			out = append(out, n)
		}
	}
	return out
}

// hasAddr returns the interface that has addr, or "".
func hasAddr(ifaces []lab.InterfaceInfo, addr string) string {
	for _, i := range ifaces {
		for _, a := range i.Addresses {
			if a == addr || len(a) > len(addr) && a[:len(addr)] == addr && a[len(addr)] == '/' {
				return i.Name
			}
		}
	}
	return ""
}
