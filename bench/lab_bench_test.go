package bench

import (
	"fmt"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/halab/halab/internal/roottest"
)

// labFigures are one round of building, measuring and removing a lab.
type labFigures struct {
	up, down time.Duration
	rss, pss int64
	procs    int
}

// BenchmarkLabLifecycle builds and removes the seed lab with halab and the
// same lab with keepalived, HAProxy and nginx (reflab.sh), alternating, and
// reports the medians side by side. halab's "up" ends when every component
// reports ready; reflab's when its script returns (daemons started).
func BenchmarkLabLifecycle(b *testing.B) {
	roottest.Require(b)
	const rounds = 3
	var halab, ref []labFigures
	name := roottest.LabName("bench")
	for i := 0; i < rounds*b.N; i++ {
		start := time.Now()
		roottest.MustRun(b, "up", "--no-ui", "-q", "--name", name)
		var f labFigures
		f.up = time.Since(start)
		time.Sleep(500 * time.Millisecond) // let memory settle after start-up
		pids := NamespacePIDs(Namespaces("halab-" + name + "-"))
		f.procs = len(pids)
		f.rss, f.pss = RSS(pids)
		start = time.Now()
		roottest.MustRun(b, "down", "--lab", name)
		f.down = time.Since(start)
		halab = append(halab, f)

		start = time.Now()
		if err := Reflab("up"); err != nil {
			b.Skipf("reference lab unavailable: %v", err)
		}
		var r labFigures
		r.up = time.Since(start)
		time.Sleep(500 * time.Millisecond)
		pids = NamespacePIDs(Namespaces("rl-"))
		r.procs = len(pids)
		r.rss, r.pss = RSS(pids)
		start = time.Now()
		if err := Reflab("down"); err != nil {
			b.Fatal(err)
		}
		r.down = time.Since(start)
		ref = append(ref, r)
	}
	h, k := median(halab), median(ref)
	b.ReportMetric(h.up.Seconds(), "halab-up-s")
	b.ReportMetric(h.down.Seconds(), "halab-down-s")
	b.ReportMetric(float64(h.rss)/1e6, "halab-rss-MB")
	b.ReportMetric(k.up.Seconds(), "ref-up-s")
	b.ReportMetric(k.down.Seconds(), "ref-down-s")
	b.ReportMetric(float64(k.rss)/1e6, "ref-rss-MB")
	fmt.Fprintf(os.Stdout, "\nlab lifecycle, median of %d rounds (seed lab)\n", len(halab))
	fmt.Fprintf(os.Stdout, "| | halab | keepalived+HAProxy+nginx | ratio |\n|---|---|---|---|\n")
	fmt.Fprintf(os.Stdout, "| up until ready | %.3f s | %.3f s | %.2f× |\n", h.up.Seconds(), k.up.Seconds(), h.up.Seconds()/k.up.Seconds())
	fmt.Fprintf(os.Stdout, "| down | %.3f s | %.3f s | %.2f× |\n", h.down.Seconds(), k.down.Seconds(), h.down.Seconds()/k.down.Seconds())
	fmt.Fprintf(os.Stdout, "| RSS of lab processes | %.1f MB (%d procs, PSS %.1f MB) | %.1f MB (%d procs, PSS %.1f MB) | %.2f× |\n",
		float64(h.rss)/1e6, h.procs, float64(h.pss)/1e6, float64(k.rss)/1e6, k.procs, float64(k.pss)/1e6, float64(h.rss)/float64(k.rss))
}

// medianBy is the median of one figure of xs, read by get.
func medianBy[T any](xs []T, get func(T) float64) float64 {
	v := make([]float64, len(xs))
	for i, x := range xs {
		v[i] = get(x)
	}
	sort.Float64s(v)
	return v[len(v)/2]
}

func median(fs []labFigures) labFigures {
	pick := func(get func(labFigures) float64) float64 { return medianBy(fs, get) }
	return labFigures{
		up:    time.Duration(pick(func(f labFigures) float64 { return float64(f.up) })),
		down:  time.Duration(pick(func(f labFigures) float64 { return float64(f.down) })),
		rss:   int64(pick(func(f labFigures) float64 { return float64(f.rss) })),
		pss:   int64(pick(func(f labFigures) float64 { return float64(f.pss) })),
		procs: int(pick(func(f labFigures) float64 { return float64(f.procs) })),
	}
}
