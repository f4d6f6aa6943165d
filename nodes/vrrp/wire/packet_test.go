package wire

import (
	"errors"
	"io"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// labAdvert is the advert node a sends in every capture, version 2 or 3.
func labAdvert(version uint8, interval uint16) Advert {
	return Advert{Version: version, VRID: labVRID, Priority: 150, Interval: interval, Addresses: labVIPs}
}

func TestBuildPacketGolden(t *testing.T) {
	tests := []struct {
		name string
		opts BuildOptions
		hex  string
	}{
		{
			name: "capture v2 AH multicast",
			opts: BuildOptions{Src: nodeA, Dst: MulticastGroup, ID: 1, Advert: labAdvert(2, 1), Auth: AuthAH, Password: "labPass1", Sequence: 1},
			hex:  captureAHMulticast,
		},
		{
			name: "capture v2 AH unicast",
			opts: BuildOptions{Src: nodeA, Dst: nodeB, ID: 1, Advert: labAdvert(2, 1), Auth: AuthAH, Password: "labPass1", Sequence: 1},
			hex:  captureAHUnicast,
		},
		{
			name: "capture v2 PASS multicast",
			opts: BuildOptions{Src: nodeA, Dst: MulticastGroup, ID: 1, Advert: labAdvert(2, 1), Auth: AuthSimple, Password: "labPass1"},
			hex: `45c0 002c 0001 0000 ff70 d040 0a4d 0001 e000 0012
			      212a 9602 0101 8f18 0a4d 0064 0a4d 0065 6c61 6250 6173 7331`,
		},
		{
			name: "capture v3 unicast, explicit TTL 255",
			opts: BuildOptions{Src: nodeA, Dst: nodeB, ID: 1, TTL: 255, Advert: labAdvert(3, 100)},
			hex: `45c0 0024 0001 0000 ff70 a60c 0a4d 0001 0a4d 0002
			      312a 9602 0064 0def 0a4d 0064 0a4d 0065`,
		},
		{
			name: "stale auth fields and checksum are replaced",
			opts: BuildOptions{Src: nodeA, Dst: nodeB, ID: 1, Advert: Advert{Version: 3, VRID: labVRID, Priority: 150, Interval: 100, Addresses: labVIPs, Checksum: 0xffff}},
			hex: `45c0 0024 0001 0000 ff70 a60c 0a4d 0001 0a4d 0002
			      312a 9602 0064 0def 0a4d 0064 0a4d 0065`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := BuildPacket(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(unhex(t, tc.hex), got); diff != "" {
				t.Errorf("BuildPacket (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuildPacketErrors(t *testing.T) {
	base := BuildOptions{Src: nodeA, Dst: MulticastGroup, ID: 1, Advert: labAdvert(2, 1)}
	tests := []struct {
		name   string
		modify func(*BuildOptions)
		want   error
	}{
		{"ID 0", func(o *BuildOptions) { o.ID = 0 }, ErrZeroID},
		{"no source", func(o *BuildOptions) { o.Src = netip.Addr{} }, ErrBadAddress},
		{"IPv6 destination", func(o *BuildOptions) { o.Dst = netip.MustParseAddr("ff02::12") }, ErrBadAddress},
		{"v3 with PASS", func(o *BuildOptions) { o.Advert.Version, o.Auth = 3, AuthSimple }, ErrAuthNotSupported},
		{"v3 with AH", func(o *BuildOptions) { o.Advert.Version, o.Auth = 3, AuthAH }, ErrAuthNotSupported},
		{"auth type 3", func(o *BuildOptions) { o.Auth = 3 }, ErrBadAuthType},
		{"bad version", func(o *BuildOptions) { o.Advert.Version = 1 }, ErrBadVersion},
		{"IPv6 VIP", func(o *BuildOptions) { o.Advert.Addresses = addrs("fe80::1") }, ErrBadAddress},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := base
			tc.modify(&opts)
			if _, err := BuildPacket(opts); !errors.Is(err, tc.want) {
				t.Errorf("BuildPacket = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestParsePacketGolden(t *testing.T) {
	p, err := ParsePacket(unhex(t, captureAHUnicast))
	if err != nil {
		t.Fatal(err)
	}
	want := &Packet{
		TOS: 0xc0, ID: 1, TTL: 255, Protocol: ProtocolAH, HeaderChecksum: 0xa629, Src: nodeA, Dst: nodeB,
		AH: &AHHeader{
			NextHeader: ProtocolVRRP, PayloadLen: AHPayloadLen, SPI: 0x0a4d0001, Sequence: 1,
			ICV: [ICVLen]byte{0xc2, 0xff, 0x63, 0x8f, 0x5b, 0x9f, 0x1c, 0xd4, 0xde, 0xa5, 0xfa, 0x3b},
		},
		Advert: Advert{Version: 2, VRID: labVRID, Priority: 150, AuthType: AuthAH, Interval: 1, Checksum: 0x316f, Addresses: labVIPs},
	}
	if diff := cmp.Diff(want, p, cmpAddr); diff != "" {
		t.Errorf("ParsePacket (-want +got):\n%s", diff)
	}
	if !p.Unicast() {
		t.Error("Unicast() = false for a packet to 10.77.0.2")
	}
	b, err := p.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(unhex(t, captureAHUnicast), b); diff != "" {
		t.Errorf("MarshalBinary (-want +got):\n%s", diff)
	}
}

// TestParsePacketOptions: a header with options is read (and re-encoded)
// even though keepalived never sends one.
func TestParsePacketOptions(t *testing.T) {
	p := &Packet{TOS: DefaultTOS, ID: 7, TTL: 255, Protocol: ProtocolVRRP, Src: nodeA, Dst: MulticastGroup,
		Options: []byte{0x94, 0x04, 0x00, 0x00}, Advert: labAdvert(3, 100)}
	if err := p.Advert.SetChecksum(p.Src, p.Dst); err != nil {
		t.Fatal(err)
	}
	b, err := p.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParsePacket(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, back, cmpAddr); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestParsePacketErrors(t *testing.T) {
	v3 := unhex(t, `45c0 0024 0001 0000 ff70 a60c 0a4d 0001 0a4d 0002 312a 9602 0064 0def 0a4d 0064 0a4d 0065`)
	ah := unhex(t, captureAHMulticast)
	with := func(b []byte, i int, v byte) []byte {
		c := append([]byte(nil), b...)
		c[i] = v
		return c
	}
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"19 bytes", v3[:19], ErrTruncated},
		{"IPv6", with(v3, 0, 0x60), ErrNotIPv4},
		{"IHL 4", with(v3, 0, 0x44), ErrBadIPHeader},
		{"IHL 15 beyond the data", with(v3, 0, 0x4f), ErrTruncated},
		{"total length below header", with(with(v3, 2, 0), 3, 10), ErrBadIPHeader},
		{"total length beyond the data", with(v3, 3, 0x25), ErrTruncated},
		{"trailing bytes", append(append([]byte(nil), v3...), 0, 0), ErrBadLength},
		{"more fragments", with(v3, 6, 0x20), ErrBadIPHeader},
		{"fragment offset", with(v3, 7, 0x01), ErrBadIPHeader},
		{"UDP", with(v3, 9, 17), ErrNotVRRP},
		{"AH cut short", with(with(ah[:30], 2, 0), 3, 30), ErrTruncated},
		{"AH next header TCP", with(ah, 20, 6), ErrNotVRRP},
		{"AH payload length 3", with(ah, 21, 3), ErrBadAH},
		{"VRRP header cut", with(with(v3[:24], 2, 0), 3, 24), ErrTruncated},
		{"VRRP version 1", with(v3, 20, 0x11), ErrBadVersion},
		{"VRRP type 0", with(v3, 20, 0x30), ErrBadType},
		{"count 3", with(v3, 23, 3), ErrTruncated},
		{"bad checksum", with(v3, 27, 0xee), ErrBadChecksum},
		{"v3 checksum with another destination", with(v3, 19, 3), ErrBadChecksum},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePacket(tc.b)
			if !errors.Is(err, tc.want) {
				t.Fatalf("ParsePacket = %v, want %v", err, tc.want)
			}
			if tc.want == ErrTruncated && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("%v does not wrap io.ErrUnexpectedEOF", err)
			}
		})
	}
}

func TestPacketMarshalErrors(t *testing.T) {
	good := func() *Packet {
		return &Packet{TOS: DefaultTOS, ID: 1, TTL: 255, Protocol: ProtocolVRRP, Src: nodeA, Dst: MulticastGroup, Advert: labAdvert(3, 100)}
	}
	tests := []struct {
		name   string
		modify func(*Packet)
		want   error
	}{
		{"no destination", func(p *Packet) { p.Dst = netip.Addr{} }, ErrBadAddress},
		{"options of 3 bytes", func(p *Packet) { p.Options = []byte{1, 1, 1} }, ErrBadIPHeader},
		{"options of 44 bytes", func(p *Packet) { p.Options = make([]byte, 44) }, ErrBadIPHeader},
		{"AH header with protocol 112", func(p *Packet) { p.AH = &AHHeader{PayloadLen: AHPayloadLen} }, ErrNotVRRP},
		{"protocol 51 without AH header", func(p *Packet) { p.Protocol = ProtocolAH }, ErrNotVRRP},
		{"protocol 17", func(p *Packet) { p.Protocol = 17 }, ErrNotVRRP},
		{"AH payload length 0", func(p *Packet) { p.Protocol, p.AH = ProtocolAH, &AHHeader{} }, ErrBadAH},
		{"bad advert", func(p *Packet) { p.Advert.Version = 9 }, ErrBadVersion},
	}
	for _, tc := range tests {
		p := good()
		tc.modify(p)
		if _, err := p.MarshalBinary(); !errors.Is(err, tc.want) {
			t.Errorf("%s: MarshalBinary = %v, want %v", tc.name, err, tc.want)
		}
	}
}
