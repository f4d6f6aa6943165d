package vrrp

import (
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/halab/halab/nodes/control"
)

// VirtualAddress is one entry of virtual_ipaddress: ADDR[/PREFIX] [dev IF]
// [label L]. keepalived adds an address without a prefix as /32.
type VirtualAddress struct {
	Prefix    netip.Prefix
	Interface string
	Label     string
}

// addVIP adds the address to its interface (keepalived netlink_ipaddress
// IPADDRESS_ADD). An address already there counts as added.
func addVIP(v VirtualAddress) error {
	link, err := netlink.LinkByName(v.Interface)
	if err != nil {
		return fmt.Errorf("add VIP %s: interface %s: %w", v.Prefix, v.Interface, err)
	}
	addr := &netlink.Addr{IPNet: ipNet(v.Prefix), Label: v.Label}
	if err := netlink.AddrAdd(link, addr); err != nil && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("add VIP %s on %s: %w", v.Prefix, v.Interface, err)
	}
	return nil
}

// removeVIP removes the address from its interface; one already gone
// counts as removed.
func removeVIP(v VirtualAddress) error {
	link, err := netlink.LinkByName(v.Interface)
	if err != nil {
		return fmt.Errorf("remove VIP %s: interface %s: %w", v.Prefix, v.Interface, err)
	}
	addr := &netlink.Addr{IPNet: ipNet(v.Prefix)}
	if err := netlink.AddrDel(link, addr); err != nil && !errors.Is(err, unix.EADDRNOTAVAIL) && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("remove VIP %s from %s: %w", v.Prefix, v.Interface, err)
	}
	return nil
}

// setVIPs adds the instance's addresses to their interfaces, or removes
// those that are there, and publishes a vip event for each one done.
func (in *instance) setVIPs(add bool) {
	for _, v := range in.vips {
		var err error
		switch {
		case add:
			err = addVIP(v)
		case !hasVIP(v):
			continue
		default:
			err = removeVIP(v)
		}
		if err != nil {
			in.log.Error(err.Error())
			in.d.ctl.Logf("error", "(%s) %v", in.name, err)
			continue
		}
		in.d.ctl.Publish(VIPEvent(v.Prefix.Addr(), v.Interface, add))
	}
}

// VIPEvent is the vip event for addr added on interface ifname, or
// removed from it.
func VIPEvent(addr netip.Addr, ifname string, added bool) control.Event {
	msg := fmt.Sprintf("VIP %s removed from %s", addr, ifname)
	if added {
		msg = fmt.Sprintf("VIP %s added on %s", addr, ifname)
	}
	return control.Event{Kind: control.KindVIP, Message: msg,
		VIP: &control.VIPChange{Address: addr.String(), Interface: ifname, Added: added}}
}

// hasVIP reports whether the address is on its interface now.
func hasVIP(v VirtualAddress) bool {
	return HasAddress(v.Interface, v.Prefix.Addr())
}

// HasAddress reports whether the IPv4 address addr is on interface ifname
// now.
func HasAddress(ifname string, addr netip.Addr) bool {
	link, err := netlink.LinkByName(ifname)
	if err != nil {
		return false
	}
	addrs, err := netlink.AddrList(link, netlink.FAMILY_V4)
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if ip, ok := netip.AddrFromSlice(a.IP.To4()); ok && ip == addr {
			return true
		}
	}
	return false
}

func ipNet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), 32)}
}
