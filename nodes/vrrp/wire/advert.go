package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"time"
)

// VRRP versions.
const (
	Version2 = 2 // RFC 3768
	Version3 = 3 // RFC 5798
)

// TypeAdvertisement is the only VRRP packet type (RFC 3768 §5.3.2,
// RFC 5798 §5.2.2). An [Advert] always has it; decoding rejects any other
// type with [ErrBadType], as keepalived drops it.
const TypeAdvertisement = 1

// Sizes of the fixed parts of a VRRP packet.
const (
	AdvertHeaderLen = 8 // version/type … checksum
	AuthDataLen     = 8 // v2 authentication data
)

// Largest advertisement intervals the fields can carry.
const (
	MaxIntervalV2 = 0xff  // seconds, 8 bits
	MaxIntervalV3 = 0xfff // centiseconds, 12 bits
)

// AuthType is the version 2 authentication type (RFC 3768 §5.3.6, where
// types 1 and 2 were later withdrawn; keepalived still implements them).
type AuthType uint8

// Authentication types.
const (
	AuthNone   AuthType = 0 // no authentication
	AuthSimple AuthType = 1 // keepalived "auth_type PASS": clear text password
	AuthAH     AuthType = 2 // keepalived "auth_type AH": IPsec AH, protocol 51
)

// String names the type the way keepalived.conf spells it.
func (t AuthType) String() string {
	switch t {
	case AuthNone:
		return "none"
	case AuthSimple:
		return "PASS"
	case AuthAH:
		return "AH"
	}
	return fmt.Sprintf("AuthType(%d)", uint8(t))
}

// Advert is a VRRP advertisement, version 2 or 3, for IPv4.
//
// Version 2 (RFC 3768 §5.1):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|Version| Type  | Virtual Rtr ID|   Priority    | Count IP Addrs|
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Auth Type   |   Adver Int   |          Checksum             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                         IP Address (1)                        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                            .  .  .                            |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                         IP Address (n)                        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                     Authentication Data (1)                   |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                     Authentication Data (2)                   |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Version 3 (RFC 5798 §5.1): no authentication, and the interval is 12 bits
// of centiseconds after 4 reserved bits (sent as zero, ignored on receipt):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|Version| Type  | Virtual Rtr ID|   Priority    |Count IPvX Addr|
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|(rsvd) |     Max Adver Int     |          Checksum             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                       IPv4 Address(es) ...                    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The type nibble is always [TypeAdvertisement] and the count is
// len(Addresses), so neither is a field. MarshalBinary writes Checksum as it
// is; [Advert.SetChecksum] or [BuildPacket] compute it.
type Advert struct {
	Version  uint8 // 2 or 3
	VRID     uint8 // virtual router identifier, 1..255
	Priority uint8 // 0 = master stopping, 255 = address owner

	// AuthType is the version 2 authentication type; zero in version 3.
	AuthType AuthType

	// Interval is the advertisement interval in the version's unit:
	// whole seconds (v2) or centiseconds (v3). See [Advert.AdvertInterval].
	Interval uint16

	Checksum  uint16
	Addresses []netip.Addr // IPv4 virtual addresses, at most 255

	// AuthData is the version 2 authentication data: the password for
	// AuthSimple ([PasswordAuthData]), zero otherwise (also with AuthAH).
	// Always zero in version 3.
	AuthData [AuthDataLen]byte
}

// Len is the encoded length of a.
func (a *Advert) Len() int {
	n := AdvertHeaderLen + 4*len(a.Addresses)
	if a.Version == Version2 {
		n += AuthDataLen
	}
	return n
}

// AdvertInterval is the interval as a duration: seconds for version 2,
// centiseconds for version 3.
func (a *Advert) AdvertInterval() time.Duration {
	if a.Version == Version3 {
		return time.Duration(a.Interval) * 10 * time.Millisecond
	}
	return time.Duration(a.Interval) * time.Second
}

// IntervalUnits converts d to the interval field of the given version:
// whole seconds for version 2 and centiseconds for version 3. d must be a
// whole number of units, at least one and no more than the field holds.
func IntervalUnits(version uint8, d time.Duration) (uint16, error) {
	unit, max := time.Second, time.Duration(MaxIntervalV2)
	switch version {
	case Version2:
	case Version3:
		unit, max = 10*time.Millisecond, MaxIntervalV3
	default:
		return 0, fmt.Errorf("%w: %d", ErrBadVersion, version)
	}
	if d < unit || d%unit != 0 || d/unit > max {
		return 0, fmt.Errorf("%w: %v is not a whole number of %v between 1 and %d", ErrBadInterval, d, unit, max)
	}
	return uint16(d / unit), nil
}

