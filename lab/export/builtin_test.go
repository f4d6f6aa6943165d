package export

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/vrrp/kaconf"
)

// noteKey is what the built-in labs' tests expect of a note.
type noteKey struct {
	File string
	Kind Kind
	Says string
}

func TestBuiltinLabs(t *testing.T) {
	seedNotes := func(lb string, master bool) []noteKey {
		notes := []noteKey{
			{lb + ".keepalived.conf", Translated, SaysScriptNotFound("chk_haproxy")},
			{lb + ".keepalived.conf", Fixed, SaysSecurity},
			{lb + ".keepalived.conf", Fixed, ""}, // script_user root
		}
		if master {
			notes = append(notes, noteKey{lb + ".keepalived.conf", Fixed, SaysMasterAH("LB_VIP")})
		}
		return append(notes, noteKey{lb + ".keepalived.conf", Fixed, SaysTruncate})
	}
	tests := []struct {
		lab   string
		files map[string][]string // file → machines
		notes []noteKey
		// lines that must stand (trimmed) in each keepalived.conf, and
		// that must not.
		keepalived map[string][]string
		absent     []string
	}{
		{
			lab: "seed",
			files: map[string][]string{
				"lb1.sysctl.conf": {"lb1"}, "lb2.sysctl.conf": {"lb2"}, "haproxy.cfg": {"lb1", "lb2"},
				"lb1.keepalived.conf": {"lb1"}, "lb2.keepalived.conf": {"lb2"}, "web1.nginx.conf": {"web1"},
			},
			notes: append(seedNotes("lb1", true), seedNotes("lb2", false)...),
			keepalived: map[string][]string{
				"lb1": {"enable_script_security", "script_user root", `script "/usr/bin/killall -0 haproxy"`, "state BACKUP", "priority 101", "auth_pass myP@sswo", "unicast_src_ip 192.168.10.101", "192.168.10.102", "172.16.0.200", "chk_haproxy"},
				"lb2": {"enable_script_security", "script_user root", `script "/usr/bin/killall -0 haproxy"`, "state BACKUP", "priority 100", "auth_pass myP@sswo", "unicast_src_ip 192.168.10.102", "192.168.10.101"},
			},
			absent: []string{"state MASTER", "auth_pass myP@ssword"},
		},
		{
			lab: "fast",
			files: map[string][]string{
				"lb1.sysctl.conf": {"lb1"}, "lb2.sysctl.conf": {"lb2"}, "haproxy.cfg": {"lb1", "lb2"},
				"lb1.keepalived.conf": {"lb1"}, "lb2.keepalived.conf": {"lb2"}, "web1.nginx.conf": {"web1"},
			},
			notes: []noteKey{
				{"lb1.keepalived.conf", Translated, ""},
				{"lb2.keepalived.conf", Translated, ""},
			},
			keepalived: map[string][]string{
				"lb1": {"process haproxy", "version 3", "advert_int 0.1", "state MASTER", "priority 254", "garp_master_delay 1"},
				"lb2": {"process haproxy", "version 3", "advert_int 0.1", "state BACKUP", "priority 253", "garp_master_delay 1"},
			},
			absent: []string{"global_defs {", "authentication {", "script_user root"},
		},
		{
			lab: "nopreempt",
			files: map[string][]string{
				"lb1.sysctl.conf": {"lb1"}, "lb2.sysctl.conf": {"lb2"}, "haproxy.cfg": {"lb1", "lb2"},
				"lb1.keepalived.conf": {"lb1"}, "lb2.keepalived.conf": {"lb2"}, "web1.nginx.conf": {"web1"},
			},
			notes: append(seedNotes("lb1", false), seedNotes("lb2", false)...),
			keepalived: map[string][]string{
				"lb1": {"state BACKUP", "nopreempt", "priority 101", "auth_pass myP@sswo", `script "/usr/bin/killall -0 haproxy"`},
				"lb2": {"state BACKUP", "nopreempt", "priority 100", "auth_pass myP@sswo"},
			},
			absent: []string{"state MASTER"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.lab, func(t *testing.T) {
			l := mustLoad(t, tt.lab)
			r, err := Export(l, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]string{}
			for _, p := range r.Placements {
				got[p.File] = p.Nodes
			}
			if diff := cmp.Diff(tt.files, got); diff != "" {
				t.Errorf("placements (-want +got):\n%s", diff)
			}
			wantNames := append([]string{ReadmeName}, mapKeys(tt.files)...)
			slices.Sort(wantNames)
			if diff := cmp.Diff(wantNames, mapKeys(r.Files)); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
			var notes []noteKey
			for _, n := range r.Notes {
				notes = append(notes, noteKey{n.File, n.Kind, n.Says})
			}
			if diff := cmp.Diff(tt.notes, notes); diff != "" {
				t.Errorf("notes (-want +got):\n%s", diff)
			}
			for node, lines := range tt.keepalived {
				text := string(r.Files[node+".keepalived.conf"])
				conf := configLines(text)
				for _, want := range lines {
					if !slices.Contains(conf, want) {
						t.Errorf("%s.keepalived.conf has no line %q:\n%s", node, want, text)
					}
				}
				for _, bad := range tt.absent {
					if slices.Contains(conf, bad) {
						t.Errorf("%s.keepalived.conf has the line %q:\n%s", node, bad, text)
					}
				}
				for _, l := range conf {
					if strings.Contains(l, "halab") {
						t.Errorf("%s.keepalived.conf still names halab outside its comments: %q", node, l)
					}
				}
				if !strings.HasPrefix(text, "# "+KeepalivedPath+" on "+node+".\n") {
					t.Errorf("%s.keepalived.conf does not begin with its path:\n%s", node, text)
				}
			}
		})
	}
}

// TestKeepalivedMeansTheSame parses each exported keepalived.conf with
// halab's keepalived parser: it must draw no warning, and hold the lab
// file's values but for the intended changes (halab's commands and
// process names translated, an initial state keepalived clears written as
// the state it uses, script security turned on).
func TestKeepalivedMeansTheSame(t *testing.T) {
	for _, name := range []string{"seed", "fast", "nopreempt"} {
		l := mustLoad(t, name)
		r, err := Export(l, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range l.Nodes {
			if n.Role != lab.RoleLB {
				continue
			}
			t.Run(name+"/"+n.Name, func(t *testing.T) {
				orig, err := kaconf.Parse("lab", n.Component(lab.ComponentVRRP).Config)
				if err != nil {
					t.Fatal(err)
				}
				got, err := kaconf.Parse("export", r.Files[n.Name+".keepalived.conf"])
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range got.Diagnostics() {
					t.Errorf("the exported file draws %s", d)
				}
				want := intended(t, orig)
				if diff := cmp.Diff(want, got, kaconfCmp); diff != "" {
					t.Errorf("exported model differs from the lab's (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// kaconfCmp compares kaconf models by value, leaving out positions, the
// files read and the diagnostics.
var kaconfCmp = cmp.Options{
	cmpopts.IgnoreUnexported(kaconf.Config{}),
	cmpopts.IgnoreFields(kaconf.Config{}, "Files", "Warnings", "Errors"),
	cmpopts.IgnoreTypes(kaconf.Position{}),
	cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{}),
}

// intended is the lab's model with the changes the export means to make.
func intended(t *testing.T, c *kaconf.Config) *kaconf.Config {
	t.Helper()
	scripts := len(c.Scripts) > 0
	for _, s := range c.Scripts {
		if runsHalab(s.Args) {
			real, err := translateCheck(s.Args)
			if err != nil {
				t.Fatal(err)
			}
			s.Command, s.Args = real, strings.Fields(real)
		}
	}
	for _, p := range c.Processes {
		real, err := realProcessName(p.Command)
		if err != nil {
			t.Fatal(err)
		}
		p.Command = real
	}
	for _, in := range c.Instances {
		scripts = scripts || notifies(in) != nil
		if in.ConfiguredState != "" {
			in.ConfiguredState = in.InitialState
		}
		if in.AuthType == kaconf.AuthNone {
			in.AuthPass = "" // unused, so not written
		}
	}
	if scripts {
		c.Global.EnableScriptSecurity = true
		if c.Global.ScriptUser == "" {
			c.Global.ScriptUser = "root"
		}
	}
	return c
}

func mustLoad(t *testing.T, name string) *lab.Lab {
	t.Helper()
	l, err := lab.LoadBuiltin(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// configLines returns a file's lines that are not comments, trimmed.
func configLines(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

func mapKeys[V any](m map[string]V) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
