package soak

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseVmRSS(t *testing.T) {
	tests := []struct {
		name, status string
		want         int64
		wantErr      string
	}{
		{"kernel format", "Name:\thalab\nVmPeak:\t  900 kB\nVmRSS:\t   20480 kB\nRssAnon:\t 100 kB\n", 20480 * 1024, ""},
		{"zero", "VmRSS:\t0 kB\n", 0, ""},
		{"no line (zombie)", "Name:\thalab\nState:\tZ (zombie)\n", 0, "no VmRSS line"},
		{"other unit", "VmRSS:\t20 MB\n", 0, "want a number of kB"},
		{"not a number", "VmRSS:\tlots kB\n", 0, "want a number of kB"},
		{"negative", "VmRSS:\t-4 kB\n", 0, "want a number of kB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseVmRSS(tt.status)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %d, %v; want %d", got, err, tt.want)
			}
		})
	}
}

// TestProcFDsFollowsOpenFiles: the count rises by the files this process
// opens and falls when it closes them.
func TestProcFDsFollowsOpenFiles(t *testing.T) {
	before, err := procFDs(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	var files []*os.File
	for range 5 {
		f, err := os.Open(os.DevNull)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	during, err := procFDs(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		f.Close()
	}
	after, err := procFDs(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if during != before+5 || after != before {
		t.Errorf("fds before %d, with 5 more open %d, after closing them %d", before, during, after)
	}
}

func TestProcOfAGoneProcess(t *testing.T) {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid // reaped: no /proc entry
	if _, err := procFDs(pid); err == nil {
		t.Errorf("procFDs of gone pid %d: no error", pid)
	}
	if _, err := procRSS(pid); err == nil {
		t.Errorf("procRSS of gone pid %d: no error", pid)
	}
	rss, err := procRSS(os.Getpid())
	if err != nil || rss < 1<<20 {
		t.Errorf("own RSS = %d, %v; want at least a MiB", rss, err)
	}
}

func TestCountPrefixed(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"halab-soak1-client", "halab-soak1-lb1", "halab-soak1-sw", "halab-soak12-lb1", "halab-seed-lb1", "other"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		dir, prefix string
		want        int
	}{
		{dir, "halab-soak1-", 3},
		{dir, "halab-soak12-", 1},
		{dir, "halab-", 5},
		{dir, "halab-none-", 0},
		{filepath.Join(dir, "missing"), "halab-", 0},
	}
	for _, tt := range tests {
		got, err := countPrefixed(tt.dir, tt.prefix)
		if err != nil || got != tt.want {
			t.Errorf("countPrefixed(%s, %q) = %d, %v; want %d", tt.dir, tt.prefix, got, err, tt.want)
		}
	}
}

func TestDirBytes(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "lb1"), 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]int{"state.json": 100, "lb1/vrrp.log": 2000, "lb1/proxy.log": 30}
	for name, size := range files {
		if err := os.WriteFile(filepath.Join(dir, name), make([]byte, size), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("state.json", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	got, err := dirBytes(dir)
	if err != nil || got != 2130 {
		t.Errorf("dirBytes = %d, %v; want 2130 (regular files only)", got, err)
	}
	if _, err := dirBytes(filepath.Join(dir, "missing")); err != nil {
		t.Errorf("a missing directory: %v, want 0 bytes and no error", err)
	}
}
