package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The lab the captures come from (testdata/README.md).
var (
	nodeA       = netip.MustParseAddr("10.77.0.1") // priority 150, master first
	nodeB       = netip.MustParseAddr("10.77.0.2") // priority 100, takes over
	labVIPs     = []netip.Addr{netip.MustParseAddr("10.77.0.100"), netip.MustParseAddr("10.77.0.101")}
	labPassword = "labPass1"
)

const labVRID = 42

// captureCase is one keepalived 2.2.7 capture and what it must contain.
type captureCase struct {
	file     string
	version  uint8
	auth     AuthType
	unicast  bool
	interval time.Duration
	adverts  int // VRRP datagrams in the capture
}

var captureCases = []captureCase{
	{"v2-none-multicast.pcap", Version2, AuthNone, false, time.Second, 5},
	{"v2-pass-multicast.pcap", Version2, AuthSimple, false, time.Second, 5},
	{"v2-ah-multicast.pcap", Version2, AuthAH, false, time.Second, 5},
	{"v2-ah-unicast.pcap", Version2, AuthAH, true, time.Second, 5},
	{"v3-multicast-100ms.pcap", Version3, AuthNone, false, 100 * time.Millisecond, 73},
	{"v3-unicast.pcap", Version3, AuthNone, true, time.Second, 5},
}

// peerOf is the node a node's unicast adverts go to.
func peerOf(addr netip.Addr) netip.Addr {
	if addr == nodeA {
		return nodeB
	}
	return nodeA
}

// TestCaptures checks every VRRP datagram of every capture: it decodes,
// its checksum and authentication verify, it says what the README says, and
// it encodes back to the very same bytes.
func TestCaptures(t *testing.T) {
	for _, tc := range captureCases {
		t.Run(tc.file, func(t *testing.T) {
			datagrams := loadCapture(t, tc.file)
			if len(datagrams) != tc.adverts {
				t.Fatalf("%d IPv4 datagrams, want %d", len(datagrams), tc.adverts)
			}
			nextID := map[netip.Addr]uint16{nodeA: 1, nodeB: 1}
			for _, d := range datagrams {
				p, err := ParsePacket(d.Bytes)
				if err != nil {
					t.Fatalf("record %d: ParsePacket: %v", d.Index, err)
				}
				checkCapturedPacket(t, tc, d, p)
				if p.ID != nextID[p.Src] {
					t.Errorf("record %d: IP ID %d from %v, want %d (keepalived counts from 1 per instance)", d.Index, p.ID, p.Src, nextID[p.Src])
				}
				nextID[p.Src]++
				checkGoldenRoundTrip(t, d, p)
			}
		})
	}
}

func checkCapturedPacket(t *testing.T, tc captureCase, d capturedDatagram, p *Packet) {
	t.Helper()
	a := &p.Advert
	if p.Src != nodeA && p.Src != nodeB {
		t.Fatalf("record %d: unexpected source %v", d.Index, p.Src)
	}
	wantDst := MulticastGroup
	if tc.unicast {
		wantDst = peerOf(p.Src)
	}
	wantProto := uint8(ProtocolVRRP)
	if tc.auth == AuthAH {
		wantProto = ProtocolAH
	}
	if p.Dst != wantDst || p.TOS != DefaultTOS || p.TTL != DefaultTTL || p.Fragment != 0 || p.Protocol != wantProto || p.Options != nil {
		t.Errorf("record %d: IP header dst %v tos %#x ttl %d frag %#x proto %d options %x; want dst %v tos 0xc0 ttl 255 frag 0 (no DF) proto %d, no options",
			d.Index, p.Dst, p.TOS, p.TTL, p.Fragment, p.Protocol, p.Options, wantDst, wantProto)
	}
	if p.Unicast() != tc.unicast {
		t.Errorf("record %d: Unicast() = %v", d.Index, p.Unicast())
	}
	if a.Version != tc.version || a.VRID != labVRID || a.AdvertInterval() != tc.interval || !slices.Equal(a.Addresses, labVIPs) {
		t.Errorf("record %d: advert %+v, want version %d VRID %d interval %v addresses %v", d.Index, a, tc.version, labVRID, tc.interval, labVIPs)
	}
	wantPrio := map[netip.Addr]uint8{nodeA: 150, nodeB: 100}[p.Src]
	if a.Priority != wantPrio && !(p.Src == nodeA && a.Priority == 0) {
		t.Errorf("record %d: priority %d from %v, want %d (or 0 when stopping)", d.Index, a.Priority, p.Src, wantPrio)
	}

	vrrp := d.Bytes[IPv4HeaderLen:]
	if p.AH != nil {
		vrrp = vrrp[AHHeaderLen:]
	}
	if err := VerifyChecksum(vrrp, p.Src, p.Dst); err != nil {
		t.Errorf("record %d: %v", d.Index, err)
	}
	if tc.version == Version3 && tc.unicast {
		// keepalived 2.2.7 puts the real peer in the pseudo-header, not 224.0.0.18.
		if err := VerifyChecksum(vrrp, p.Src, MulticastGroup); !errors.Is(err, ErrBadChecksum) {
			t.Errorf("record %d: checksum with 224.0.0.18 as destination: %v, want ErrBadChecksum", d.Index, err)
		}
	}

	switch tc.auth {
	case AuthNone:
		if a.AuthType != AuthNone || a.AuthData != [AuthDataLen]byte{} || p.AH != nil {
			t.Errorf("record %d: auth %v data %q AH %v, want none", d.Index, a.AuthType, a.AuthData, p.AH)
		}
	case AuthSimple:
		if a.AuthType != AuthSimple || a.AuthData != PasswordAuthData(labPassword) || string(a.AuthData[:]) != "labPass1" {
			t.Errorf("record %d: auth %v data %q, want PASS %q", d.Index, a.AuthType, a.AuthData, labPassword)
		}
	case AuthAH:
		checkCapturedAH(t, d, p)
	}
}

