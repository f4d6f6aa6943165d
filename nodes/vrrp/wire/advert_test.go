package wire

import (
	"encoding/hex"
	"errors"
	"io"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// cmpAddr lets cmp compare netip.Addr values.
var cmpAddr = cmpopts.EquateComparable(netip.Addr{})

// unhex decodes hex written with spaces for readability.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func addrs(ss ...string) []netip.Addr {
	out := make([]netip.Addr, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParseAddr(s)
	}
	return out
}

// advertGoldens are adverts with their exact bytes; those marked "capture"
// are copied from the keepalived 2.2.7 captures.
var advertGoldens = []struct {
	name   string
	advert Advert
	hex    string
}{
	{
		name:   "capture v2 none, a priority 150",
		advert: Advert{Version: 2, VRID: 42, Priority: 150, Interval: 1, Checksum: 0x336f, Addresses: addrs("10.77.0.100", "10.77.0.101")},
		hex:    "212a9602 0001336f 0a4d0064 0a4d0065 00000000 00000000",
	},
	{
		name:   "capture v2 PASS labPass1",
		advert: Advert{Version: 2, VRID: 42, Priority: 150, AuthType: AuthSimple, Interval: 1, Checksum: 0x8f18, Addresses: addrs("10.77.0.100", "10.77.0.101"), AuthData: PasswordAuthData("labPass1")},
		hex:    "212a9602 01018f18 0a4d0064 0a4d0065 6c616250 61737331",
	},
	{
		name:   "capture v2 inside AH, a stopping (priority 0)",
		advert: Advert{Version: 2, VRID: 42, Priority: 0, AuthType: AuthAH, Interval: 1, Checksum: 0xc76f, Addresses: addrs("10.77.0.100", "10.77.0.101")},
		hex:    "212a0002 0201c76f 0a4d0064 0a4d0065 00000000 00000000",
	},
	{
		name:   "capture v3 multicast 10 cs",
		advert: Advert{Version: 3, VRID: 42, Priority: 150, Interval: 10, Checksum: 0x3885, Addresses: addrs("10.77.0.100", "10.77.0.101")},
		hex:    "312a9602 000a3885 0a4d0064 0a4d0065",
	},
	{
		name:   "capture v3 unicast 100 cs",
		advert: Advert{Version: 3, VRID: 42, Priority: 150, Interval: 100, Checksum: 0x0def, Addresses: addrs("10.77.0.100", "10.77.0.101")},
		hex:    "312a9602 00640def 0a4d0064 0a4d0065",
	},
	{
		name:   "v3 largest interval, no addresses, owner",
		advert: Advert{Version: 3, VRID: 255, Priority: 255, Interval: MaxIntervalV3, Checksum: 0xbeef},
		hex:    "31ffff00 0fffbeef",
	},
	{
		name:   "v2 largest interval, no addresses",
		advert: Advert{Version: 2, VRID: 1, Priority: 100, Interval: MaxIntervalV2},
		hex:    "21016400 00ff0000 00000000 00000000",
	},
}

