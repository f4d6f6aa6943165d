package kaconf

import (
	"net/netip"
	"testing"
)

func TestFullPriorityAndInstanceFor(t *testing.T) {
	track := func(w int, rev bool) TrackScript { return TrackScript{Name: "s", Weight: w, WeightReverse: rev} }
	tests := []struct {
		name string
		in   Instance
		want int
	}{
		{"no tracks", Instance{Priority: 101}, 101},
		{"positive weight raises", Instance{Priority: 101, TrackScripts: []TrackScript{track(2, false)}}, 103},
		{"negative and reversed do not", Instance{Priority: 100, TrackScripts: []TrackScript{track(-5, false), track(3, true)}}, 100},
		{"capped at 254", Instance{Priority: 250, TrackScripts: []TrackScript{track(10, false)}}, 254},
		{"address owner stays", Instance{Priority: 255, TrackScripts: []TrackScript{track(10, false)}}, 255},
	}
	for _, tt := range tests {
		if got := tt.in.FullPriority(); got != tt.want {
			t.Errorf("%s: FullPriority() = %d, want %d", tt.name, got, tt.want)
		}
	}
	a := &Instance{Name: "A", VirtualIPs: []VirtualIP{{Address: netip.MustParsePrefix("10.0.0.1/32")}}}
	b := &Instance{Name: "B", VirtualIPs: []VirtualIP{{Address: netip.MustParsePrefix("10.0.0.2/24")}}}
	c := &Config{Instances: []*Instance{a, b}}
	if got := c.InstanceFor(netip.MustParseAddr("10.0.0.2")); got != b {
		t.Errorf("InstanceFor(10.0.0.2) = %v", got)
	}
	if got := c.InstanceFor(netip.MustParseAddr("10.0.0.3")); got != nil {
		t.Errorf("InstanceFor(10.0.0.3) = %v, want nil", got)
	}
}
