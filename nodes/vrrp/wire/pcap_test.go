package wire

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// capturedDatagram is one IPv4 datagram of a capture.
type capturedDatagram struct {
	Index int       // record number in the capture, from 0
	Time  time.Time // capture time
	Bytes []byte    // the IPv4 datagram, Ethernet header stripped
}

// readPcap reads a classic pcap file (microsecond or nanosecond timestamps,
// either byte order) of Ethernet link type and returns the IPv4 datagrams in
// it, skipping ARP and every other ethertype.
func readPcap(b []byte) ([]capturedDatagram, error) {
	if len(b) < 24 {
		return nil, fmt.Errorf("pcap: global header needs 24 bytes, have %d", len(b))
	}
	var order binary.ByteOrder
	var nanos bool
	switch magic := binary.LittleEndian.Uint32(b); magic {
	case 0xa1b2c3d4, 0xa1b23c4d:
		order, nanos = binary.LittleEndian, magic == 0xa1b23c4d
	case 0xd4c3b2a1, 0x4d3cb2a1:
		order, nanos = binary.BigEndian, magic == 0x4d3cb2a1
	default:
		return nil, fmt.Errorf("pcap: bad magic %#08x", magic)
	}
	if link := order.Uint32(b[20:24]); link != 1 {
		return nil, fmt.Errorf("pcap: link type %d, want 1 (Ethernet)", link)
	}
	var out []capturedDatagram
	for i, rest := 0, b[24:]; len(rest) > 0; i++ {
		if len(rest) < 16 {
			return nil, fmt.Errorf("pcap: record %d: truncated record header", i)
		}
		sec, frac, incl := order.Uint32(rest), order.Uint32(rest[4:]), order.Uint32(rest[8:])
		if uint64(len(rest)-16) < uint64(incl) {
			return nil, fmt.Errorf("pcap: record %d: %d bytes announced, %d left", i, incl, len(rest)-16)
		}
		frame := rest[16 : 16+incl]
		rest = rest[16+incl:]
		if !nanos {
			frac *= 1000
		}
		if len(frame) < 14 || binary.BigEndian.Uint16(frame[12:14]) != 0x0800 {
			continue // ARP (0x0806) and anything else that is not IPv4
		}
		out = append(out, capturedDatagram{Index: i, Time: time.Unix(int64(sec), int64(frac)), Bytes: frame[14:]})
	}
	return out, nil
}

// loadCapture reads testdata/name.
func loadCapture(t testing.TB, name string) []capturedDatagram {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	datagrams, err := readPcap(b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return datagrams
}
