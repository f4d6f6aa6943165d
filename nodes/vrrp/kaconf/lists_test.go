package kaconf

import (
	"net/netip"
	"strconv"
	"testing"
	"time"
)

func TestVirtualIPAddress(t *testing.T) {
	vips := func(in *Instance) any { return in.VirtualIPs[1:] } // the first is instanceSrc's
	vip := func(prefix, dev, label string, line int) VirtualIP {
		return VirtualIP{Address: netip.MustParsePrefix(prefix), Device: dev, Label: label, Pos: Position{"keepalived.conf", line, 3}}
	}
	block := func(lines string) string { return "virtual_ipaddress {\n" + lines + "\n}" }
	runInstanceCases(t, []instanceCase{
		{"default prefix /32", block("  172.16.0.200"), vips, []VirtualIP{vip("172.16.0.200/32", "", "", 6)}, nil},
		{"prefix, dev and label", block("  10.77.0.100/24 dev eth1 label eth1:vip"), vips, []VirtualIP{vip("10.77.0.100/24", "eth1", "eth1:vip", 6)}, nil},
		{"prefix is not masked", block("  10.77.0.100/8"), vips, []VirtualIP{vip("10.77.0.100/8", "", "", 6)}, nil},
		{"two blocks add up", block("  10.0.0.2") + "\n" + block("  10.0.0.3"), vips, []VirtualIP{vip("10.0.0.2/32", "", "", 6), vip("10.0.0.3/32", "", "", 9)}, nil},
		{"one address per line", block("  10.0.0.2 10.0.0.3"), vips, []VirtualIP{vip("10.0.0.2/32", "", "", 6)},
			[]diagWant{warn(6, "Unknown configuration entry '10.0.0.3' for ip address - ignoring")}},
		{"invalid address", block("  10.0.0.300\n  10.0.0.4"), vips, []VirtualIP{vip("10.0.0.4/32", "", "", 7)},
			[]diagWant{fail(6, "VRRP parsed invalid IP 10.0.0.300. skipping IP...")}},
		{"IPv6", block("  fe80::1"), vips, []VirtualIP{}, []diagWant{fail(6, "(VI) virtual address fe80::1 is IPv6: halab speaks VRRP over IPv4 only")}},
		{"prefix 33", block("  10.0.0.2/33"), vips, []VirtualIP{}, []diagWant{fail(6, "Invalid address prefix len 33 for address 10.0.0.2/33 (keepalived would use 32)")}},
		{"dev without value", block("  10.0.0.2 dev"), vips, []VirtualIP{}, []diagWant{fail(6, "No dev parameter specified for 10.0.0.2")}},
		{"dev twice", block("  10.0.0.2 dev eth0 dev eth1"), vips, []VirtualIP{}, []diagWant{fail(6, "Cannot specify ipaddress device more than once for 10.0.0.2")}},
		{"label too long", block("  10.0.0.2 label eth0:abcdefghijkl"), vips, []VirtualIP{}, []diagWant{fail(6, "Address label eth0:abcdefghijkl is longer than maximum length 15 - removing address")}},
		{"unsupported options", block("  10.0.0.2 scope link no_track brd 10.0.0.255"), vips, []VirtualIP{vip("10.0.0.2/32", "", "", 6)},
			[]diagWant{warn(6, "'scope' on a virtual address is a keepalived option halab does not support"), warn(6, "'no_track'"), warn(6, "'brd'")}},
		{"extra parameters on the block", "virtual_ipaddress 10.0.0.2 {\n  10.0.0.3\n}", vips, []VirtualIP{vip("10.0.0.3/32", "", "", 6)},
			[]diagWant{warn(5, "Block virtual_ipaddress has extra parameters 10.0.0.2 ... - ignored")}},
	})
}

