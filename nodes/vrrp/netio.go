package vrrp

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"

	"golang.org/x/sys/unix"
)

// MulticastGroup is VRRP's IPv4 multicast address (RFC 5798 §5.1.1.2).
var MulticastGroup = netip.MustParseAddr("224.0.0.18")

// IP protocol numbers of the two kinds of advert keepalived sends.
const (
	ProtocolVRRP = 112 // RFC 5798 §5.1.1.4
	ProtocolAH   = 51  // RFC 2402, keepalived's auth_type AH (VRRPv2 only)
)

// rawSocket is one instance's raw IPv4 socket for one protocol: it receives
// whole datagrams (IP header included, which the TTL check and the AH ICV
// need) and sends datagrams the daemon built itself (IP_HDRINCL), so that
// the IP ID it signed is the one on the wire.
type rawSocket struct {
	fd   int
	file *os.File // the same descriptor, read through the runtime poller
}

// openRawSocket opens a raw socket for protocol. With multicast, it is bound
// to ifname and joins 224.0.0.18 there (keepalived's multicast sockets);
// with unicast it is not bound to a device, because the peers may sit
// behind another interface than the VIP's (the tutorial's unicast_src_ip is
// on the private network, the VIP on the public one).
func openRawSocket(protocol int, ifname string, multicast bool) (*rawSocket, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, protocol)
	if err != nil {
		return nil, fmt.Errorf("raw socket for IP protocol %d: %w (the VRRP daemon needs CAP_NET_RAW)", protocol, err)
	}
	fail := func(what string, err error) (*rawSocket, error) {
		unix.Close(fd)
		return nil, fmt.Errorf("raw socket for IP protocol %d: %s: %w", protocol, what, err)
	}
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_HDRINCL, 1); err != nil {
		return fail("IP_HDRINCL", err)
	}
	if multicast {
		ifi, err := net.InterfaceByName(ifname)
		if err != nil {
			return fail("interface "+ifname, err)
		}
		if err := unix.SetsockoptString(fd, unix.SOL_SOCKET, unix.SO_BINDTODEVICE, ifname); err != nil {
			return fail("bind to "+ifname, err)
		}
		mreq := &unix.IPMreqn{Multiaddr: MulticastGroup.As4(), Ifindex: int32(ifi.Index)}
		if err := unix.SetsockoptIPMreqn(fd, unix.IPPROTO_IP, unix.IP_ADD_MEMBERSHIP, mreq); err != nil {
			return fail("join 224.0.0.18 on "+ifname, err)
		}
		if err := unix.SetsockoptIPMreqn(fd, unix.IPPROTO_IP, unix.IP_MULTICAST_IF, mreq); err != nil {
			return fail("multicast interface "+ifname, err)
		}
		// keepalived turns loopback off: a router never hears its own adverts.
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_MULTICAST_LOOP, 0); err != nil {
			return fail("IP_MULTICAST_LOOP", err)
		}
	}
	s := &rawSocket{fd: fd, file: os.NewFile(uintptr(fd), fmt.Sprintf("raw-ip-%d", protocol))}
	_ = s.enableTimestamps() // best effort: without stamps adverts count when read
	return s, nil
}

// Read reads one whole IPv4 datagram into b.
func (s *rawSocket) Read(b []byte) (int, error) { return s.file.Read(b) }

// Send sends a datagram whose IPv4 header the caller built.
func (s *rawSocket) Send(datagram []byte, dst netip.Addr) error {
	sa := &unix.SockaddrInet4{Addr: dst.As4()}
	for {
		err := unix.Sendto(s.fd, datagram, 0, sa)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// Close closes the socket; a blocked Read returns.
func (s *rawSocket) Close() error { return s.file.Close() }
