package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/halab/halab/assets"
	"github.com/halab/halab/lab"
	"github.com/halab/halab/lab/export"
)

// TestConfigExport runs `halab config export` in this process: it needs
// no root and starts nothing.
func TestConfigExport(t *testing.T) {
	seed, err := lab.LoadBuiltin("seed")
	if err != nil {
		t.Fatal(err)
	}
	want, err := export.Export(seed, export.Options{})
	if err != nil {
		t.Fatal(err)
	}
	nopreempt, err := fs.ReadFile(assets.Labs, "nopreempt.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		setup   func(t *testing.T, out string) // prepares OUT
		args    []string                       // after "config export" ({base}: OUT's parent); OUT is appended as --dir
		wantErr string
		files   []string // in OUT afterwards
		check   func(t *testing.T, out, stdout string)
	}{
		{
			name:  "seed into a new directory",
			files: want.Names(),
			check: func(t *testing.T, out, stdout string) {
				for _, name := range want.Names() {
					got, err := os.ReadFile(filepath.Join(out, name))
					if err != nil || !bytes.Equal(got, want.Files[name]) {
						t.Errorf("%s differs from what export.Export returns (%v)", name, err)
					}
				}
				for _, s := range []string{"exported lab seed to " + out + ":", "lb1.keepalived.conf    /etc/keepalived/keepalived.conf on lb1", "9 differences from the lab's configuration"} {
					if !strings.Contains(stdout, s) {
						t.Errorf("output does not say %q:\n%s", s, stdout)
					}
				}
			},
		},
		{
			name:  "an empty directory is fine",
			setup: func(t *testing.T, out string) { mkdir(t, out) },
			args:  []string{"--lab", "fast", "--node", "lb2"},
			files: []string{export.ReadmeName, "haproxy.cfg", "lb2.keepalived.conf", "lb2.sysctl.conf"},
		},
		{
			name:  "a lab file",
			setup: func(t *testing.T, out string) { writeFileT(t, filepath.Join(filepath.Dir(out), "np.yaml"), nopreempt) },
			args:  []string{"-f", "{base}/np.yaml", "--node", "web1,lb1"},
			files: []string{export.ReadmeName, "haproxy.cfg", "lb1.keepalived.conf", "lb1.sysctl.conf", "web1.nginx.conf"},
		},
		{
			name:    "a directory with files in it",
			setup:   func(t *testing.T, out string) { writeFileT(t, filepath.Join(out, "notes.txt"), []byte("mine")) },
			wantErr: "is not empty (it holds notes.txt): give a new or empty directory, or --force",
			files:   []string{"notes.txt"},
		},
		{
			name: "--force writes into it, leaving other files",
			setup: func(t *testing.T, out string) {
				writeFileT(t, filepath.Join(out, "notes.txt"), []byte("mine"))
				writeFileT(t, filepath.Join(out, "lb1.keepalived.conf"), []byte("old"))
			},
			args:  []string{"--force", "--node", "lb1"},
			files: []string{export.ReadmeName, "haproxy.cfg", "lb1.keepalived.conf", "lb1.sysctl.conf", "notes.txt"},
			check: func(t *testing.T, out, _ string) {
				if got, _ := os.ReadFile(filepath.Join(out, "lb1.keepalived.conf")); !bytes.Equal(got, want.Files["lb1.keepalived.conf"]) {
					t.Errorf("lb1.keepalived.conf was not replaced:\n%s", got)
				}
				if got, _ := os.ReadFile(filepath.Join(out, "notes.txt")); string(got) != "mine" {
					t.Errorf("notes.txt was changed: %q", got)
				}
			},
		},
		{
			name:    "OUT is a file",
			setup:   func(t *testing.T, out string) { writeFileT(t, out, []byte("x")) },
			wantErr: "exists and is not a directory",
		},
		{name: "unknown node", args: []string{"--node", "lb3"}, wantErr: `export lab seed: lab seed has no node "lb3"; its nodes are [client lb1 lb2 web1]`},
		{name: "the client", args: []string{"--node", "client"}, wantErr: "node client (role client) has nothing to export"},
		{name: "unknown lab", args: []string{"--lab", "nosuch"}, wantErr: `no built-in lab "nosuch"`},
		{name: "two labs", args: []string{"--lab", "seed", "-f", "x.yaml"}, wantErr: "give either -f FILE or --lab NAME, not both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			out := filepath.Join(base, "out")
			if tt.setup != nil {
				tt.setup(t, out)
			}
			var args []string
			for _, a := range tt.args {
				args = append(args, strings.ReplaceAll(a, "{base}", base))
			}
			stdout, err := runConfigExport(append(args, "--dir", out)...)
			switch {
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want one saying %q", err, tt.wantErr)
			case tt.wantErr == "" && err != nil:
				t.Fatal(err)
			}
			if _, err := os.Stat(out); tt.wantErr != "" && tt.setup == nil && !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("OUT was made although the export failed (%v)", err)
			}
			if fi, err := os.Stat(out); err == nil && fi.IsDir() {
				var names []string
				entries, _ := os.ReadDir(out)
				for _, e := range entries {
					names = append(names, e.Name())
				}
				files := slices.Clone(tt.files)
				slices.Sort(files)
				if !slices.Equal(names, files) {
					t.Errorf("OUT holds %v, want %v", names, files)
				}
			} else if len(tt.files) > 0 {
				t.Errorf("OUT was not made: %v", err)
			}
			if tt.check != nil {
				tt.check(t, out, stdout)
			}
		})
	}
}

func TestConfigExportNeedsDir(t *testing.T) {
	if _, err := runConfigExport(); err == nil || !strings.Contains(err.Error(), "--dir OUT is required") {
		t.Fatalf("error %v, want one asking for --dir", err)
	}
}

// runConfigExport runs `halab config export ARGS` and returns its output.
func runConfigExport(args ...string) (string, error) {
	root := newRootCommand()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(append([]string{"config", "export"}, args...))
	err := root.Execute()
	return out.String(), err
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

func writeFileT(t *testing.T, path string, data []byte) {
	t.Helper()
	mkdir(t, filepath.Dir(path))
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
