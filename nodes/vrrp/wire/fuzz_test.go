package wire

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/halab/halab/internal/fuzzseed"
)

// addCaptureSeeds adds every VRRP datagram of every capture to f, passed
// through pick (which may return nil to skip one): the captures committed
// in testdata, and those of the shared folder when it is there (it may
// hold newer keepalived captures than the repository).
func addCaptureSeeds(f *testing.F, pick func([]byte) []byte) {
	add := func(datagrams []capturedDatagram) {
		for _, d := range datagrams {
			if len(d.Bytes) < IPv4HeaderLen || d.Bytes[9] != ProtocolVRRP && d.Bytes[9] != ProtocolAH {
				continue
			}
			if b := pick(d.Bytes); b != nil {
				f.Add(b)
			}
		}
	}
	for _, tc := range captureCases {
		add(loadCapture(f, tc.file))
	}
	for i, b := range fuzzseed.Shared(f, "testdata/keepalived/*.pcap") {
		datagrams, err := readPcap(b)
		if err != nil {
			f.Fatalf("shared capture %d: %v", i, err)
		}
		add(datagrams)
	}
}

// vrrpPayload is the VRRP packet inside a captured datagram.
func vrrpPayload(datagram []byte) []byte {
	b := datagram[IPv4HeaderLen:]
	if datagram[9] == ProtocolAH {
		b = b[AHHeaderLen:]
	}
	return b
}

// clearV3Reserved returns b with the reserved bits of a version 3 advert
// starting at off cleared: they are ignored on receipt and sent as zero.
func clearV3Reserved(b []byte, off int) []byte {
	if len(b) > off+4 && b[off]>>4 == Version3 {
		b = bytes.Clone(b)
		b[off+4] &= 0x0f
	}
	return b
}

func FuzzParsePacket(f *testing.F) {
	addCaptureSeeds(f, func(b []byte) []byte { return b })
	f.Add([]byte{})
	f.Add([]byte{0x45})
	filters := []*Filter{
		{Version: 2, VRID: labVRID, Auth: AuthAH, Password: labPassword, Interval: 1, Addresses: labVIPs, Sequence: new(SequenceCounter)},
		{Version: 2, VRID: labVRID, Auth: AuthSimple, Password: labPassword, Interval: 1, Unicast: true, Peers: []netip.Addr{nodeA}},
		{Version: 3, VRID: labVRID},
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, filter := range filters {
			_, _ = filter.Accept(b) // must not panic
		}
		_, _ = ComputeICV(b, labPassword)
		p, err := ParsePacket(b)
		if err != nil {
			if p != nil {
				t.Fatalf("ParsePacket returned a packet with error %v", err)
			}
			return
		}
		m, err := p.MarshalBinary()
		if err != nil {
			t.Fatalf("MarshalBinary of a parsed packet: %v", err)
		}
		ihl := int(b[0]&0x0f) * 4
		advertOff := ihl
		if p.AH != nil {
			advertOff += AHHeaderLen
		}
		want := clearV3Reserved(b, advertOff)
		if diff := cmp.Diff(want, m); diff != "" {
			t.Fatalf("re-encoded packet differs (-input +encoded):\n%s", diff)
		}
		if !bytes.Equal(want, b) {
			return // the cleared reserved bits were under the checksum
		}
		back, err := ParsePacket(m)
		if err != nil {
			t.Fatalf("ParsePacket of the re-encoded packet: %v", err)
		}
		if diff := cmp.Diff(p, back, cmpAddr); diff != "" {
			t.Fatalf("round trip is not stable (-first +second):\n%s", diff)
		}
	})
}

func FuzzAdvertRoundTrip(f *testing.F) {
	addCaptureSeeds(f, vrrpPayload)
	f.Add([]byte{0x31, 1, 100, 0, 0x0f, 0xff, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = Checksum(b, nodeA, MulticastGroup)
		_ = VerifyChecksum(b, nodeA, nodeB)
		var a Advert
		if err := a.UnmarshalBinary(b); err != nil {
			return
		}
		m, err := a.MarshalBinary()
		if err != nil {
			t.Fatalf("MarshalBinary of a decoded advert: %v", err)
		}
		if diff := cmp.Diff(clearV3Reserved(b, 0), m); diff != "" {
			t.Fatalf("re-encoded advert differs (-input +encoded):\n%s", diff)
		}
		var back Advert
		if err := back.UnmarshalBinary(m); err != nil {
			t.Fatalf("UnmarshalBinary of the re-encoded advert: %v", err)
		}
		if diff := cmp.Diff(a, back, cmpAddr); diff != "" {
			t.Fatalf("round trip is not stable (-first +second):\n%s", diff)
		}
		if a.Len() != len(m) {
			t.Fatalf("Len = %d, encoded %d bytes", a.Len(), len(m))
		}
	})
}
