package kaconf

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestProcess(t *testing.T) {
	base := Process{Name: "proxy", Pos: Position{"keepalived.conf", 1, 1}, Command: "halab-proxy", Quorum: 1, QuorumMax: NoQuorumMax}
	with := func(modify func(*Process)) *Process { p := base; modify(&p); return &p }
	tests := []struct {
		name  string
		body  string // from line 3, after "process halab-proxy" on line 2 unless the body has a process line
		want  *Process
		diags []diagWant
	}{
		{"keepalived's defaults", "", &base, nil},
		{"every keyword", "weight -20 reverse\nquorum 2\nquorum_max 4\nfork_delay 0.5\nterminate_delay 1.25\nfull_command", with(func(p *Process) {
			p.Weight, p.WeightReverse, p.Quorum, p.QuorumMax = -20, true, 2, 4
			p.ForkDelay, p.TerminateDelay, p.FullCommand = 500*time.Millisecond, 1250*time.Millisecond, true
		}), nil},
		{"delay sets both", "delay 0.000001", with(func(p *Process) { p.ForkDelay, p.TerminateDelay = time.Microsecond, time.Microsecond }), nil},
		{"parameters: exact full-command match", `process /usr/sbin/haproxy -f "/etc/a b.cfg"`, with(func(p *Process) {
			p.Command, p.Params, p.ParamMatch, p.FullCommand = "/usr/sbin/haproxy", []string{"-f", "/etc/a b.cfg"}, ParamMatchExact, true
		}), nil},
		{"quoted name", `process "/tmp/a b" x`, with(func(p *Process) {
			p.Command, p.Params, p.ParamMatch, p.FullCommand = "/tmp/a b", []string{"x"}, ParamMatchExact, true
		}), nil},
		{"param_match alone: no parameters allowed", "param_match", with(func(p *Process) { p.ParamMatch, p.FullCommand = ParamMatchExact, true }), nil},
		{"param_match before the parameters stands", "param_match partial\nprocess nginx -g", with(func(p *Process) {
			p.Command, p.Params, p.ParamMatch, p.FullCommand = "nginx", []string{"-g"}, ParamMatchPartial, true
		}), nil},
		{"param_match initial", "param_match initial", with(func(p *Process) { p.ParamMatch, p.FullCommand = ParamMatchInitial, true }), nil},
		{"param_match exact is not keepalived's", "param_match exact", &base, []diagWant{fail(3, "Invalid param_match type exact - ignoring")}},
		{"param_match bogus", "param_match most", &base, []diagWant{fail(3, "Invalid param_match type most - ignoring")}},
		{"weight 254 is allowed", "weight 254", with(func(p *Process) { p.Weight = 254 }), nil},
		{"weight 255", "weight 255", &base, []diagWant{fail(3, "Weight (255) for vrrp_track_process proxy must be between [-254..254] inclusive. Ignoring...")}},
		{"weight missing", "weight", &base, []diagWant{fail(3, "No weight specified for track process proxy - ignoring")}},
		{"weight twice", "weight 5\nweight 6", with(func(p *Process) { p.Weight = 5 }), []diagWant{warn(4, "Weight already set for track process proxy - ignoring 6")}},
		{"weight 0 then weight", "weight 0\nweight 6", with(func(p *Process) { p.Weight = 6 }), nil},
		{"weight option", "weight 5 sideways", with(func(p *Process) { p.Weight = 5 }), []diagWant{warn(3, "vrrp_track_process proxy unknown weight option sideways")}},
		{"quorum 0", "quorum 0", &base, []diagWant{fail(3, "Quorum (0) for vrrp_track_process proxy must be between [1..65535] inclusive. Ignoring...")}},
		{"quorum above quorum_max", "quorum_max 2\nquorum 3", with(func(p *Process) { p.QuorumMax = 2 }), []diagWant{fail(4, "Quorum is greater than quorum_max - ignoring")}},
		{"quorum_max below quorum", "quorum 3\nquorum_max 2", with(func(p *Process) { p.Quorum = 3 }), []diagWant{fail(4, "quorum_max is less than quorum - ignoring")}},
		{"quorum_max 0: none may run", "quorum_max 0", with(func(p *Process) { p.Quorum, p.QuorumMax = 0, 0 }), nil},
		{"quorum_max 0 with quorum 2", "quorum 2\nquorum_max 0", with(func(p *Process) { p.Quorum = 2 }), []diagWant{fail(4, "quorum_max is less than quorum")}},
		{"quorum_max 70000", "quorum_max 70000", &base, []diagWant{fail(3, "quorum_max (70000) for vrrp_track_process proxy must be between [0..65535] inclusive")}},
		{"delay 0", "delay 0", &base, []diagWant{fail(3, "delay (0) for vrrp_track_process proxy must be between [0.000001..3600] inclusive. Ignoring...")}},
		{"fork_delay too long", "fork_delay 3601", &base, []diagWant{fail(3, "fork_delay (3601) for vrrp_track_process proxy must be between")}},
		{"terminate_delay x", "terminate_delay x", &base, []diagWant{fail(3, "terminate_delay (x) for vrrp_track_process proxy")}},
		{"second process line", "process halab-proxy\nprocess haproxy", &base, []diagWant{warn(4, "Process already set for track process proxy - ignoring haproxy")}},
		{"name too long for comm", "process halab-proxy-with-a-long-name", with(func(p *Process) { p.Command = "halab-proxy-with-a-long-name" }),
			[]diagWant{warn(1, "process name 'halab-proxy-with-a-long-name' is longer than 15 characters")}},
		{"long name with full_command", "process /usr/local/sbin/haproxy\nfull_command", with(func(p *Process) { p.Command, p.FullCommand = "/usr/local/sbin/haproxy", true }), nil},
		{"unknown keyword", "interval 2", &base, []diagWant{warn(3, "Unknown keyword 'interval' - ignored")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := "process halab-proxy\n" + tc.body
			if strings.HasPrefix(tc.body, "process") || strings.Contains(tc.body, "\nprocess") {
				body = "\n" + tc.body // its own process line, on line 3
			}
			cfg := parseText(t, "vrrp_track_process proxy {\n"+body+"\n}\n")
			if len(cfg.Processes) != 1 {
				t.Fatalf("%d processes, want 1", len(cfg.Processes))
			}
			if diff := cmp.Diff(tc.want, cfg.Processes[0]); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			checkDiags(t, cfg, tc.diags)
		})
	}
}

