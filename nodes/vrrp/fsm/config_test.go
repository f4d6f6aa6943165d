package fsm

import (
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestTimerArithmetic(t *testing.T) {
	for _, tc := range []struct {
		name       string
		version    int
		prio       uint8
		interval   time.Duration
		skew, down time.Duration
	}{
		// v2: (256 − p)/256 s whatever the interval (RFC 3768 §6.1).
		{"v2 p100 1s", 2, 100, s, 609375 * us, 3*s + 609375*us},
		{"v2 p102 1s (lb2)", 2, 102, s, 601562 * us, 3*s + 601562*us},
		{"v2 p103 1s (lb1)", 2, 103, s, 597656 * us, 3*s + 597656*us},
		{"v2 p100 3s", 2, 100, 3 * s, 609375 * us, 9*s + 609375*us},
		{"v2 p255", 2, 255, s, 3906 * us, 3*s + 3906*us},
		{"v2 p1", 2, 1, s, 996093 * us, 3*s + 996093*us},
		// v3: (256 − p) × cs × 625/16 µs (keepalived VRRP_TIMER_SKEW_CALC).
		{"v3 p100 100ms", 3, 100, 100 * ms, 60937 * us, 300*ms + 60937*us},
		{"v3 p100 1s", 3, 100, s, 609375 * us, 3*s + 609375*us},
		{"v3 p254 10ms", 3, 254, 10 * ms, 78 * us, 30*ms + 78*us},
		{"v3 p100 40.95s", 3, 100, 40950 * ms, 24953906 * us, 122850*ms + 24953906*us},
		// A learned interval that is not whole centiseconds is truncated
		// for the skew, as keepalived divides by TIMER_CENTI_HZ first.
		{"v3 p100 105ms", 3, 100, 105 * ms, 60937 * us, 315*ms + 60937*us},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := SkewTime(tc.version, tc.prio, tc.interval); got != tc.skew {
				t.Errorf("SkewTime = %v, want %v", got, tc.skew)
			}
			if got := MasterDownInterval(tc.version, tc.prio, tc.interval, 3); got != tc.down {
				t.Errorf("MasterDownInterval = %v, want %v", got, tc.down)
			}
		})
	}
	if got := MasterDownInterval(2, 100, s, 0); got != down100 {
		t.Errorf("MasterDownInterval with 0 adverts = %v, want the default 3", got)
	}
	if got := MasterDownInterval(2, 100, s, 1); got != s+609375*us {
		t.Errorf("MasterDownInterval down_timer_adverts 1 = %v", got)
	}
}

