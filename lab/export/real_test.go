package export

import (
	"os/user"
	"slices"
	"strings"
	"testing"

	"github.com/halab/halab/lab"
)

// The tests in this file hold the exported files, and what their comments
// say keepalived says, to the real programs: keepalived -t, haproxy -c,
// nginx -t and sysctl -p (Debian bookworm: keepalived 2.2.7, HAProxy 2.6,
// nginx 1.22). keepalived and nginx check the interfaces and addresses the
// files name, so they run in a namespace the test makes with the node's.

// keepalived -t's exit statuses (keepalived 2.2.7's KEEPALIVED_EXIT_*).
const (
	exitOK                 = 0
	exitConfigTest         = 5 // the configuration drew warnings or errors
	exitConfigTestSecurity = 6 // and script security is not enabled
)

var builtinLabs = []string{"seed", "fast", "nopreempt"}

func TestRealKeepalivedAcceptsExport(t *testing.T) {
	keepalived := requireTool(t, "keepalived", "keepalived")
	eachExportedNode(t, lab.RoleLB, func(t *testing.T, r *Result, n *lab.Node) {
		data := r.Files[n.Name+".keepalived.conf"]
		if strings.Contains(string(data), `"`+KillallPath+" ") {
			requireTool(t, "killall", "psmisc")
		}
		file := writeTemp(t, n.Name+".keepalived.conf", data)
		out, code := inNamespace(t, namespace(t, n), keepalived, "-t", "-f", file)
		if code != exitOK || strings.TrimSpace(out) != "" {
			t.Errorf("keepalived -t -f %s: exit status %d, want 0 and silence; it says:\n%s\nthe file:\n%s", file, code, out, data)
		}
	})
}

// TestRealKeepalivedOnLabFiles runs keepalived -t on the lab's own
// keepalived.conf files, and on them with halab's commands translated (the
// tutorial's files): keepalived must say what the export's notes say it
// says, and nothing the export does not explain.
func TestRealKeepalivedOnLabFiles(t *testing.T) {
	keepalived := requireTool(t, "keepalived", "keepalived")
	notFound, master := SaysScriptNotFound("chk_haproxy"), SaysMasterAH("LB_VIP")
	tests := []struct {
		lab, node string
		// What keepalived says about the lab's file, line by line, and its
		// exit status; then the same for the translated file.
		onLab, onTranslated     []string
		labExit, translatedExit int
	}{
		{"seed", "lb1", []string{SaysTruncate, notFound, master}, []string{SaysTruncate, SaysSecurity, master}, exitConfigTest, exitConfigTestSecurity},
		{"seed", "lb2", []string{SaysTruncate, notFound}, []string{SaysTruncate, SaysSecurity}, exitConfigTest, exitConfigTestSecurity},
		{"fast", "lb1", nil, nil, exitOK, exitOK},
		{"fast", "lb2", nil, nil, exitOK, exitOK},
		{"nopreempt", "lb1", []string{SaysTruncate, notFound}, []string{SaysTruncate, SaysSecurity}, exitConfigTest, exitConfigTestSecurity},
		{"nopreempt", "lb2", []string{SaysTruncate, notFound}, []string{SaysTruncate, SaysSecurity}, exitConfigTest, exitConfigTestSecurity},
	}
	for _, tt := range tests {
		t.Run(tt.lab+"/"+tt.node, func(t *testing.T) {
			if path, ok := lookSystemPath("halab"); ok {
				t.Skipf("halab is installed here (%s): keepalived finds it, so this machine cannot show what one without halab says", path)
			}
			l := mustLoad(t, tt.lab)
			r := mustExport(t, l)
			n, _ := l.Node(tt.node)
			file := tt.node + ".keepalived.conf"
			var claims, claimsTranslated []string
			text := string(n.Component(lab.ComponentVRRP).Config)
			translated := text
			for _, note := range r.Notes {
				if note.File != file {
					continue
				}
				if note.Kind == Translated {
					translated = strings.ReplaceAll(translated, note.From, note.To)
				}
				switch {
				case note.Says != "" && note.SaysAfterTranslation:
					claimsTranslated = append(claimsTranslated, note.Says)
				case note.Says != "":
					claims = append(claims, note.Says)
				}
			}
			ns := namespace(t, n)

			out, code := inNamespace(t, ns, keepalived, "-t", "-f", writeTemp(t, "lab-"+file, []byte(text)))
			if code != tt.labExit {
				t.Errorf("keepalived -t on the lab's file: exit status %d, want %d; it says:\n%s", code, tt.labExit, out)
			}
			saysExactly(t, "the lab's file", out, tt.onLab)
			for _, c := range claims {
				if !slices.Contains(tt.onLab, c) {
					t.Errorf("the export claims keepalived says %q about the lab's file; it says:\n%s", c, out)
				}
			}

			out, code = inNamespace(t, ns, keepalived, "-t", "-f", writeTemp(t, "translated-"+file, []byte(translated)))
			if code != tt.translatedExit {
				t.Errorf("keepalived -t on the translated file: exit status %d, want %d; it says:\n%s", code, tt.translatedExit, out)
			}
			saysExactly(t, "the translated file", out, tt.onTranslated)
			for _, c := range claimsTranslated {
				if !slices.Contains(tt.onTranslated, c) {
					t.Errorf("the export claims keepalived says %q about the translated file; it says:\n%s", c, out)
				}
			}

			// Every problem keepalived reports is one a note explains.
			for _, msg := range append(slices.Clone(tt.onLab), tt.onTranslated...) {
				if !slices.Contains(claims, msg) && !slices.Contains(claimsTranslated, msg) {
					t.Errorf("keepalived says %q, and no note of %s explains it", msg, file)
				}
			}
		})
	}
}

