package lab

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/halab/halab/nodes/control"
)

// InterfaceInfo is one interface of a running node, as its kernel has it.
type InterfaceInfo struct {
	Name      string   `json:"name"`
	Up        bool     `json:"up"`
	Addresses []string `json:"addresses"`
}

// Access reaches the nodes of a running lab, whichever provider built it:
// the components' control sockets, their processes, the nodes' interfaces
// and faults. The status command, the dashboard, event streams and drills
// go through it, so they work the same on namespaces and on machines
// reached over SSH.
type Access interface {
	Faulter
	// Control is a client for a component's control socket.
	Control(node string, c ComponentState) *control.Client
	// Alive says whether process pid on node still runs.
	Alive(ctx context.Context, node string, pid int) bool
	// Interfaces reads node's interfaces and IPv4 addresses as its kernel
	// has them: the ground truth for which node holds a VIP.
	Interfaces(ctx context.Context, node string) ([]InterfaceInfo, error)
	// Where says where node lives, for status (a namespace, user@host).
	Where(node string) string
	// Close releases what the access holds open (SSH connections).
	Close() error
}

// AccessOpener opens access to a lab its provider built.
type AccessOpener func(st *State) (Access, error)

var (
	openersMu sync.Mutex
	openers   = map[string]AccessOpener{}
)

// RegisterAccess makes OpenAccess use open for labs built by provider.
// Providers register themselves when their package is imported.
func RegisterAccess(provider string, open AccessOpener) {
	openersMu.Lock()
	defer openersMu.Unlock()
	openers[provider] = open
}

// OpenAccess opens access to the running lab st records.
func OpenAccess(st *State) (Access, error) {
	provider := st.Provider
	if provider == "" {
		provider = ProviderNetns
	}
	openersMu.Lock()
	open, ok := openers[provider]
	var known []string
	for k := range openers {
		known = append(known, k)
	}
	openersMu.Unlock()
	if !ok {
		sort.Strings(known)
		return nil, fmt.Errorf("lab %s was built by the %s provider, which this halab does not have (it has %v)", st.Name, provider, known)
	}
	return open(st)
}

// Lock serializes building, changing and removing labs across halab
// processes on this machine. It locks the run directory itself, so no lock
// file is left behind. The returned function unlocks.
func Lock(name string) (func(), error) {
	if err := os.MkdirAll(RunDir, 0o755); err != nil {
		if errors.Is(err, os.ErrPermission) {
			return nil, fmt.Errorf("create %s: %w; run halab with sudo, or (for an ssh lab, which needs no root here) set HALAB_RUN_DIR to a directory of yours", RunDir, err)
		}
		return nil, fmt.Errorf("create %s: %w", RunDir, err)
	}
	dir, err := os.Open(RunDir)
	if err != nil {
		return nil, fmt.Errorf("lab %s: lock: %w", name, err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for unix.Flock(int(dir.Fd()), unix.LOCK_EX|unix.LOCK_NB) != nil {
		if time.Now().After(deadline) {
			dir.Close()
			return nil, fmt.Errorf("lab %s: another halab process has been building or removing a lab for 15 s; wait for it or stop it", name)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return func() {
		_ = unix.Flock(int(dir.Fd()), unix.LOCK_UN)
		dir.Close()
	}, nil
}

// OpenRunning finds the running lab called name (or the only lab up, when
// name is empty), reads its state and opens access to its nodes; the
// caller closes the access.
func OpenRunning(name string) (*State, Access, error) {
	n, err := Resolve(name)
	if err != nil {
		return nil, nil, err
	}
	st, err := LoadState(n)
	if err != nil {
		return nil, nil, err
	}
	if st.Lab == nil {
		return nil, nil, fmt.Errorf("lab %s: its state has no lab model; `halab down --lab %s` removes it", n, n)
	}
	acc, err := OpenAccess(st)
	if err != nil {
		return nil, nil, err
	}
	return st, acc, nil
}