func TestProcessDefinitions(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		names []string
		diags []diagWant
	}{
		{"no process line", "vrrp_track_process p {\n weight 2\n}\n", nil, []diagWant{fail(1, "track process 'p' process name not specified")}},
		{"no name", "vrrp_track_process {\n process x\n}\n", nil, []diagWant{fail(1, "vrrp_track_process must have a name")}},
		{"process without a name", "vrrp_track_process p {\n process\n}\n", nil, []diagWant{
			fail(2, "Configuration line starting `process` is missing a parameter"), fail(1, "track process 'p' process name not specified")}},
		{"empty process name", "vrrp_track_process p {\n process \"\" x\n}\n", nil, []diagWant{
			fail(2, "vrrp_track_process p: the process name is empty - ignoring"), fail(1, "track process 'p' process name not specified")}},
		{"two with one name", "vrrp_track_process p {\n process a\n}\nvrrp_track_process p {\n process b\n}\n", []string{"p", "p"},
			[]diagWant{warn(4, "vrrp_track_process p is already defined at keepalived.conf:1:1 - keepalived tracks the first one")}},
		{"no security violation: not a script", "vrrp_track_process p {\n process a\n}\n" + instanceSrc("track_process {\n p\n}"), []string{"p"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := parseText(t, tc.src)
			var names []string
			for _, p := range cfg.Processes {
				names = append(names, p.Name)
			}
			if diff := cmp.Diff(tc.names, names); diff != "" {
				t.Errorf("processes (-want +got):\n%s", diff)
			}
			checkDiags(t, cfg, tc.diags)
			if p := cfg.Process("p"); p != nil && p.Command != "a" && len(names) == 2 {
				t.Errorf("Process(p) = %+v, want the first", p)
			}
		})
	}
}

// processesSrc defines two vrrp_track_process blocks on lines 1-9.
const processesSrc = `vrrp_track_process proxy {
  process halab-proxy
}
vrrp_track_process two {
  process nginx
  weight -30 reverse
  quorum 2
}

`

