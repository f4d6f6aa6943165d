package export

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/vrrp/kaconf"
)

// everyKnob uses every keepalived.conf keyword halab supports, with
// values other than the defaults, and needs no fixing.
const everyKnob = `global_defs {
    router_id lb1
    vrrp_garp_master_delay 2
    vrrp_garp_master_repeat 3
    enable_script_security
    script_user root
}
vrrp_script chk {
    script "/usr/bin/pidof haproxy"
    interval 3
    timeout 2
    weight -5 reverse
    rise 2
    fall 3
}
vrrp_script quoted {
    script "sh -c 'pidof haproxy || exit 1'"
}
vrrp_script escaped {
    script "printf \"%s\\n\" ok"
}
vrrp_track_process proc {
    process haproxy -Ws -f /etc/haproxy/haproxy.cfg
    param_match partial
    weight 10
    quorum 2
    quorum_max 4
    fork_delay 0.5
    terminate_delay 1.5
}
vrrp_track_process none {
    process sshd
    quorum_max 0
}
vrrp_track_process full {
    process /usr/sbin/haproxy
    full_command
    delay 2
}
vrrp_track_process initial {
    process haproxy -W
    param_match initial
}
vrrp_track_process exact {
    process nginx
    param_match
}
vrrp_instance VI_1 {
    interface enp0s9
    state BACKUP
    priority 150
    virtual_router_id 7
    advert_int 3
    preempt_delay 10
    authentication {
        auth_type PASS
        auth_pass secret
    }
    unicast_src_ip 192.168.10.101
    unicast_peer {
        192.168.10.102 min_ttl 1 max_ttl 64
    }
    virtual_ipaddress {
        172.16.0.200/24 dev enp0s9 label enp0s9:vip
        172.16.0.201
    }
    track_interface {
        enp0s8 weight -10 reverse
    }
    track_script {
        chk weight 7 noreverse
        quoted
        escaped weight 3
    }
    track_process {
        proc
        none weight -3
        full
        initial
        exact
    }
    notify_master "/usr/local/bin/became master" root root
    notify "/usr/local/bin/notify.sh"
    garp_master_delay 4
    garp_master_repeat 2
}
vrrp_instance VI_2 {
    interface enp0s8
    version 3
    nopreempt
    priority 100
    virtual_router_id 8
    advert_int 0.25
    virtual_ipaddress {
        192.168.10.250
    }
}
`

