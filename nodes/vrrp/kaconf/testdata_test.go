package kaconf

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// captureConfigs is where the configs of the keepalived 2.2.7 captures are.
const captureConfigs = "../wire/testdata"

// TestCaptureConfigs parses the configs that produced the captures; like
// keepalived -t, halab finds nothing to say about them.
func TestCaptureConfigs(t *testing.T) {
	names, err := filepath.Glob(filepath.Join(captureConfigs, "*.conf"))
	if err != nil || len(names) != 12 {
		t.Fatalf("%d configs (%v), want 12", len(names), err)
	}
	for _, path := range names {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			cfg, err := ParseFS(os.DirFS(captureConfigs), name)
			if err != nil {
				t.Fatal(err)
			}
			if len(cfg.Diagnostics()) != 0 {
				t.Errorf("diagnostics: %v", cfg.Diagnostics())
			}
			if diff := cmp.Diff(wantCaptureInstance(name), cfg.Instance("VI"), cmpAddrs, cmpopts.IgnoreFields(Instance{}, "Pos"), cmpopts.IgnoreFields(VirtualIP{}, "Pos"), cmpopts.IgnoreFields(UnicastPeer{}, "Pos")); diff != "" {
				t.Errorf("instance (-want +got):\n%s", diff)
			}
			wantGlobal := Global{VRRPVersion: 2, ScriptUser: "root", GARPMasterDelay: 5 * time.Second, GARPMasterRepeat: 5}
			if strings.HasPrefix(name, "v3") {
				wantGlobal.VRRPVersion = 3
			}
			if diff := cmp.Diff(wantGlobal, cfg.Global); diff != "" {
				t.Errorf("global (-want +got):\n%s", diff)
			}

			// The same through the operating system's files.
			osCfg, err := ParseFile(path)
			if err != nil || len(osCfg.Instances) != 1 || osCfg.Files[0] != path {
				t.Errorf("ParseFile: %v, files %v", err, osCfg.Files)
			}
		})
	}
}

// wantCaptureInstance is what the capture README and the file name say of
// a config: NAME.a (priority 150, 10.77.0.1) or NAME.b (100, 10.77.0.2).
func wantCaptureInstance(name string) *Instance {
	a := strings.Contains(name, ".a.")
	in := &Instance{
		Name: "VI", Interface: "eth0", ConfiguredState: StateBackup, InitialState: StateBackup,
		VRID: 42, Priority: 100, Version: 2, AdvertInterval: time.Second,
		VirtualIPs: []VirtualIP{
			{Address: netip.MustParsePrefix("10.77.0.100/24")},
			{Address: netip.MustParsePrefix("10.77.0.101/24")},
		},
		GARPMasterDelay: 5 * time.Second, GARPMasterRepeat: 5,
	}
	if a {
		in.Priority = 150
	}
	if strings.HasPrefix(name, "v3") {
		in.Version = 3
	}
	if strings.Contains(name, "100ms") {
		in.AdvertInterval = 100 * time.Millisecond
	}
	switch {
	case strings.Contains(name, "-pass-"):
		in.AuthType, in.AuthPass = AuthPass, "labPass1"
	case strings.Contains(name, "-ah-"):
		in.AuthType, in.AuthPass = AuthAH, "labPass1"
	}
	if strings.Contains(name, "unicast") {
		self, peer := "10.77.0.2", "10.77.0.1"
		if a {
			self, peer = peer, self
		}
		in.UnicastSrcIP = netip.MustParseAddr(self)
		in.UnicastPeers = []UnicastPeer{{Address: netip.MustParseAddr(peer), MaxTTL: 255}}
	}
	return in
}

