// Package check holds the health checks halab ships for keepalived-style
// vrrp_script lines, to run on a node as `halab check …`.
package check

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ProcRoot is the proc file system the checks read.
var ProcRoot = "/proc"

// ProcessInNamespace reports whether a process whose command name is comm
// lives in the caller's network namespace. It is `killall -0 comm` confined
// to one node: on a VM every process is the node's own, but in a namespace
// lab all nodes share one process table, and only the network namespace
// tells whose a process is.
func ProcessInNamespace(comm string) (bool, error) {
	own, err := os.Readlink(filepath.Join(ProcRoot, "self/ns/net"))
	if err != nil {
		return false, fmt.Errorf("read own network namespace: %w", err)
	}
	entries, err := os.ReadDir(ProcRoot)
	if err != nil {
		return false, fmt.Errorf("list processes: %w", err)
	}
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		name, err := os.ReadFile(filepath.Join(ProcRoot, e.Name(), "comm"))
		if err != nil || strings.TrimSpace(string(name)) != comm {
			continue
		}
		ns, err := os.Readlink(filepath.Join(ProcRoot, e.Name(), "ns/net"))
		if pid, _ := strconv.Atoi(e.Name()); err == nil && ns == own && ProcessAlive(pid) {
			return true, nil
		}
	}
	return false, nil
}

// ProcessAlive reports whether pid is a live process. A zombie is not: a
// killed process that is not yet reaped no longer does its job, and it has
// already left its namespaces.
func ProcessAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	data, err := os.ReadFile(filepath.Join(ProcRoot, strconv.Itoa(pid), "stat"))
	if err != nil {
		return false
	}
	// The state letter follows the command name, which is in parentheses.
	i := strings.LastIndexByte(string(data), ')')
	return i >= 0 && i+2 < len(data) && data[i+2] != 'Z' && data[i+2] != 'X'
}
