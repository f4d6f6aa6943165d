package bench

import (
	"fmt"
	"net/netip"
	"os/exec"
	"slices"
	"syscall"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	labnetns "github.com/halab/halab/lab/netns"
)

// StartIn starts cmd inside the named network namespace (as ip netns exec).
func StartIn(namespace string, cmd *exec.Cmd) error {
	return labnetns.InNamed(namespace, cmd.Start)
}

// withNetlink runs fn with a netlink handle inside the named namespace.
func withNetlink(namespace string, fn func(*netlink.Handle) error) error {
	h, err := netns.GetFromName(namespace)
	if err != nil {
		return err
	}
	defer h.Close()
	nh, err := netlink.NewHandleAt(h)
	if err != nil {
		return err
	}
	defer nh.Close()
	return fn(nh)
}

// HasAddress reports whether a namespace has addr on any interface.
func HasAddress(namespace string, addr netip.Addr) bool {
	found := false
	_ = withNetlink(namespace, func(nh *netlink.Handle) error {
		addrs, _ := nh.AddrList(nil, netlink.FAMILY_V4)
		for _, a := range addrs {
			if ip, ok := netip.AddrFromSlice(a.IP.To4()); ok && ip == addr {
				found = true
			}
		}
		return nil
	})
	return found
}

// WaitAddress polls (every 2 ms) until namespace holds addr, and returns
// when it was first seen.
func WaitAddress(namespace string, addr netip.Addr, limit time.Duration) (time.Time, error) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if HasAddress(namespace, addr) {
			return time.Now(), nil
		}
		time.Sleep(2 * time.Millisecond)
	}
	return time.Time{}, fmt.Errorf("%s did not get %s within %v", namespace, addr, limit)
}

// PowerOff does to a reference-lab node what halab's crash fault does to
// its own: every process frozen, links down, processes killed, addresses
// other than keep dropped.
func PowerOff(namespace string, keep []netip.Addr) error {
	pids := NamespacePIDs([]string{namespace})
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGSTOP)
	}
	err := withNetlink(namespace, func(nh *netlink.Handle) error {
		links, err := nh.LinkList()
		if err != nil {
			return err
		}
		for _, l := range links {
			if l.Attrs().Name == "lo" {
				continue
			}
			if err := nh.LinkSetDown(l); err != nil {
				return err
			}
			addrs, _ := nh.AddrList(l, netlink.FAMILY_V4)
			for _, a := range addrs {
				ip, _ := netip.AddrFromSlice(a.IP.To4())
				if !slices.Contains(keep, ip) {
					a := a
					_ = nh.AddrDel(l, &a)
				}
			}
		}
		return nil
	})
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	return err
}

// setLinksUp sets every link of a namespace but lo up.
func setLinksUp(namespace string) error {
	return withNetlink(namespace, func(nh *netlink.Handle) error {
		links, err := nh.LinkList()
		if err != nil {
			return err
		}
		for _, l := range links {
			if l.Attrs().Name != "lo" {
				if err := nh.LinkSetUp(l); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
