package kaconf

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// instanceCase is a vrrp_instance body, the instance fields it must yield
// (picked by get), and its diagnostics.
type instanceCase struct {
	name  string
	body  string // instanceSrc body, from line 5
	get   func(*Instance) any
	want  any
	diags []diagWant
}

func runInstanceCases(t *testing.T, tests []instanceCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := parseText(t, instanceSrc(tc.body))
			if diff := cmp.Diff(tc.want, tc.get(only(t, cfg)), cmpAddrs); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			checkDiags(t, cfg, tc.diags)
		})
	}
}

// stateAndPriority picks the initial state, configured state and priority.
func stateAndPriority(in *Instance) any {
	return []any{in.InitialState, in.ConfiguredState, in.Priority}
}

func TestInstanceStateAndPriority(t *testing.T) {
	runInstanceCases(t, []instanceCase{
		{"keepalived's defaults", "", stateAndPriority, []any{StateBackup, State(""), 100}, nil},
		{"MASTER without priority is the address owner", "state MASTER", stateAndPriority, []any{StateMaster, StateMaster, 255}, nil},
		{"MASTER with priority", "state MASTER\npriority 101", stateAndPriority, []any{StateMaster, StateMaster, 101}, nil},
		{"BACKUP", "state BACKUP\npriority 100", stateAndPriority, []any{StateBackup, StateBackup, 100}, nil},
		{"priority 255 without state is MASTER", "priority 255", stateAndPriority, []any{StateMaster, State(""), 255}, nil},
		{"BACKUP does not undo MASTER", "state MASTER\nstate BACKUP", stateAndPriority, []any{StateMaster, StateMaster, 255},
			[]diagWant{warn(6, "(VI) state previously set as MASTER - ignoring BACKUP")}},
		{"unknown state", "state master", stateAndPriority, []any{StateBackup, State(""), 100},
			[]diagWant{fail(5, "(VI) unknown state 'master' (keepalived would default to BACKUP) - use MASTER or BACKUP")}},
		{"state missing", "state", stateAndPriority, []any{StateBackup, State(""), 100},
			[]diagWant{fail(5, "Configuration line starting `state` is missing a parameter after keyword `state` at word position 2")}},
		{"priority 300", "priority 300", stateAndPriority, []any{StateBackup, State(""), 100},
			[]diagWant{fail(5, "(VI) Priority '300' not valid! must be between 1 & 255")}},
		{"priority 0", "priority 0", stateAndPriority, []any{StateBackup, State(""), 100},
			[]diagWant{fail(5, "(VI) Priority '0' not valid!")}},
	})
}

func TestInstanceInterfaceAndVRID(t *testing.T) {
	iface := func(in *Instance) any { return []any{in.Interface, in.VRID} }
	runInstanceCases(t, []instanceCase{
		{"as written", "interface enp0s9\nvirtual_router_id 51", iface, []any{"enp0s9", 51}, nil},
		{"interface name too long", "interface abcdefghijklmnop", iface, []any{"eth0", 42},
			[]diagWant{fail(5, "Interface name 'abcdefghijklmnop' too long - ignoring")}},
		{"loopback", "interface lo", iface, []any{"eth0", 42}, []diagWant{fail(5, "(VI) cannot use a loopback interface (lo) for vrrp - ignoring")}},
		{"extra words", "interface eth1 ; virtual_router_id 9", iface, []any{"eth1", 42},
			[]diagWant{warn(5, `'interface' takes 1 parameter; ignoring "; virtual_router_id 9" as keepalived does`)}},
		{"VRID 256", "virtual_router_id 256", iface, []any{"eth0", 42}, []diagWant{fail(5, "(VI): VRID '256' not valid - must be between 1 & 255")}},
		{"VRID x", "virtual_router_id x", iface, []any{"eth0", 42}, []diagWant{fail(5, "(VI): VRID 'x' not valid")}},
	})
}