func checkCapturedAH(t *testing.T, d capturedDatagram, p *Packet) {
	t.Helper()
	ah := p.AH
	if ah.NextHeader != ProtocolVRRP || ah.PayloadLen != AHPayloadLen || ah.Reserved != 0 {
		t.Errorf("record %d: AH %+v, want next header 112, payload length 4, reserved 0", d.Index, ah)
	}
	if spi := binary.BigEndian.Uint32(p.Src.AsSlice()); ah.SPI != spi {
		t.Errorf("record %d: SPI %#08x, want the sender %v (%#08x)", d.Index, ah.SPI, p.Src, spi)
	}
	if p.Advert.AuthType != AuthAH || p.Advert.AuthData != [AuthDataLen]byte{} {
		t.Errorf("record %d: inner advert auth %v data %x, want AH (2) and zero data", d.Index, p.Advert.AuthType, p.Advert.AuthData)
	}
	icv, err := ComputeICV(d.Bytes, labPassword)
	if err != nil {
		t.Fatalf("record %d: ComputeICV: %v", d.Index, err)
	}
	if icv != ah.ICV {
		t.Errorf("record %d: computed ICV %x, captured %x", d.Index, icv, ah.ICV)
	}
	if err := VerifyICV(d.Bytes, labPassword); err != nil {
		t.Errorf("record %d: VerifyICV: %v", d.Index, err)
	}
	if err := VerifyICV(d.Bytes, "labPass2"); !errors.Is(err, ErrBadICV) {
		t.Errorf("record %d: VerifyICV with a wrong password: %v, want ErrBadICV", d.Index, err)
	}
	// Only the first 8 bytes of the password are the key.
	if err := VerifyICV(d.Bytes, labPassword+"-ignored"); err != nil {
		t.Errorf("record %d: VerifyICV with a longer password: %v", d.Index, err)
	}
	// The TTL is covered in multicast and not in unicast.
	mutated := bytes.Clone(d.Bytes)
	mutated[8] = 64
	err = VerifyICV(mutated, labPassword)
	if p.Unicast() && err != nil {
		t.Errorf("record %d: unicast ICV changed with the TTL: %v", d.Index, err)
	}
	if !p.Unicast() && !errors.Is(err, ErrBadICV) {
		t.Errorf("record %d: multicast ICV did not cover the TTL: %v", d.Index, err)
	}
	// TOS, fragment field and header checksum are not covered.
	mutated = bytes.Clone(d.Bytes)
	mutated[1], mutated[6], mutated[10], mutated[11] = 0, 0x40, 0xde, 0xad
	if err := VerifyICV(mutated, labPassword); err != nil {
		t.Errorf("record %d: ICV changed with TOS/flags/checksum: %v", d.Index, err)
	}
}

