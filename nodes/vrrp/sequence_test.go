package vrrp

import (
	"net/netip"
	"testing"

	"github.com/halab/halab/nodes/vrrp/wire"
)

// TestAHSequenceAfterSimultaneousStart: two routers whose master-down timers
// expire in the same instant both send AH sequence number 1. Each must
// still accept the other's 1 (so the lower priority steps down), and the
// next advert it sends must continue above every number seen.
func TestAHSequenceAfterSimultaneousStart(t *testing.T) {
	in := &instance{}
	in.filter = wire.Filter{Version: 2, VRID: 42, Auth: wire.AuthAH, Password: "labPass1", Interval: 1,
		Unicast: true, Sequence: &in.received}
	if seq, _ := in.nextSequence(); seq != 1 { // our own first advert as master
		t.Fatalf("first sequence %d", seq)
	}
	peer := func(seq uint32) []byte {
		dg, err := wire.BuildPacket(wire.BuildOptions{
			Src: netip.MustParseAddr("10.77.0.1"), Dst: netip.MustParseAddr("10.77.0.2"), ID: uint16(seq),
			Advert: wire.Advert{Version: 2, VRID: 42, Priority: 101, Interval: 1},
			Auth:   wire.AuthAH, Password: "labPass1", Sequence: seq,
		})
		if err != nil {
			t.Fatal(err)
		}
		return dg
	}
	if _, err := in.filter.Accept(peer(1)); err != nil {
		t.Fatalf("the peer's sequence 1, sent in the same instant as ours, was dropped: %v", err)
	}
	if _, err := in.filter.Accept(peer(1)); wire.DropReasonOf(err) != wire.DropAHSequence {
		t.Fatalf("a replayed sequence 1 was not dropped as a replay: %v", err)
	}
	for i := 2; i <= 5; i++ {
		in.filter.Accept(peer(uint32(i)))
	}
	if seq, _ := in.nextSequence(); seq != 6 {
		t.Fatalf("after seeing 5, the next advert has sequence %d, want 6", seq)
	}
}
