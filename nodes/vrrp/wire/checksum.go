package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// Checksum computes the checksum of the VRRP packet vrrp (RFC 1071 Internet
// checksum), treating its checksum field as zero. Version 2 covers the VRRP
// packet alone, authentication data included (RFC 3768 §5.3.8). Version 3
// prepends the IPv4 pseudo-header {src, dst, 0, 112, length} (RFC 5798
// §5.2.8); dst is the datagram's real destination, 224.0.0.18 or the unicast
// peer, as keepalived 2.2.7 computes it. src and dst are ignored for
// version 2.
func Checksum(vrrp []byte, src, dst netip.Addr) (uint16, error) {
	if len(vrrp) < AdvertHeaderLen {
		return 0, fmt.Errorf("%w: VRRP header needs %d bytes, have %d", ErrTruncated, AdvertHeaderLen, len(vrrp))
	}
	var sum uint32
	switch version := vrrp[0] >> 4; version {
	case Version2:
	case Version3:
		if !src.Is4() || !dst.Is4() {
			return 0, fmt.Errorf("%w: pseudo-header needs IPv4 source and destination, have %v and %v", ErrBadAddress, src, dst)
		}
		sum = pseudoHeaderSum(src, dst, ProtocolVRRP, len(vrrp))
	default:
		return 0, fmt.Errorf("%w: got %d", ErrBadVersion, version)
	}
	sum = addToSum(sum, vrrp[:6])
	sum = addToSum(sum, vrrp[8:])
	return ^foldSum(sum), nil
}

// VerifyChecksum reports [ErrBadChecksum] unless the checksum field of the
// VRRP packet vrrp is the one [Checksum] computes for it.
func VerifyChecksum(vrrp []byte, src, dst netip.Addr) error {
	want, err := Checksum(vrrp, src, dst)
	if err != nil {
		return err
	}
	if got := binary.BigEndian.Uint16(vrrp[6:8]); got != want {
		return fmt.Errorf("%w: packet has %#04x, computed %#04x", ErrBadChecksum, got, want)
	}
	return nil
}

// pseudoHeaderSum is the one's complement sum of the IPv4 pseudo-header.
func pseudoHeaderSum(src, dst netip.Addr, protocol uint8, length int) uint32 {
	s, d := src.As4(), dst.As4()
	sum := addToSum(0, s[:])
	sum = addToSum(sum, d[:])
	return sum + uint32(protocol) + uint32(length)
}

// addToSum adds b, as big-endian 16-bit words (an odd last byte padded with
// zero), to the running sum.
func addToSum(sum uint32, b []byte) uint32 {
	for len(b) >= 2 {
		sum += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
		if sum > 0xffff0000 {
			sum = (sum & 0xffff) + sum>>16
		}
	}
	if len(b) == 1 {
		sum += uint32(b[0]) << 8
	}
	return sum
}

// foldSum folds the carries of a 32-bit sum into 16 bits.
func foldSum(sum uint32) uint16 {
	for sum > 0xffff {
		sum = (sum & 0xffff) + sum>>16
	}
	return uint16(sum)
}
