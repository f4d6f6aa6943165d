package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// Packet is a VRRP advertisement with the IPv4 header (and, for keepalived's
// "auth_type AH", the AH header) that carried it.
type Packet struct {
	TOS            uint8
	ID             uint16 // identification
	Fragment       uint16 // flags and fragment offset; keepalived sends 0 (no DF)
	TTL            uint8
	Protocol       uint8 // ProtocolVRRP or ProtocolAH
	HeaderChecksum uint16
	Src, Dst       netip.Addr
	Options        []byte // IPv4 options; keepalived sends none

	AH     *AHHeader // non-nil when Protocol is ProtocolAH
	Advert Advert
}

// Unicast reports whether the packet was sent to a unicast peer rather than
// to a multicast group: keepalived's unicast mode, in which TTL is neither
// checked nor covered by the AH ICV.
func (p *Packet) Unicast() bool { return !p.Dst.IsMulticast() }

// ParsePacket decodes an IPv4 datagram carrying a VRRP advertisement, as a raw
// socket for protocol 112 or 51 delivers it (header included). It checks what
// can be checked without a configuration: the IPv4 header, the AH header's
// shape, the advert's version, type and length, and its checksum (with the
// pseudo-header for version 3). The ICV and everything that depends on the
// receiving instance is [Filter]'s job. ParsePacket keeps no reference to b.
func ParsePacket(b []byte) (*Packet, error) {
	ihl, err := ipv4HeaderLen(b)
	if err != nil {
		return nil, err
	}
	total := int(binary.BigEndian.Uint16(b[2:4]))
	switch {
	case total < ihl:
		return nil, fmt.Errorf("%w: total length %d is shorter than the %d-byte header", ErrBadIPHeader, total, ihl)
	case total > len(b):
		return nil, fmt.Errorf("%w: IPv4 total length %d, have %d bytes", ErrTruncated, total, len(b))
	case total < len(b):
		return nil, fmt.Errorf("%w: IPv4 total length %d, have %d bytes", ErrBadLength, total, len(b))
	}
	p := &Packet{
		TOS:            b[1],
		ID:             binary.BigEndian.Uint16(b[4:6]),
		Fragment:       binary.BigEndian.Uint16(b[6:8]),
		TTL:            b[8],
		Protocol:       b[9],
		HeaderChecksum: binary.BigEndian.Uint16(b[10:12]),
		Src:            netip.AddrFrom4([4]byte(b[12:16])),
		Dst:            dstAddr(b),
	}
	if p.Fragment&0x3fff != 0 { // MF flag or an offset: a fragment
		return nil, fmt.Errorf("%w: fragment (flags and offset %#04x)", ErrBadIPHeader, p.Fragment)
	}
	if ihl > IPv4HeaderLen {
		p.Options = append([]byte(nil), b[IPv4HeaderLen:ihl]...)
	}

	payload := b[ihl:]
	switch p.Protocol {
	case ProtocolVRRP:
	case ProtocolAH:
		if len(payload) < AHHeaderLen {
			return nil, fmt.Errorf("%w: AH header needs %d bytes, have %d", ErrTruncated, AHHeaderLen, len(payload))
		}
		p.AH = new(AHHeader)
		if err := p.AH.UnmarshalBinary(payload[:AHHeaderLen]); err != nil {
			return nil, err
		}
		if p.AH.NextHeader != ProtocolVRRP {
			return nil, fmt.Errorf("%w: AH next header %d", ErrNotVRRP, p.AH.NextHeader)
		}
		payload = payload[AHHeaderLen:]
	default:
		return nil, fmt.Errorf("%w: IP protocol %d", ErrNotVRRP, p.Protocol)
	}
	if err := p.Advert.UnmarshalBinary(payload); err != nil {
		return nil, err
	}
	if err := VerifyChecksum(payload, p.Src, p.Dst); err != nil {
		return nil, err
	}
	return p, nil
}

