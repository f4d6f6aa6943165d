package kaconf

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestGlobalDefs(t *testing.T) {
	defaults := Global{VRRPVersion: 2, GARPMasterDelay: 5 * time.Second, GARPMasterRepeat: 5}
	with := func(modify func(*Global)) Global { g := defaults; modify(&g); return g }
	tests := []struct {
		name  string
		src   string // global_defs body, from line 2
		want  Global
		diags []diagWant
	}{
		{"keepalived's defaults", "", defaults, nil},
		{"router_id", "router_id lb1", with(func(g *Global) { g.RouterID = "lb1" }), nil},
		{"router_id missing", "router_id", defaults, []diagWant{warn(2, "routerid name missing - ignoring")}},
		{"router_id with two words", "router_id lb1 lb2", with(func(g *Global) { g.RouterID = "lb1" }), []diagWant{warn(2, `'router_id' takes 1 parameter; ignoring "lb2"`)}},
		{"vrrp_version 3", "vrrp_version 3", with(func(g *Global) { g.VRRPVersion = 3 }), nil},
		{"vrrp_version 4", "vrrp_version 4", defaults, []diagWant{fail(2, "VRRP Error: Version must be either 2 or 3")}},
		{"vrrp_version missing", "vrrp_version", defaults, []diagWant{fail(2, "Configuration line starting `vrrp_version` is missing a parameter after keyword `vrrp_version` at word position 2")}},
		{"script_user", "script_user keepalived_script", with(func(g *Global) { g.ScriptUser = "keepalived_script" }), nil},
		{"script_user with group", "script_user nobody nogroup", with(func(g *Global) { g.ScriptUser, g.ScriptGroup = "nobody", "nogroup" }), nil},
		{"script_user missing", "script_user", defaults, []diagWant{fail(2, "No script username specified")}},
		{"enable_script_security", "enable_script_security", with(func(g *Global) { g.EnableScriptSecurity = true }), nil},
		{"vrrp_garp_master_delay", "vrrp_garp_master_delay 10", with(func(g *Global) { g.GARPMasterDelay = 10 * time.Second }), nil},
		{"vrrp_garp_master_delay 0", "vrrp_garp_master_delay 0", with(func(g *Global) { g.GARPMasterDelay = 0 }), nil},
		{"vrrp_garp_master_delay fraction", "vrrp_garp_master_delay 1.5", defaults, []diagWant{fail(2, "vrrp_garp_master_delay '1.5' invalid - ignoring")}},
		{"vrrp_garp_master_repeat", "vrrp_garp_master_repeat 3", with(func(g *Global) { g.GARPMasterRepeat = 3 }), nil},
		{"vrrp_garp_master_repeat 0", "vrrp_garp_master_repeat 0", with(func(g *Global) { g.GARPMasterRepeat = 1 }), []diagWant{warn(2, "vrrp_garp_master_repeat must be greater than 0, setting to 1")}},
		{"vrrp_garp_master_repeat negative", "vrrp_garp_master_repeat -1", defaults, []diagWant{fail(2, "vrrp_garp_master_repeat '-1' invalid - ignoring: negative number '-1'")}},
		{"unknown keyword", "bogus_global 1", defaults, []diagWant{warn(2, "Unknown keyword 'bogus_global' - ignored")}},
		{"unsupported keyword with a block", "notification_email {\n  root@localhost\n}\nrouter_id x", with(func(g *Global) { g.RouterID = "x" }),
			[]diagWant{warn(2, "'notification_email' is a keepalived keyword halab does not support - ignored")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := parseText(t, "global_defs {\n"+tc.src+"\n}\n")
			if diff := cmp.Diff(tc.want, cfg.Global); diff != "" {
				t.Errorf("Global (-want +got):\n%s", diff)
			}
			checkDiags(t, cfg, tc.diags)
		})
	}
}

// TestGlobalGARPIsCopiedWhenTheInstanceBegins: keepalived copies the global
// gratuitous ARP settings into an instance when its block begins.
func TestGlobalGARPIsCopiedWhenTheInstanceBegins(t *testing.T) {
	cfg := parseText(t, "global_defs {\n vrrp_garp_master_repeat 2\n}\n"+instanceSrc("")+"global_defs {\n vrrp_garp_master_delay 9\n}\n")
	in := only(t, cfg)
	if in.GARPMasterRepeat != 2 || in.GARPMasterDelay != 5*time.Second {
		t.Errorf("instance GARP repeat %d delay %v, want 2 and 5s", in.GARPMasterRepeat, in.GARPMasterDelay)
	}
	if cfg.Global.GARPMasterDelay != 9*time.Second {
		t.Errorf("global GARP delay %v, want 9s", cfg.Global.GARPMasterDelay)
	}
}

