package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// IP protocol numbers.
const (
	ProtocolVRRP = 112 // RFC 3768 §5.2.4
	ProtocolAH   = 51  // RFC 2402
)

// IPv4 header values keepalived 2.2.7 sends.
const (
	IPv4HeaderLen = 20   // no options
	DefaultTOS    = 0xc0 // DSCP CS6, "internetwork control"
	DefaultTTL    = 255  // RFC 3768 §5.2.3; receivers check it on multicast
)

// MulticastGroup is the VRRP IPv4 multicast address, 224.0.0.18
// (RFC 3768 §5.2.2).
var MulticastGroup = netip.AddrFrom4([4]byte{224, 0, 0, 18})

// ipv4HeaderLen checks the fixed part of an IPv4 header at the start of b and
// returns the header length (IHL × 4).
func ipv4HeaderLen(b []byte) (int, error) {
	if len(b) < IPv4HeaderLen {
		return 0, fmt.Errorf("%w: IPv4 header needs %d bytes, have %d", ErrTruncated, IPv4HeaderLen, len(b))
	}
	if v := b[0] >> 4; v != 4 {
		return 0, fmt.Errorf("%w: IP version %d", ErrNotIPv4, v)
	}
	ihl := int(b[0]&0x0f) * 4
	if ihl < IPv4HeaderLen {
		return 0, fmt.Errorf("%w: header length %d bytes", ErrBadIPHeader, ihl)
	}
	if len(b) < ihl {
		return 0, fmt.Errorf("%w: IPv4 header with options needs %d bytes, have %d", ErrTruncated, ihl, len(b))
	}
	return ihl, nil
}

// dstAddr is the destination address of the IPv4 header at the start of b,
// which must hold at least the fixed header.
func dstAddr(b []byte) netip.Addr { return netip.AddrFrom4([4]byte(b[16:20])) }

// ipv4HeaderChecksum is the header checksum of an IPv4 header whose
// checksum field is zero.
func ipv4HeaderChecksum(header []byte) uint16 {
	return ^foldSum(addToSum(0, header))
}

// appendIPv4Header appends the header of p, with options and with a header
// checksum computed for totalLen, and returns the new slice.
func appendIPv4Header(b []byte, p *Packet, totalLen int) []byte {
	start := len(b)
	ihl := (IPv4HeaderLen + len(p.Options)) / 4
	b = append(b, 4<<4|uint8(ihl), p.TOS)
	b = binary.BigEndian.AppendUint16(b, uint16(totalLen))
	b = binary.BigEndian.AppendUint16(b, p.ID)
	b = binary.BigEndian.AppendUint16(b, p.Fragment)
	b = append(b, p.TTL, p.Protocol, 0, 0)
	src, dst := p.Src.As4(), p.Dst.As4()
	b = append(b, src[:]...)
	b = append(b, dst[:]...)
	b = append(b, p.Options...)
	binary.BigEndian.PutUint16(b[start+10:], ipv4HeaderChecksum(b[start:]))
	return b
}