// MarshalBinary encodes p field by field, as [ParsePacket] decoded it: the
// header checksum, the AH header (ICV included) and the advert's checksum are
// written as they are, not computed; [BuildPacket] computes them.
func (p *Packet) MarshalBinary() ([]byte, error) {
	if !p.Src.Is4() || !p.Dst.Is4() {
		return nil, fmt.Errorf("%w: source %v, destination %v", ErrBadAddress, p.Src, p.Dst)
	}
	if len(p.Options)%4 != 0 || len(p.Options) > 40 {
		return nil, fmt.Errorf("%w: %d bytes of options", ErrBadIPHeader, len(p.Options))
	}
	if (p.AH != nil) != (p.Protocol == ProtocolAH) || (p.AH == nil && p.Protocol != ProtocolVRRP) {
		return nil, fmt.Errorf("%w: protocol %d with AH header %v", ErrNotVRRP, p.Protocol, p.AH != nil)
	}
	total := IPv4HeaderLen + len(p.Options) + p.Advert.Len()
	if p.AH != nil {
		total += AHHeaderLen
	}
	b := appendIPv4Header(make([]byte, 0, total), p, total)
	binary.BigEndian.PutUint16(b[10:12], p.HeaderChecksum)
	var err error
	if p.AH != nil {
		if b, err = p.AH.AppendBinary(b); err != nil {
			return nil, err
		}
	}
	return p.Advert.AppendBinary(b)
}

// BuildOptions describe a VRRP advertisement to send with [BuildPacket].
type BuildOptions struct {
	Src, Dst netip.Addr // IPv4; Dst is MulticastGroup or a unicast peer

	// ID is the IPv4 identification. keepalived counts it per instance from
	// 1 and skips 0, which the kernel would replace after the ICV was
	// computed over it. 0 is an error.
	ID uint16

	// TTL is the IPv4 time to live; 0 means DefaultTTL (255).
	TTL uint8

	// Advert is the VRRP packet. BuildPacket sets its AuthType, AuthData and
	// Checksum from the fields below; the rest is sent as it is.
	Advert Advert

	// Auth selects version 2 authentication: AuthSimple puts the password
	// in the authentication data; AuthAH wraps the advert in an AH header
	// signed with it. Version 3 allows AuthNone only.
	Auth     AuthType
	Password string // keepalived auth_pass; the first 8 bytes count

	// Sequence is the AH sequence number (see SequenceCounter.Next).
	Sequence uint32
}

// BuildPacket builds the whole IPv4 datagram keepalived 2.2.7 sends for opts,
// ready for a raw socket with IP_HDRINCL: version 4, IHL 5, TOS 0xc0, the
// given identification, no flags (keepalived does not set DF), TTL 255,
// protocol 112 (or 51 with AH), the header checksum, then the AH header when
// asked (SPI = Src, ICV from [ComputeICV]), then the advert with its checksum.
func BuildPacket(opts BuildOptions) ([]byte, error) {
	if !opts.Src.Is4() || !opts.Dst.Is4() {
		return nil, fmt.Errorf("%w: source %v, destination %v", ErrBadAddress, opts.Src, opts.Dst)
	}
	if opts.ID == 0 {
		return nil, ErrZeroID
	}
	advert := opts.Advert
	advert.AuthType, advert.AuthData = AuthNone, [AuthDataLen]byte{}
	switch {
	case opts.Auth == AuthNone:
	case advert.Version == Version3:
		return nil, fmt.Errorf("%w: asked for %v", ErrAuthNotSupported, opts.Auth)
	case opts.Auth == AuthSimple:
		advert.AuthType, advert.AuthData = AuthSimple, PasswordAuthData(opts.Password)
	case opts.Auth == AuthAH:
		advert.AuthType = AuthAH
	default:
		return nil, fmt.Errorf("%w: %d", ErrBadAuthType, opts.Auth)
	}
	if err := advert.SetChecksum(opts.Src, opts.Dst); err != nil {
		return nil, err
	}

	p := &Packet{TOS: DefaultTOS, ID: opts.ID, TTL: opts.TTL, Protocol: ProtocolVRRP, Src: opts.Src, Dst: opts.Dst}
	if p.TTL == 0 {
		p.TTL = DefaultTTL
	}
	total := IPv4HeaderLen + advert.Len()
	if opts.Auth == AuthAH {
		p.Protocol = ProtocolAH
		p.AH = &AHHeader{
			NextHeader: ProtocolVRRP,
			PayloadLen: AHPayloadLen,
			SPI:        binary.BigEndian.Uint32(opts.Src.AsSlice()),
			Sequence:   opts.Sequence,
		}
		total += AHHeaderLen
	}

	b := appendIPv4Header(make([]byte, 0, total), p, total)
	var err error
	if p.AH != nil {
		if b, err = p.AH.AppendBinary(b); err != nil {
			return nil, err
		}
	}
	if b, err = advert.AppendBinary(b); err != nil {
		return nil, err
	}
	if p.AH != nil {
		icv, err := ComputeICV(b, opts.Password)
		if err != nil {
			return nil, err
		}
		copy(b[IPv4HeaderLen+12:], icv[:])
	}
	return b, nil
}
