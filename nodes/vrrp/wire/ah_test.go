package wire

import (
	"errors"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The first advert of the multicast AH capture, a to 224.0.0.18, sequence 1.
const captureAHMulticast = `
	45c0 0044 0001 0000 ff33 d065 0a4d 0001 e000 0012
	7004 0000 0a4d 0001 0000 0001 184a ba8c beb6 2711 a39b 5168
	212a 9602 0201 316f 0a4d 0064 0a4d 0065 0000 0000 0000 0000`

// The first advert of the unicast AH capture, a to b, sequence 1.
const captureAHUnicast = `
	45c0 0044 0001 0000 ff33 a629 0a4d 0001 0a4d 0002
	7004 0000 0a4d 0001 0000 0001 c2ff 638f 5b9f 1cd4 dea5 fa3b
	212a 9602 0201 316f 0a4d 0064 0a4d 0065 0000 0000 0000 0000`

func TestAHHeaderGolden(t *testing.T) {
	want := AHHeader{
		NextHeader: ProtocolVRRP,
		PayloadLen: AHPayloadLen,
		SPI:        0x0a4d0001,
		Sequence:   1,
		ICV:        [ICVLen]byte{0x18, 0x4a, 0xba, 0x8c, 0xbe, 0xb6, 0x27, 0x11, 0xa3, 0x9b, 0x51, 0x68},
	}
	b := unhex(t, captureAHMulticast)[IPv4HeaderLen : IPv4HeaderLen+AHHeaderLen]
	var got AHHeader
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("UnmarshalBinary (-want +got):\n%s", diff)
	}
	enc, err := want.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(b, enc); diff != "" {
		t.Errorf("MarshalBinary (-want +got):\n%s", diff)
	}
}

func TestAHHeaderErrors(t *testing.T) {
	good := unhex(t, captureAHMulticast)[IPv4HeaderLen : IPv4HeaderLen+AHHeaderLen]
	badLen := append([]byte(nil), good...)
	badLen[1] = 5
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"23 bytes", good[:23], ErrTruncated},
		{"25 bytes", append(append([]byte(nil), good...), 0), ErrBadLength},
		{"payload length 5", badLen, ErrBadAH},
	}
	for _, tc := range tests {
		var h AHHeader
		if err := h.UnmarshalBinary(tc.b); !errors.Is(err, tc.want) {
			t.Errorf("%s: UnmarshalBinary = %v, want %v", tc.name, err, tc.want)
		}
	}
	h := AHHeader{NextHeader: ProtocolVRRP}
	if _, err := h.MarshalBinary(); !errors.Is(err, ErrBadAH) {
		t.Errorf("MarshalBinary with payload length 0 = %v, want ErrBadAH", err)
	}
}

func TestComputeICV(t *testing.T) {
	for name, hexDatagram := range map[string]string{"multicast": captureAHMulticast, "unicast": captureAHUnicast} {
		t.Run(name, func(t *testing.T) {
			d := unhex(t, hexDatagram)
			orig := append([]byte(nil), d...)
			icv, err := ComputeICV(d, "labPass1")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(d[32:44], icv[:]); diff != "" {
				t.Errorf("ICV (-captured +computed):\n%s", diff)
			}
			if diff := cmp.Diff(orig, d); diff != "" {
				t.Errorf("ComputeICV modified its input:\n%s", diff)
			}
			if err := VerifyICV(d, "labPass1"); err != nil {
				t.Errorf("VerifyICV: %v", err)
			}
			d[len(d)-1] = 1 // flip a bit of the VRRP auth data: covered
			if err := VerifyICV(d, "labPass1"); !errors.Is(err, ErrBadICV) {
				t.Errorf("VerifyICV of a changed advert = %v, want ErrBadICV", err)
			}
		})
	}
}

func TestComputeICVErrors(t *testing.T) {
	good := unhex(t, captureAHMulticast)
	notAH := append([]byte(nil), good...)
	notAH[9] = ProtocolVRRP
	ipv6 := append([]byte(nil), good...)
	ipv6[0] = 0x65
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"IP header only", good[:IPv4HeaderLen], ErrTruncated},
		{"AH header cut", good[:IPv4HeaderLen+AHHeaderLen-1], ErrTruncated},
		{"protocol 112", notAH, ErrNotVRRP},
		{"IP version 6", ipv6, ErrNotIPv4},
	}
	for _, tc := range tests {
		if _, err := ComputeICV(tc.b, "labPass1"); !errors.Is(err, tc.want) {
			t.Errorf("%s: ComputeICV = %v, want %v", tc.name, err, tc.want)
		}
		if err := VerifyICV(tc.b, "labPass1"); !errors.Is(err, tc.want) {
			t.Errorf("%s: VerifyICV = %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestSequenceCounter(t *testing.T) {
	var c SequenceCounter
	if seq, ok := c.Next(); seq != 1 || !ok {
		t.Fatalf("first Next = %d, %v; want 1, true", seq, ok)
	}
	if c.Accept(1) {
		t.Error("Accept(1) after sending 1: a replay must be refused")
	}
	if !c.Accept(3) || c.Last() != 3 {
		t.Errorf("Accept(3): Last = %d, want 3", c.Last())
	}
	if c.Accept(2) {
		t.Error("Accept(2) after 3 must be refused")
	}
	if seq, _ := c.Next(); seq != 4 {
		t.Errorf("Next after accepting 3 = %d, want 4 (a new master continues above the last seen)", seq)
	}

	c = SequenceCounter{}
	c.Accept(math.MaxUint32 - 2)
	if seq, ok := c.Next(); seq != math.MaxUint32-1 || !ok {
		t.Errorf("Next at 0xFFFFFFFD = %#x, %v; want 0xFFFFFFFE, true", seq, ok)
	}
	if seq, ok := c.Next(); seq != math.MaxUint32-1 || ok {
		t.Errorf("Next at 0xFFFFFFFE = %#x, %v; want 0xFFFFFFFE, false (cycled)", seq, ok)
	}
}
