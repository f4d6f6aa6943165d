// Package netns is the default lab provider: every node is a named network
// namespace halab-LAB-NODE, every lab network a Linux bridge inside one switch
// namespace halab-LAB-sw, every node link a veth pair between them. Links,
// addresses and namespaces are made through netlink (never by running `ip`),
// and the root namespace gets no address, no route and no lab packet.
package netns

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Prefix starts the name of every namespace halab makes; teardown finds
// leftovers by it.
const Prefix = "halab-"

// NamespaceDir is where named namespaces are bind-mounted, as by `ip netns`.
var NamespaceDir = "/run/netns"

// NamespaceName is the namespace of node in lab.
func NamespaceName(lab, node string) string { return Prefix + lab + "-" + node }

// NamespacePath is the bind-mount path of a named namespace.
func NamespacePath(name string) string { return filepath.Join(NamespaceDir, name) }

// listNamespaces returns the named namespaces whose names start with prefix.
func listNamespaces(prefix string) []string {
	entries, _ := os.ReadDir(NamespaceDir)
	var names []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names
}

// inNamespace runs fn on an OS thread switched into ns, then switches the
// thread back. Sockets fn opens and processes it starts belong to ns. If the
// thread cannot be switched back it stays locked, and the Go runtime retires
// it when the goroutine ends, so no other code ever runs in the wrong place.
func inNamespace(ns netns.NsHandle, fn func() error) error {
	runtime.LockOSThread()
	orig, err := netns.Get()
	if err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("open current namespace: %w", err)
	}
	defer orig.Close()
	if err := netns.Set(ns); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("enter namespace: %w", err)
	}
	fnErr := fn()
	if err := netns.Set(orig); err != nil {
		return errors.Join(fnErr, fmt.Errorf("return to the original namespace: %w", err))
	}
	runtime.UnlockOSThread()
	return fnErr
}

// createNamespace makes a new network namespace bind-mounted at
// NamespaceDir/name and returns a handle to it; the caller closes it. The
// calling goroutine's namespace is left as it was.
func createNamespace(name string) (netns.NsHandle, error) {
	if err := os.MkdirAll(NamespaceDir, 0o755); err != nil {
		return netns.None(), fmt.Errorf("namespace %s: %w", name, err)
	}
	path := NamespacePath(name)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_RDONLY, 0o444)
	if err != nil {
		return netns.None(), fmt.Errorf("namespace %s: %w", name, err)
	}
	f.Close()
	var handle netns.NsHandle
	runtime.LockOSThread()
	orig, err := netns.Get()
	if err != nil {
		runtime.UnlockOSThread()
		os.Remove(path)
		return netns.None(), fmt.Errorf("namespace %s: %w", name, err)
	}
	defer orig.Close()
	err = func() error {
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			return fmt.Errorf("unshare: %w", err)
		}
		self := fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid())
		if err := unix.Mount(self, path, "none", unix.MS_BIND, ""); err != nil {
			return fmt.Errorf("bind mount: %w", err)
		}
		h, err := netns.GetFromPath(path)
		handle = h
		return err
	}()
	if setErr := netns.Set(orig); setErr != nil {
		// This thread is in the new namespace for good; keep it locked so the
		// runtime discards it.
		err = errors.Join(err, fmt.Errorf("return to the original namespace: %w", setErr))
	} else {
		runtime.UnlockOSThread()
	}
	if err != nil {
		_ = deleteNamespace(name)
		return netns.None(), fmt.Errorf("namespace %s: %w", name, err)
	}
	return handle, nil
}

// deleteNamespace unmounts and removes a named namespace. The kernel frees
// it, and the links in it, once no process is left inside. A name that is
// not there is not an error.
func deleteNamespace(name string) error {
	path := NamespacePath(name)
	if err := unix.Unmount(path, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("namespace %s: unmount: %w", name, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("namespace %s: %w", name, err)
	}
	return nil
}

// writeSysctl sets a per-namespace kernel setting from inside ns, as
// `sysctl -w` run in the namespace would.
func writeSysctl(ns netns.NsHandle, key, value string) error {
	path := "/proc/sys/" + strings.ReplaceAll(key, ".", "/")
	return inNamespace(ns, func() error {
		if err := os.WriteFile(path, []byte(value), 0o644); err != nil {
			return fmt.Errorf("sysctl %s=%s: %w", key, value, err)
		}
		return nil
	})
}
