package fuzzseed

import (
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
)

func TestFilesSortsAndReads(t *testing.T) {
	fsys := fstest.MapFS{
		"b.conf":   {Data: []byte("B")},
		"a.conf":   {Data: []byte("A")},
		"c.pcap":   {Data: []byte("C")},
		"d/e.conf": {Data: []byte("E")},
	}
	got := Files(t, fsys, "*.conf")
	if len(got) != 2 || string(got[0]) != "A" || string(got[1]) != "B" {
		t.Fatalf("Files(*.conf) = %q", got)
	}
	if got := Files(t, fsys, "*.none"); len(got) != 0 {
		t.Fatalf("Files(*.none) = %q", got)
	}
}

func TestSharedDirFollowsEnvironment(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "testdata", "keepalived"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "testdata", "keepalived", "x.conf"), []byte("vrrp"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HALAB_SHARED", dir)
	if got := SharedDir(); got != dir {
		t.Fatalf("SharedDir = %q, want %q", got, dir)
	}
	if got := Shared(t, "testdata/keepalived/*.conf"); len(got) != 1 || string(got[0]) != "vrrp" {
		t.Fatalf("Shared = %q", got)
	}
	t.Setenv("HALAB_SHARED", filepath.Join(dir, "missing"))
	if got := SharedDir(); got != "" {
		t.Fatalf("SharedDir with a missing folder = %q", got)
	}
	if got := Shared(t, "*"); got != nil {
		t.Fatalf("Shared without a folder = %q", got)
	}
}
