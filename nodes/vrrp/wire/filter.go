package wire

import (
	"crypto/subtle"
	"encoding/binary"
	"net/netip"
	"slices"
)

// Filter is what a VRRP instance expects of the adverts it receives, and
// [Filter.Accept] applies keepalived 2.2.7's receive checks with it.
type Filter struct {
	Version uint8 // the instance's VRRP version
	VRID    uint8

	// Auth and Password are the instance's version 2 authentication
	// (keepalived auth_type and auth_pass).
	Auth     AuthType
	Password string

	// Interval is the instance's advert interval in seconds. Version 2
	// adverts with another interval are dropped; version 3 ones are not
	// (a version 3 backup adopts the master's interval).
	Interval uint16

	// Unicast is keepalived's unicast mode (unicast peers configured): TTL
	// is not checked, and multicast adverts are dropped. Without it,
	// unicast adverts are dropped and the TTL must be 255.
	Unicast bool

	// Addresses are the instance's virtual addresses. When non-nil, an
	// advert must carry as many and each of them; nil skips the check
	// (keepalived skip_check_adv_addr).
	Addresses []netip.Addr

	// Peers, when non-nil in unicast mode, are the only senders accepted
	// (keepalived check_unicast_src).
	Peers []netip.Addr

	// Sequence is the instance's AH sequence counter, shared with its
	// sender. Accept raises it to each accepted AH sequence number and
	// drops numbers not above it. Nil skips the replay check.
	Sequence *SequenceCounter
}

// Accept decodes datagram (an IPv4 datagram as a raw socket delivers it) and
// checks it against f in keepalived's order. It returns the packet, or a
// *DropError whose Reason says why keepalived would have dropped it.
// As in keepalived, the AH sequence counter is raised as soon as the ICV, SPI
// and sequence checks pass, even if a later check drops the advert.
func (f *Filter) Accept(datagram []byte) (*Packet, error) {
	p, err := ParsePacket(datagram)
	if err != nil {
		return nil, &DropError{Reason: DropReasonOf(err), Err: err}
	}
	a := &p.Advert
	if a.VRID != f.VRID {
		return nil, drop(DropVRID, "advert for VRID %d, ours is %d", a.VRID, f.VRID)
	}
	if hasAH, wantAH := p.AH != nil, f.Auth == AuthAH; hasAH != wantAH {
		if hasAH {
			return nil, drop(DropAuthType, "received AH header but auth type is not AH")
		}
		return nil, drop(DropAuthType, "no AH header but auth type is AH")
	}
	if !f.Unicast && p.TTL != DefaultTTL {
		return nil, drop(DropTTL, "TTL %d, multicast adverts must have %d", p.TTL, DefaultTTL)
	}
	if a.Version != f.Version {
		return nil, drop(DropVersion, "version %d, ours is %d", a.Version, f.Version)
	}
	if a.Version == Version2 {
		if err := f.checkAuth(p, datagram); err != nil {
			return nil, err
		}
		if a.Interval != f.Interval {
			return nil, drop(DropInterval, "advert interval %d s, ours is %d s", a.Interval, f.Interval)
		}
	}
	if f.Addresses != nil && len(a.Addresses) != len(f.Addresses) {
		return nil, drop(DropAddressCount, "%d addresses, we have %d", len(a.Addresses), len(f.Addresses))
	}
	if p.Unicast() != f.Unicast {
		if f.Unicast {
			return nil, drop(DropDestination, "expected unicast advert, got one sent to %v", p.Dst)
		}
		return nil, drop(DropDestination, "expected multicast advert, got one sent to %v", p.Dst)
	}
	for _, addr := range f.Addresses {
		if !slices.Contains(a.Addresses, addr) {
			return nil, drop(DropAddressList, "our address %v is not in the advert", addr)
		}
	}
	if f.Unicast && f.Peers != nil && !slices.Contains(f.Peers, p.Src) {
		return nil, drop(DropUnicastSource, "sender %v is not one of our unicast peers", p.Src)
	}
	return p, nil
}

// checkAuth makes keepalived's version 2 authentication checks.
func (f *Filter) checkAuth(p *Packet, datagram []byte) error {
	a := &p.Advert
	if a.AuthType > AuthAH {
		return drop(DropAuthType, "invalid auth type %d", a.AuthType)
	}
	if a.AuthType != f.Auth {
		return drop(DropAuthType, "received %v auth, expecting %v", a.AuthType, f.Auth)
	}
	switch f.Auth {
	case AuthSimple:
		want := PasswordAuthData(f.Password)
		if subtle.ConstantTimeCompare(a.AuthData[:], want[:]) != 1 {
			return drop(DropAuthPassword, "received an invalid password")
		}
	case AuthAH:
		if err := VerifyICV(datagram, f.Password); err != nil {
			return &DropError{Reason: DropAHICV, Err: err}
		}
		if p.AH.SPI != binary.BigEndian.Uint32(p.Src.AsSlice()) {
			return drop(DropAHSPI, "SPI %#08x is not the sender %v", p.AH.SPI, p.Src)
		}
		if f.Sequence != nil && !f.Sequence.Accept(p.AH.Sequence) {
			return drop(DropAHSequence, "sequence number %d already processed (last %d)", p.AH.Sequence, f.Sequence.Last())
		}
	}
	return nil
}
