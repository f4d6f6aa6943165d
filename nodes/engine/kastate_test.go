package engine

import (
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/halab/halab/nodes/vrrp"
	"github.com/halab/halab/nodes/vrrp/kaconf"
)

// TestKAState follows the seed lab's lb2 through keepalived's lines: it
// starts as BACKUP, its track script succeeds, it takes over, steps down
// for lb1, loses its public link and gets it back, and stops.
func TestKAState(t *testing.T) {
	src, err := os.ReadFile("../../assets/labs/seed/lb2.keepalived.conf")
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := kaconf.Parse("lb2.keepalived.conf", src)
	st := newKAState(cfg, func(string) string { return "172.16.0.102" })
	at := time.Date(2026, 11, 26, 17, 55, 31, 0, time.UTC)
	steps := []struct {
		line   string
		events []string // "kind: message"
		ready  bool
		state  string
		prio   int
	}{
		{"Starting Keepalived v2.2.7 (01/16,2022)", nil, false, "INIT", 100},
		{"SECURITY VIOLATION - scripts are being executed but script_security not enabled.",
			[]string{"log: keepalived: SECURITY VIOLATION - scripts are being executed but script_security not enabled."}, false, "INIT", 100},
		{"Startup complete", nil, false, "INIT", 100},
		{"(LB_VIP) Entering BACKUP STATE (init)", []string{"vrrp-state: INIT → BACKUP: initial state BACKUP"}, true, "BACKUP", 100},
		{"VRRP_Script(chk_haproxy) succeeded", nil, true, "BACKUP", 100},
		{"(LB_VIP) Changing effective priority from 100 to 102",
			[]string{"vrrp-priority: (LB_VIP) Changing effective priority from 100 to 102: track script chk_haproxy succeeded"}, true, "BACKUP", 102},
		{"(LB_VIP) Receive advertisement timeout", nil, true, "BACKUP", 102},
		{"(LB_VIP) Entering MASTER STATE", []string{"vrrp-state: BACKUP → MASTER: no advert heard: master down timer expired"}, true, "MASTER", 102},
		{"(LB_VIP) setting VIPs.", nil, true, "MASTER", 102},
		{"(LB_VIP) Master received advert from 192.168.10.101 with higher priority 103, ours 102", nil, true, "MASTER", 102},
		{"(LB_VIP) Entering BACKUP STATE",
			[]string{"vrrp-state: MASTER → BACKUP: advert from 192.168.10.101 with higher priority 103, ours 102"}, true, "BACKUP", 102},
		{"Netlink reports enp0s9 down", nil, true, "BACKUP", 102},
		{"(LB_VIP) Entering FAULT STATE", []string{"vrrp-state: BACKUP → FAULT: interface enp0s9 down"}, true, "FAULT", 102},
		{"Netlink reports enp0s9 up", nil, true, "FAULT", 102},
		{"(LB_VIP) Entering BACKUP STATE", []string{"vrrp-state: FAULT → BACKUP: interface enp0s9 up"}, true, "BACKUP", 102},
		{"VRRP_Script(chk_haproxy) failed (exited with status 1)", nil, true, "BACKUP", 102},
		{"(LB_VIP) Changing effective priority from 102 to 100",
			[]string{"vrrp-priority: (LB_VIP) Changing effective priority from 102 to 100: track script chk_haproxy failed (exited with status 1)"}, true, "BACKUP", 100},
		{"Stopping", []string{"log: keepalived stopping: masters send priority 0 and release their addresses"}, true, "BACKUP", 100},
	}
	for i, s := range steps {
		at = at.Add(time.Second)
		var got []string
		for _, e := range st.apply(ParseKeepalivedLine(s.line), at) {
			got = append(got, string(e.Kind)+": "+e.Message)
			if e.Time != at {
				t.Errorf("step %d: event at %v, want the line's time %v", i, e.Time, at)
			}
		}
		if diff := cmp.Diff(s.events, got); diff != "" {
			t.Errorf("step %d (%s): events (-want +got):\n%s", i, s.line, diff)
		}
		if st.ready() != s.ready {
			t.Errorf("step %d (%s): ready = %v, want %v", i, s.line, st.ready(), s.ready)
		}
		in := st.status(func(string, netip.Addr) bool { return false }, func(string) bool { return true }).Instances[0]
		if in.State != s.state || in.Priority != s.prio {
			t.Errorf("step %d (%s): %s prio %d, want %s prio %d", i, s.line, in.State, in.Priority, s.state, s.prio)
		}
	}
}

// TestKAStateStatus: the status has the shape halab's own daemon reports.
func TestKAStateStatus(t *testing.T) {
	src, err := os.ReadFile("../../assets/labs/seed/lb1.keepalived.conf")
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := kaconf.Parse("lb1.keepalived.conf", src)
	st := newKAState(cfg, func(string) string { return "unused: unicast_src_ip is set" })
	at := time.Date(2026, 11, 26, 17, 55, 35, 0, time.UTC)
	for _, l := range []string{
		"Starting Keepalived v2.2.7 (01/16,2022)",
		"(LB_VIP) Entering BACKUP STATE (init)",
		"VRRP_Script(chk_haproxy) succeeded",
		"(LB_VIP) Changing effective priority from 101 to 103",
		"(LB_VIP) received lower priority (102) advert from 192.168.10.102 - discarding",
	} {
		st.apply(ParseKeepalivedLine(l), at)
	}
	vip := netip.MustParseAddr("172.16.0.200")
	got := st.status(func(ifname string, a netip.Addr) bool { return ifname == "enp0s9" && a == vip }, func(string) bool { return true })
	want := vrrp.Status{
		Summary: "LB_VIP BACKUP prio 103 · VIP 172.16.0.200 (keepalived v2.2.7)",
		Instances: []vrrp.InstanceStatus{{
			Name: "LB_VIP", State: "BACKUP", Priority: 103, BasePriority: 101, VRID: 51, Version: 2,
			Interface: "enp0s9", Source: "192.168.10.101", Destinations: []string{"192.168.10.102"}, Auth: "AH",
			AdvertInterval: time.Second, VIPs: []vrrp.VIPStatus{{Address: "172.16.0.200", Interface: "enp0s9", Held: true}},
			Master: "192.168.10.102", MasterPriority: 102,
			LastTransition: &vrrp.TransitionAt{From: "INIT", To: "BACKUP", Reason: "initial state BACKUP", At: at},
			Tracks:         []vrrp.TrackAt{{Name: "interface enp0s9", State: "ok"}, {Name: "script chk_haproxy", Weight: 2, State: "ok"}},
			Counters:       vrrp.Counters{Dropped: map[string]uint64{}},
		}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("status (-want +got):\n%s", diff)
	}
	// An instance the lines never name stays INIT: not ready.
	cfg.Instances = append(cfg.Instances, &kaconf.Instance{Name: "OTHER", Interface: "enp0s8", Priority: 50})
	if st2 := newKAState(cfg, func(string) string { return "" }); st2.ready() {
		t.Error("ready before any instance entered a state")
	}
	if e := st.apply(ParseKeepalivedLine("(NOPE) Entering MASTER STATE"), at); len(e) != 0 || !strings.Contains(got.Summary, "LB_VIP") {
		t.Errorf("a line about an unknown instance made events %v", e)
	}
}