// TestRealKeepalivedWantsScriptUser holds the note on script_user to
// keepalived: without it, and without the user keepalived_script,
// keepalived removes the script.
func TestRealKeepalivedWantsScriptUser(t *testing.T) {
	keepalived := requireTool(t, "keepalived", "keepalived")
	if _, err := user.Lookup("keepalived_script"); err == nil {
		t.Skip("this machine has the user keepalived_script: keepalived runs scripts as it without script_user")
	}
	l := mustLoad(t, "seed")
	r := mustExport(t, l)
	n, _ := l.Node("lb1")
	data := string(r.Files["lb1.keepalived.conf"])
	without := strings.Replace(data, "    script_user root\n", "", 1)
	if without == data {
		t.Fatalf("no script_user line in:\n%s", data)
	}
	out, code := inNamespace(t, namespace(t, n), keepalived, "-t", "-f", writeTemp(t, "lb1.keepalived.conf", []byte(without)))
	const says = "Unable to set default user keepalived_script for script"
	if code != exitConfigTest || !strings.Contains(out, says) {
		t.Errorf("keepalived -t without script_user: exit status %d, want %d and %q; it says:\n%s", code, exitConfigTest, says, out)
	}
	if !slices.ContainsFunc(r.Notes, func(n Note) bool { return strings.Contains(n.Text, says) }) {
		t.Errorf("no note says %q", says)
	}
}

// saysExactly checks that keepalived's output has each of want, and no
// line that is none of them.
func saysExactly(t *testing.T, what, out string, want []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("keepalived -t on %s does not say %q; it says:\n%s", what, w, out)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line != "" && !slices.ContainsFunc(want, func(w string) bool { return strings.Contains(line, w) }) {
			t.Errorf("keepalived -t on %s says %q, which the test does not expect", what, line)
		}
	}
}

func TestRealHAProxyAcceptsExport(t *testing.T) {
	haproxy := requireTool(t, "haproxy", "haproxy")
	for _, name := range builtinLabs {
		r := mustExport(t, mustLoad(t, name))
		for _, p := range r.Placements {
			if p.Path != HAProxyPath {
				continue
			}
			t.Run(name+"/"+p.File, func(t *testing.T) {
				file := writeTemp(t, p.File, r.Files[p.File])
				out, err := runBounded(haproxy, "-c", "-f", file)
				if err != nil || strings.TrimSpace(out) != "Configuration file is valid" {
					t.Errorf("haproxy -c -f %s: %v, and it says:\n%s", file, err, out)
				}
			})
		}
	}
}

func TestRealSysctlAppliesExport(t *testing.T) {
	sysctl := requireTool(t, "sysctl", "procps")
	eachExportedNode(t, lab.RoleLB, func(t *testing.T, r *Result, n *lab.Node) {
		ns := namespace(t, n)
		file := writeTemp(t, "99-halab.conf", r.Files[n.Name+".sysctl.conf"])
		out, code := inNamespace(t, ns, sysctl, "-p", file)
		want := strings.Join(configLines(string(r.Files[n.Name+".sysctl.conf"])), "\n")
		if code != 0 || strings.TrimSpace(out) != want {
			t.Errorf("sysctl -p: exit status %d, and it says:\n%s\nwant:\n%s", code, out, want)
		}
		for _, s := range n.Sysctls {
			if out, _ := inNamespace(t, ns, sysctl, "-n", s.Key); strings.TrimSpace(out) != s.Value {
				t.Errorf("%s = %q after sysctl -p, want %q", s.Key, strings.TrimSpace(out), s.Value)
			}
		}
	})
}

func mustExport(t *testing.T, l *lab.Lab) *Result {
	t.Helper()
	r, err := Export(l, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// eachExportedNode exports each built-in lab and runs fn on each of its
// nodes with the role, as a subtest named LAB/NODE.
func eachExportedNode(t *testing.T, role lab.Role, fn func(t *testing.T, r *Result, n *lab.Node)) {
	t.Helper()
	for _, name := range builtinLabs {
		l := mustLoad(t, name)
		r := mustExport(t, l)
		for i := range l.Nodes {
			if n := &l.Nodes[i]; n.Role == role {
				t.Run(name+"/"+n.Name, func(t *testing.T) { fn(t, r, n) })
			}
		}
	}
}

// writeTemp writes data to a file called name in a directory of the
// test's own, and returns its path.
func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	return writeIn(t, t.TempDir(), name, data)
}