func TestVirtualIPAddressLimit(t *testing.T) {
	body := "virtual_ipaddress {\n"
	for i := range 256 {
		body += "  10.1." + strconv.Itoa(i/256) + "." + strconv.Itoa(i%256) + "\n"
	}
	cfg := parseText(t, instanceSrc(body+"}"))
	if n := len(only(t, cfg).VirtualIPs); n != 255 {
		t.Errorf("%d VIPs kept, want 255", n)
	}
	checkDiags(t, cfg, []diagWant{fail(260, "(VI) Number of VIPs exceeds the 255 an advert can carry")})
}

// scriptsSrc defines chk (weight 2) and neg (weight -30 reverse) above the
// instance, and enables script security so that no warning is due to them.
// The instance body still starts at line 5 of the instance, line 12 overall.
const scriptsSrc = "global_defs {\n enable_script_security\n}\nvrrp_script chk {\n script /bin/true\n weight 2\n}\nvrrp_script neg {\n script /bin/false\n weight -30 reverse\n}\n"

func TestTrackScript(t *testing.T) {
	tests := []struct {
		name  string
		body  string // from line 16
		want  []TrackScript
		diags []diagWant
	}{
		{"script's weight by default", "track_script {\n  chk\n  neg\n}", []TrackScript{{Name: "chk", Weight: 2}, {Name: "neg", Weight: -30, WeightReverse: true}}, nil},
		{"own weight", "track_script {\n  chk weight -5 reverse\n  neg weight 7 noreverse\n}", []TrackScript{{Name: "chk", Weight: -5, WeightReverse: true}, {Name: "neg", Weight: 7}}, nil},
		{"weight 0: failure means FAULT", "track_script {\n  chk weight 0\n}", []TrackScript{{Name: "chk"}}, nil},
		{"weight 254", "track_script {\n  chk weight 254\n}", []TrackScript{{Name: "chk", Weight: 253}}, []diagWant{warn(17, "(VI) weight for chk cannot be +/-254. Setting to +/-253")}},
		{"weight -254", "track_script {\n  chk weight -254\n}", []TrackScript{{Name: "chk", Weight: -253}}, []diagWant{warn(17, "cannot be +/-254")}},
		{"weight 300", "track_script {\n  chk weight 300\n}", []TrackScript{}, []diagWant{fail(17, "(VI) track script chk: weight must be between [-253..253] inclusive, ignoring...")}},
		{"weight without value", "track_script {\n  chk weight\n}", []TrackScript{}, []diagWant{fail(17, "(VI) weight without value specified for track script chk")}},
		{"unknown option", "track_script {\n  chk wait 3\n}", []TrackScript{}, []diagWant{fail(17, "(VI) unknown track script chk option wait")}},
		{"unknown weight option", "track_script {\n  chk weight 3 sideways\n}", []TrackScript{{Name: "chk", Weight: 3}}, []diagWant{warn(17, "(VI) unknown track script chk weight option sideways - ignoring")}},
		{"not defined", "track_script {\n  chk_nginx\n}", []TrackScript{}, []diagWant{fail(17, "(VI) track script chk_nginx not found, ignoring...")}},
		{"duplicate", "track_script {\n  chk\n  chk weight 9\n}", []TrackScript{{Name: "chk", Weight: 2}}, []diagWant{warn(18, "(VI) duplicate track_script chk - ignoring")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := parseText(t, scriptsSrc+instanceSrc(tc.body))
			in := cfg.Instance("VI")
			got := []TrackScript{}
			for _, ts := range in.TrackScripts {
				if ts.Script != cfg.Script(ts.Name) {
					t.Errorf("%s points to %p, not its script %p", ts.Name, ts.Script, cfg.Script(ts.Name))
				}
				got = append(got, TrackScript{Name: ts.Name, Weight: ts.Weight, WeightReverse: ts.WeightReverse})
			}
			if len(got) != len(tc.want) {
				t.Fatalf("tracks %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("track %d: %+v, want %+v", i, got[i], tc.want[i])
				}
			}
			checkDiags(t, cfg, tc.diags)
		})
	}
}

