package vrrp

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"unsafe"

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
	// oif is the interface unicast adverts leave through (0: multicast,
	// where the socket is bound to the interface instead).
	oif int
}

// openRawSocket opens a raw socket for protocol. With multicast, it is bound
// to ifname and joins 224.0.0.18 there (keepalived's multicast sockets).
//
// With unicast, adverts leave through ifname too, as keepalived 2.2.7's do:
// its send socket is bound to the instance's interface, so a peer that
// ifname's routes do not reach is taken to be on that link (the kernel's
// rule for a bound socket) and ARPed for there. In the tutorial's setup,
// unicast_src_ip and the peers are on the private network and the
// interface is the public one: keepalived's adverts cross the public
// network, and a keepalived peer only hears adverts that arrive there (its
// receive socket is bound as well). halab sends the same way, through
// IP_PKTINFO on each send, so that a keepalived peer hears it; its one
// socket stays unbound for receiving and so also hears adverts arriving on
// other interfaces, which keepalived would not see.
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
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		return fail("interface "+ifname, err)
	}
	oif := ifi.Index
	if multicast {
		oif = 0
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
	s := &rawSocket{fd: fd, file: os.NewFile(uintptr(fd), fmt.Sprintf("raw-ip-%d", protocol)), oif: oif}
	_ = s.enableTimestamps() // best effort: without stamps adverts count when read
	return s, nil
}

// Read reads one whole IPv4 datagram into b.
func (s *rawSocket) Read(b []byte) (int, error) { return s.file.Read(b) }

// Send sends a datagram whose IPv4 header the caller built; a unicast one
// leaves through the instance's interface (see openRawSocket).
func (s *rawSocket) Send(datagram []byte, dst netip.Addr) error {
	sa := &unix.SockaddrInet4{Addr: dst.As4()}
	var oob []byte
	if s.oif != 0 {
		oob = pktinfo(s.oif)
	}
	for {
		err := unix.Sendmsg(s.fd, datagram, oob, sa, 0)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// pktinfo is an IP_PKTINFO control message choosing the interface a
// datagram leaves through.
func pktinfo(ifindex int) []byte {
	oob := make([]byte, unix.CmsgSpace(unix.SizeofInet4Pktinfo))
	h := (*unix.Cmsghdr)(unsafe.Pointer(&oob[0]))
	h.Level, h.Type = unix.IPPROTO_IP, unix.IP_PKTINFO
	h.SetLen(unix.CmsgLen(unix.SizeofInet4Pktinfo))
	info := (*unix.Inet4Pktinfo)(unsafe.Pointer(&oob[unix.CmsgLen(0)]))
	info.Ifindex = int32(ifindex)
	return oob
}

// Close closes the socket; a blocked Read returns.
func (s *rawSocket) Close() error { return s.file.Close() }