func TestKeepalivedCases(t *testing.T) {
	tests := []struct {
		name  string
		conf  string
		lines []string // non-comment lines the export must have
		not   []string // and must not
		notes []noteKey
		text  []string // in the notes' text, in order
		// roundTrip: the export parses to the lab file's model with the
		// intended changes (false where halab's parser does not know
		// the keyword the export uses).
		roundTrip bool
	}{
		{
			name: "every knob",
			conf: everyKnob,
			lines: []string{
				"router_id lb1", "vrrp_garp_master_delay 2", "vrrp_garp_master_repeat 3", "enable_script_security", "script_user root",
				`script "/usr/bin/pidof haproxy"`, "interval 3", "timeout 2", "weight -5 reverse", "rise 2", "fall 3",
				`script "sh -c 'pidof haproxy || exit 1'"`, `script "printf \"%s\\n\" ok"`,
				"process haproxy -Ws -f /etc/haproxy/haproxy.cfg", "param_match partial", "weight 10", "quorum 2", "quorum_max 4", "fork_delay 0.5", "terminate_delay 1.5",
				"process sshd", "quorum_max 0", "process /usr/sbin/haproxy", "full_command", "delay 2", "process haproxy -W", "param_match initial", "param_match",
				"state BACKUP", "priority 150", "virtual_router_id 7", "advert_int 3", "preempt_delay 10", "auth_type PASS", "auth_pass secret",
				"192.168.10.102 min_ttl 1 max_ttl 64", "172.16.0.200/24 dev enp0s9 label enp0s9:vip", "172.16.0.201",
				"enp0s8 weight -10 reverse", "chk weight 7 noreverse", "quoted", "escaped weight 3", "proc", "none weight -3", "full", "initial", "exact",
				`notify_master "/usr/local/bin/became master" root root`, `notify "/usr/local/bin/notify.sh"`, "garp_master_delay 4", "garp_master_repeat 2",
				"version 3", "nopreempt", "advert_int 0.25", "192.168.10.250",
			},
			roundTrip: true,
		},
		{
			name: "keepalived's adjustments",
			conf: `vrrp_instance VI_1 {
    interface enp0s9
    state MASTER
    nopreempt
    preempt_delay 5
    priority 100
    virtual_router_id 1
    advert_int 1.6
    unicast_src_ip 192.168.10.101
    virtual_ipaddress {
        172.16.0.200
    }
}
`,
			lines: []string{"state MASTER", "priority 100", "advert_int 2", "mcast_src_ip 192.168.10.101"},
			not:   []string{"nopreempt", "preempt_delay 5", "unicast_src_ip 192.168.10.101", "advert_int 1.6"},
			notes: []noteKey{
				{"lb1.keepalived.conf", Fixed, SaysUnicastNoPeers("VI_1")},
				{"lb1.keepalived.conf", Fixed, ""},
				{"lb1.keepalived.conf", Fixed, ""},
				{"lb1.keepalived.conf", Fixed, ""},
			},
			text: []string{"becomes mcast_src_ip", "nopreempt will not work with initial state MASTER", "preempt delay will not work", "must be an integer"},
		},
		{
			name: "VRRPv3 has no authentication",
			conf: `vrrp_instance VI_1 {
    interface enp0s9
    version 3
    virtual_router_id 1
    authentication {
        auth_type AH
        auth_pass secret
    }
    virtual_ipaddress {
        172.16.0.200
    }
}
`,
			lines:     []string{"version 3", "priority 100"},
			not:       []string{"authentication {", "auth_pass secret"},
			notes:     []noteKey{{"lb1.keepalived.conf", Fixed, ""}},
			text:      []string{"VRRP version 3 does not support authentication"},
			roundTrip: true,
		},
		{
			name: "keywords halab does not run are left out",
			conf: `global_defs {
    vrrp_strict
    no_such_keyword 1
}
vrrp_instance VI_1 {
    interface enp0s9
    virtual_router_id 1
    virtual_ipaddress {
        172.16.0.200
    }
}
`,
			not: []string{"vrrp_strict", "no_such_keyword 1", "global_defs {"},
			notes: []noteKey{
				{"lb1.keepalived.conf", Info, ""},
				{"lb1.keepalived.conf", Info, ""},
			},
			text:      []string{"'vrrp_strict'", "'no_such_keyword'"},
			roundTrip: true,
		},
		{
			name: "a real script needs security, not translation",
			conf: `vrrp_script chk {
    script "/usr/bin/pidof haproxy"
}
vrrp_instance VI_1 {
    interface enp0s9
    virtual_router_id 1
    virtual_ipaddress {
        172.16.0.200
    }
    track_script {
        chk
    }
}
`,
			lines:     []string{"enable_script_security", "script_user root", `script "/usr/bin/pidof haproxy"`},
			notes:     []noteKey{{"lb1.keepalived.conf", Fixed, SaysSecurity}, {"lb1.keepalived.conf", Fixed, ""}},
			text:      []string{"enable_script_security is added", "script_user root is added"},
			roundTrip: true,
		},
		{
			name: "killall as another user",
			conf: `global_defs {
    enable_script_security
    script_user keepalived_script
}
vrrp_script chk {
    script "halab check process halab-proxy"
}
vrrp_instance VI_1 {
    interface enp0s9
    virtual_router_id 1
    virtual_ipaddress {
        172.16.0.200
    }
    track_script {
        chk
    }
}
`,
			lines:     []string{"script_user keepalived_script", `script "/usr/bin/killall -0 haproxy"`},
			not:       []string{"script_user root"},
			notes:     []noteKey{{"lb1.keepalived.conf", Translated, SaysScriptNotFound("chk")}, {"lb1.keepalived.conf", Info, ""}},
			text:      []string{"halab check process halab-proxy", "Operation not permitted"},
			roundTrip: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := labWithKeepalived(t, tt.conf)
			r, err := Export(l, Options{Nodes: []string{"lb1"}})
			if err != nil {
				t.Fatal(err)
			}
			text := string(r.Files["lb1.keepalived.conf"])
			conf := configLines(text)
			for _, want := range tt.lines {
				if !slices.Contains(conf, want) {
					t.Errorf("no line %q in:\n%s", want, text)
				}
			}
			for _, bad := range tt.not {
				if slices.Contains(conf, bad) {
					t.Errorf("line %q in:\n%s", bad, text)
				}
			}
			var notes []noteKey
			var texts []string
			for _, n := range r.Notes {
				if n.File == "lb1.keepalived.conf" {
					notes = append(notes, noteKey{n.File, n.Kind, n.Says})
					texts = append(texts, n.Text)
				}
			}
			if diff := cmp.Diff(tt.notes, notes); diff != "" {
				t.Errorf("notes (-want +got):\n%s", diff)
			}
			for i, want := range tt.text {
				if i >= len(texts) || !strings.Contains(texts[i], want) {
					t.Errorf("note %d does not say %q; the notes say:\n%s", i, want, strings.Join(texts, "\n"))
				}
			}
			if !tt.roundTrip {
				return
			}
			orig, _ := kaconf.Parse("lab", []byte(tt.conf))
			got, err := kaconf.Parse("export", r.Files["lb1.keepalived.conf"])
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range got.Diagnostics() {
				t.Errorf("the exported file draws %s", d)
			}
			if diff := cmp.Diff(intended(t, orig), got, kaconfCmp); diff != "" {
				t.Errorf("exported model differs from the lab's (-want +got):\n%s", diff)
			}
		})
	}
}