func TestInstanceVersionAndAdvertInterval(t *testing.T) {
	timing := func(in *Instance) any { return []any{in.Version, in.AdvertInterval} }
	runInstanceCases(t, []instanceCase{
		{"defaults: version 2, 1 s", "", timing, []any{2, time.Second}, nil},
		{"whole seconds", "advert_int 3", timing, []any{2, 3 * time.Second}, nil},
		{"v2 rounds 1.5 up", "advert_int 1.5", timing, []any{2, 2 * time.Second},
			[]diagWant{warn(5, "(VI) VRRPv2 advertisement interval 1.500000s must be an integer. rounding")}},
		{"v2 rounds 1.4 down", "advert_int 1.4", timing, []any{2, time.Second},
			[]diagWant{warn(5, "(VI) VRRPv2 advertisement interval 1.400000s must be an integer. rounding")}},
		{"v2 rounds 0.1 to 1 s, not 0", "advert_int 0.1", timing, []any{2, time.Second},
			[]diagWant{warn(5, "VRRPv2 advertisement interval 0.100000s must be an integer")}},
		{"v3 keeps 0.1", "version 3\nadvert_int 0.1", timing, []any{3, 100 * time.Millisecond}, nil},
		{"v3 rounds to 10 ms", "version 3\nadvert_int 0.015", timing, []any{3, 20 * time.Millisecond},
			[]diagWant{warn(6, "(VI) VRRPv3 advertisement interval 0.015000s must be in units of 10ms - rounding")}},
		{"v3 caps at 40.95 s", "version 3\nadvert_int 50", timing, []any{3, 40950 * time.Millisecond},
			[]diagWant{warn(6, "(VI) VRRPv3 advertisement interval 50.00s is out of range. Must be less than 40.96s. Setting to 40.95s")}},
		{"too many decimals", "version 3\nadvert_int 0.1234567", timing, []any{3, 120 * time.Millisecond},
			[]diagWant{warn(6, "number '0.1234567' has too many decimal places - rounded to 123.457ms"), warn(6, "must be in units of 10ms - rounding")}},
		{"out of range", "advert_int 300", timing, []any{2, time.Second},
			[]diagWant{fail(5, "(VI) Advert interval (300) not valid! must be between 0.01 and 255 seconds - ignoring")}},
		{"too small", "advert_int 0.001", timing, []any{2, time.Second}, []diagWant{fail(5, "(VI) Advert interval (0.001) not valid!")}},
		{"version 3", "version 3", timing, []any{3, time.Second}, nil},
		{"version 4", "version 4", timing, []any{2, time.Second}, []diagWant{fail(5, "(VI): Version must be either 2 or 3")}},
		{"second version ignored", "version 3\nversion 2", timing, []any{3, time.Second},
			[]diagWant{warn(6, "(VI) vrrp_version 2 conflicts with configured or deduced version 3; ignoring.")}},
	})
}

func TestInstanceVersionFromGlobal(t *testing.T) {
	cfg := parseText(t, instanceSrc("")+"global_defs {\n vrrp_version 3\n}\n"+
		"vrrp_instance V2 {\n interface eth1\n virtual_router_id 1\n version 2\n virtual_ipaddress { 10.0.0.2 }\n}\n")
	if v := cfg.Instance("VI").Version; v != 3 {
		t.Errorf("VI version %d, want the global 3 (resolved after reading, wherever global_defs is)", v)
	}
	if v := cfg.Instance("V2").Version; v != 2 {
		t.Errorf("V2 version %d, want its own 2", v)
	}
	checkDiags(t, cfg, nil)
}

func TestInstancePreemption(t *testing.T) {
	preempt := func(in *Instance) any { return []any{in.Nopreempt, in.PreemptDelay} }
	runInstanceCases(t, []instanceCase{
		{"default", "", preempt, []any{false, time.Duration(0)}, nil},
		{"nopreempt", "nopreempt", preempt, []any{true, time.Duration(0)}, nil},
		{"preempt undoes nopreempt", "nopreempt\npreempt", preempt, []any{false, time.Duration(0)}, nil},
		{"preempt_delay", "preempt_delay 2.5", preempt, []any{false, 2500 * time.Millisecond}, nil},
		{"preempt_delay 1001", "preempt_delay 1001", preempt, []any{false, time.Duration(0)},
			[]diagWant{fail(5, "(VI) Preempt_delay '1001' not valid! must be between 0-1000")}},
		{"preempt_delay with nopreempt", "nopreempt\npreempt_delay 5", preempt, []any{true, time.Duration(0)},
			[]diagWant{warn(6, "(VI) preempt_delay is incompatible with nopreempt mode - resetting")}},
		{"nopreempt with MASTER", "state MASTER\npriority 150\nnopreempt", preempt, []any{false, time.Duration(0)},
			[]diagWant{warn(7, "(VI) Warning - nopreempt will not work with initial state MASTER - clearing")}},
		{"preempt_delay with MASTER", "state MASTER\npriority 150\npreempt_delay 5", preempt, []any{false, time.Duration(0)},
			[]diagWant{warn(7, "(VI) Warning - preempt delay will not work with initial state MASTER - clearing")}},
		{"nopreempt with the address owner", "priority 255\nnopreempt", preempt, []any{false, time.Duration(0)},
			[]diagWant{warn(6, "(VI) nopreempt is incompatible with priority 255. resetting nopreempt")}},
	})
}