func TestScript(t *testing.T) {
	base := Script{Name: "chk", Pos: Position{"keepalived.conf", 1, 1}, Command: "/bin/true", Args: []string{"/bin/true"}, Interval: time.Second, Rise: 1, Fall: 1}
	with := func(modify func(*Script)) *Script { s := base; modify(&s); return &s }
	tests := []struct {
		name  string
		body  string // from line 2; a script line is added at the end unless the body has one
		want  *Script
		diags []diagWant
	}{
		{"keepalived's defaults", "", &base, nil},
		{"every keyword", "script \"/usr/bin/killall -0 haproxy\"\ninterval 3\ntimeout 5\nweight -20 reverse\nrise 2\nfall 3", with(func(s *Script) {
			s.Command, s.Args = "/usr/bin/killall -0 haproxy", []string{"/usr/bin/killall", "-0", "haproxy"}
			s.Interval, s.Timeout, s.Weight, s.WeightReverse, s.Rise, s.Fall = 3*time.Second, 5*time.Second, -20, true, 2, 3
		}), nil},
		{"quotes and escapes in the command", `script "/bin/echo 'a b' \x41"`, with(func(s *Script) {
			s.Command, s.Args = `/bin/echo 'a b' A`, []string{"/bin/echo", "a b", "A"}
		}), nil},
		{"command not quoted", "script /usr/bin/killall -0 haproxy", with(func(s *Script) { s.Command, s.Args = "/usr/bin/killall", []string{"/usr/bin/killall"} }),
			[]diagWant{warn(2, `keepalived runs only "/usr/bin/killall": the rest of the line ("-0 haproxy") is not part of the command`)}},
		{"interval 0", "interval 0", &base, []diagWant{warn(2, "(chk): vrrp script interval must be greater than 0, setting to 1")}},
		{"interval fraction", "interval 1.5", &base, []diagWant{fail(2, "(chk): vrrp script interval '1.5' must be between 1 and 4294 - ignoring")}},
		{"interval too large", "interval 5000", &base, []diagWant{fail(2, "(chk): vrrp script interval '5000' must be between 1 and 4294")}},
		{"interval missing", "interval", &base, []diagWant{fail(2, "missing a parameter after keyword `interval`")}},
		{"timeout 0", "timeout 0", with(func(s *Script) { s.Timeout = time.Second }), []diagWant{warn(2, "(chk): vrrp script timeout must be greater than 0, setting to 1")}},
		{"timeout invalid", "timeout soon", &base, []diagWant{fail(2, "(chk): vrrp script timeout 'soon' invalid")}},
		{"weight 253", "weight 253", with(func(s *Script) { s.Weight = 253 }), nil},
		{"weight 254", "weight 254", &base, []diagWant{fail(2, "vrrp_script chk weight 254 must be in [-253, 253]")}},
		{"weight option", "weight 5 sideways", with(func(s *Script) { s.Weight = 5 }), []diagWant{warn(2, "vrrp_script chk unknown weight option sideways")}},
		{"rise 0", "rise 0", &base, []diagWant{fail(2, "(chk): vrrp script rise value '0' invalid")}},
		{"fall x", "fall x", &base, []diagWant{fail(2, "(chk): vrrp script fall value 'x' invalid")}},
		{"user is not supported", "user nobody", &base, []diagWant{warn(2, "'user' is a keepalived keyword halab does not support")}},
		{"unknown keyword", "bogus 1", &base, []diagWant{warn(2, "Unknown keyword 'bogus'")}},
		{"no script", "interval 2\nscript", nil, []diagWant{fail(3, "script without a command"), fail(1, "No script set for vrrp_script chk - removing")}},
		{"unterminated quote", `script "/bin/true`, nil, []diagWant{fail(2, "Unmatched quote"), fail(2, "Unable to parse script"), fail(1, "No script set for vrrp_script chk")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.body
			if !containsLine(body, "script") {
				body += "\nscript /bin/true"
			}
			cfg := parseText(t, "vrrp_script chk {\n"+body+"\n}\nglobal_defs {\n enable_script_security\n}\n")
			if diff := cmp.Diff(tc.want, cfg.Script("chk")); diff != "" {
				t.Errorf("Script (-want +got):\n%s", diff)
			}
			checkDiags(t, cfg, tc.diags)
		})
	}
}

func containsLine(body, keyword string) bool {
	for _, st := range lexStatements(body) {
		if st == keyword {
			return true
		}
	}
	return false
}

// lexStatements returns the keywords of src.
func lexStatements(src string) []string {
	lx := &lexer{diags: &diagnostics{}}
	lx.lexFile("x", []byte(src), 0)
	var out []string
	for _, st := range lx.stmts {
		out = append(out, st.keyword())
	}
	return out
}

func TestScriptDefinitions(t *testing.T) {
	t.Run("duplicate name: the first is tracked", func(t *testing.T) {
		cfg := parseText(t, "vrrp_script chk {\n script /bin/true\n}\nvrrp_script chk {\n script /bin/false\n}\n")
		if len(cfg.Scripts) != 2 || cfg.Script("chk").Command != "/bin/true" {
			t.Errorf("scripts %v", cfg.Scripts)
		}
		checkDiags(t, cfg, []diagWant{warn(4, "vrrp_script chk is already defined at keepalived.conf:1:1 - keepalived tracks the first one"), warn(1, "SECURITY VIOLATION")})
	})
	t.Run("no name", func(t *testing.T) {
		cfg := parseText(t, "vrrp_script {\n script /bin/true\n}\nglobal_defs {\n router_id x\n}\n")
		if len(cfg.Scripts) != 0 || cfg.Global.RouterID != "x" {
			t.Errorf("scripts %v, router_id %q: the block must be skipped, the rest read", cfg.Scripts, cfg.Global.RouterID)
		}
		checkDiags(t, cfg, []diagWant{fail(1, "Configuration line starting `vrrp_script` is missing a parameter after keyword `vrrp_script` at word position 2")})
	})
}
