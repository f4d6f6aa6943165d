package netns

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	"github.com/halab/halab/lab"
)

// InterfaceInfo is lab.InterfaceInfo.
type InterfaceInfo = lab.InterfaceInfo

// Interfaces reads a node's interfaces and IPv4 addresses through netlink in
// its namespace (the ground truth for which node holds a VIP).
func Interfaces(labName, node string) ([]InterfaceInfo, error) {
	h, err := netns.GetFromPath(NamespacePath(NamespaceName(labName, node)))
	if err != nil {
		return nil, fmt.Errorf("%s: namespace %s is missing: %w", node, NamespaceName(labName, node), err)
	}
	defer h.Close()
	nh, err := netlink.NewHandleAt(h)
	if err != nil {
		return nil, fmt.Errorf("%s: netlink: %w", node, err)
	}
	defer nh.Close()
	links, err := nh.LinkList()
	if err != nil {
		return nil, fmt.Errorf("%s: list links: %w", node, err)
	}
	var out []InterfaceInfo
	for _, link := range links {
		a := link.Attrs()
		if a.Name == "lo" {
			continue
		}
		info := InterfaceInfo{Name: a.Name, Up: a.Flags&1 != 0 && a.OperState != netlink.OperDown}
		addrs, err := nh.AddrList(link, netlink.FAMILY_V4)
		if err != nil {
			return nil, fmt.Errorf("%s: addresses of %s: %w", node, a.Name, err)
		}
		for _, ad := range addrs {
			ones, _ := ad.Mask.Size()
			info.Addresses = append(info.Addresses, fmt.Sprintf("%s/%d", ad.IP, ones))
		}
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Exec replaces the current process with argv running inside node's
// namespace, like `ip netns exec`: the terminal, standard streams and exit
// status pass straight through. The lab's halab binary comes first on PATH.
// It returns only on failure.
func Exec(st *lab.State, node string, argv []string) error {
	if err := CheckPrivileges(); err != nil {
		return err
	}
	ns, err := st.Node(node)
	if err != nil {
		return err
	}
	if len(argv) == 0 {
		return fmt.Errorf("exec %s: no command given; usage: halab exec NODE -- COMMAND [ARGS…]", node)
	}
	binDir := filepath.Join(st.Dir, filepath.Dir(binaryName))
	path := binDir + ":" + os.Getenv("PATH")
	os.Setenv("PATH", path)
	prog, err := exec.LookPath(argv[0])
	if err != nil {
		return fmt.Errorf("exec %s: %w", node, err)
	}
	h, err := netns.GetFromPath(NamespacePath(ns.Namespace))
	if err != nil {
		return fmt.Errorf("exec %s: namespace %s is missing (is the lab up?): %w", node, ns.Namespace, err)
	}
	defer h.Close()
	env := append(os.Environ(), "HALAB_LAB="+st.Name, "HALAB_NODE="+node)
	runtime.LockOSThread() // never unlocked: on success this thread becomes the program
	if err := netns.Set(h); err != nil {
		return fmt.Errorf("exec %s: enter namespace: %w", node, err)
	}
	err = syscall.Exec(prog, argv, env)
	return fmt.Errorf("exec %s: %s: %w", node, strings.Join(argv, " "), err)
}

// InNode runs fn on a thread inside node's namespace: sockets fn opens are
// the node's. Tests use it to check links from inside the lab.
func InNode(labName, node string, fn func() error) error {
	if err := InNamed(NamespaceName(labName, node), fn); err != nil {
		return fmt.Errorf("%s: %w", node, err)
	}
	return nil
}

// InNamed runs fn on a thread inside the named namespace (any under
// NamespaceDir, a lab's or not): sockets fn opens and processes it starts
// are the namespace's, as with `ip netns exec`.
func InNamed(name string, fn func() error) error {
	h, err := netns.GetFromPath(NamespacePath(name))
	if err != nil {
		return fmt.Errorf("namespace %s is missing: %w", name, err)
	}
	defer h.Close()
	return inNamespace(h, fn)
}

// NamedProcesses lists the processes living in the named namespaces.
func NamedProcesses(names []string) []int { return processesOf(names, nil) }

// ListNamespaces returns the named namespaces whose names start with
// prefix, sorted.
func ListNamespaces(prefix string) []string { return listNamespaces(prefix) }

// NodeProcesses lists the processes living in node's namespace, found by
// looking at every process's network namespace (as `ip netns pids`).
func NodeProcesses(labName, node string) []int {
	return NamedProcesses([]string{NamespaceName(labName, node)})
}
