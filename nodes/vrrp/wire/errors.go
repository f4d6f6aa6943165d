package wire

import (
	"errors"
	"fmt"
	"io"
)

// Sentinel errors. The functions of this package wrap them with details, so
// compare with errors.Is; [DropReasonOf] maps each to the [DropReason] a
// receiver counts.
var (
	// ErrTruncated reports input shorter than its headers or its address
	// count need. It wraps io.ErrUnexpectedEOF.
	ErrTruncated = fmt.Errorf("wire: truncated packet: %w", io.ErrUnexpectedEOF)

	// ErrBadLength reports input longer than its address count says, or an
	// IPv4 total length that does not match the datagram.
	ErrBadLength = errors.New("wire: packet length does not match its header")

	// ErrBadVersion reports a VRRP version other than 2 or 3.
	ErrBadVersion = errors.New("wire: VRRP version must be 2 or 3")

	// ErrBadType reports a VRRP packet type other than advertisement (1),
	// the only type RFC 3768 and RFC 5798 define.
	ErrBadType = errors.New("wire: VRRP packet type must be 1 (advertisement)")

	// ErrBadChecksum reports a VRRP checksum that does not verify.
	ErrBadChecksum = errors.New("wire: bad VRRP checksum")

	// ErrBadInterval reports an advertisement interval that does not fit its
	// field: 8 bits of seconds (v2) or 12 bits of centiseconds (v3).
	ErrBadInterval = errors.New("wire: advertisement interval out of range")

	// ErrBadAuthType reports an authentication type other than none (0),
	// simple text (1) or AH (2).
	ErrBadAuthType = errors.New("wire: unknown authentication type")

	// ErrBadAddress reports an address that is not IPv4.
	ErrBadAddress = errors.New("wire: address is not IPv4")

	// ErrTooManyAddresses reports more than 255 addresses, the most the
	// one-byte count field can hold.
	ErrTooManyAddresses = errors.New("wire: more than 255 addresses")

	// ErrAuthNotSupported reports authentication asked of VRRP version 3,
	// which has none (keepalived ignores authentication with version 3).
	ErrAuthNotSupported = errors.New("wire: VRRP version 3 carries no authentication")

	// ErrNotIPv4 reports an IP header whose version is not 4.
	ErrNotIPv4 = errors.New("wire: not an IPv4 datagram")

	// ErrBadIPHeader reports an IPv4 header VRRP cannot use: a header length
	// below 20 bytes, or a fragment.
	ErrBadIPHeader = errors.New("wire: unusable IPv4 header")

	// ErrNotVRRP reports an IP protocol that is neither VRRP (112) nor AH
	// (51) carrying VRRP.
	ErrNotVRRP = errors.New("wire: not a VRRP packet")

	// ErrBadAH reports an AH header keepalived would not have sent: a payload
	// length other than 4 (a 24-byte header with a 96-bit ICV).
	ErrBadAH = errors.New("wire: malformed AH header")

	// ErrBadICV reports an AH integrity check value that does not verify:
	// a wrong password, or a header changed in flight.
	ErrBadICV = errors.New("wire: AH ICV does not verify")

	// ErrZeroID reports an IPv4 identification of 0. With IP_HDRINCL the
	// kernel replaces a zero identification after the AH ICV was computed
	// over it, so keepalived counts from 1 and skips 0 when it wraps.
	ErrZeroID = errors.New("wire: IPv4 identification must not be 0")
)
