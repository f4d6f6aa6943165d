package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"testing"
)

// build builds a datagram from node a, failing the test on error.
func build(t *testing.T, opts BuildOptions) []byte {
	t.Helper()
	if !opts.Src.IsValid() {
		opts.Src = nodeA
	}
	if opts.ID == 0 {
		opts.ID = 1
	}
	b, err := BuildPacket(opts)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFilterAccepts(t *testing.T) {
	seq := &SequenceCounter{}
	f := &Filter{Version: 2, VRID: labVRID, Auth: AuthAH, Password: "labPass1", Interval: 1, Unicast: true,
		Addresses: labVIPs, Peers: []netip.Addr{nodeA}, Sequence: seq}
	for _, n := range []uint32{1, 2, 7} {
		d := build(t, BuildOptions{Dst: nodeB, Advert: labAdvert(2, 1), Auth: AuthAH, Password: "labPass1", Sequence: n})
		p, err := f.Accept(d)
		if err != nil {
			t.Fatalf("sequence %d: %v", n, err)
		}
		if p.AH.Sequence != n || seq.Last() != n {
			t.Errorf("sequence %d: packet says %d, counter %d", n, p.AH.Sequence, seq.Last())
		}
	}
	// Unicast adverts are not TTL-checked (keepalived).
	d := build(t, BuildOptions{Dst: nodeB, TTL: 64, Advert: labAdvert(2, 1), Auth: AuthAH, Password: "labPass1", Sequence: 8})
	if _, err := f.Accept(d); err != nil {
		t.Errorf("unicast advert with TTL 64: %v", err)
	}
	// Version 3 adverts are not interval-checked: the backup adopts the master's.
	f3 := &Filter{Version: 3, VRID: labVRID, Interval: 1}
	if _, err := f3.Accept(build(t, BuildOptions{Dst: MulticastGroup, Advert: labAdvert(3, 37)})); err != nil {
		t.Errorf("v3 advert with another interval: %v", err)
	}
	// Addresses nil skips the address checks; the order does not matter.
	fNoAddr := &Filter{Version: 3, VRID: labVRID}
	if _, err := fNoAddr.Accept(build(t, BuildOptions{Dst: MulticastGroup, Advert: Advert{Version: 3, VRID: labVRID, Interval: 100}})); err != nil {
		t.Errorf("advert without addresses, no address check: %v", err)
	}
	fOrder := &Filter{Version: 3, VRID: labVRID, Addresses: []netip.Addr{labVIPs[1], labVIPs[0]}}
	if _, err := fOrder.Accept(build(t, BuildOptions{Dst: MulticastGroup, Advert: labAdvert(3, 100)})); err != nil {
		t.Errorf("addresses in another order: %v", err)
	}
}

func TestFilterDropReasons(t *testing.T) {
	none := func() *Filter {
		return &Filter{Version: 2, VRID: labVRID, Interval: 1, Addresses: labVIPs}
	}
	pass := func() *Filter { f := none(); f.Auth, f.Password = AuthSimple, "labPass1"; return f }
	ah := func() *Filter { f := none(); f.Auth, f.Password = AuthAH, "labPass1"; return f }
	seen := func(n uint32) *Filter { f := ah(); f.Sequence = &SequenceCounter{}; f.Sequence.Accept(n); return f }
	unicast := func() *Filter { f := none(); f.Unicast, f.Peers = true, []netip.Addr{nodeB}; return f }
	v2 := BuildOptions{Dst: MulticastGroup, Advert: labAdvert(2, 1)}
	with := func(o BuildOptions, modify func(*BuildOptions)) BuildOptions { modify(&o); return o }
	ahOpts := with(v2, func(o *BuildOptions) { o.Auth, o.Password, o.Sequence = AuthAH, "labPass1", 5 })

	tests := []struct {
		name     string
		filter   *Filter
		datagram func(t *testing.T) []byte
		want     DropReason
	}{
		{"truncated", none(), func(t *testing.T) []byte { return build(t, v2)[:30] }, DropTruncated},
		{"length", none(), func(t *testing.T) []byte { return append(build(t, v2), 0) }, DropLength},
		{"ip-header", none(), func(t *testing.T) []byte { b := build(t, v2); b[0] = 0x44; return b }, DropIPHeader},
		{"protocol", none(), func(t *testing.T) []byte { b := build(t, v2); b[9] = 17; return b }, DropProtocol},
		{"type", none(), func(t *testing.T) []byte { b := build(t, v2); b[20] = 0x22; return b }, DropType},
		{"checksum", none(), func(t *testing.T) []byte { b := build(t, v2); b[27] ^= 0xff; return b }, DropChecksum},
		{"vrid", none(), func(t *testing.T) []byte {
			return build(t, with(v2, func(o *BuildOptions) { o.Advert.VRID = 51 }))
		}, DropVRID},
		{"auth-type: AH received, none expected", none(), func(t *testing.T) []byte { return build(t, ahOpts) }, DropAuthType},
		{"auth-type: no AH, AH expected", ah(), func(t *testing.T) []byte { return build(t, v2) }, DropAuthType},
		{"auth-type: PASS received, none expected", none(), func(t *testing.T) []byte {
			return build(t, with(v2, func(o *BuildOptions) { o.Auth, o.Password = AuthSimple, "labPass1" }))
		}, DropAuthType},
		{"auth-type: invalid type 3", none(), func(t *testing.T) []byte {
			b := build(t, v2)
			b[24] = 3
			return fixChecksum(t, b) // only the auth type is wrong
		}, DropAuthType},
		{"ttl", none(), func(t *testing.T) []byte { return build(t, with(v2, func(o *BuildOptions) { o.TTL = 254 })) }, DropTTL},
		{"version", none(), func(t *testing.T) []byte { return build(t, with(v2, func(o *BuildOptions) { o.Advert.Version = 3 })) }, DropVersion},
		{"auth-password", pass(), func(t *testing.T) []byte {
			return build(t, with(v2, func(o *BuildOptions) { o.Auth, o.Password = AuthSimple, "labPass2" }))
		}, DropAuthPassword},
		{"ah-icv", ah(), func(t *testing.T) []byte {
			return build(t, with(ahOpts, func(o *BuildOptions) { o.Password = "wrong" }))
		}, DropAHICV},
		{"ah-icv: TTL changed in multicast", ah(), func(t *testing.T) []byte {
			return build(t, with(ahOpts, func(o *BuildOptions) { o.TTL = 254 }))
		}, DropTTL},
		{"ah-spi", ah(), func(t *testing.T) []byte { return spoofSPI(t, build(t, ahOpts)) }, DropAHSPI},
		{"ah-sequence: replay", seen(5), func(t *testing.T) []byte { return build(t, ahOpts) }, DropAHSequence},
		{"ah-sequence: older", seen(9), func(t *testing.T) []byte { return build(t, ahOpts) }, DropAHSequence},
		{"interval", none(), func(t *testing.T) []byte { return build(t, with(v2, func(o *BuildOptions) { o.Advert.Interval = 2 })) }, DropInterval},
		{"address-count", none(), func(t *testing.T) []byte {
			return build(t, with(v2, func(o *BuildOptions) { o.Advert.Addresses = labVIPs[:1] }))
		}, DropAddressCount},
		{"address-list", none(), func(t *testing.T) []byte {
			return build(t, with(v2, func(o *BuildOptions) { o.Advert.Addresses = addrs("10.77.0.100", "10.77.0.102") }))
		}, DropAddressList},
		{"destination: unicast received in multicast mode", none(), func(t *testing.T) []byte {
			return build(t, with(v2, func(o *BuildOptions) { o.Dst = nodeB }))
		}, DropDestination},
		{"destination: multicast received in unicast mode", unicast(), func(t *testing.T) []byte { return build(t, v2) }, DropDestination},
		{"unicast-source", unicast(), func(t *testing.T) []byte {
			return build(t, with(v2, func(o *BuildOptions) { o.Src, o.Dst = netip.MustParseAddr("10.77.0.9"), nodeA }))
		}, DropUnicastSource},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tc.filter.Accept(tc.datagram(t))
			if p != nil || err == nil {
				t.Fatalf("Accept = %v, %v; want a drop", p, err)
			}
			var de *DropError
			if !errors.As(err, &de) {
				t.Fatalf("Accept error %T %v is not a *DropError", err, err)
			}
			if de.Reason != tc.want || DropReasonOf(err) != tc.want {
				t.Errorf("reason %q (DropReasonOf %q), want %q; error: %v", de.Reason, DropReasonOf(err), tc.want, err)
			}
		})
	}
}