// TestTutorial parses the tutorial's two keepalived.conf files. keepalived
// 2.2.7 -t says of lb1, and halab with it:
//
//	(Line 17) Truncating auth_pass to 8 characters
//	SECURITY VIOLATION - scripts are being executed but script_security not enabled.
//	(LB_VIP) Initial state master is incompatible with AH authentication - clearing
//
// and of lb2 the first two.
func TestTutorial(t *testing.T) {
	const file = "testdata/tutorial-lb1.keepalived.conf"
	script := &Script{
		Name: "chk_haproxy", Pos: Position{file, 2, 1},
		Command: "/usr/bin/killall -0 haproxy", Args: []string{"/usr/bin/killall", "-0", "haproxy"},
		Interval: 2 * time.Second, Weight: 2, Rise: 1, Fall: 1,
	}
	lb1 := &Instance{
		Name: "LB_VIP", Pos: Position{file, 9, 1},
		Interface: "enp0s9", ConfiguredState: StateMaster, InitialState: StateBackup,
		VRID: 51, Priority: 101, Version: 2, AdvertInterval: time.Second,
		AuthType: AuthAH, AuthPass: "myP@sswo",
		UnicastSrcIP:    netip.MustParseAddr("192.168.10.101"),
		UnicastPeers:    []UnicastPeer{{Address: netip.MustParseAddr("192.168.10.102"), MaxTTL: 255, Pos: Position{file, 21, 9}}},
		VirtualIPs:      []VirtualIP{{Address: netip.MustParsePrefix("172.16.0.200/32"), Pos: Position{file, 26, 9}}},
		TrackScripts:    []TrackScript{{Name: "chk_haproxy", Script: script, Weight: 2, Pos: Position{file, 31, 9}}},
		GARPMasterDelay: 5 * time.Second, GARPMasterRepeat: 5,
	}

	cfg, err := ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]*Script{script}, cfg.Scripts); diff != "" {
		t.Errorf("scripts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]*Instance{lb1}, cfg.Instances, cmpAddrs, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("instances (-want +got):\n%s", diff)
	}
	want := []string{
		file + ":17: warning: Truncating auth_pass to 8 characters",
		file + ":2: warning: SECURITY VIOLATION - scripts are being executed but script_security not enabled.",
		file + ":11: warning: (LB_VIP) Initial state master is incompatible with AH authentication - clearing",
	}
	checkPrefixes(t, cfg.Diagnostics(), want)
	if !cfg.Instances[0].Unicast() || cfg.Instances[0].AddressOwner() {
		t.Errorf("lb1: Unicast() %v AddressOwner() %v", cfg.Instances[0].Unicast(), cfg.Instances[0].AddressOwner())
	}

	const file2 = "testdata/tutorial-lb2.keepalived.conf"
	cfg2, err := ParseFile(file2)
	if err != nil {
		t.Fatal(err)
	}
	lb2 := cfg2.Instance("LB_VIP")
	if lb2.ConfiguredState != StateBackup || lb2.InitialState != StateBackup || lb2.Priority != 100 ||
		lb2.UnicastSrcIP != netip.MustParseAddr("192.168.10.102") || lb2.UnicastPeers[0].Address != netip.MustParseAddr("192.168.10.101") || lb2.AuthPass != "myP@sswo" {
		t.Errorf("lb2: %+v", lb2)
	}
	checkPrefixes(t, cfg2.Diagnostics(), []string{
		file2 + ":17: warning: Truncating auth_pass to 8 characters",
		file2 + ":2: warning: SECURITY VIOLATION - scripts are being executed but script_security not enabled.",
	})
}

func checkPrefixes(t *testing.T, got []Diagnostic, want []string) {
	t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(got); i++ {
		ok = strings.HasPrefix(got[i].String(), want[i])
	}
	if !ok {
		t.Errorf("diagnostics %v\nwant %q", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	if cfg, err := ParseFile("testdata/does-not-exist.conf"); cfg != nil || !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("ParseFile of a missing file = %v, %v", cfg, err)
	}
	if cfg, err := ParseFS(os.DirFS("testdata"), "nope.conf"); cfg != nil || err == nil {
		t.Errorf("ParseFS of a missing file = %v, %v", cfg, err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok || u.Unwrap() == nil {
			return err
		}
		err = u.Unwrap()
	}
}

// TestParseFileInclude reads an include relative to the including file
// through the operating system.
func TestParseFileInclude(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "conf.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, data string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("keepalived.conf", "global_defs {\n enable_script_security\n}\ninclude conf.d/*.conf\n")
	write("conf.d/10-script.conf", "vrrp_script chk {\n script /bin/true\n}\n")
	write("conf.d/20-instance.conf", instanceSrc("track_script {\n chk\n}"))
	cfg, err := ParseFile(filepath.Join(dir, "keepalived.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if in := cfg.Instance("VI"); in == nil || len(in.TrackScripts) != 1 || in.Pos.File != filepath.Join(dir, "conf.d/20-instance.conf") {
		t.Errorf("instance %+v", in)
	}
	if len(cfg.Files) != 3 || len(cfg.Diagnostics()) != 0 {
		t.Errorf("files %v, diagnostics %v", cfg.Files, cfg.Diagnostics())
	}
}