func TestInstanceAuthentication(t *testing.T) {
	auth := func(in *Instance) any { return []any{in.AuthType, in.AuthPass, in.InitialState} }
	runInstanceCases(t, []instanceCase{
		{"none", "", auth, []any{AuthNone, "", StateBackup}, nil},
		{"PASS", "authentication {\n auth_type PASS\n auth_pass secret\n}", auth, []any{AuthPass, "secret", StateBackup}, nil},
		{"AH on one line", "authentication { auth_type AH; auth_pass x }", auth, []any{AuthNone, "", StateBackup},
			[]diagWant{warn(5, `'auth_type' takes 1 parameter; ignoring "auth_pass x"`), fail(5, "unknown authentication type 'AH;' - use PASS or AH")}},
		{"truncated to 8 characters", "authentication {\n auth_type AH\n auth_pass myP@ssword\n}", auth, []any{AuthAH, "myP@sswo", StateBackup},
			[]diagWant{warn(7, "Truncating auth_pass to 8 characters")}},
		{"quoted password keeps '#'", "authentication {\n auth_type PASS\n auth_pass \"a#b\"\n}", auth, []any{AuthPass, "a#b", StateBackup}, nil},
		{"AH clears an initial MASTER", "state MASTER\npriority 101\nauthentication {\n auth_type AH\n auth_pass labPass1\n}", auth, []any{AuthAH, "labPass1", StateBackup},
			[]diagWant{warn(5, "(VI) Initial state master is incompatible with AH authentication - clearing")}},
		{"AH keeps the address owner MASTER", "state MASTER\nauthentication {\n auth_type AH\n auth_pass labPass1\n}", auth, []any{AuthAH, "labPass1", StateMaster}, nil},
		{"PASS keeps MASTER", "state MASTER\npriority 101\nauthentication {\n auth_type PASS\n auth_pass labPass1\n}", auth, []any{AuthPass, "labPass1", StateMaster}, nil},
		{"version 3 ignores authentication", "version 3\nauthentication {\n auth_type PASS\n auth_pass labPass1\n}", auth, []any{AuthNone, "labPass1", StateBackup},
			[]diagWant{warn(7, "(VI) VRRP version 3 does not support authentication. Ignoring.")}},
		{"no password", "authentication {\n auth_type PASS\n}", auth, []any{AuthNone, "", StateBackup},
			[]diagWant{warn(6, "(VI) Authentication specified but no password given. Ignoring")}},
		{"unknown type", "authentication {\n auth_type MD5\n auth_pass x\n}", auth, []any{AuthNone, "x", StateBackup},
			[]diagWant{fail(6, "(VI) unknown authentication type 'MD5' - use PASS or AH")}},
		{"unknown keyword", "authentication {\n auth_type PASS\n auth_pass x\n auth_key y\n}", auth, []any{AuthPass, "x", StateBackup},
			[]diagWant{warn(8, "Unknown keyword 'auth_key'")}},
		{"password without type", "authentication {\n auth_pass secret\n}", auth, []any{AuthNone, "secret", StateBackup},
			[]diagWant{warn(6, "(VI) auth_pass without auth_type: no authentication is used")}},
		{"auth_type outside the block", "auth_type AH", auth, []any{AuthNone, "", StateBackup},
			[]diagWant{fail(5, "(VI) auth_type belongs in an authentication { } block")}},
	})
}