// fixChecksum recomputes the VRRP checksum of a datagram without AH.
func fixChecksum(t *testing.T, b []byte) []byte {
	t.Helper()
	sum, err := Checksum(b[IPv4HeaderLen:], nodeA, MulticastGroup)
	if err != nil {
		t.Fatal(err)
	}
	binary.BigEndian.PutUint16(b[IPv4HeaderLen+6:], sum)
	return b
}

// spoofSPI rewrites the SPI of an AH datagram and re-signs it, so that only
// the SPI check can fail.
func spoofSPI(t *testing.T, b []byte) []byte {
	t.Helper()
	b[IPv4HeaderLen+7] ^= 0xff
	icv, err := ComputeICV(b, "labPass1")
	if err != nil {
		t.Fatal(err)
	}
	copy(b[IPv4HeaderLen+12:], icv[:])
	return b
}

// TestFilterSequenceRaisedBeforeLaterChecks: as in keepalived, an AH advert
// that passes the ICV, SPI and sequence checks raises the counter even if a
// later check (here the interval) drops it.
func TestFilterSequenceRaisedBeforeLaterChecks(t *testing.T) {
	f := &Filter{Version: 2, VRID: labVRID, Auth: AuthAH, Password: "labPass1", Interval: 2, Sequence: &SequenceCounter{}}
	d := build(t, BuildOptions{Dst: MulticastGroup, Advert: labAdvert(2, 1), Auth: AuthAH, Password: "labPass1", Sequence: 6})
	if _, err := f.Accept(d); DropReasonOf(err) != DropInterval {
		t.Fatalf("Accept = %v, want an interval drop", err)
	}
	if f.Sequence.Last() != 6 {
		t.Errorf("counter %d, want 6", f.Sequence.Last())
	}
}

