package kaconf

import (
	"errors"
	"strings"
	"testing"
)

func TestStructure(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		instances []string // names read
		diags     []diagWant
	}{
		{"brace on the next line", "vrrp_instance A\n{\n interface eth0\n virtual_router_id 1\n virtual_ipaddress\n {\n 10.0.0.1\n }\n}\n", []string{"A"}, nil},
		{"one line", "vrrp_instance A { interface eth0; virtual_router_id 1 }\n", []string{"A"}, []diagWant{
			warn(1, `'interface' takes 1 parameter; ignoring "virtual_router_id 1"`),
			fail(1, "(A) the virtual router id must be set"),
			warn(1, "(A) No VIP specified; at least one is sensible"),
		}},
		{"missing '{'", "vrrp_instance A\n interface eth0\n virtual_router_id 1\n virtual_ipaddress { 10.0.0.1 }\n}\n", []string{"A"}, []diagWant{
			fail(1, "Missing '{' at beginning of configuration block - put '{' after 'vrrp_instance A'"),
		}},
		{"extra '}'", "global_defs {\n}\n}\n", nil, []diagWant{fail(3, "Extra '}' found")}},
		{"unexpected '{'", "{\n a\n}\nglobal_defs {\n}\n", nil, []diagWant{fail(1, "Unexpected '{' - ignoring the block it opens")}},
		{"unexpected '{' in a block", "global_defs {\n router_id x {\n  y\n }\n}\n", nil, []diagWant{fail(2, "Unexpected '{' - ignoring the block it opens")}},
		{"unexpected '{' in a value block", instanceSrc("virtual_ipaddress {\n { 10.0.0.9 }\n}"), []string{"VI"}, []diagWant{fail(6, "Unexpected '{' in virtual_ipaddress")}},
		{"never closed", "vrrp_instance A {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress { 10.0.0.1 }\n authentication {\n", []string{"A"}, []diagWant{
			fail(5, "There are missing '}'s or extra '{'s: the 'authentication' block is never closed"),
			fail(1, "There are missing '}'s or extra '{'s: the 'vrrp_instance A' block is never closed"),
		}},
		{"value block never closed", "vrrp_instance A {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n 10.0.0.1\n", []string{"A"}, []diagWant{
			fail(4, "the 'virtual_ipaddress' block is never closed"),
			fail(1, "the 'vrrp_instance A' block is never closed"),
		}},
		{"unknown top-level keyword", "vrrp_sync_groups G {\n group {\n  A\n }\n}\n", nil, []diagWant{
			warn(1, "Unknown keyword 'vrrp_sync_groups' - ignored with its { } block (keepalived 2.2.7 would read the block's lines as keywords"),
		}},
		{"unsupported top-level keyword", "virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n }\n}\n", nil, []diagWant{
			warn(1, "'virtual_server' is a keepalived keyword halab does not support - ignored"),
		}},
		{"unknown instance keyword", instanceSrc("use_vmacs"), []string{"VI"}, []diagWant{warn(5, "Unknown keyword 'use_vmacs' - ignored")}},
		{"unsupported instance keyword", instanceSrc("use_vmac\nstrict_mode"), []string{"VI"}, []diagWant{
			warn(5, "'use_vmac' is a keepalived keyword halab does not support"),
			warn(6, "'strict_mode' is a keepalived keyword halab does not support"),
		}},
		{"definitions", "$IFACE=eth0\n@lb1 global_defs {\n}\n", nil, []diagWant{
			warn(1, "Unknown keyword '$IFACE=eth0' - halab does not support keepalived's $definitions"),
			warn(2, "Unknown keyword '@lb1' - halab does not support keepalived's $definitions, @conditionals or ~SEQ"),
		}},
		{"instance without a name", "vrrp_instance {\n interface eth0\n}\nvrrp_instance A B {\n}\n", nil, []diagWant{
			fail(1, "vrrp_instance must have a name"),
			fail(4, "vrrp_instance must have a name"),
		}},
		{"instance defined twice", instanceSrc("") + instanceSrc("priority 9"), []string{"VI"}, []diagWant{fail(7, "vrrp instance VI already defined")}},
		{"missing parameter", instanceSrc("priority"), []string{"VI"}, []diagWant{
			fail(5, "Configuration line starting `priority` is missing a parameter after keyword `priority` at word position 2"),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := parseText(t, tc.src)
			var names []string
			for _, in := range cfg.Instances {
				names = append(names, in.Name)
			}
			if strings.Join(names, ",") != strings.Join(tc.instances, ",") {
				t.Errorf("instances %v, want %v", names, tc.instances)
			}
			checkDiags(t, cfg, tc.diags)
		})
	}
}

