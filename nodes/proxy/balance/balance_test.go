package balance

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/halab/halab/nodes/proxy/hacfg"
)

func servers(weights ...int) []Server {
	out := make([]Server, len(weights))
	for i, w := range weights {
		out[i] = Server{Weight: w, Usable: true}
	}
	return out
}

// sequence picks n servers for sources 127.0.0.1, .2, … (or all from
// 127.0.0.1 when varySrc is false) and renders them as "s1 s2 …".
func sequence(b *Balancer, n int, varySrc bool) string {
	var out []string
	for i := 0; i < n; i++ {
		src := netip.AddrFrom4([4]byte{127, 0, 0, 1})
		if varySrc {
			src = netip.AddrFrom4([4]byte{127, 0, byte(i / 250), byte(1 + i%250)})
		}
		idx := b.Pick(src, -1)
		if idx < 0 {
			out = append(out, "-")
			continue
		}
		b.Release(idx)
		out = append(out, fmt.Sprintf("s%d", idx+1))
	}
	return strings.Join(out, " ")
}

// The expected orders were recorded from HAProxy 2.6.12 on loopback, one
// request per connection (see TestOrdersMatchRealHAProxy for how).
func TestOrdersRecordedFromHAProxy(t *testing.T) {
	tests := []struct {
		algo    hacfg.Algorithm
		weights []int
		varySrc bool
		want    string
	}{
		{hacfg.RoundRobin, []int{3, 1}, false, "s1 s1 s1 s2 s1 s1 s1 s2 s1 s1 s1 s2 s1 s1 s1 s2"},
		{hacfg.RoundRobin, []int{1, 1, 1}, false, "s1 s2 s3 s1 s2 s3 s1 s2 s3"},
		{hacfg.RoundRobin, []int{5, 3, 2}, false, "s1 s2 s1 s3 s1 s2 s1 s2 s1 s3 s1 s2 s1 s3 s1 s2 s1 s2 s1 s3"},
		{hacfg.RoundRobin, []int{2, 1, 1}, false, "s1 s2 s1 s3 s1 s2 s1 s3 s1 s2 s1 s3"},
		{hacfg.RoundRobin, []int{1, 2}, false, "s2 s2 s1 s2 s2 s1 s2 s2 s1 s2 s2 s1"},
		{hacfg.RoundRobin, []int{10, 1}, false, "s1 s1 s1 s1 s1 s1 s1 s1 s1 s1 s2 s1 s1 s1 s1 s1 s1 s1 s1 s1 s1 s2"},
		{hacfg.RoundRobin, []int{7, 2, 1, 0}, false, "s1 s1 s1 s2 s1 s1 s3 s1 s1 s2 s1 s1 s1 s2 s1 s1 s3 s1 s1 s2"},
		{hacfg.RoundRobin, []int{1, 1, 1, 1, 1}, false, "s1 s2 s3 s4 s5 s1 s2 s3 s4 s5"},
		{hacfg.StaticRR, []int{3, 1, 2}, false, "s1 s1 s3 s1 s2 s3 s1 s1 s3 s1 s2 s3"},
		{hacfg.Source, []int{1, 1, 1}, true, "s3 s1 s2 s3 s1 s2 s3 s1 s2 s3 s1 s2"},
		{hacfg.Source, []int{3, 1, 2}, true, "s3 s1 s1 s3 s1 s2 s3 s1 s1 s3 s1 s2"},
		{hacfg.Source, []int{2, 4}, true, "s2 s1 s2 s2 s1 s2 s2 s1 s2 s2 s1 s2"},
		{hacfg.First, []int{1, 1, 1}, false, "s1 s1 s1 s1 s1 s1"},
		{hacfg.LeastConn, []int{1, 1, 1}, false, "s1 s2 s3 s1 s2 s3"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%v", tt.algo, tt.weights), func(t *testing.T) {
			n := len(strings.Fields(tt.want))
			got := sequence(New(tt.algo, servers(tt.weights...), false), n, tt.varySrc)
			if got != tt.want {
				t.Errorf("order\n got  %s\n want %s", got, tt.want)
			}
		})
	}
}

func TestSourceIsStablePerClient(t *testing.T) {
	b := New(hacfg.Source, servers(1, 1, 1), false)
	for i := 1; i <= 50; i++ {
		src := netip.AddrFrom4([4]byte{10, 0, byte(i), byte(i * 7)})
		first := b.Pick(src, -1)
		b.Release(first)
		for j := 0; j < 5; j++ {
			if got := b.Pick(src, -1); got != first {
				t.Fatalf("client %v went to s%d then s%d", src, first+1, got+1)
			} else {
				b.Release(got)
			}
		}
	}
	// IPv4-mapped IPv6 hashes as the IPv4 address.
	v4 := netip.MustParseAddr("127.0.0.5")
	mapped := netip.AddrFrom16(v4.As16())
	if a, m := b.Pick(v4, -1), b.Pick(mapped, -1); a != m {
		t.Fatalf("127.0.0.5 -> s%d but ::ffff:127.0.0.5 -> s%d", a+1, m+1)
	}
}

