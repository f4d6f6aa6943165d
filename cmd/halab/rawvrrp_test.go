package main

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"

	"github.com/halab/halab/lab/netns"
	"github.com/halab/halab/nodes/vrrp/wire"
)

// Bounds on what the hostile tests put on a lab's wires: every send loop
// stops after maxInjected datagrams or injectTimeout, whichever comes first.
const (
	maxInjected   = 200
	injectTimeout = 5 * time.Second
	injectPace    = 2 * time.Millisecond // between two datagrams: no queue overflows
)

// inject sends datagrams from inside node's namespace, each a whole IPv4
// datagram as wire.BuildPacket makes it, through a raw socket with the
// header included (IPPROTO_RAW): the source, TTL, identification and
// protocol are the datagram's own. The kernel fills in the total length
// and the header checksum, as it does for keepalived. Multicast leaves
// through ifname. Destinations must be addresses of the lab.
func inject(labName, node, ifname string, datagrams [][]byte) error {
	if len(datagrams) > maxInjected {
		return fmt.Errorf("inject from %s: %d datagrams, at most %d", node, len(datagrams), maxInjected)
	}
	return netns.InNode(labName, node, func() error {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.IPPROTO_RAW)
		if err != nil {
			return fmt.Errorf("inject from %s: raw socket: %w", node, err)
		}
		defer unix.Close(fd)
		if ifname != "" {
			ifi, err := net.InterfaceByName(ifname)
			if err != nil {
				return fmt.Errorf("inject from %s: %w", node, err)
			}
			mreq := &unix.IPMreqn{Ifindex: int32(ifi.Index)}
			if err := unix.SetsockoptIPMreqn(fd, unix.IPPROTO_IP, unix.IP_MULTICAST_IF, mreq); err != nil {
				return fmt.Errorf("inject from %s: multicast interface %s: %w", node, ifname, err)
			}
		}
		deadline := time.Now().Add(injectTimeout)
		for i, dg := range datagrams {
			if time.Now().After(deadline) {
				return fmt.Errorf("inject from %s: sent %d of %d datagrams in %v", node, i, len(datagrams), injectTimeout)
			}
			if len(dg) < wire.IPv4HeaderLen {
				return fmt.Errorf("inject from %s: datagram %d has no IPv4 header (%d bytes)", node, i, len(dg))
			}
			dst := [4]byte(dg[16:20])
			if err := unix.Sendto(fd, dg, 0, &unix.SockaddrInet4{Addr: dst}); err != nil {
				return fmt.Errorf("inject from %s: datagram %d (%d bytes) to %v: %w", node, i, len(dg), netip.AddrFrom4(dst), err)
			}
			time.Sleep(injectPace)
		}
		return nil
	})
}

// injectPayload sends payload as IP protocol proto from inside node's
// namespace to dst with a header the kernel builds (source: node's own
// address, TTL 64). Unlike inject it may exceed the MTU: the kernel
// fragments the datagram and the receiver's kernel reassembles it.
func injectPayload(labName, node string, dst netip.Addr, proto int, payload []byte, count int) error {
	if count > maxInjected {
		return fmt.Errorf("inject from %s: %d datagrams, at most %d", node, count, maxInjected)
	}
	return netns.InNode(labName, node, func() error {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, proto)
		if err != nil {
			return fmt.Errorf("inject from %s: raw socket for protocol %d: %w", node, proto, err)
		}
		defer unix.Close(fd)
		for i := range count {
			if err := unix.Sendto(fd, payload, 0, &unix.SockaddrInet4{Addr: dst.As4()}); err != nil {
				return fmt.Errorf("inject from %s: datagram %d (%d bytes) to %v: %w", node, i, len(payload), dst, err)
			}
			time.Sleep(injectPace)
		}
		return nil
	})
}

// capture waits up to limit for a datagram of IP protocol proto from src to
// arrive in node's namespace, and returns it whole (IPv4 header included),
// as the node's own raw sockets receive it. A raw socket gets a copy of
// every such datagram; the node's daemon still gets its own.
func capture(labName, node string, proto int, src netip.Addr, limit time.Duration) ([]byte, error) {
	var got []byte
	err := netns.InNode(labName, node, func() error {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, proto)
		if err != nil {
			return fmt.Errorf("capture in %s: raw socket for protocol %d: %w", node, proto, err)
		}
		defer unix.Close(fd)
		tv := unix.NsecToTimeval((100 * time.Millisecond).Nanoseconds())
		if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
			return fmt.Errorf("capture in %s: %w", node, err)
		}
		buf := make([]byte, 1<<16)
		for deadline := time.Now().Add(limit); time.Now().Before(deadline); {
			n, _, err := unix.Recvfrom(fd, buf, 0)
			if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
				continue
			}
			if err != nil {
				return fmt.Errorf("capture in %s: %w", node, err)
			}
			if n >= wire.IPv4HeaderLen && netip.AddrFrom4([4]byte(buf[12:16])) == src {
				got = append([]byte(nil), buf[:n]...)
				return nil
			}
		}
		return fmt.Errorf("capture in %s: no protocol %d datagram from %v within %v", node, proto, src, limit)
	})
	return got, err
}

// advertSpec describes one hand-made VRRPv2/v3 advert: the fields a
// hostile sender gets wrong on purpose, the rest as a peer would send them.
type advertSpec struct {
	src, dst netip.Addr
	version  uint8 // 0: 2
	vrid     uint8
	priority uint8
	interval uint16 // in the version's unit; 0: 1
	vips     []netip.Addr
	ttl      uint8 // 0: 255
	auth     wire.AuthType
	password string
	sequence uint32 // AH
	id       uint16 // IPv4 identification; 0: 1
}

// build makes the datagram of s with wire.BuildPacket.
func (s advertSpec) build() ([]byte, error) {
	a := wire.Advert{Version: s.version, VRID: s.vrid, Priority: s.priority, Interval: s.interval, Addresses: s.vips}
	if a.Version == 0 {
		a.Version = wire.Version2
	}
	if a.Interval == 0 {
		a.Interval = 1
	}
	id := s.id
	if id == 0 {
		id = 1
	}
	dg, err := wire.BuildPacket(wire.BuildOptions{Src: s.src, Dst: s.dst, ID: id, TTL: s.ttl, Advert: a,
		Auth: s.auth, Password: s.password, Sequence: s.sequence})
	if err != nil {
		return nil, fmt.Errorf("build advert %+v: %w", s, err)
	}
	return dg, nil
}

// copies returns n copies of dg.
func copies(dg []byte, n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = dg
	}
	return out
}