func TestInstanceUnicast(t *testing.T) {
	unicast := func(in *Instance) any { return []any{in.UnicastSrcIP, in.UnicastPeers, in.Unicast()} }
	peer := func(addr string, line, min, max int) UnicastPeer {
		return UnicastPeer{Address: netip.MustParseAddr(addr), MinTTL: min, MaxTTL: max, Pos: Position{"keepalived.conf", line, 3}}
	}
	src := netip.MustParseAddr("192.168.10.101")
	runInstanceCases(t, []instanceCase{
		{"multicast", "", unicast, []any{netip.Addr{}, []UnicastPeer(nil), false}, nil},
		{"unicast", "unicast_src_ip 192.168.10.101\nunicast_peer {\n  192.168.10.102\n  192.168.10.103 min_ttl 2 max_ttl 254\n}", unicast,
			[]any{src, []UnicastPeer{peer("192.168.10.102", 7, 0, 255), peer("192.168.10.103", 8, 2, 254)}, true}, nil},
		{"source with a prefix, as keepalived strips it", "unicast_src_ip 192.168.10.101/24\nunicast_peer {\n  10.0.0.2\n}", unicast,
			[]any{src, []UnicastPeer{peer("10.0.0.2", 7, 0, 255)}, true}, nil},
		{"source without peers stays multicast", "unicast_src_ip 192.168.10.101", unicast, []any{src, []UnicastPeer(nil), false},
			[]diagWant{warn(5, "(VI) A unicast keyword has been specified without any unicast peers. Defaulting to multicast.")}},
		{"malformed source", "unicast_src_ip 192.168.10.300\nunicast_peer {\n  10.0.0.2\n}", unicast, []any{netip.Addr{}, []UnicastPeer{peer("10.0.0.2", 7, 0, 255)}, true},
			[]diagWant{fail(5, "Configuration error: VRRP instance[VI] malformed src address[192.168.10.300]. Skipping...")}},
		{"IPv6 source", "unicast_src_ip fe80::1\nunicast_peer {\n  10.0.0.2\n}", unicast, []any{netip.Addr{}, []UnicastPeer{peer("10.0.0.2", 7, 0, 255)}, true},
			[]diagWant{fail(5, "(VI) fe80::1 is IPv6: halab speaks VRRP over IPv4 only")}},
		{"peer problems", "unicast_peer {\n  10.0.0.300\n  fe80::2\n  10.0.0.2 min_ttl 9 max_ttl 3\n  10.0.0.3 max_ttl\n  10.0.0.4 ttl 3\n  10.0.0.5 min_ttl x\n}", unicast,
			[]any{netip.Addr{}, []UnicastPeer{peer("10.0.0.2", 8, 9, 3), peer("10.0.0.3", 9, 0, 255), peer("10.0.0.4", 10, 0, 255), peer("10.0.0.5", 11, 0, 255)}, true},
			[]diagWant{
				fail(6, "Configuration error: VRRP instance[VI] malformed unicast peer address[10.0.0.300]. Skipping..."),
				fail(7, "(VI) fe80::2 is IPv6"),
				warn(8, "(VI) min_ttl 9 > max_ttl 3 - all packets will be discarded"),
				fail(9, "(VI) max_ttl is missing a value"),
				warn(10, "(VI) unknown unicast_peer option ttl"),
				fail(11, "(VI) min_ttl x: invalid number 'x'"),
			}},
	})
}

func TestInstanceNotify(t *testing.T) {
	notify := func(in *Instance) any {
		return []*Notify{in.NotifyMaster, in.NotifyBackup, in.NotifyFault, in.NotifyStop, in.Notify}
	}
	n := func(line int, command string, args []string, user, group string) *Notify {
		return &Notify{Command: command, Args: args, User: user, Group: group, Pos: Position{"keepalived.conf", line, 1}}
	}
	runInstanceCases(t, []instanceCase{
		{"all five", "global_defs_is_not_here 1\nnotify_master \"/etc/k/m.sh MASTER\" root wheel\nnotify_backup /etc/k/b.sh\nnotify_fault '/etc/k/f.sh'\nnotify_stop \"/etc/k/s.sh\" nobody\nnotify /etc/k/n.sh",
			notify, []*Notify{
				n(6, "/etc/k/m.sh MASTER", []string{"/etc/k/m.sh", "MASTER"}, "root", "wheel"),
				n(7, "/etc/k/b.sh", []string{"/etc/k/b.sh"}, "", ""),
				n(8, "/etc/k/f.sh", []string{"/etc/k/f.sh"}, "", ""),
				n(9, "/etc/k/s.sh", []string{"/etc/k/s.sh"}, "nobody", ""),
				n(10, "/etc/k/n.sh", []string{"/etc/k/n.sh"}, "", ""),
			},
			[]diagWant{warn(5, "Unknown keyword 'global_defs_is_not_here'"), warn(6, "SECURITY VIOLATION - scripts are being executed but script_security not enabled.")}},
		{"second notify_master ignored", "notify_master /a\nnotify_master /b", notify, []*Notify{n(5, "/a", []string{"/a"}, "", ""), nil, nil, nil, nil},
			[]diagWant{warn(6, "(VI) notify_master script already specified - ignoring /b"), warn(5, "SECURITY VIOLATION")}},
		{"missing command", "notify_fault", notify, []*Notify{nil, nil, nil, nil, nil},
			[]diagWant{fail(5, "missing a parameter after keyword `notify_fault`")}},
	})
}

func TestInstanceGARP(t *testing.T) {
	garp := func(in *Instance) any { return []any{in.GARPMasterDelay, in.GARPMasterRepeat} }
	runInstanceCases(t, []instanceCase{
		{"global defaults", "", garp, []any{5 * time.Second, 5}, nil},
		{"own values", "garp_master_delay 2\ngarp_master_repeat 3", garp, []any{2 * time.Second, 3}, nil},
		{"repeat 0", "garp_master_repeat 0", garp, []any{5 * time.Second, 1}, []diagWant{warn(5, "(VI): garp_master_repeat must be greater than 0, setting to 1")}},
		{"bad delay", "garp_master_delay -2", garp, []any{5 * time.Second, 5}, []diagWant{fail(5, "(VI): garp_master_delay '-2' invalid - ignoring")}},
	})
}
