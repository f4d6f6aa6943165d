package wire

import (
	"errors"
	"fmt"
)

// DropReason says why a received advert was dropped, in a word a daemon can
// count by and show. The reasons follow the checks keepalived 2.2.7 makes
// (vrrp_check_packet) and the counters it keeps.
type DropReason string

// Drop reasons.
const (
	DropTruncated     DropReason = "truncated"      // shorter than its headers or address count
	DropLength        DropReason = "length"         // longer than its address count, or IP length mismatch
	DropIPHeader      DropReason = "ip-header"      // not IPv4, bad header length, a fragment
	DropProtocol      DropReason = "protocol"       // neither VRRP nor AH carrying VRRP
	DropVersion       DropReason = "version"        // VRRP version not 2/3, or not the instance's
	DropType          DropReason = "type"           // not an advertisement
	DropChecksum      DropReason = "checksum"       // VRRP checksum does not verify
	DropTTL           DropReason = "ttl"            // multicast advert with TTL other than 255
	DropVRID          DropReason = "vrid"           // another virtual router's advert
	DropAuthType      DropReason = "auth-type"      // authentication type differs from ours
	DropAuthPassword  DropReason = "auth-password"  // PASS password differs from ours
	DropAHICV         DropReason = "ah-icv"         // AH ICV does not verify (password, mutation)
	DropAHSPI         DropReason = "ah-spi"         // AH SPI is not the sender's address
	DropAHSequence    DropReason = "ah-sequence"    // AH sequence number not above the last one
	DropInterval      DropReason = "interval"       // v2 advert interval differs from ours
	DropAddressCount  DropReason = "address-count"  // number of addresses differs from ours
	DropAddressList   DropReason = "address-list"   // one of our addresses is missing
	DropDestination   DropReason = "destination"    // multicast when we are unicast, or the reverse
	DropUnicastSource DropReason = "unicast-source" // unicast sender is not one of our peers
	DropMalformed     DropReason = "malformed"      // any other decoding error
)

// DropError is the error [Filter.Accept] returns for a packet it drops.
type DropError struct {
	Reason DropReason
	Err    error // the detail
}

func (e *DropError) Error() string { return fmt.Sprintf("dropped (%s): %v", e.Reason, e.Err) }

// Unwrap returns the detail, so errors.Is finds the sentinels.
func (e *DropError) Unwrap() error { return e.Err }

// drop builds a *DropError with a formatted detail.
func drop(reason DropReason, format string, args ...any) *DropError {
	return &DropError{Reason: reason, Err: fmt.Errorf(format, args...)}
}

// sentinelReasons maps each decoding sentinel to the reason a receiver counts.
var sentinelReasons = []struct {
	err    error
	reason DropReason
}{
	{ErrTruncated, DropTruncated},
	{ErrBadLength, DropLength},
	{ErrNotIPv4, DropIPHeader},
	{ErrBadIPHeader, DropIPHeader},
	{ErrNotVRRP, DropProtocol},
	{ErrBadAH, DropProtocol},
	{ErrBadVersion, DropVersion},
	{ErrBadType, DropType},
	{ErrBadChecksum, DropChecksum},
	{ErrBadICV, DropAHICV},
	{ErrBadAuthType, DropAuthType},
}

// DropReasonOf returns the reason carried by err: the Reason of a *DropError
// in its chain, or the reason of the sentinel it wraps. It returns "" for a
// nil error and DropMalformed for an error it does not know.
func DropReasonOf(err error) DropReason {
	if err == nil {
		return ""
	}
	if de, ok := errors.AsType[*DropError](err); ok {
		return de.Reason
	}
	for _, sr := range sentinelReasons {
		if errors.Is(err, sr.err) {
			return sr.reason
		}
	}
	return DropMalformed
}