func TestLeastConnPrefersIdleServers(t *testing.T) {
	b := New(hacfg.LeastConn, servers(1, 1, 1), false)
	src := netip.MustParseAddr("127.0.0.1")
	a := b.Pick(src, -1) // s1 busy
	c := b.Pick(src, -1) // s2 busy
	if a != 0 || c != 1 {
		t.Fatalf("first picks = s%d s%d, want s1 s2", a+1, c+1)
	}
	if got := b.Pick(src, -1); got != 2 {
		t.Fatalf("third pick = s%d, want the idle s3", got+1)
	}
	b.Release(1) // s2 idle again
	if got := b.Pick(src, -1); got != 1 {
		t.Fatalf("pick after s2 finished = s%d, want s2", got+1)
	}
	// A heavier server takes proportionally more.
	h := New(hacfg.LeastConn, servers(1, 3), false)
	counts := map[int]int{}
	for i := 0; i < 8; i++ {
		counts[h.Pick(src, -1)]++ // none released: in flight
	}
	if counts[1] <= counts[0] {
		t.Fatalf("weight 3 server got %d in flight, weight 1 got %d", counts[1], counts[0])
	}
}

func TestBackupServers(t *testing.T) {
	for _, algo := range []hacfg.Algorithm{hacfg.RoundRobin, hacfg.StaticRR, hacfg.LeastConn, hacfg.Source, hacfg.First} {
		t.Run(string(algo), func(t *testing.T) {
			srv := []Server{{Weight: 1, Usable: true}, {Weight: 1, Backup: true, Usable: true}, {Weight: 1, Backup: true, Usable: true}}
			b := New(algo, srv, false)
			if got := sequence(b, 4, false); got != "s1 s1 s1 s1" {
				t.Fatalf("with the active server up: %s", got)
			}
			b.SetUsable(0, false)
			if got := sequence(b, 4, false); got != "s2 s2 s2 s2" {
				t.Fatalf("active down, first backup only: %s", got)
			}
			if act, bck := b.Counts(); act != 0 || bck != 2 {
				t.Fatalf("counts = %d active %d backup", act, bck)
			}
			b.SetUsable(1, false)
			if got := sequence(b, 2, false); got != "s3 s3" {
				t.Fatalf("first backup down: %s", got)
			}
			b.SetUsable(2, false)
			if got := sequence(b, 2, false); got != "- -" {
				t.Fatalf("all down: %s", got)
			}
			b.SetUsable(0, true)
			if got := sequence(b, 2, false); got != "s1 s1" {
				t.Fatalf("active back: %s", got)
			}
		})
	}
	b := New(hacfg.RoundRobin, []Server{{Weight: 1}, {Weight: 1, Backup: true, Usable: true}, {Weight: 1, Backup: true, Usable: true}}, true)
	if got := sequence(b, 4, false); got != "s2 s3 s2 s3" {
		t.Fatalf("allbackups: %s", got)
	}
}

func TestDownServerGetsNoTrafficAndComesBack(t *testing.T) {
	for _, algo := range []hacfg.Algorithm{hacfg.RoundRobin, hacfg.StaticRR, hacfg.LeastConn, hacfg.Source, hacfg.First} {
		t.Run(string(algo), func(t *testing.T) {
			b := New(algo, servers(1, 1, 1), false)
			b.SetUsable(0, false)
			for i := 0; i < 30; i++ {
				src := netip.AddrFrom4([4]byte{127, 0, 0, byte(i + 1)})
				got := b.Pick(src, -1)
				if got == 0 || got < 0 {
					t.Fatalf("pick %d = %d with s1 down", i, got)
				}
				b.Release(got)
			}
			b.SetUsable(0, true)
			seen := false
			for i := 0; i < 30; i++ {
				src := netip.AddrFrom4([4]byte{127, 0, 0, byte(i + 1)})
				got := b.Pick(src, -1)
				seen = seen || got == 0
				b.Release(got)
			}
			if !seen {
				t.Fatalf("s1 got no traffic after coming back")
			}
		})
	}
}

func TestRoundRobinAfterStateChangesStaysFair(t *testing.T) {
	b := New(hacfg.RoundRobin, servers(2, 1, 1), false)
	b.SetUsable(1, false)
	b.SetUsable(1, true)
	counts := make([]int, 3)
	for i := 0; i < 400; i++ {
		idx := b.Pick(netip.Addr{}, -1)
		counts[idx]++
		b.Release(idx)
	}
	if counts[0] < 190 || counts[0] > 210 || counts[1] < 90 || counts[2] < 90 {
		t.Fatalf("counts after down/up = %v, want about 200/100/100", counts)
	}
}

func TestAvoidPicksAnotherServer(t *testing.T) {
	for _, algo := range []hacfg.Algorithm{hacfg.RoundRobin, hacfg.StaticRR, hacfg.LeastConn, hacfg.First} {
		b := New(algo, servers(1, 1), false)
		for i := 0; i < 6; i++ {
			if got := b.Pick(netip.Addr{}, 0); got != 1 {
				t.Fatalf("%s: Pick(avoid s1) = s%d", algo, got+1)
			}
			b.Release(1)
		}
		one := New(algo, servers(1), false)
		if got := one.Pick(netip.Addr{}, 0); got != 0 {
			t.Fatalf("%s: the only server must be picked even when avoided, got %d", algo, got)
		}
	}
}

func TestWeightZeroNeverPicked(t *testing.T) {
	for _, algo := range []hacfg.Algorithm{hacfg.RoundRobin, hacfg.StaticRR, hacfg.LeastConn, hacfg.Source, hacfg.First} {
		b := New(algo, servers(0, 1), false)
		for i := 0; i < 10; i++ {
			src := netip.AddrFrom4([4]byte{127, 0, 0, byte(i + 1)})
			if got := b.Pick(src, -1); got != 1 {
				t.Fatalf("%s: picked s%d", algo, got+1)
			} else {
				b.Release(got)
			}
		}
	}
}
