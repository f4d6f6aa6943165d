package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/halab/halab/internal/roottest"
	"github.com/halab/halab/nodes/probe"
	"github.com/halab/halab/nodes/vrrp"
)

// vrrpStates reads each load balancer's VRRP state and whether it holds the
// VIP, from `halab status --json`.
func vrrpStates(t *testing.T, name string) map[string]vrrp.InstanceStatus {
	t.Helper()
	out := map[string]vrrp.InstanceStatus{}
	for _, n := range status(t, name).Nodes {
		for _, c := range n.Components {
			if c.Kind != "vrrp" || len(c.Detail) == 0 {
				continue
			}
			var st vrrp.Status
			if err := json.Unmarshal(c.Detail, &st); err == nil && len(st.Instances) == 1 {
				out[n.Name] = st.Instances[0]
			}
		}
	}
	return out
}

// waitMaster waits until node is MASTER holding the VIP and the other LB
// is not holding it.
func waitMaster(t *testing.T, name, node string, limit time.Duration) {
	t.Helper()
	var last map[string]vrrp.InstanceStatus
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		last = vrrpStates(t, name)
		holders := 0
		for _, in := range last {
			holders += len(in.HeldVIPs())
		}
		if in, ok := last[node]; ok && in.State == "MASTER" && len(in.HeldVIPs()) == 1 && holders == 1 {
			return
		}
	}
	t.Fatalf("%s is not the only MASTER with the VIP after %v: %+v", node, limit, last)
}

func probeStatus(t *testing.T, name string) probe.Status {
	t.Helper()
	for _, n := range status(t, name).Nodes {
		for _, c := range n.Components {
			if c.Kind == "probe" {
				var p probe.Status
				if err := json.Unmarshal(c.Detail, &p); err != nil {
					t.Fatal(err)
				}
				return p
			}
		}
	}
	t.Fatal("no probe in the lab")
	return probe.Status{}
}

// TestSeedLabFailover: the tutorial's test. lb1 becomes MASTER with the
// VIP and lb2 BACKUP; powering off lb1 moves the VIP to lb2 within the
// master-down interval and the client sees one outage; lb1 preempts when it
// comes back; killing lb1's proxy lowers its priority below lb2's and lb2
// takes over.
func TestSeedLabFailover(t *testing.T) {
	roottest.Require(t)
	name := roottest.LabName("fo")
	up(t, name)
	waitMaster(t, name, "lb1", 8*time.Second)
	if st := vrrpStates(t, name)["lb2"]; st.State != "BACKUP" || st.Priority != 102 {
		t.Errorf("lb2 = %s prio %d, want BACKUP prio 102", st.State, st.Priority)
	}

	roottest.MustRun(t, "fault", "--lab", name, "crash", "lb1")
	waitMaster(t, name, "lb2", 4*time.Second)
	// The probe closes the outage once answers come back through lb2.
	var p probe.Status
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if p = probeStatus(t, name); p.Longest != nil && p.Current == nil {
			break
		}
	}
	if p.Longest == nil || p.Longest.Length < 2*time.Second || p.Longest.Length > 4*time.Second || p.LB != "lb2" {
		t.Errorf("client saw longest outage %+v, serving LB %q; want one of 2-4 s, then lb2", p.Longest, p.LB)
	}

	roottest.MustRun(t, "fault", "--lab", name, "restore", "lb1")
	waitMaster(t, name, "lb1", 8*time.Second)

	// track_script: the proxy dies, priority 103 → 101 < 102.
	roottest.MustRun(t, "fault", "--lab", name, "kill", "lb1", "proxy")
	waitMaster(t, name, "lb2", 10*time.Second)
	if st := vrrpStates(t, name)["lb1"]; st.Priority != 101 {
		t.Errorf("lb1 priority after its proxy died = %d, want 101", st.Priority)
	}
	roottest.MustRun(t, "fault", "--lab", name, "start", "lb1", "proxy")
	waitMaster(t, name, "lb1", 10*time.Second)
}
