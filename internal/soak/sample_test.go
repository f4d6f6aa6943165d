package soak

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/control"
)

// fakeLab records a lab called name under a temporary run directory whose
// one component, lb1/vrrp, is process pid, and a namespace directory with
// the lab's namespaces and another lab's.
func fakeLab(t *testing.T, name string, pid int) (nsDir string) {
	t.Helper()
	old := lab.RunDir
	lab.RunDir = t.TempDir()
	t.Cleanup(func() { lab.RunDir = old })
	st := &lab.State{Name: name, Provider: lab.ProviderNetns, Dir: lab.LabDir(name), Nodes: []lab.NodeState{
		{Name: "lb1", Components: []lab.ComponentState{{Kind: "vrrp", PID: pid, Socket: "/nonexistent/vrrp.sock"}}},
	}}
	if err := os.MkdirAll(st.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := st.Save(); err != nil {
		t.Fatal(err)
	}
	nsDir = t.TempDir()
	for _, n := range []string{"halab-" + name + "-lb1", "halab-" + name + "-sw", "halab-" + name + "x-lb1"} {
		if err := os.WriteFile(filepath.Join(nsDir, n), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return nsDir
}

func TestSamplerTake(t *testing.T) {
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	me := os.Getpid()
	tests := []struct {
		name   string
		pid    int
		status func() (control.Status, error)
		// wantProblem is a part of the one problem expected ("": none).
		wantProblem string
	}{
		{"answers", me, func() (control.Status, error) { return control.Status{PID: me, Goroutines: 7}, nil }, ""},
		{"another process answers", me, func() (control.Status, error) { return control.Status{PID: me + 1, Goroutines: 7}, nil },
			"lb1/vrrp: the control socket answers as pid"},
		{"no goroutine count", me, func() (control.Status, error) { return control.Status{PID: me}, nil }, "lb1/vrrp: its status has no goroutine count"},
		{"does not answer", me, func() (control.Status, error) { return control.Status{}, errors.New("connection refused") }, "lb1/vrrp: status: connection refused"},
		{"not running", gone.Process.Pid, func() (control.Status, error) { t.Error("asked a dead process"); return control.Status{}, nil }, "lb1/vrrp: count fds of pid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nsDir := fakeLab(t, "fake", tt.pid)
			s := &sampler{name: "fake", nsDir: nsDir, status: func(_ context.Context, node string, c lab.ComponentState) (control.Status, error) {
				if node != "lb1" || c.Kind != "vrrp" {
					t.Errorf("status asked of %s/%s", node, c.Kind)
				}
				return tt.status()
			}}
			smp := s.take(context.Background(), "a drill")
			if smp.After != "a drill" || smp.Namespaces != 2 || smp.DirBytes == 0 {
				t.Errorf("after %q, namespaces %d, dir bytes %d; want a drill, 2, some", smp.After, smp.Namespaces, smp.DirBytes)
			}
			if runner, ok := smp.reading(RunnerKey); !ok || runner.PID != me || runner.FDs == 0 || runner.RSS == 0 || runner.Goroutines == 0 {
				t.Errorf("runner reading = %+v, %v", runner, ok)
			}
			r, ok := smp.reading("lb1/vrrp")
			if tt.wantProblem == "" {
				if len(smp.Problems) > 0 || !ok || r.PID != me || r.FDs == 0 || r.RSS == 0 || r.Goroutines != 7 {
					t.Errorf("reading %+v (%v), problems %v", r, ok, smp.Problems)
				}
				return
			}
			if ok {
				t.Errorf("a reading despite the problem: %+v", r)
			}
			if len(smp.Problems) != 1 || !strings.Contains(smp.Problems[0], tt.wantProblem) {
				t.Errorf("problems %q, want one saying %q", smp.Problems, tt.wantProblem)
			}
		})
	}
}

func TestSamplerWithoutALab(t *testing.T) {
	old := lab.RunDir
	lab.RunDir = t.TempDir()
	defer func() { lab.RunDir = old }()
	s := &sampler{name: "gone", nsDir: t.TempDir()}
	smp := s.take(context.Background(), "x")
	if len(smp.Problems) != 1 || !strings.Contains(smp.Problems[0], "read the lab's state") || len(smp.Readings) != 0 {
		t.Errorf("sample of a lab that is not there: %+v", smp)
	}
}