func TestTrackProcess(t *testing.T) {
	tests := []struct {
		name  string
		body  string // from line 14
		want  []TrackProcess
		diags []diagWant
	}{
		{"block's weight by default", "track_process {\n  proxy\n  two\n}", []TrackProcess{{Name: "proxy"}, {Name: "two", Weight: -30, WeightReverse: true}}, nil},
		{"own weight", "track_process {\n  proxy weight 10 reverse\n  two weight 7 noreverse\n}", []TrackProcess{{Name: "proxy", Weight: 10, WeightReverse: true}, {Name: "two", Weight: 7}}, nil},
		{"weight 254 is kept", "track_process {\n  proxy weight -254\n}", []TrackProcess{{Name: "proxy", Weight: -254}}, nil},
		{"weight 300: the block's, and an error", "track_process {\n  two weight 300 noreverse\n  two\n}", []TrackProcess{{Name: "two", Weight: -30}}, []diagWant{
			fail(15, "(VI) weight for track process two must be in [-254..254] inclusive. Ignoring... (keepalived would use the vrrp_track_process weight -30)"),
			warn(16, "(VI) duplicate track_process two - ignoring")}},
		{"weight without value", "track_process {\n  proxy weight\n}", []TrackProcess{}, []diagWant{fail(15, "(VI) weight without value specified for track process proxy - ignoring")}},
		{"unknown option", "track_process {\n  proxy quorum 3\n}", []TrackProcess{}, []diagWant{fail(15, "(VI) unknown track process option quorum - ignoring")}},
		{"unknown weight option", "track_process {\n  proxy weight 3 sideways\n}", []TrackProcess{{Name: "proxy", Weight: 3}}, []diagWant{warn(15, "(VI) unknown track_process proxy weight option sideways - ignoring")}},
		{"extra words", "track_process {\n  proxy weight 3 reverse now\n}", []TrackProcess{{Name: "proxy", Weight: 3, WeightReverse: true}}, []diagWant{warn(15, `ignoring "now"`)}},
		{"not defined", "track_process {\n  haproxy\n}", []TrackProcess{}, []diagWant{fail(15, "(VI) track process haproxy not found, ignoring...")}},
		{"duplicate", "track_process {\n  proxy\n  proxy weight 9\n}", []TrackProcess{{Name: "proxy"}}, []diagWant{warn(16, "(VI) duplicate track_process proxy - ignoring")}},
		{"address owner with a weight", "priority 255\ntrack_process {\n  proxy\n  two\n}", []TrackProcess{{Name: "proxy"}, {Name: "two", Weight: -30, WeightReverse: true}},
			[]diagWant{warn(17, "(VI) track_process two has weight -30, which the address owner (priority 255) ignores - set weight 0")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := parseText(t, processesSrc+instanceSrc(tc.body))
			got := []TrackProcess{}
			for _, tp := range cfg.Instance("VI").TrackProcesses {
				if tp.Process != cfg.Process(tp.Name) {
					t.Errorf("%s points to %p, not its block %p", tp.Name, tp.Process, cfg.Process(tp.Name))
				}
				got = append(got, TrackProcess{Name: tp.Name, Weight: tp.Weight, WeightReverse: tp.WeightReverse})
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("tracks (-want +got):\n%s", diff)
			}
			checkDiags(t, cfg, tc.diags)
		})
	}
}

// TestTrackProcessDefinedAfter: keepalived looks the block up while reading
// the instance, so a vrrp_track_process below it is not found.
func TestTrackProcessDefinedAfter(t *testing.T) {
	cfg := parseText(t, instanceSrc("track_process {\n  later\n}")+"vrrp_track_process later {\n process x\n}\n")
	if n := len(only(t, cfg).TrackProcesses); n != 0 {
		t.Errorf("%d tracked processes, want 0", n)
	}
	checkDiags(t, cfg, []diagWant{fail(6, "(VI) track process later not found, ignoring... - define vrrp_track_process later before this instance")})
}

func TestParamMatchString(t *testing.T) {
	for m, want := range map[ParamMatch]string{ParamMatchNone: "none", ParamMatchExact: "exact", ParamMatchInitial: "initial", ParamMatchPartial: "partial", 9: "none"} {
		if got := m.String(); got != want {
			t.Errorf("%d: %q, want %q", int(m), got, want)
		}
	}
}
