package netns

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// fakeProcTree builds a /proc whose processes have the given parents.
func fakeProcTree(t *testing.T, parents map[int]int, comms map[int]string) string {
	t.Helper()
	root := t.TempDir()
	for pid, ppid := range parents {
		dir := filepath.Join(root, strconv.Itoa(pid))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		comm := comms[pid]
		if comm == "" {
			comm = "p" + strconv.Itoa(pid)
		}
		stat := strconv.Itoa(pid) + " (" + comm + ") S " + strconv.Itoa(ppid) + " " + strconv.Itoa(pid) + " 0 0"
		if err := os.WriteFile(filepath.Join(dir, "stat"), []byte(stat), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "self"), 0o755); err != nil { // not a pid
		t.Fatal(err)
	}
	return root
}

func TestDescendants(t *testing.T) {
	// 100 is an adapter (halab-keepalive) running keepalived (101), whose
	// VRRP child (102) runs a track script (103); 200 is another node's.
	parents := map[int]int{1: 0, 100: 1, 101: 100, 102: 101, 103: 102, 200: 1, 201: 200}
	comms := map[int]string{100: "halab-keepalive", 101: "keepalived", 102: "keepalived", 103: "halab (check)) x"}
	old := procRoot
	procRoot = fakeProcTree(t, parents, comms)
	defer func() { procRoot = old }()
	tests := []struct {
		root int
		want []int
	}{
		{100, []int{101, 102, 103}},
		{102, []int{103}},
		{103, nil},
		{200, []int{201}},
		{999, nil},
	}
	for _, tt := range tests {
		got := descendants(tt.root)
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("descendants(%d) = %v, want %v", tt.root, got, tt.want)
		}
	}
	if ppid, ok := parentOf(103); !ok || ppid != 102 {
		t.Errorf("parentOf(103) = %d, %v: a name with parentheses and spaces must not confuse it", ppid, ok)
	}
}
