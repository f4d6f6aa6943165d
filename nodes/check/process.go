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

// realNames maps the process name of a halab component to the name of the
// real program that can stand in for it on a node (a lab's `engine:`).
var realNames = map[string]string{
	"halab-vrrp":  "keepalived",
	"halab-proxy": "haproxy",
	"halab-web":   "nginx",
}

// SameComponent reports whether a process called comm does the job that
// want names. A lab's configurations name the proxy by halab's process
// name, `halab check process halab-proxy`, and a node may run real HAProxy
// in its place with the same keepalived.conf: then the check must find
// haproxy. So halab-proxy, halab-vrrp and halab-web each name the node's
// component whichever engine runs it (halab's, or haproxy, keepalived,
// nginx); every other name must match exactly, as in killall. The other
// way, renaming the real program (exec through a link called halab-proxy),
// would make `ps` and `killall haproxy` on the node lie.
func SameComponent(comm, want string) bool {
	return comm == want || realNames[want] != "" && comm == realNames[want]
}

// ProcessInNamespace reports whether a process whose command name is comm
// (or the real program standing in for that component, see SameComponent)
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
		if err != nil || !SameComponent(strings.TrimSpace(string(name)), comm) {
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