// MarshalBinary encodes a in the layout drawn on [Advert].
func (a *Advert) MarshalBinary() ([]byte, error) {
	return a.AppendBinary(make([]byte, 0, a.Len()))
}

// AppendBinary appends the encoding of a to b.
func (a *Advert) AppendBinary(b []byte) ([]byte, error) {
	if err := a.validate(); err != nil {
		return nil, err
	}
	b = append(b, a.Version<<4|TypeAdvertisement, a.VRID, a.Priority, uint8(len(a.Addresses)))
	if a.Version == Version2 {
		b = append(b, uint8(a.AuthType), uint8(a.Interval))
	} else {
		b = binary.BigEndian.AppendUint16(b, a.Interval)
	}
	b = binary.BigEndian.AppendUint16(b, a.Checksum)
	for _, addr := range a.Addresses {
		ip4 := addr.As4()
		b = append(b, ip4[:]...)
	}
	if a.Version == Version2 {
		b = append(b, a.AuthData[:]...)
	}
	return b, nil
}

func (a *Advert) validate() error {
	switch a.Version {
	case Version2:
		if a.Interval > MaxIntervalV2 {
			return fmt.Errorf("%w: %d s in version 2 (at most %d)", ErrBadInterval, a.Interval, MaxIntervalV2)
		}
	case Version3:
		if a.Interval > MaxIntervalV3 {
			return fmt.Errorf("%w: %d cs in version 3 (at most %d)", ErrBadInterval, a.Interval, MaxIntervalV3)
		}
		if a.AuthType != AuthNone || a.AuthData != [AuthDataLen]byte{} {
			return ErrAuthNotSupported
		}
	default:
		return fmt.Errorf("%w: %d", ErrBadVersion, a.Version)
	}
	if len(a.Addresses) > 255 {
		return fmt.Errorf("%w: %d", ErrTooManyAddresses, len(a.Addresses))
	}
	for _, addr := range a.Addresses {
		if !addr.Is4() {
			return fmt.Errorf("%w: %v", ErrBadAddress, addr)
		}
	}
	return nil
}

// UnmarshalBinary decodes a VRRP packet that fills b exactly. Input shorter
// than the count of addresses needs is [ErrTruncated]; longer is
// [ErrBadLength]. The checksum is not verified here: version 3 needs the IP
// addresses for it ([VerifyChecksum], [ParsePacket]).
func (a *Advert) UnmarshalBinary(b []byte) error {
	if len(b) < AdvertHeaderLen {
		return fmt.Errorf("%w: VRRP header needs %d bytes, have %d", ErrTruncated, AdvertHeaderLen, len(b))
	}
	version, typ := b[0]>>4, b[0]&0x0f
	if version != Version2 && version != Version3 {
		return fmt.Errorf("%w: got %d", ErrBadVersion, version)
	}
	if typ != TypeAdvertisement {
		return fmt.Errorf("%w: got %d", ErrBadType, typ)
	}
	count := int(b[3])
	want := AdvertHeaderLen + 4*count
	if version == Version2 {
		want += AuthDataLen
	}
	if len(b) < want {
		return fmt.Errorf("%w: %d addresses need %d bytes, have %d", ErrTruncated, count, want, len(b))
	}
	if len(b) > want {
		return fmt.Errorf("%w: %d addresses need %d bytes, have %d", ErrBadLength, count, want, len(b))
	}

	*a = Advert{Version: version, VRID: b[1], Priority: b[2], Checksum: binary.BigEndian.Uint16(b[6:8])}
	if version == Version2 {
		a.AuthType = AuthType(b[4])
		a.Interval = uint16(b[5])
	} else {
		a.Interval = binary.BigEndian.Uint16(b[4:6]) & MaxIntervalV3
	}
	if count > 0 {
		a.Addresses = make([]netip.Addr, count)
		for i := range a.Addresses {
			a.Addresses[i] = netip.AddrFrom4([4]byte(b[AdvertHeaderLen+4*i:]))
		}
	}
	if version == Version2 {
		copy(a.AuthData[:], b[want-AuthDataLen:])
	}
	return nil
}

// SetChecksum computes and stores a's checksum. src and dst are the IPv4
// addresses of the datagram carrying it, used by version 3 only.
func (a *Advert) SetChecksum(src, dst netip.Addr) error {
	a.Checksum = 0
	b, err := a.MarshalBinary()
	if err != nil {
		return err
	}
	sum, err := Checksum(b, src, dst)
	if err != nil {
		return err
	}
	a.Checksum = sum
	return nil
}