func TestAdvertGolden(t *testing.T) {
	for _, tc := range advertGoldens {
		t.Run(tc.name, func(t *testing.T) {
			want := unhex(t, tc.hex)
			got, err := tc.advert.MarshalBinary()
			if err != nil {
				t.Fatalf("MarshalBinary: %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("MarshalBinary (-want +got):\n%s", diff)
			}
			if n := tc.advert.Len(); n != len(want) {
				t.Errorf("Len = %d, want %d", n, len(want))
			}
			var back Advert
			if err := back.UnmarshalBinary(want); err != nil {
				t.Fatalf("UnmarshalBinary: %v", err)
			}
			if diff := cmp.Diff(tc.advert, back, cmpAddr); diff != "" {
				t.Errorf("UnmarshalBinary (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAdvertV3ReservedBitsIgnored: RFC 5798 says the 4 reserved bits are
// ignored on receipt; they are sent as zero.
func TestAdvertV3ReservedBitsIgnored(t *testing.T) {
	var a Advert
	if err := a.UnmarshalBinary(unhex(t, "312a9602 f00a3885 0a4d0064 0a4d0065")); err != nil {
		t.Fatal(err)
	}
	if a.Interval != 10 {
		t.Errorf("Interval = %d, want 10", a.Interval)
	}
	b, _ := a.MarshalBinary()
	if b[4] != 0 {
		t.Errorf("reserved bits sent as %#x, want 0", b[4]>>4)
	}
}

func TestAdvertUnmarshalErrors(t *testing.T) {
	tests := []struct {
		name string
		hex  string
		want error
	}{
		{"empty", "", ErrTruncated},
		{"short header", "212a9602 0001", ErrTruncated},
		{"version 1", "112a9602 0001336f 0a4d0064 0a4d0065 00000000 00000000", ErrBadVersion},
		{"version 4", "412a9602 000a3885 0a4d0064 0a4d0065", ErrBadVersion},
		{"type 2", "222a9602 0001336f 0a4d0064 0a4d0065 00000000 00000000", ErrBadType},
		{"count 3, two addresses", "212a9603 0001336f 0a4d0064 0a4d0065 00000000 00000000", ErrTruncated},
		{"v2 without auth data", "212a9602 0001336f 0a4d0064 0a4d0065", ErrTruncated},
		{"count 1, two addresses", "312a9601 000a3885 0a4d0064 0a4d0065", ErrBadLength},
		{"trailing byte", "312a9602 000a3885 0a4d0064 0a4d0065 00", ErrBadLength},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var a Advert
			err := a.UnmarshalBinary(unhex(t, tc.hex))
			if !errors.Is(err, tc.want) {
				t.Fatalf("UnmarshalBinary = %v, want %v", err, tc.want)
			}
			if tc.want == ErrTruncated && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("%v does not wrap io.ErrUnexpectedEOF", err)
			}
		})
	}
}

func TestAdvertMarshalErrors(t *testing.T) {
	tooMany := make([]netip.Addr, 256)
	for i := range tooMany {
		tooMany[i] = netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)})
	}
	tests := []struct {
		name   string
		advert Advert
		want   error
	}{
		{"version 0", Advert{VRID: 1}, ErrBadVersion},
		{"version 4", Advert{Version: 4, VRID: 1}, ErrBadVersion},
		{"v2 interval 256 s", Advert{Version: 2, Interval: 256}, ErrBadInterval},
		{"v3 interval 4096 cs", Advert{Version: 3, Interval: 4096}, ErrBadInterval},
		{"v3 with auth type", Advert{Version: 3, Interval: 100, AuthType: AuthSimple}, ErrAuthNotSupported},
		{"v3 with auth data", Advert{Version: 3, Interval: 100, AuthData: PasswordAuthData("x")}, ErrAuthNotSupported},
		{"IPv6 address", Advert{Version: 3, Interval: 100, Addresses: addrs("fe80::1")}, ErrBadAddress},
		{"zero address", Advert{Version: 2, Interval: 1, Addresses: []netip.Addr{{}}}, ErrBadAddress},
		{"256 addresses", Advert{Version: 2, Interval: 1, Addresses: tooMany}, ErrTooManyAddresses},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.advert.MarshalBinary(); !errors.Is(err, tc.want) {
				t.Errorf("MarshalBinary = %v, want %v", err, tc.want)
			}
			if err := tc.advert.SetChecksum(nodeA, MulticastGroup); !errors.Is(err, tc.want) {
				t.Errorf("SetChecksum = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestAdvertInterval(t *testing.T) {
	tests := []struct {
		version uint8
		d       time.Duration
		units   uint16
		err     error
	}{
		{2, time.Second, 1, nil},
		{2, 255 * time.Second, 255, nil},
		{2, 256 * time.Second, 0, ErrBadInterval},
		{2, 1500 * time.Millisecond, 0, ErrBadInterval},
		{2, 0, 0, ErrBadInterval},
		{3, 100 * time.Millisecond, 10, nil},
		{3, time.Second, 100, nil},
		{3, 40950 * time.Millisecond, 4095, nil},
		{3, 40960 * time.Millisecond, 0, ErrBadInterval},
		{3, 15 * time.Millisecond, 0, ErrBadInterval},
		{3, 5 * time.Millisecond, 0, ErrBadInterval},
		{4, time.Second, 0, ErrBadVersion},
	}
	for _, tc := range tests {
		units, err := IntervalUnits(tc.version, tc.d)
		if units != tc.units || !errors.Is(err, tc.err) {
			t.Errorf("IntervalUnits(%d, %v) = %d, %v; want %d, %v", tc.version, tc.d, units, err, tc.units, tc.err)
			continue
		}
		if err != nil {
			continue
		}
		a := Advert{Version: tc.version, Interval: units}
		if got := a.AdvertInterval(); got != tc.d {
			t.Errorf("AdvertInterval of %d units in v%d = %v, want %v", units, tc.version, got, tc.d)
		}
	}
}

func TestAuthTypeString(t *testing.T) {
	for typ, want := range map[AuthType]string{AuthNone: "none", AuthSimple: "PASS", AuthAH: "AH", 7: "AuthType(7)"} {
		if got := typ.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", uint8(typ), got, want)
		}
	}
}

func TestPasswordAuthData(t *testing.T) {
	tests := map[string]string{
		"":           "0000000000000000",
		"labPass1":   "6c61625061737331",
		"secret":     "7365637265740000", // zero padded
		"myP@ssword": "6d7950407373776f", // keepalived truncates to 8: myP@sswo
	}
	for pw, want := range tests {
		got := PasswordAuthData(pw)
		if hex.EncodeToString(got[:]) != want {
			t.Errorf("PasswordAuthData(%q) = %x, want %s", pw, got, want)
		}
	}
}
