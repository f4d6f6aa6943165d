package check

import (
	"os"
	"path/filepath"
	"testing"
)

// fakeProc builds a /proc with the given processes: pid → {comm, netns, state}.
func fakeProc(t *testing.T, self string, procs map[string][3]string) string {
	t.Helper()
	root := t.TempDir()
	mk := func(pid, comm, ns, state string) {
		dir := filepath.Join(root, pid)
		if err := os.MkdirAll(filepath.Join(dir, "ns"), 0o755); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "comm"), []byte(comm+"\n"), 0o644)
		os.WriteFile(filepath.Join(dir, "stat"), []byte(pid+" ("+comm+") "+state+" 1 1"), 0o644)
		if err := os.Symlink(ns, filepath.Join(dir, "ns", "net")); err != nil {
			t.Fatal(err)
		}
	}
	mk("self", "halab", self, "R")
	mk("1", "init", "net:[9]", "S")
	for pid, p := range procs {
		mk(pid, p[0], p[1], p[2])
	}
	return root
}

func TestProcessInNamespace(t *testing.T) {
	tests := []struct {
		name  string
		procs map[string][3]string
		want  bool
	}{
		{"own proxy alive", map[string][3]string{"10": {"halab-proxy", "net:[1]", "S"}}, true},
		{"only the other node's proxy", map[string][3]string{"11": {"halab-proxy", "net:[2]", "S"}}, false},
		{"own proxy is a zombie", map[string][3]string{"12": {"halab-proxy", "net:[1]", "Z"}}, false},
		{"other program in own node", map[string][3]string{"13": {"halab-vrrp", "net:[1]", "S"}}, false},
		{"real haproxy in own node", map[string][3]string{"14": {"haproxy", "net:[1]", "S"}}, true},
		{"real haproxy in the other node", map[string][3]string{"15": {"haproxy", "net:[2]", "S"}}, false},
		{"the adapter that ran a dead haproxy", map[string][3]string{"16": {"halab-haproxy", "net:[1]", "S"}, "17": {"haproxy", "net:[1]", "Z"}}, false},
		{"real keepalived is not a proxy", map[string][3]string{"18": {"keepalived", "net:[1]", "S"}}, false},
		{"none", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := ProcRoot
			ProcRoot = fakeProc(t, "net:[1]", tt.procs)
			defer func() { ProcRoot = old }()
			got, err := ProcessInNamespace("halab-proxy")
			if err != nil || got != tt.want {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestSameComponent(t *testing.T) {
	tests := []struct {
		comm, want string
		same       bool
	}{
		{"halab-proxy", "halab-proxy", true},
		{"haproxy", "halab-proxy", true},
		{"keepalived", "halab-vrrp", true},
		{"nginx", "halab-web", true},
		{"halab-proxy", "haproxy", false}, // a real name is matched exactly, as killall does
		{"nginx", "halab-proxy", false},
		{"haproxy", "haproxy", true},
		{"sshd", "sshd", true},
		{"sshd", "ssh", false},
	}
	for _, tt := range tests {
		if got := SameComponent(tt.comm, tt.want); got != tt.same {
			t.Errorf("SameComponent(%q, %q) = %v, want %v", tt.comm, tt.want, got, tt.same)
		}
	}
}
