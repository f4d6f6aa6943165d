package wire

import (
	"errors"
	"net/netip"
	"testing"
)

func TestChecksum(t *testing.T) {
	tests := []struct {
		name     string
		hex      string // checksum field as captured
		src, dst netip.Addr
		want     uint16
	}{
		{"capture v2 none", "212a9602 0001336f 0a4d0064 0a4d0065 00000000 00000000", nodeA, MulticastGroup, 0x336f},
		{"capture v2 PASS", "212a9602 01018f18 0a4d0064 0a4d0065 6c616250 61737331", nodeA, MulticastGroup, 0x8f18},
		// Version 2 ignores the addresses: no pseudo-header.
		{"capture v2 none, other addresses", "212a9602 0001336f 0a4d0064 0a4d0065 00000000 00000000", netip.Addr{}, netip.Addr{}, 0x336f},
		{"capture v3 multicast", "312a9602 000a3885 0a4d0064 0a4d0065", nodeA, MulticastGroup, 0x3885},
		{"capture v3 unicast to the peer", "312a9602 00640def 0a4d0064 0a4d0065", nodeA, nodeB, 0x0def},
		{"capture v3 unicast from b", "312a6402 0064 0000 0a4d0064 0a4d0065", nodeB, nodeA, 0x3fef},
		{"field is ignored", "312a9602 000affff 0a4d0064 0a4d0065", nodeA, MulticastGroup, 0x3885},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := unhex(t, tc.hex)
			got, err := Checksum(b, tc.src, tc.dst)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("Checksum = %#04x, want %#04x", got, tc.want)
			}
			b[6], b[7] = byte(tc.want>>8), byte(tc.want)
			if err := VerifyChecksum(b, tc.src, tc.dst); err != nil {
				t.Errorf("VerifyChecksum: %v", err)
			}
			b[7] ^= 1
			if err := VerifyChecksum(b, tc.src, tc.dst); !errors.Is(err, ErrBadChecksum) {
				t.Errorf("VerifyChecksum of a wrong checksum = %v, want ErrBadChecksum", err)
			}
		})
	}
}

func TestChecksumErrors(t *testing.T) {
	tests := []struct {
		name     string
		hex      string
		src, dst netip.Addr
		want     error
	}{
		{"short", "312a96", nodeA, MulticastGroup, ErrTruncated},
		{"version 5", "512a9602 000a3885", nodeA, MulticastGroup, ErrBadVersion},
		{"v3 without source", "312a9602 000a3885", netip.Addr{}, MulticastGroup, ErrBadAddress},
		{"v3 with IPv6 destination", "312a9602 000a3885", nodeA, netip.MustParseAddr("ff02::12"), ErrBadAddress},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Checksum(unhex(t, tc.hex), tc.src, tc.dst); !errors.Is(err, tc.want) {
				t.Errorf("Checksum = %v, want %v", err, tc.want)
			}
			if err := VerifyChecksum(unhex(t, tc.hex), tc.src, tc.dst); !errors.Is(err, tc.want) {
				t.Errorf("VerifyChecksum = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestAddToSumOddLength covers the padding of an odd last byte (RFC 1071).
func TestAddToSumOddLength(t *testing.T) {
	if got := foldSum(addToSum(0, []byte{0x01, 0x02, 0x03})); got != 0x0402 {
		t.Errorf("sum of 01 02 03 = %#04x, want 0x0402", got)
	}
	// Carries fold back in.
	if got := foldSum(addToSum(0, []byte{0xff, 0xff, 0x00, 0x02})); got != 0x0002 {
		t.Errorf("sum of ffff 0002 = %#04x, want 0x0002", got)
	}
}