func TestDropReasonOf(t *testing.T) {
	tests := []struct {
		err  error
		want DropReason
	}{
		{nil, ""},
		{ErrTruncated, DropTruncated},
		{fmt.Errorf("reading: %w", ErrBadChecksum), DropChecksum},
		{ErrBadLength, DropLength},
		{ErrNotIPv4, DropIPHeader},
		{ErrBadIPHeader, DropIPHeader},
		{ErrNotVRRP, DropProtocol},
		{ErrBadAH, DropProtocol},
		{ErrBadVersion, DropVersion},
		{ErrBadType, DropType},
		{ErrBadICV, DropAHICV},
		{ErrBadAuthType, DropAuthType},
		{&DropError{Reason: DropTTL, Err: errors.New("x")}, DropTTL},
		{fmt.Errorf("wrapped: %w", &DropError{Reason: DropVRID, Err: ErrBadChecksum}), DropVRID},
		{errors.New("something else"), DropMalformed},
	}
	for _, tc := range tests {
		if got := DropReasonOf(tc.err); got != tc.want {
			t.Errorf("DropReasonOf(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
	de := &DropError{Reason: DropChecksum, Err: ErrBadChecksum}
	if !errors.Is(de, ErrBadChecksum) || de.Error() != "dropped (checksum): wire: bad VRRP checksum" {
		t.Errorf("DropError: Is = %v, Error = %q", errors.Is(de, ErrBadChecksum), de.Error())
	}
}