func TestNormalize(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cfg   Config
		want  func(*Config)
		warns []string
	}{
		{"defaults", Config{VRID: 1, Version: 2, LocalAddress: lb1}, func(c *Config) {
			c.Priority, c.InitialState, c.AdvertInterval = 100, Backup, s
			c.GARPMasterDelay, c.GARPMasterRepeat, c.GARPLowerPrioDelay, c.GARPLowerPrioRepeat = 5*s, 5, 5*s, 5
			c.DownTimerAdverts = 3
		}, nil},
		{"state MASTER without priority is the owner", Config{VRID: 1, Version: 2, LocalAddress: lb1, InitialState: Master}, func(c *Config) {
			c.Priority, c.AdvertInterval = 255, s
			c.GARPMasterDelay, c.GARPMasterRepeat, c.GARPLowerPrioDelay, c.GARPLowerPrioRepeat = 5*s, 5, 5*s, 5
			c.DownTimerAdverts = 3
		}, nil},
		{"v2 interval rounded", with(baseCfg(), func(c *Config) { c.AdvertInterval = 1500 * ms }), func(c *Config) {
			c.AdvertInterval = 2 * s
		}, []string{"VRRPv2 advertisement interval 1.500000s must be an integer - rounding"}},
		{"v2 interval too long", with(baseCfg(), func(c *Config) { c.AdvertInterval = 300 * s }), func(c *Config) {
			c.AdvertInterval = 255 * s
		}, []string{"VRRPv2 advertisement interval 300.00s is out of range. Setting to 255.00s"}},
		{"v3 interval rounded", with(baseCfg(), func(c *Config) { c.Version = 3; c.AdvertInterval = 104 * ms }), func(c *Config) {
			c.AdvertInterval = 100 * ms
		}, []string{"VRRPv3 advertisement interval 0.104000s must be in units of 10ms - rounding"}},
		{"nopreempt cleared for MASTER", with(baseCfg(), func(c *Config) { c.InitialState = Master; c.NoPreempt = true }), func(c *Config) {
			c.NoPreempt = false
		}, []string{"Warning - nopreempt will not work with initial state MASTER - clearing"}},
		{"nopreempt cleared for owner", with(baseCfg(), func(c *Config) { c.Priority = 255; c.InitialState = Backup; c.NoPreempt = true }), func(c *Config) {
			c.NoPreempt = false
		}, []string{"nopreempt is incompatible with priority 255. resetting nopreempt"}},
		{"preempt_delay cleared for MASTER", with(baseCfg(), func(c *Config) { c.InitialState = Master; c.PreemptDelay = s }), func(c *Config) {
			c.PreemptDelay = 0
		}, []string{"Warning - preempt delay will not work with initial state MASTER - clearing"}},
		{"preempt_delay cleared with nopreempt", with(baseCfg(), func(c *Config) { c.NoPreempt = true; c.PreemptDelay = s }), func(c *Config) {
			c.NoPreempt, c.PreemptDelay = true, 0
		}, []string{"preempt_delay is incompatible with nopreempt mode - resetting"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, warns, err := tc.cfg.Normalize()
			if err != nil {
				t.Fatal(err)
			}
			want, _, _ := baseCfg().Normalize()
			if tc.name == "defaults" || tc.name == "state MASTER without priority is the owner" {
				want = tc.cfg
			} else {
				want = with(want, func(c *Config) {
					c.Version, c.Priority, c.InitialState = tc.cfg.Version, tc.cfg.Priority, tc.cfg.InitialState
					if c.InitialState == Initialize {
						c.InitialState = Backup
					}
				})
			}
			tc.want(&want)
			if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.warns, warns); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNormalizeErrors(t *testing.T) {
	bad := Config{Version: 4, InitialState: Fault, PreemptDelay: -1, DownTimerAdverts: 101,
		Tracks: []Track{{Name: "a", Weight: 300}, {Name: "a"}, {Weight: 1}}}
	_, _, err := bad.Normalize()
	if !errors.Is(err, ErrConfig) {
		t.Fatalf("err = %v, want ErrConfig", err)
	}
	for _, want := range []string{"virtual_router_id", "version must be 2 or 3", "local address is required",
		"initial state must be", "preempt_delay must not be negative", "down_timer_adverts",
		`track "a": weight 300`, `duplicate track "a"`, "track without a name"} {
		if !contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if _, err := New(bad); !errors.Is(err, ErrConfig) {
		t.Errorf("New: err = %v", err)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestNewKeepsWarningsAndConfig(t *testing.T) {
	in, err := New(with(baseCfg(), func(c *Config) { c.InitialState = Master; c.NoPreempt = true; c.Tracks = []Track{chk(2)} }))
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Warnings()) != 1 || in.Config().NoPreempt {
		t.Errorf("Warnings = %q, NoPreempt = %v", in.Warnings(), in.Config().NoPreempt)
	}
	c := in.Config()
	c.Tracks[0].Name = "changed"
	if in.Config().Tracks[0].Name != "chk_haproxy" || in.Tracks()[0].Name != "chk_haproxy" {
		t.Error("Config() shares its Tracks")
	}
}

func TestStrings(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{Initialize.String(), "INIT"}, {Backup.String(), "BACKUP"}, {Master.String(), "MASTER"},
		{Fault.String(), "FAULT"}, {State(9).String(), "State(9)"},
		{TrackUnknown.String(), "unknown"}, {TrackOK.String(), "ok"}, {TrackFailed.String(), "failed"},
		{TrackState(7).String(), "TrackState(7)"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