// checkGoldenRoundTrip encodes the decoded parts again and rebuilds the whole
// datagram with BuildPacket; all must be the captured bytes.
func checkGoldenRoundTrip(t *testing.T, d capturedDatagram, p *Packet) {
	t.Helper()
	vrrp := d.Bytes[IPv4HeaderLen:]
	if p.AH != nil {
		ah, err := p.AH.MarshalBinary()
		if err != nil {
			t.Fatalf("record %d: AHHeader.MarshalBinary: %v", d.Index, err)
		}
		if diff := cmp.Diff(vrrp[:AHHeaderLen], ah); diff != "" {
			t.Errorf("record %d: AH header (-captured +marshalled):\n%s", d.Index, diff)
		}
		vrrp = vrrp[AHHeaderLen:]
	}
	b, err := p.Advert.MarshalBinary()
	if err != nil {
		t.Fatalf("record %d: Advert.MarshalBinary: %v", d.Index, err)
	}
	if diff := cmp.Diff(vrrp, b); diff != "" {
		t.Errorf("record %d: advert (-captured +marshalled):\n%s", d.Index, diff)
	}

	opts := BuildOptions{Src: p.Src, Dst: p.Dst, ID: p.ID, TTL: p.TTL, Advert: p.Advert, Auth: p.Advert.AuthType}
	opts.Advert.Checksum = 0 // BuildPacket computes it
	if opts.Auth != AuthNone {
		opts.Password = labPassword
	}
	if p.AH != nil {
		opts.Sequence = p.AH.Sequence
	}
	built, err := BuildPacket(opts)
	if err != nil {
		t.Fatalf("record %d: BuildPacket: %v", d.Index, err)
	}
	if diff := cmp.Diff(d.Bytes, built); diff != "" {
		t.Errorf("record %d: BuildPacket (-captured +built):\n%s", d.Index, diff)
	}
}

// TestCaptureSequenceNumbers replays the AH captures through one
// SequenceCounter per node, as keepalived keeps one per instance: every
// number increases, every advert a node receives is accepted, and every
// advert it sends carries the counter's next number — so b, having seen a's
// last number, continues right above it.
func TestCaptureSequenceNumbers(t *testing.T) {
	for _, file := range []string{"v2-ah-multicast.pcap", "v2-ah-unicast.pcap"} {
		t.Run(file, func(t *testing.T) {
			counters := map[netip.Addr]*SequenceCounter{nodeA: {}, nodeB: {}}
			var last uint32
			var lastFromA, firstFromB uint32
			for _, d := range loadCapture(t, file) {
				p, err := ParsePacket(d.Bytes)
				if err != nil {
					t.Fatalf("record %d: %v", d.Index, err)
				}
				seq := p.AH.Sequence
				if seq <= last {
					t.Errorf("record %d: sequence %d does not increase (last %d)", d.Index, seq, last)
				}
				last = seq
				if want, ok := counters[p.Src].Next(); !ok || seq != want {
					t.Errorf("record %d: %v sent sequence %d, its counter says %d", d.Index, p.Src, seq, want)
				}
				if !counters[peerOf(p.Src)].Accept(seq) {
					t.Errorf("record %d: %v's counter refused sequence %d", d.Index, peerOf(p.Src), seq)
				}
				if p.Src == nodeA {
					lastFromA = seq
				} else if firstFromB == 0 {
					firstFromB = seq
				}
			}
			if lastFromA != 3 || firstFromB != 4 {
				t.Errorf("a's last sequence %d, b's first %d; the README says 3 and 4", lastFromA, firstFromB)
			}
		})
	}
}

// TestCaptureFilter runs every captured advert through the receiving node's
// Filter, configured as the capture's keepalived.conf says: all are accepted.
func TestCaptureFilter(t *testing.T) {
	for _, tc := range captureCases {
		t.Run(tc.file, func(t *testing.T) {
			filters := map[netip.Addr]*Filter{}
			for _, node := range []netip.Addr{nodeA, nodeB} {
				f := &Filter{Version: tc.version, VRID: labVRID, Auth: tc.auth, Unicast: tc.unicast, Addresses: labVIPs, Sequence: new(SequenceCounter)}
				if tc.auth != AuthNone {
					f.Password = labPassword
				}
				if tc.version == Version2 {
					f.Interval = uint16(tc.interval / time.Second)
				}
				if tc.unicast {
					f.Peers = []netip.Addr{peerOf(node)}
				}
				filters[node] = f
			}
			for _, d := range loadCapture(t, tc.file) {
				src := netip.AddrFrom4([4]byte(d.Bytes[12:16]))
				if _, err := filters[peerOf(src)].Accept(d.Bytes); err != nil {
					t.Errorf("record %d from %v: %v", d.Index, src, err)
				}
			}
		})
	}
}
