package soak

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/lab/netns"
	"github.com/halab/halab/nodes/control"
)

// RunnerKey names the soak's own process (the drill runner) among the
// readings.
const RunnerKey = "runner"

// statusTimeout bounds one control-socket status call while sampling.
const statusTimeout = 2 * time.Second

// Reading is one process at one sample.
type Reading struct {
	// Key says which process it is: NODE/KIND for a component (the same
	// key across restarts, which change the pid), RunnerKey for the soak.
	Key        string `json:"key"`
	PID        int    `json:"pid"`
	FDs        int    `json:"fds"`
	RSS        int64  `json:"rss"` // bytes
	Goroutines int    `json:"goroutines"`
}

// Sample is the lab between two drill runs.
type Sample struct {
	At time.Time `json:"at"`
	// After names what came just before: "lab up", or the drill run.
	After    string    `json:"after"`
	Readings []Reading `json:"readings"`
	// Namespaces counts the lab's network namespaces (halab-LAB-*).
	Namespaces int `json:"namespaces"`
	// DirBytes is the size of the lab's directory (logs grow by design).
	DirBytes int64 `json:"dir_bytes"`
	// Problems are what could not be read: a component not running or not
	// answering between drills is itself a finding.
	Problems []string `json:"problems,omitempty"`
}

// reading returns the reading under key, if the sample has one.
func (s Sample) reading(key string) (Reading, bool) {
	for _, r := range s.Readings {
		if r.Key == key {
			return r, true
		}
	}
	return Reading{}, false
}

// sampler reads a running netns lab's processes.
type sampler struct {
	name string
	// status asks a component for its control status (the goroutines).
	status func(ctx context.Context, node string, c lab.ComponentState) (control.Status, error)
	// nsDir is where named namespaces live (netns.NamespaceDir).
	nsDir string
}

// newSampler samples the lab called name through acc.
func newSampler(name string, acc lab.Access) *sampler {
	return &sampler{
		name: name,
		status: func(ctx context.Context, node string, c lab.ComponentState) (control.Status, error) {
			return acc.Control(node, c).Status(ctx, nil)
		},
		nsDir: netns.NamespaceDir,
	}
}

// take reads every component the lab's state records now (drills restart
// components, so pids change), the runner itself, the namespaces and the
// directory.
func (s *sampler) take(ctx context.Context, after string) Sample {
	smp := Sample{At: time.Now(), After: after}
	problem := func(format string, args ...any) { smp.Problems = append(smp.Problems, fmt.Sprintf(format, args...)) }
	st, err := lab.LoadState(s.name)
	if err != nil {
		problem("read the lab's state: %v", err)
		return smp
	}
	for _, n := range st.Nodes {
		for _, c := range n.Components {
			r, err := s.component(ctx, n.Name, c)
			if err != nil {
				problem("%s/%s: %v", n.Name, c.Kind, err)
				continue
			}
			smp.Readings = append(smp.Readings, r)
		}
	}
	if r, err := self(); err != nil {
		problem("%s: %v", RunnerKey, err)
	} else {
		smp.Readings = append(smp.Readings, r)
	}
	if smp.Namespaces, err = countPrefixed(s.nsDir, netns.NamespaceName(s.name, "")); err != nil {
		problem("namespaces: %v", err)
	}
	if smp.DirBytes, err = dirBytes(st.Dir); err != nil {
		problem("lab directory: %v", err)
	}
	return smp
}

// component reads one component process: fds and RSS from /proc, the
// goroutines from its control socket, which must answer as the pid the
// state records.
func (s *sampler) component(ctx context.Context, node string, c lab.ComponentState) (Reading, error) {
	r := Reading{Key: node + "/" + c.Kind, PID: c.PID}
	var err error
	if r.FDs, err = procFDs(c.PID); err != nil {
		return r, err
	}
	if r.RSS, err = procRSS(c.PID); err != nil {
		return r, err
	}
	sctx, cancel := context.WithTimeout(ctx, statusTimeout)
	defer cancel()
	st, err := s.status(sctx, node, c)
	if err != nil {
		return r, fmt.Errorf("status: %w", err)
	}
	if st.PID != c.PID {
		return r, fmt.Errorf("the control socket answers as pid %d, the lab's state says %d", st.PID, c.PID)
	}
	if st.Goroutines <= 0 {
		return r, fmt.Errorf("its status has no goroutine count (a halab older than the soak?)")
	}
	r.Goroutines = st.Goroutines
	return r, nil
}

// self reads the soak's own process.
func self() (Reading, error) {
	r := Reading{Key: RunnerKey, PID: os.Getpid(), Goroutines: runtime.NumGoroutine()}
	var err error
	if r.FDs, err = procFDs(r.PID); err != nil {
		return r, err
	}
	r.RSS, err = procRSS(r.PID)
	return r, err
}
