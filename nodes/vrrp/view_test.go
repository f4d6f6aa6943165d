package vrrp

import (
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/nodes/vrrp/fsm"
	"github.com/halab/halab/nodes/vrrp/kaconf"
)

// TestStatusShowsATransitionBeforeItsActions: status says the new state
// from the transition on, before the actions that follow it in the same
// step (the advert, the VIP added to the kernel, gratuitous ARP). A drill
// that sees the VIP arrive and asks for the state at once must find
// MASTER, not the BACKUP of a moment before (`make soak` caught that).
func TestStatusShowsATransitionBeforeItsActions(t *testing.T) {
	m, err := fsm.New(fsm.Config{VRID: 51, Version: 2, Priority: 100, AdvertInterval: time.Second,
		LocalAddress: netip.MustParseAddr("192.168.10.102"), InitialState: fsm.Backup})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	in := &instance{name: "LB_VIP", cfg: &kaconf.Instance{Version: 2, Priority: 100, VRID: 51}, log: log,
		d: &daemon{log: log, ctl: control.NewServer("lb2", "vrrp")}, machine: m}
	// transitions runs only the transitions of a step, as do() meets them
	// first: the actions after them need sockets and a namespace.
	transitions := func(acts []fsm.Action) int {
		n := 0
		for _, a := range acts {
			if tr, ok := a.(fsm.Transition); ok {
				in.transition(tr)
				n++
			}
		}
		return n
	}
	now := time.Now()
	if n := transitions(m.Start(now)); n != 1 || in.snapshot().State != "BACKUP" {
		t.Fatalf("after start: %d transitions, status %q; want 1 and BACKUP", n, in.snapshot().State)
	}
	deadline, ok := m.MasterDownDeadline()
	if !ok {
		t.Fatal("a backup without a master-down deadline")
	}
	if n := transitions(m.Tick(deadline)); n != 1 {
		t.Fatalf("%d transitions when the master-down timer ran out, want 1", n)
	}
	if got := in.snapshot(); got.State != "MASTER" || got.LastTransition == nil || got.LastTransition.To != "MASTER" {
		t.Errorf("status right after the transition: %q (last transition %+v), want MASTER", got.State, got.LastTransition)
	}
}
