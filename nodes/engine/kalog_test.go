package engine

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestParseKeepalivedLine reads lines keepalived 2.2.7 wrote (keepalived
// -n -l -D -G -P) in a lab node running the seed lab's lb2.keepalived.conf:
// starting, hearing halab's lb1, its track script failing and succeeding,
// taking over, stepping down, a link going down and up, stopping.
func TestParseKeepalivedLine(t *testing.T) {
	tests := []struct {
		line string
		want KARecord
	}{
		{"Thu Nov 26 17:55:31 2026: Starting Keepalived v2.2.7 (01/16,2022)",
			KARecord{Kind: KAStarting, Text: "Starting Keepalived v2.2.7 (01/16,2022)", Version: "v2.2.7"}},
		{"Thu Nov 26 17:55:31 2026: Startup complete", KARecord{Kind: KAStartup, Text: "Startup complete"}},
		{"Thu Nov 26 17:55:31 2026: (LB_VIP) Entering BACKUP STATE (init)",
			KARecord{Kind: KAState, Text: "(LB_VIP) Entering BACKUP STATE (init)", Instance: "LB_VIP", State: "BACKUP", Init: true}},
		{"Thu Nov 26 17:55:35 2026: (LB_VIP) Entering MASTER STATE",
			KARecord{Kind: KAState, Text: "(LB_VIP) Entering MASTER STATE", Instance: "LB_VIP", State: "MASTER"}},
		{"Thu Nov 26 17:57:25 2026: (LB_VIP) Entering FAULT STATE",
			KARecord{Kind: KAState, Text: "(LB_VIP) Entering FAULT STATE", Instance: "LB_VIP", State: "FAULT"}},
		{"Thu Nov 26 18:08:40 2026: (LB_VIP) Changing effective priority from 100 to 102",
			KARecord{Kind: KAPriority, Text: "(LB_VIP) Changing effective priority from 100 to 102", Instance: "LB_VIP", From: 100, To: 102}},
		{"Thu Nov 26 18:08:40 2026: VRRP_Script(chk_haproxy) succeeded",
			KARecord{Kind: KAScript, Text: "VRRP_Script(chk_haproxy) succeeded", Script: "chk_haproxy", OK: true, Cause: "track script chk_haproxy succeeded"}},
		{"Thu Nov 26 18:08:34 2026: VRRP_Script(chk_haproxy) failed (exited with status 1)",
			KARecord{Kind: KAScript, Text: "VRRP_Script(chk_haproxy) failed (exited with status 1)", Script: "chk_haproxy",
				Cause: "track script chk_haproxy failed (exited with status 1)"}},
		{"Thu Nov 26 17:55:35 2026: (LB_VIP) Receive advertisement timeout",
			KARecord{Kind: KACause, Text: "(LB_VIP) Receive advertisement timeout", Instance: "LB_VIP", Cause: "no advert heard: master down timer expired"}},
		{"Thu Nov 26 17:57:23 2026: (LB_VIP) Master received advert from 192.168.10.101 with higher priority 103, ours 102",
			KARecord{Kind: KACause, Text: "(LB_VIP) Master received advert from 192.168.10.101 with higher priority 103, ours 102", Instance: "LB_VIP",
				Peer: "192.168.10.101", PeerPriority: 103, Cause: "advert from 192.168.10.101 with higher priority 103, ours 102"}},
		{"Thu Nov 26 17:57:32 2026: (LB_VIP) received lower priority (102) advert from 192.168.10.102 - discarding",
			KARecord{Kind: KACause, Text: "(LB_VIP) received lower priority (102) advert from 192.168.10.102 - discarding", Instance: "LB_VIP",
				Peer: "192.168.10.102", PeerPriority: 102, Cause: "preempting 192.168.10.102, which has lower priority 102"}},
		{"Thu Nov 26 17:56:05 2026: (LB_VIP) Backup received priority 0 advertisement",
			KARecord{Kind: KACause, Text: "(LB_VIP) Backup received priority 0 advertisement", Instance: "LB_VIP", Cause: "the master sent priority 0 (it is stopping)"}},
		{"Thu Nov 26 17:57:25 2026: Netlink reports enp0s9 down",
			KARecord{Kind: KACause, Text: "Netlink reports enp0s9 down", Interface: "enp0s9", Cause: "interface enp0s9 down"}},
		{"Thu Nov 26 17:57:32 2026: Netlink reports enp0s9 up",
			KARecord{Kind: KACause, Text: "Netlink reports enp0s9 up", Interface: "enp0s9", Up: true, Cause: "interface enp0s9 up"}},
		{"Thu Nov 26 17:55:43 2026: Stopping", KARecord{Kind: KAStopping, Text: "Stopping"}},
		{"Thu Nov 26 17:55:31 2026: (/tmp/engwt/ka/keepalived.conf: Line 20) Truncating auth_pass to 8 characters",
			KARecord{Kind: KAWarning, Text: "(/tmp/engwt/ka/keepalived.conf: Line 20) Truncating auth_pass to 8 characters"}},
		{"Thu Nov 26 17:55:31 2026: SECURITY VIOLATION - scripts are being executed but script_security not enabled.",
			KARecord{Kind: KAWarning, Text: "SECURITY VIOLATION - scripts are being executed but script_security not enabled."}},
		{"Thu Nov 26 17:55:31 2026: WARNING - script `halab` resolved by path search to `/run/halab/exp1/bin/halab`. Please specify full path.",
			KARecord{Kind: KAWarning, Text: "WARNING - script `halab` resolved by path search to `/run/halab/exp1/bin/halab`. Please specify full path."}},
		// Lines that report nothing halab follows.
		{"Thu Nov 26 17:55:35 2026: (LB_VIP) setting VIPs.", KARecord{Kind: KAOther, Text: "(LB_VIP) setting VIPs.", Instance: "LB_VIP"}},
		{"Thu Nov 26 17:55:35 2026: Sending gratuitous ARP on enp0s9 for 172.16.0.200", KARecord{Kind: KAOther, Text: "Sending gratuitous ARP on enp0s9 for 172.16.0.200"}},
		{"Thu Nov 26 18:08:34 2026: Script `chk_haproxy` now returning 1", KARecord{Kind: KAOther, Text: "Script `chk_haproxy` now returning 1"}},
		{"Thu Nov 26 17:55:31 2026:               '/tmp/engwt/ka/ka.pid' '-r' '/tmp/engwt/ka/vrrp.pid'",
			KARecord{Kind: KAOther, Text: "              '/tmp/engwt/ka/ka.pid' '-r' '/tmp/engwt/ka/vrrp.pid'"}},
		// A line without keepalived's time stamp (another program's, or
		// keepalived without -l) is read all the same.
		{"(VI_1) Entering MASTER STATE", KARecord{Kind: KAState, Text: "(VI_1) Entering MASTER STATE", Instance: "VI_1", State: "MASTER"}},
		{"", KARecord{Kind: KAOther}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, ParseKeepalivedLine(tt.line)); diff != "" {
			t.Errorf("ParseKeepalivedLine(%q) (-want +got):\n%s", tt.line, diff)
		}
	}
}
