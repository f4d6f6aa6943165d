package wire

import (
	"crypto/hmac"
	"crypto/md5"
	"encoding/binary"
	"fmt"
	"math"
)

// AH sizes as keepalived uses them.
const (
	AHHeaderLen  = 24 // next header … ICV
	ICVLen       = 12 // HMAC-MD5 truncated to 96 bits
	AHPayloadLen = 4  // AH length in 32-bit words, minus 2 (RFC 2402 §2.2)
)

// PasswordAuthData is the 8-byte authentication data keepalived derives from
// auth_pass: its first 8 bytes, zero padded. It is the authentication data
// of a version 2 advert with "auth_type PASS", and the HMAC-MD5 key of
// "auth_type AH".
func PasswordAuthData(password string) [AuthDataLen]byte {
	var d [AuthDataLen]byte
	copy(d[:], password)
	return d
}

// AHHeader is the IPsec authentication header (RFC 2402 §2) keepalived puts
// between the IPv4 header and a version 2 advert for "auth_type AH":
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	| Next Header   |  Payload Len  |          RESERVED             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                 Security Parameters Index (SPI)               |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                    Sequence Number Field                      |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                                                               |
//	+      Authentication Data (ICV, HMAC-MD5-96, 12 bytes)         +
//	|                                                               |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// keepalived sends next header 112 (VRRP), payload length 4, reserved 0, and
// the sender's IPv4 address as SPI.
type AHHeader struct {
	NextHeader uint8
	PayloadLen uint8
	Reserved   uint16
	SPI        uint32
	Sequence   uint32
	ICV        [ICVLen]byte
}

// MarshalBinary encodes h in the layout drawn on [AHHeader].
func (h *AHHeader) MarshalBinary() ([]byte, error) {
	return h.AppendBinary(make([]byte, 0, AHHeaderLen))
}

// AppendBinary appends the encoding of h to b.
func (h *AHHeader) AppendBinary(b []byte) ([]byte, error) {
	if h.PayloadLen != AHPayloadLen {
		return nil, fmt.Errorf("%w: payload length %d, keepalived uses %d", ErrBadAH, h.PayloadLen, AHPayloadLen)
	}
	b = append(b, h.NextHeader, h.PayloadLen)
	b = binary.BigEndian.AppendUint16(b, h.Reserved)
	b = binary.BigEndian.AppendUint32(b, h.SPI)
	b = binary.BigEndian.AppendUint32(b, h.Sequence)
	return append(b, h.ICV[:]...), nil
}

// UnmarshalBinary decodes the 24-byte header that fills b exactly.
func (h *AHHeader) UnmarshalBinary(b []byte) error {
	if len(b) < AHHeaderLen {
		return fmt.Errorf("%w: AH header needs %d bytes, have %d", ErrTruncated, AHHeaderLen, len(b))
	}
	if len(b) > AHHeaderLen {
		return fmt.Errorf("%w: AH header is %d bytes, have %d", ErrBadLength, AHHeaderLen, len(b))
	}
	if b[1] != AHPayloadLen {
		return fmt.Errorf("%w: payload length %d, keepalived uses %d", ErrBadAH, b[1], AHPayloadLen)
	}
	*h = AHHeader{
		NextHeader: b[0],
		PayloadLen: b[1],
		Reserved:   binary.BigEndian.Uint16(b[2:4]),
		SPI:        binary.BigEndian.Uint32(b[4:8]),
		Sequence:   binary.BigEndian.Uint32(b[8:12]),
	}
	copy(h.ICV[:], b[12:AHHeaderLen])
	return nil
}

// ComputeICV computes keepalived's AH integrity check value for datagram, a
// whole IPv4 datagram of protocol 51: the first 12 bytes of HMAC-MD5, keyed
// with [PasswordAuthData] of password, over
//
//  1. the IPv4 header with TOS, the fragment field (flags and offset) and the
//     header checksum set to zero, and the TTL set to zero too when the
//     destination is not multicast (keepalived's unicast mode);
//  2. the AH header with its ICV set to zero;
//  3. everything after the AH header: the VRRP packet.
//
// The datagram is not modified.
func ComputeICV(datagram []byte, password string) ([ICVLen]byte, error) {
	var icv [ICVLen]byte
	ihl, err := ahHeaderOffset(datagram)
	if err != nil {
		return icv, err
	}
	header := make([]byte, ihl+AHHeaderLen)
	copy(header, datagram)
	header[1] = 0                         // TOS
	clear(header[6:8])                    // flags and fragment offset
	clear(header[10:12])                  // header checksum
	if !dstAddr(datagram).IsMulticast() { // keepalived unicast mode
		header[8] = 0 // TTL
	}
	clear(header[ihl+12 : ihl+AHHeaderLen]) // ICV

	key := PasswordAuthData(password)
	mac := hmac.New(md5.New, key[:])
	mac.Write(header)
	mac.Write(datagram[ihl+AHHeaderLen:])
	copy(icv[:], mac.Sum(nil))
	return icv, nil
}

// VerifyICV reports [ErrBadICV] unless the ICV in datagram's AH header is the
// one [ComputeICV] computes with password. The comparison takes constant time.
func VerifyICV(datagram []byte, password string) error {
	want, err := ComputeICV(datagram, password)
	if err != nil {
		return err
	}
	ihl, _ := ahHeaderOffset(datagram)
	if !hmac.Equal(datagram[ihl+12:ihl+AHHeaderLen], want[:]) {
		return ErrBadICV
	}
	return nil
}

// ahHeaderOffset checks that datagram is IPv4 carrying AH and returns the
// length of its IPv4 header, where the AH header starts.
func ahHeaderOffset(datagram []byte) (int, error) {
	ihl, err := ipv4HeaderLen(datagram)
	if err != nil {
		return 0, err
	}
	if p := datagram[9]; p != ProtocolAH {
		return 0, fmt.Errorf("%w: IP protocol %d is not AH (%d)", ErrNotVRRP, p, ProtocolAH)
	}
	if len(datagram) < ihl+AHHeaderLen {
		return 0, fmt.Errorf("%w: AH header needs %d bytes after the IP header, have %d", ErrTruncated, AHHeaderLen, len(datagram)-ihl)
	}
	return ihl, nil
}

// SequenceCounter is the one AH sequence number keepalived keeps per VRRP
// instance, for what it sends and what it accepts alike: an accepted advert
// raises it to the advert's number, and each advert sent takes the next one.
// So a backup that saw the master's sequence 3 sends 4 when it takes over,
// and a receiver drops any number not greater than the last it accepted.
// The zero value is ready to use: the first advert sent carries 1.
type SequenceCounter struct {
	last uint32
}

// Last is the last sequence number sent or accepted.
func (c *SequenceCounter) Last() uint32 { return c.last }

// Accept raises the counter to seq and reports true if seq is greater than
// the last number; otherwise it reports false (a replay, to be dropped).
func (c *SequenceCounter) Accept(seq uint32) bool {
	if seq <= c.last {
		return false
	}
	c.last = seq
	return true
}

// Next returns the sequence number for the next advert sent. Once the
// counter has reached 0xFFFFFFFE it no longer advances and ok is false:
// keepalived then considers the counter cycled and stops acting as master.
func (c *SequenceCounter) Next() (seq uint32, ok bool) {
	if c.last > math.MaxUint32-2 {
		return c.last, false
	}
	c.last++
	return c.last, true
}