func TestKeepalivedRefuses(t *testing.T) {
	instance := `
vrrp_instance VI_1 {
    interface enp0s9
    virtual_router_id 1
    virtual_ipaddress {
        172.16.0.200
    }
    %s
}
`
	tests := []struct {
		name, conf string
		want       []string // in the error
	}{
		{"another halab command", "vrrp_script chk {\n script \"halab run proxy\"\n}" + strings.Replace(instance, "%s", "track_script {\n chk\n }", 1),
			[]string{"node lb1", "vrrp_script chk (line 1)", "only `halab check process NAME`"}},
		{"halab's probe", "vrrp_script chk {\n script \"halab check process halab-probe\"\n}" + strings.Replace(instance, "%s", "", 1),
			[]string{"node lb1", "process halab-probe is halab's own"}},
		{"a notify script that runs halab", strings.Replace(instance, "%s", `notify_master "/usr/local/bin/halab check process halab-proxy"`, 1),
			[]string{"node lb1", "notify_master (line 8)", "the real machine has no halab"}},
		{"halab's command line tracked", "vrrp_track_process p {\n process halab run proxy\n}" + strings.Replace(instance, "%s", "", 1),
			[]string{"node lb1", "vrrp_track_process p (line 1)", "track the process by name"}},
		{"halab's probe tracked", "vrrp_track_process p {\n process halab-probe\n}" + strings.Replace(instance, "%s", "", 1),
			[]string{"node lb1", "process halab-probe is halab's own"}},
		{"an error halab refuses", strings.Replace(strings.Replace(instance, "virtual_router_id 1", "virtual_router_id 0", 1), "%s", "", 1),
			[]string{"node lb1", "halab does not run this keepalived configuration", "fix test.keepalived.conf first", "VRID '0' not valid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Export(labWithKeepalived(t, tt.conf), Options{Nodes: []string{"lb1"}})
			if err == nil {
				t.Fatal("Export succeeded")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not say %q:\n%v", want, err)
				}
			}
		})
	}
}

// labWithKeepalived is the seed lab with conf as lb1's keepalived.conf.
func labWithKeepalived(t *testing.T, conf string) *lab.Lab {
	t.Helper()
	l := mustLoad(t, "seed")
	n, err := l.Node("lb1")
	if err != nil {
		t.Fatal(err)
	}
	c := n.Component(lab.ComponentVRRP)
	c.Config, c.ConfigSource = []byte(conf), "test.keepalived.conf"
	return l
}