// TestTrackScriptDefinedAfter: keepalived looks the script up while reading
// the instance, so a vrrp_script below it is not found.
func TestTrackScriptDefinedAfter(t *testing.T) {
	cfg := parseText(t, instanceSrc("track_script {\n  later\n}")+"vrrp_script later {\n script /bin/true\n}\n")
	if n := len(only(t, cfg).TrackScripts); n != 0 {
		t.Errorf("%d tracked scripts, want 0", n)
	}
	checkDiags(t, cfg, []diagWant{fail(6, "(VI) track script later not found, ignoring... - define vrrp_script later before this instance"), warn(9, "SECURITY VIOLATION")})
}

func TestTrackInterface(t *testing.T) {
	tracks := func(in *Instance) any { return in.TrackInterfaces }
	ti := func(name string, weight int, reverse bool, line int) TrackInterface {
		return TrackInterface{Name: name, Weight: weight, WeightReverse: reverse, Pos: Position{"keepalived.conf", line, 3}}
	}
	block := func(lines string) string { return "track_interface {\n" + lines + "\n}" }
	runInstanceCases(t, []instanceCase{
		{"default weight 0: down means FAULT", block("  eth1"), tracks, []TrackInterface{ti("eth1", 0, false, 6)}, nil},
		{"weights", block("  eth1 weight -10\n  eth2 weight 20 reverse"), tracks, []TrackInterface{ti("eth1", -10, false, 6), ti("eth2", 20, true, 7)}, nil},
		{"own interface", block("  eth0 weight 10\n  eth1"), tracks, []TrackInterface{ti("eth1", 0, false, 7)},
			[]diagWant{warn(6, "(VI) Ignoring track_interface eth0 since own interface")}},
		{"duplicate", block("  eth1\n  eth1 weight 5"), tracks, []TrackInterface{ti("eth1", 0, false, 6)}, []diagWant{warn(7, "(VI) duplicate track_interface eth1 - ignoring")}},
		{"weight 254", block("  eth1 weight 254"), tracks, []TrackInterface{ti("eth1", 253, false, 6)}, []diagWant{warn(6, "(VI) weight for eth1 cannot be +/-254. Setting to +/-253")}},
		{"weight x", block("  eth1 weight x"), tracks, []TrackInterface(nil), []diagWant{fail(6, "(VI) track_interface eth1: weight must be between [-253..253] inclusive")}},
		{"unknown option", block("  eth1 up"), tracks, []TrackInterface(nil), []diagWant{fail(6, "(VI) unknown track_interface eth1 option up")}},
		{"noreverse is for scripts only", block("  eth1 weight 2 noreverse"), tracks, []TrackInterface{ti("eth1", 2, false, 6)},
			[]diagWant{warn(6, "(VI) unknown track_interface eth1 weight option noreverse - ignoring")}},
	})
}

// TestAddressOwnerTracking: keepalived ignores weighted tracking for the
// address owner (priority 255), and keeps unweighted (FAULT) tracking.
func TestAddressOwnerTracking(t *testing.T) {
	cfg := parseText(t, scriptsSrc+instanceSrc("priority 255\ntrack_script {\n  chk\n  neg weight 0\n}\ntrack_interface {\n  eth1 weight 5\n  eth2\n}"))
	in := cfg.Instance("VI")
	if len(in.TrackScripts) != 1 || in.TrackScripts[0].Name != "neg" || len(in.TrackInterfaces) != 1 || in.TrackInterfaces[0].Name != "eth2" {
		t.Errorf("tracked scripts %+v, interfaces %+v; want neg and eth2 only", in.TrackScripts, in.TrackInterfaces)
	}
	checkDiags(t, cfg, []diagWant{
		warn(22, "(VI) ignoring eth1 tracked interface due to address owner"),
		warn(18, "(VI) ignoring tracked script chk with weights due to address_owner"),
	})
}

func TestScriptTimeoutDefault(t *testing.T) {
	cfg := parseText(t, "vrrp_script s {\n script /bin/true\n interval 3\n}\n")
	if s := cfg.Script("s"); s.Timeout != 0 || s.Interval != 3*time.Second {
		t.Errorf("timeout %v interval %v; keepalived uses the interval when no timeout is set", s.Timeout, s.Interval)
	}
}