// TestCompletion covers the checks keepalived makes once everything is read.
func TestCompletion(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		diags []diagWant
	}{
		{"VRID not set", "vrrp_instance A {\n interface eth0\n virtual_ipaddress { 10.0.0.1 }\n}\n", []diagWant{fail(1, "(A) the virtual router id must be set - add virtual_router_id 1..255")}},
		{"no interface, multicast", "vrrp_instance A {\n virtual_router_id 1\n virtual_ipaddress { 10.0.0.1 }\n}\n", []diagWant{fail(1, "(A) Unknown interface! - add interface IFNAME")}},
		{"no interface, unicast with a source", "vrrp_instance A {\n virtual_router_id 1\n unicast_src_ip 10.0.0.1\n unicast_peer {\n 10.0.0.2\n }\n virtual_ipaddress { 10.0.0.9 }\n}\n", nil},
		{"no interface, unicast without a source", "vrrp_instance A {\n virtual_router_id 1\n unicast_peer {\n 10.0.0.2\n }\n virtual_ipaddress { 10.0.0.9 }\n}\n",
			[]diagWant{fail(1, "(A): Unicast instances must have unicast_src_ip or interface")}},
		{"no VIP, version 2", "vrrp_instance A {\n interface eth0\n virtual_router_id 1\n}\n", []diagWant{warn(1, "(A) No VIP specified; at least one is sensible")}},
		{"no VIP, version 3", "vrrp_instance A {\n interface eth0\n virtual_router_id 1\n version 3\n}\n", []diagWant{fail(1, "(A) No VIP specified; at least one is required")}},
		{"same VRID on one interface", instanceSrc("") + "vrrp_instance B {\n interface eth0\n virtual_router_id 42\n virtual_ipaddress { 10.0.0.2 }\n}\n",
			[]diagWant{fail(7, "VI and B both use VRID 42 with IPv4 on interface eth0")}},
		{"same VRID on two interfaces", instanceSrc("") + "vrrp_instance B {\n interface eth1\n virtual_router_id 42\n virtual_ipaddress { 10.0.0.2 }\n}\n", nil},
		{"same VRID to one unicast peer", instanceSrc("unicast_peer {\n 10.0.0.7\n}") + "vrrp_instance B {\n interface eth1\n virtual_router_id 42\n unicast_peer {\n 10.0.0.7\n }\n virtual_ipaddress { 10.0.0.2 }\n}\n",
			[]diagWant{fail(9, "(B) duplicate VRID conflict with VI VRID 42")}},
		{"same VRID to other unicast peers", instanceSrc("unicast_peer {\n 10.0.0.7\n}") + "vrrp_instance B {\n interface eth0\n virtual_router_id 42\n unicast_peer {\n 10.0.0.8\n }\n virtual_ipaddress { 10.0.0.2 }\n}\n", nil},
		{"script security enabled", "global_defs {\n enable_script_security\n}\nvrrp_script s {\n script /bin/true\n}\n", nil},
		{"script security not enabled", "vrrp_script s {\n script /bin/true\n}\n", []diagWant{warn(1, "SECURITY VIOLATION - scripts are being executed but script_security not enabled.")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkDiags(t, parseText(t, tc.src), tc.diags)
		})
	}
}

func TestDiagnosticString(t *testing.T) {
	tests := []struct {
		d    Diagnostic
		want string
	}{
		{Diagnostic{File: "lb1.conf", Line: 17, Column: 9, Severity: SeverityWarning, Message: "Truncating auth_pass to 8 characters"}, "lb1.conf:17: warning: Truncating auth_pass to 8 characters"},
		{Diagnostic{File: "lb1.conf", Line: 8, Severity: SeverityError, Message: "bad"}, "lb1.conf:8: error: bad"},
		{Diagnostic{File: "lb1.conf", Severity: SeverityError, Message: "bad"}, "lb1.conf: error: bad"},
		{Diagnostic{Severity: SeverityWarning, Message: "m"}, "warning: m"},
		{Diagnostic{Severity: Severity(7), Message: "m"}, "severity(7): m"},
	}
	for _, tc := range tests {
		if got := tc.d.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
		if got := tc.d.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
	d := Diagnostic{File: "f", Line: 3, Column: 4}
	if got := d.Pos().String(); got != "f:3:4" {
		t.Errorf("Pos() = %q", got)
	}
}

func TestErrAndAccessors(t *testing.T) {
	cfg := parseText(t, instanceSrc("priority 300\nvirtual_router_id 0"))
	err := cfg.Err()
	var d Diagnostic
	if !errors.As(err, &d) || len(cfg.Errors) != 2 || !strings.Contains(err.Error(), "keepalived.conf:5: error") || !strings.Contains(err.Error(), "keepalived.conf:6: error") {
		t.Errorf("Err() = %v; want both errors joined, each a Diagnostic", err)
	}
	if cfg.Instance("VI") == nil || cfg.Instance("nope") != nil || cfg.Script("nope") != nil {
		t.Error("Instance/Script lookups")
	}
	if got := (&Config{}).Err(); got != nil {
		t.Errorf("Err() without errors = %v", got)
	}
	for typ, want := range map[AuthType]string{AuthNone: "none", AuthPass: "PASS", AuthAH: "AH", AuthType(9): "AuthType(9)"} {
		if typ.String() != want {
			t.Errorf("%d.String() = %q", int(typ), typ.String())
		}
	}
}
