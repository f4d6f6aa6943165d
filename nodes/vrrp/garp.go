package vrrp

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/mdlayher/arp"
	"github.com/mdlayher/ethernet"
)

// sendGratuitousARP broadcasts count gratuitous ARP requests for each
// address from ifname (sender and target address both the VIP), so that
// neighbours move the VIP to this router's MAC at once (RFC 5798 §6.4.1,
// keepalived's garp_master_repeat burst).
func sendGratuitousARP(ifname string, addrs []netip.Addr, count int) error {
	if count <= 0 || len(addrs) == 0 {
		return nil
	}
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		return fmt.Errorf("gratuitous ARP: interface %s: %w", ifname, err)
	}
	c, err := arp.Dial(ifi)
	if err != nil {
		return fmt.Errorf("gratuitous ARP on %s: %w", ifname, err)
	}
	defer c.Close()
	for i := 0; i < count; i++ {
		for _, a := range addrs {
			p, err := arp.NewPacket(arp.OperationRequest, ifi.HardwareAddr, a, ethernet.Broadcast, a)
			if err != nil {
				return fmt.Errorf("gratuitous ARP for %s: %w", a, err)
			}
			if err := c.WriteTo(p, ethernet.Broadcast); err != nil {
				return fmt.Errorf("gratuitous ARP for %s on %s: %w", a, ifname, err)
			}
		}
	}
	return nil
}
